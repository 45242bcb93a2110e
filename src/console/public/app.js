// The hark console's page: one WebSocket to hark (src/console/server.ts has the protocol), no build step.
const $ = (sel) => document.querySelector(sel);
const token = new URLSearchParams(location.search).get("token");
const authHeaders = token ? { Authorization: `Bearer ${token}` } : {};

const state = {
  ws: undefined,
  snapshot: undefined,
  session: undefined,
  /** The open turn per session (a card in the pipeline list). */
  turns: new Map(),
  /** The turn last touched: device commands attach to it. */
  lastTurn: undefined,
  /** Command id → its list item. */
  commands: new Map(),
  /** The spoken answer whose WAV comes next. */
  pendingSpeech: undefined,
  talking: false,
  audioIn: true,
};

// ---- the socket ------------------------------------------------------------------------------

function connect() {
  const proto = location.protocol === "https:" ? "wss" : "ws";
  const ws = new WebSocket(`${proto}://${location.host}/ws${token ? `?token=${encodeURIComponent(token)}` : ""}`);
  ws.binaryType = "arraybuffer";
  state.ws = ws;
  ws.onopen = () => {
    setConn("connected", true);
    send({ type: "speech", on: $("#speak").checked });
  };
  ws.onclose = () => {
    setConn("disconnected — retrying", false);
    setTimeout(connect, 1500);
  };
  ws.onmessage = (ev) => {
    if (typeof ev.data !== "string") return playAnswer(ev.data);
    const m = JSON.parse(ev.data);
    const f = handlers[m.type];
    if (f) f(m);
  };
}

function send(m) {
  if (state.ws && state.ws.readyState === WebSocket.OPEN) state.ws.send(typeof m === "string" || m instanceof ArrayBuffer ? m : JSON.stringify(m));
}

function setConn(text, ok) {
  const c = $("#conn");
  c.textContent = text;
  c.classList.toggle("ok", ok);
}

// ---- what hark tells -------------------------------------------------------------------------

const handlers = {
  snapshot(m) {
    state.snapshot = m;
    const sel = $("#session");
    const keep = state.session;
    sel.replaceChildren(...m.sessions.map((s) => el("option", { value: s.id }, `${s.id} (${s.profile}${s.area ? `, ${s.area}` : s.seat ? `, ${s.seat}` : ""})`)));
    state.session = m.sessions.some((s) => s.id === keep) ? keep : m.defaultSession;
    sel.value = state.session;
    for (const s of m.sessions) sessionStates.set(s.id, s.state);
    showDialogState();
    renderDevices(m);
    state.audioIn = m.audio.input;
    $("#ptt").disabled = !m.audio.input;
    $("#wav-file").disabled = !m.audio.input;
    $("#speak").disabled = !m.audio.speech;
    if (!m.audio.speech) $("#speak").checked = false;
    $("#audio-note").textContent = m.audio.reason ?? "";
  },
  level(m) {
    if (m.session !== state.session) return;
    const db = Math.max(-80, Math.min(0, m.db));
    $("#level-bar").style.width = `${((db + 80) / 80) * 100}%`;
    $("#level").textContent = `${Math.round(m.db)} dB`;
  },
  vad(m) {
    const v = $("#vad");
    v.textContent = m.speaking ? "speech" : "silence";
    v.classList.toggle("on", m.speaking);
  },
  partial(m) {
    $("#partial").textContent = m.text ? `… ${m.text}` : "";
  },
  heard(m) {
    $("#partial").textContent = "";
    const t = turnFor(m.session, "heard");
    const conf = `confidence ${fmt(m.confidence)}${m.score !== undefined ? `, evidence ${fmt(m.score)}` : ""}`;
    const what = m.wake ? `wake phrase “${m.text}”` : m.text ? `“${m.text}”` : `nothing understood${typeof m.rejected === "string" ? ` (${m.rejected})` : ""}`;
    t.body.append(row("heard", el("span", { class: "heard" }, what), el("small", {}, ` ${conf}${m.endpoint ? `, endpoint ${m.endpoint}` : ""}, ASR ${m.ms} ms`)));
  },
  state(m) {
    sessionStates.set(m.session, m.state);
    if (m.session === state.session) showDialogState();
    const t = state.turns.get(m.session);
    if (t && m.from && m.ms !== undefined) {
      if (!t.states.length) t.states.push(m.from);
      t.states.push(m.state);
    }
  },
  timings(m) {
    const t = state.turns.get(m.session);
    const stages = Object.entries(m.stages);
    const text = `${stages.map(([k, v]) => `${k} ${v} ms`).join(" · ")} · total ${m.total} ms`;
    if (t) {
      if (t.states.length) t.body.append(row("dialog", el("small", { class: "states" }, t.states.join(" → "))));
      t.body.append(row("timings", el("small", { class: "timings" }, text)));
      t.card.classList.add("done");
      state.turns.delete(m.session);
    }
    if (m.session === state.session || !t) {
      $("#timings tbody").replaceChildren(...stages.map(([k, v]) => el("tr", {}, el("th", {}, k), el("td", {}, `${v} ms`))), el("tr", { class: "total" }, el("th", {}, "total"), el("td", {}, `${m.total} ms`)));
    }
  },
  command(m) {
    const t = state.lastTurn ?? turnFor(state.session, "command");
    const li = el("li", { class: "cmd pending" }, el("code", {}, `${m.device} ${m.action}${Object.keys(m.params).length ? ` ${JSON.stringify(m.params)}` : ""}`), el("span", { class: "ack" }, " → sent"));
    state.commands.set(m.id, li);
    let list = t.body.querySelector("ul.cmds");
    if (!list) t.body.append(row("MQTT", (list = el("ul", { class: "cmds" }))));
    list.append(li);
  },
  ack(m) {
    const li = state.commands.get(m.id);
    if (!li) return;
    state.commands.delete(m.id);
    li.classList.remove("pending");
    li.classList.add(m.ok ? "ok" : "failed");
    li.querySelector(".ack").textContent = m.ok ? ` → confirmed in ${m.ms} ms` : ` → ${m.error ?? "failed"}${m.message ? `: ${m.message}` : ""} (${m.ms} ms)`;
  },
  device(m) {
    updateDevice(m.device, m.state);
  },
  answer(m) {
    const t = turnFor(m.session, "answer");
    if (m.text !== undefined && !t.body.querySelector(".said, .heard")) t.body.prepend(row("said", el("span", { class: "said" }, `“${m.text}”`)));
    const mqtt = t.body.querySelector(".row-mqtt");
    const put = (r) => (mqtt ? t.body.insertBefore(r, mqtt) : t.body.append(r));
    if (m.intents.length) {
      put(
        row(
          "intents",
          el(
            "ul",
            { class: "intents" },
            ...m.intents.map((i) =>
              el("li", { class: "intent" }, el("b", {}, i.intent), " ", el("code", {}, compactSlots(i.slots)), " ", el("small", {}, `${i.source}, confidence ${fmt(i.confidence)}`)),
            ),
          ),
        ),
      );
    }
    if (m.decision) {
      const d = m.decision;
      put(row("decision", el("span", { class: `decision ${d.decision}` }, d.decision), d.reason ? el("small", {}, ` ${d.reason}${d.detail ? `: ${d.detail}` : ""}`) : ""));
    }
    t.body.append(row("hark", el("span", { class: `speech ${m.kind}` }, m.speech || "(nothing said)"), el("small", {}, ` ${m.kind}, ${m.ms} ms${m.scheduled ? `, scheduled (${m.scheduled.when})` : ""}`)));
    if (m.error) t.body.append(row("error", el("small", { class: "failed" }, m.error)));
  },
  speech(m) {
    state.pendingSpeech = m;
  },
  talk(m) {
    if (m.state === "start" || m.state === "replay") {
      const t = newTurn(m.session, m.state === "replay" ? `WAV file, ${m.seconds} s` : "push-to-talk");
      state.turns.set(m.session, t);
    }
  },
  error(m) {
    showError(m.message);
  },
};

const sessionStates = new Map();

function showDialogState() {
  const b = $("#dialog-state");
  const s = sessionStates.get(state.session) ?? "…";
  b.textContent = s;
  b.dataset.state = s;
}

// ---- turns in the pipeline list -------------------------------------------------------------------

function newTurn(session, how) {
  const body = el("div", { class: "body" });
  const card = el("li", { class: "turn", "data-session": session }, el("header", {}, el("b", {}, session), " ", el("small", {}, `${how} · ${new Date().toLocaleTimeString()}`)), body);
  $("#turns").prepend(card);
  while ($("#turns").children.length > 50) $("#turns").lastElementChild.remove();
  const t = { card, body, states: [] };
  state.lastTurn = t;
  return t;
}

function turnFor(session, why) {
  let t = state.turns.get(session);
  if (!t) {
    t = newTurn(session, why === "heard" ? "speech" : why === "answer" ? "answer" : "event");
    state.turns.set(session, t);
  }
  state.lastTurn = t;
  return t;
}

function row(label, ...content) {
  return el("div", { class: `row row-${label.toLowerCase()}` }, el("span", { class: "label" }, label), el("span", { class: "content" }, ...content));
}

// ---- devices ------------------------------------------------------------------------------------

const rows = new Map();

function renderDevices(m) {
  rows.clear();
  const areaName = new Map(m.areas.map((a) => [a.id, a.name]));
  for (const kind of ["home", "car"]) {
    const groups = new Map();
    for (const d of m.devices.filter((x) => x.kind === kind)) {
      const g = kind === "home" ? (areaName.get(d.area) ?? d.area ?? "elsewhere") : (d.zone ?? "cabin");
      if (!groups.has(g)) groups.set(g, []);
      groups.get(g).push(d);
    }
    const box = $(`#${kind}`);
    box.replaceChildren(
      ...[...groups].map(([g, ds]) =>
        el(
          "details",
          { class: "area", open: "" },
          el("summary", {}, g),
          el(
            "ul",
            {},
            ...ds.map((d) => {
              const li = el("li", { class: "device", "data-device": d.id, "data-domain": d.domain }, el("span", { class: "name" }, d.name), el("span", { class: "state" }), el("small", { class: "attrs" }));
              rows.set(d.id, li);
              paint(li, d.state);
              return li;
            }),
          ),
        ),
      ),
    );
    if (kind === "car" && m.speed !== undefined) box.prepend(el("p", { class: "speed" }, `speed ${m.speed} km/h`));
  }
}

function updateDevice(id, st) {
  const li = rows.get(id);
  if (!li) return;
  paint(li, st);
  li.classList.remove("changed");
  void li.offsetWidth; // restart the flash
  li.classList.add("changed");
}

const HIDDEN = new Set(["state", "value", "last_command", "updated", "id"]);

function paint(li, st) {
  const s = st ?? {};
  const raw = s.state ?? s.value ?? (st ? "" : "?");
  // Home Assistant's MQTT schemas say ON/OFF; the page says on/off.
  const main = typeof raw === "object" ? JSON.stringify(raw) : /^[A-Z_]+$/.test(String(raw)) ? String(raw).toLowerCase() : String(raw);
  li.querySelector(".state").textContent = main;
  li.dataset.state = main;
  const attrs = Object.entries(s)
    .filter(([k, v]) => !HIDDEN.has(k) && v !== null && v !== undefined && typeof v !== "object")
    .slice(0, 4)
    .map(([k, v]) => `${k} ${v}`)
    .join(", ");
  li.querySelector(".attrs").textContent = attrs;
}

// ---- typed requests -----------------------------------------------------------------------------

$("#text-form").addEventListener("submit", (e) => {
  e.preventDefault();
  const input = $("#text-input");
  const text = input.value.trim();
  if (!text) return;
  const t = newTurn(state.session, "typed");
  t.body.append(row("said", el("span", { class: "said" }, `“${text}”`)));
  state.turns.set(state.session, t);
  send({ type: "text", text, session: state.session });
  input.value = "";
});

$("#session").addEventListener("change", (e) => {
  state.session = e.target.value;
  showDialogState();
});

$("#speak").addEventListener("change", (e) => send({ type: "speech", on: e.target.checked }));

// ---- push-to-talk -----------------------------------------------------------------------------

let mic;

async function startTalk() {
  if (state.talking || !state.audioIn) return;
  state.talking = true;
  // Barge-in: talking stops the answer being played.
  for (const a of document.querySelectorAll("audio.spoken")) a.pause();
  $("#ptt").classList.add("on");
  $("#ptt").textContent = "Listening… release to stop";
  try {
    const stream = await navigator.mediaDevices.getUserMedia({ audio: { channelCount: 1, echoCancellation: true, noiseSuppression: false, autoGainControl: true } });
    let ctx;
    try {
      ctx = new AudioContext({ sampleRate: 16000 });
    } catch {
      ctx = new AudioContext(); // the worklet resamples
    }
    await ctx.audioWorklet.addModule("pcm-worklet.js");
    const node = new AudioWorkletNode(ctx, "pcm-capture", { processorOptions: { targetRate: 16000 } });
    send({ type: "talk", state: "start", session: state.session });
    node.port.onmessage = (e) => {
      if (state.talking) send(e.data);
    };
    ctx.createMediaStreamSource(stream).connect(node);
    mic = { stream, ctx, node };
    if (!state.talking) stopTalk(); // released while the microphone opened
  } catch (err) {
    state.talking = false;
    resetPtt();
    showError(`microphone: ${err.message ?? err}`);
  }
}

function stopTalk() {
  if (!state.talking && !mic) return;
  state.talking = false;
  resetPtt();
  if (!mic) return; // still opening: startTalk stops it
  send({ type: "talk", state: "stop", session: state.session });
  mic.node.port.onmessage = null;
  for (const t of mic.stream.getTracks()) t.stop();
  void mic.ctx.close();
  mic = undefined;
}

function resetPtt() {
  $("#ptt").classList.remove("on");
  $("#ptt").textContent = "Hold to talk";
}

const ptt = $("#ptt");
ptt.addEventListener("pointerdown", (e) => {
  ptt.setPointerCapture?.(e.pointerId);
  void startTalk();
});
ptt.addEventListener("pointerup", stopTalk);
ptt.addEventListener("pointercancel", stopTalk);
document.addEventListener("keydown", (e) => {
  if (e.code === "Space" && !e.repeat && document.activeElement?.tagName !== "INPUT" && document.activeElement?.tagName !== "SELECT") {
    e.preventDefault();
    void startTalk();
  }
});
document.addEventListener("keyup", (e) => {
  if (e.code === "Space" && state.talking) stopTalk();
});

// ---- WAV files ----------------------------------------------------------------------------------

async function replay(file) {
  if (!file) return;
  try {
    const r = await fetch(`api/wav?session=${encodeURIComponent(state.session)}`, { method: "POST", headers: { "Content-Type": "audio/wav", ...authHeaders }, body: file });
    const body = await r.json().catch(() => ({}));
    if (!r.ok) showError(`${file.name}: ${body.error ?? r.statusText}`);
  } catch (err) {
    showError(`${file.name}: ${err.message ?? err}`);
  }
}

$("#wav-file").addEventListener("change", (e) => {
  void replay(e.target.files[0]);
  e.target.value = "";
});
for (const t of ["dragenter", "dragover"])
  document.addEventListener(t, (e) => {
    e.preventDefault();
    $("#drop").classList.add("over");
  });
document.addEventListener("dragleave", (e) => {
  if (e.target === document.documentElement || e.target === $("#drop")) $("#drop").classList.remove("over");
});
document.addEventListener("drop", (e) => {
  e.preventDefault();
  $("#drop").classList.remove("over");
  void replay(e.dataTransfer?.files[0]);
});

// ---- spoken answers -----------------------------------------------------------------------------

function playAnswer(buf) {
  const meta = state.pendingSpeech;
  state.pendingSpeech = undefined;
  const url = URL.createObjectURL(new Blob([buf], { type: "audio/wav" }));
  const audio = el("audio", { controls: "", src: url, class: "spoken" });
  const t = meta ? [...document.querySelectorAll("#turns .turn")].find((c) => c.dataset.session === meta.session) : undefined;
  if (t) t.querySelector(".body").append(row("voice", audio, el("small", {}, ` synthesized in ${meta.ms} ms, ${meta.seconds} s`)));
  if ($("#speak").checked) audio.play().catch(() => undefined); // a browser may want a click first
}

// ---- little helpers -----------------------------------------------------------------------------

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) e.setAttribute(k, v);
  for (const c of children) if (c !== undefined && c !== null && c !== "") e.append(c);
  return e;
}

function fmt(x) {
  return typeof x === "number" ? x.toFixed(2) : String(x);
}

function compactSlots(slots) {
  const parts = Object.entries(slots ?? {}).map(([k, v]) => `${k}=${typeof v === "object" && v !== null ? (v.value ?? v.text ?? JSON.stringify(v)) : v}`);
  return parts.length ? `{${parts.join(", ")}}` : "";
}

let errorTimer;
function showError(text) {
  const e = $("#error");
  e.textContent = text;
  e.classList.add("shown");
  clearTimeout(errorTimer);
  errorTimer = setTimeout(() => e.classList.remove("shown"), 6000);
}

connect();
