// What hark says after acting: the grammar's response template for each intent that worked, and a plain
// sentence for each failure (no such device, device timeout, broker unreachable, refused command).
import type { Grammar } from "../grammar/types.js";
import type { PlanOutcome, StepOutcome } from "../act/index.js";
import type { DeviceCatalog } from "../devices/catalog.js";
import { BINARY_CLASSES, binaryAsked, binaryWord, isBinarySensor, WEATHER_CONDITIONS } from "../devices/classes.js";
import type { Device } from "../devices/types.js";
import { DOMAINS } from "../devices/domains/index.js";
import { joinAnd, reading } from "../devices/domains/shared.js";
import type { IntentResult } from "../nlu/types.js";
import { fillTemplate, type Facts } from "../dialog/policy.js";

type Values = Record<string, string | number | boolean | undefined>;

/** The matched sentence's own response, when the grammar names one and every {placeholder} is known. */
function ownResponse(responses: Record<string, string>, key: string | undefined, values: Values): string | undefined {
  const text = key === undefined ? undefined : responses[key];
  if (text === undefined) return undefined;
  return [...text.matchAll(/\{(\w+)\}/g)].every((m) => values[m[1]!] !== undefined && values[m[1]!] !== "") ? text : undefined;
}

/** The sentence's own response unless a fuller one (more of the request's values said) fits too: "Turned on the lights in the Kitchen" over "Turned on the lights". */
function preferOwn(own: string | undefined, best: string | undefined): string | undefined {
  const refs = (t: string | undefined) => (t ? [...t.matchAll(/\{(\w+)\}/g)].length : -1);
  return own !== undefined && refs(own) >= refs(best) ? own : best;
}

/** Pick the response whose {placeholders} are all known, preferring the most specific one. */
export function chooseResponse(responses: Record<string, string>, values: Values): string | undefined {
  let best: { text: string; score: number } | undefined;
  const valueTokens = new Set(
    Object.values(values)
      .filter((v) => v !== undefined)
      .map((v) => String(v).toLowerCase()),
  );
  for (const [key, text] of Object.entries(responses)) {
    const refs = [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
    if (refs.some((r) => values[r] === undefined || values[r] === "")) continue;
    const keyTokens = key.toLowerCase().split("_");
    // A key naming a slot value ("open_side" for action=open, "off" for level=off) fits best.
    const affinity = keyTokens.filter((t) => valueTokens.has(t)).length;
    const conflicts = keyTokens.filter((t) => ["open", "close", "on", "off"].includes(t) && !valueTokens.has(t)).length;
    const score = refs.length * 2 + affinity * 3 - conflicts * 5 + (key === "default" ? 0.5 : 0);
    if (!best || score > best.score) best = { text, score };
  }
  return best?.text;
}

const ACTION_VERBS: Record<string, string> = { lock: "Locked", unlock: "Unlocked", open: "Opened", close: "Closed" };

function deviceName(catalog: DeviceCatalog | undefined, id: string): string {
  return catalog?.get(id)?.name ?? id;
}

function queryValues(step: StepOutcome): Values {
  const out: Values = {};
  for (const state of Object.values(step.answers ?? {})) {
    for (const [k, v] of Object.entries(state ?? {})) if (out[k] === undefined && (typeof v === "string" || typeof v === "number" || typeof v === "boolean")) out[k] = v;
  }
  if (out.temperature === undefined && out.current_temperature !== undefined) out.temperature = out.current_temperature;
  return out;
}

function capitalize(s: string): string {
  return s ? s[0]!.toUpperCase() + s.slice(1) : s;
}

/** "The Pendant Lights cannot change colour." for targets the planner left out. */
function skippedNote(step: StepOutcome): string {
  const notes = step.step.note ? [step.step.note] : [];
  return [...notes, ...(step.step.skipped ?? [])
    .map((s) => (/^(cannot|can't|does not|has no)\b/.test(s.reason) ? `The ${s.name} ${s.reason}.` : `Skipped the ${s.name} (${s.reason}).`))]
    .join(" ");
}

function joinNote(text: string, note: string): string {
  if (!note) return text;
  const t = text.replace(/\s*$/, "");
  return `${/[.!?]$/.test(t) ? t : `${t}.`} ${note}`;
}

// ---- answers from device state -----------------------------------------------------------------

const STATE_WORDS: Record<string, string> = {
  on: "on",
  off: "off",
  locked: "locked",
  unlocked: "unlocked",
  open: "open",
  closed: "closed",
  playing: "playing",
  paused: "paused",
  idle: "idle",
  cleaning: "cleaning",
  mowing: "mowing",
  docked: "docked",
  returning: "returning to its dock",
  error: "stuck",
};

const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);
/** A device's state as people say it: "on", "locked", "open 50 percent", "set to 21 degrees", "low", "21.5 degrees". */
export function describeState(state: Record<string, unknown> | undefined, device?: Device): string | undefined {
  if (!state) return undefined;
  const s = typeof state.state === "string" ? state.state.toLowerCase() : undefined;
  if (device && isBinarySensor(device) && (s === "on" || s === "off")) return binaryWord(device.device_class, s === "on");
  // What a domain says of itself (a scene's last activation, what a player plays …), else the shared words.
  const own = device ? DOMAINS[device.domain]?.describe?.(state, device) : undefined;
  if (own !== undefined) return own;
  if (typeof state.window_position === "number" || (typeof state.position === "number" && (s === "open" || s === "closed" || s === undefined))) {
    const p = (state.window_position ?? state.position) as number;
    return p <= 0 ? "closed" : p >= 100 ? "open" : `open ${p} percent`;
  }
  if (s && STATE_WORDS[s]) return STATE_WORDS[s];
  if (typeof state.target_temperature === "number") return `set to ${state.target_temperature} degrees`;
  if (typeof state.temperature === "number") return `set to ${state.temperature} degrees`;
  if (state.value !== undefined && state.value !== null) return reading(state.value, state.unit);
  if (typeof state.mode === "string") return state.mode === "off" ? "off" : `on (${state.mode})`;
  return s;
}

/** Does the device's state answer a yes/no question's state ("is the front door locked", "is the battery low")? */
function stateIs(state: Record<string, unknown> | undefined, asked: string, device?: Device): boolean | undefined {
  const raw = typeof state?.state === "string" ? state.state.toLowerCase() : undefined;
  if (device && isBinarySensor(device) && (raw === "on" || raw === "off")) {
    const want = binaryAsked(device.device_class, asked);
    if (want !== undefined) return want === (raw === "on");
  }
  const d = describeState(state, device);
  if (d === undefined) return undefined;
  const want = asked.toLowerCase();
  if (want === "open") return d.startsWith("open");
  return d === want || d.startsWith(`${want} `);
}

const isAre = (name: string): string => (/s$/i.test(name) && !/(glass|bus|status)$/i.test(name) ? "are" : "is");

/**
 * A question about a kind of sensor, no device named ("which batteries are low", "is there carbon monoxide
 * in the kitchen"): the ones in the asked state, or none.
 */
function classAnswer(entries: Array<{ name: string; device?: Device; is?: boolean }>, asked: string, area: string | undefined): string | undefined {
  const classes = new Set(entries.map((e) => e.device?.device_class));
  const cls = classes.size === 1 ? [...classes][0] : undefined;
  const on = binaryAsked(cls, asked);
  if (on === undefined) return undefined;
  const word = binaryWord(cls, on);
  const other = binaryWord(cls, !on);
  const yes = entries.filter((e) => e.is === true);
  const no = entries.filter((e) => e.is === false);
  const names = (xs: typeof entries) => joinAnd(xs.map((e) => `the ${e.name}`));
  const be = (xs: typeof entries) => (xs.length > 1 ? "are" : isAre(xs[0]!.name));
  const where = area ? ` in the ${area}` : "";
  const noun = (cls && BINARY_CLASSES[cls]?.noun) ?? "sensor";
  if (!yes.length) return `No ${noun} is ${word}${where}`;
  const said = word === "detected" ? `${capitalize(noun)} is detected by ${names(yes)}` : capitalize(`${names(yes)} ${be(yes)} ${word}`);
  if (!no.length) return said;
  return `${said}; ${no.length > 3 ? "the others are" : `${names(no)} ${be(no)}`} ${other}`;
}

/** "Yes, the Front Door is locked." / "The Pendant Lights are on and the Under Cabinet Lights are off." */
export function stateAnswer(step: StepOutcome, catalog: DeviceCatalog | undefined, asked?: string): string | undefined {
  const entries = Object.entries(step.answers ?? {}).map(([id, st]) => {
    const device = catalog?.get(id);
    return { name: deviceName(catalog, id), device, state: describeState(st, device), is: asked ? stateIs(st, asked, device) : undefined };
  });
  const known = entries.filter((e) => e.state !== undefined);
  if (!known.length) return entries.length ? `I don't know the state of the ${entries.map((e) => e.name).join(" and ")} yet` : undefined;
  const slots = step.step.intent.slots;
  if (asked !== undefined && slots.name === undefined && known.every((e) => e.device && isBinarySensor(e.device))) {
    const text = classAnswer(known, asked, typeof slots.area === "string" ? slots.area : undefined);
    if (text) return text;
  }
  const list = (xs: typeof known) => xs.map((e) => `the ${e.name} ${isAre(e.name)} ${e.state}`).join(", and ");
  const sentence = (t: string) => capitalize(t);
  if (asked !== undefined && known.every((e) => e.is === true)) return `Yes, ${list(known)}`;
  if (asked !== undefined && known.every((e) => e.is === false)) return `No, ${list(known)}`;
  return sentence(list(known));
}

// ---- what the new device intents say ------------------------------------------------------------

/** HassTurnOn/Off on devices that are not switched but started, activated, docked: say what happened. */
const ON_OFF_SAID: Record<string, (names: string) => string> = {
  activate: (n) => `Activated ${n}`,
  run: (n) => `Started ${n}`,
  press: (n) => `Pressed the ${n}`,
  start: (n) => `Started the ${n}`,
  start_mowing: (n) => `The ${n} is mowing`,
  return_to_base: (n) => `Sending the ${n} back to its dock`,
  dock: (n) => `Sending the ${n} back to its dock`,
};

/** Intents whose target is found rather than named (the room's player, the only weather source): its name fills {name}. */
const FOUND_TARGET = new Set([
  "HassMediaSearchAndPlay",
  "HassVacuumStart",
  "HassVacuumReturnToBase",
  "HassLawnMowerStartMowing",
  "HassLawnMowerDock",
  "HassListAddItem",
  "HassListCompleteItem",
  "HassShoppingListAddItem",
  "HassShoppingListCompleteItem",
  "HassGetWeather",
  "HassBroadcast",
  "HassFanSetSpeed",
]);

/** Values a response can use beyond the slots: the device found, what it confirmed, the weather. */
function outcomeValues(step: StepOutcome, catalog: DeviceCatalog | undefined): Values {
  const intent = step.step.intent;
  const out: Values = {};
  const targets = step.step.targets;
  if (!FOUND_TARGET.has(intent.intent)) return out;
  if (targets.length) {
    out.name = joinAnd(targets.map((t) => t.name));
    const areas = [...new Set(targets.map((t) => (t.area ? (catalog?.area(t.area)?.name ?? t.area) : undefined)).filter((x): x is string => !!x))];
    if (areas.length) out.area = joinAnd(areas);
  }
  const confirmed = step.results.find((r) => r.ok)?.state;
  if (confirmed) {
    for (const k of ["media_title", "media_class", "cleaning_area"]) if (typeof confirmed[k] === "string") out[k] = confirmed[k] as string;
  }
  if (targets.length === 1 && targets[0]!.domain === "weather") {
    const st = Object.values(step.answers ?? {})[0];
    if (st) {
      if (typeof st.state === "string") out.condition = WEATHER_CONDITIONS[st.state] ?? st.state.replace(/[-_]/g, " ");
      if (num(st.temperature) !== undefined) out.temperature = num(st.temperature);
      if (num(st.humidity) !== undefined) out.humidity = num(st.humidity);
    }
  }
  return out;
}

const listName = (name: unknown): string => (typeof name === "string" ? `your ${name}${/list$/i.test(name) ? "" : " list"}` : "the list");
function duration(v: Values): string {
  const parts: string[] = [];
  for (const [k, unit] of [["hours", "hour"], ["minutes", "minute"], ["seconds", "second"]] as const) {
    const n = v[k];
    if (n !== undefined) parts.push(`${String(n)} ${unit}${Number(n) === 1 ? "" : "s"}`);
  }
  return joinAnd(parts);
}
const timerName = (v: Values): string => (typeof v.name === "string" ? `the ${v.name} timer` : "the timer");

/** Said when the grammar has no response that fits (its templates come first). */
const BUILT_IN: Record<string, (v: Values) => string | undefined> = {
  HassMediaSearchAndPlay: (v) => `Playing ${String(v.media_title ?? v.search_query)} on the ${String(v.name)}`,
  HassBroadcast: (v) => `Announced in the ${String(v.area ?? v.name)}: ${String(v.message)}`,
  HassListAddItem: (v) => `Added ${String(v.item)} to ${listName(v.name)}`,
  HassShoppingListAddItem: (v) => `Added ${String(v.item)} to ${listName(v.name)}`,
  HassListCompleteItem: (v) => `Checked off ${String(v.item)} on ${listName(v.name)}`,
  HassShoppingListCompleteItem: (v) => `Checked off ${String(v.item)} on ${listName(v.name)}`,
  HassVacuumStart: (v) => (v.cleaning_area ? `The ${String(v.name)} is cleaning the ${String(v.cleaning_area)}` : `Started the ${String(v.name)}`),
  HassLawnMowerStartMowing: (v) => `The ${String(v.name)} is mowing`,
  HassVacuumReturnToBase: (v) => `Sending the ${String(v.name)} back to its dock`,
  HassLawnMowerDock: (v) => `Sending the ${String(v.name)} back to its dock`,
  HassIncreaseTimer: (v) => `Added ${duration(v)} to ${timerName(v)}`,
  HassDecreaseTimer: (v) => `Took ${duration(v)} off ${timerName(v)}`,
  HassFanSetSpeed: (v) => `Set the ${String(v.name)} to ${String(v.percentage ?? v.percent)} percent`,
  HassGetWeather: (v) =>
    v.temperature === undefined ? undefined : `It is ${String(v.temperature)} degrees${v.condition ? ` and ${String(v.condition)}` : ""}${v.humidity !== undefined ? `, with ${String(v.humidity)} percent humidity` : ""}`,
  HassRespond: (v) => (typeof v.response === "string" && v.response.trim() ? v.response : undefined),
};

export function stepSpeech(step: StepOutcome, grammar: Grammar | undefined, catalog?: DeviceCatalog): { text: string; ok: boolean } {
  const intent: IntentResult = step.step.intent;
  if (step.step.error) return { text: `Sorry, ${step.step.message ?? "I can't do that"}.`, ok: false };
  // A state question (HassGetState, or a command asked as a question): answered from the devices' state.
  if (step.step.query && (intent.intent === "HassGetState" || !step.step.query.keys)) {
    const asked = typeof intent.slots.state === "string" ? intent.slots.state : undefined;
    const text = stateAnswer(step, catalog, asked);
    if (text) return { text, ok: true };
  }
  const failed = step.results.filter((r) => !r.ok);
  if (failed.length) {
    const names = [...new Set(failed.map((r) => deviceName(catalog, r.command.deviceId)))].join(" and ");
    const kinds = new Set(failed.map((r) => r.error));
    if (kinds.has("unavailable")) return { text: `Sorry, I can't reach the ${names} right now.`, ok: false };
    if (kinds.has("timeout")) return { text: `Sorry, the ${names} did not answer in time.`, ok: false };
    if (kinds.has("rejected")) {
      // The device's own reason, when it gave one ("nothing called Taylor Swift was found").
      const reasons = [...new Set(failed.filter((r) => r.error === "rejected" && r.message).map((r) => r.message!))];
      return { text: `Sorry, the ${names} refused that${reasons.length === 1 ? `: ${reasons[0]}` : ""}.`, ok: false };
    }
    return { text: `Sorry, the ${names} could not do that.`, ok: false };
  }
  // Home Assistant says "turn off" for unlocking and closing; say what actually happened.
  const actions = new Set(step.results.map((r) => r.command.action));
  const only = actions.size === 1 ? [...actions][0]! : undefined;
  const verb = only ? ACTION_VERBS[only] : undefined;
  const names = step.step.targets.map((t) => t.name).join(" and ");
  if (verb && step.step.targets.length > 0) return { text: `${verb} the ${names}`, ok: true };
  // "Turned on Movie Time" is not what happened: the scene was activated, the vacuum started.
  const said = only && ["HassTurnOn", "HassTurnOff", "HassToggle"].includes(intent.intent) ? ON_OFF_SAID[only] : undefined;
  if (said && names) return { text: said(names), ok: true };
  const skipped = skippedNote(step);
  const values: Values = { ...outcomeValues(step, catalog), ...intent.slots, ...queryValues(step), ...step.step.values };
  const def = grammar?.intents.get(intent.intent);
  const template = def ? preferOwn(ownResponse(def.responses, intent.response, values), chooseResponse(def.responses, values)) : undefined;
  if (template !== undefined && template.trim()) return { text: joinNote(capitalize(fillTemplate(template, values as Facts)), skipped), ok: true };
  const builtIn = BUILT_IN[intent.intent]?.(values);
  if (builtIn) return { text: joinNote(capitalize(builtIn), skipped), ok: true };
  if (step.step.noop) return { text: "", ok: true };
  // A question whose answer template could not be filled: say so rather than "Done".
  if (step.step.query) return { text: "Sorry, I can't tell that right now", ok: false };
  return { text: joinNote("Done.", skipped), ok: true };
}

/** One sentence for the whole plan (several intents → several sentences), plus policy notes. */
export function outcomeSpeech(outcome: PlanOutcome, grammar: Grammar | undefined, catalog?: DeviceCatalog, notes: string[] = []): { text: string; ok: boolean } {
  const parts = outcome.steps.map((s) => stepSpeech(s, grammar, catalog));
  const seen = new Set<string>();
  const texts: string[] = [];
  for (const p of parts) {
    const t = p.text.replace(/\s*$/, "");
    if (!t || seen.has(t)) continue;
    seen.add(t);
    texts.push(/[.!?]$/.test(t) ? t : `${t}.`);
  }
  const text = [...texts, ...notes].join(" ").trim() || "Okay.";
  return { text, ok: parts.every((p) => p.ok) };
}
