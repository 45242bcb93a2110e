// What the console's page is told: the runtime's events (HarkRuntime.events) and the devices' states as
// the runtime sees them on its DeviceBus, turned into small JSON messages, with the per-stage timings of
// each turn (time spent in each dialog state, the recognizer's time, each command's confirmation).
import type { HarkRuntime, RuntimeEventMap } from "../run/runtime.js";
import type { DeviceState } from "../bus/types.js";

export type ConsoleMessage = { type: string } & Record<string, unknown>;

/** States in which a session waits for the user: reaching one ends a turn. */
const WAITING = new Set(["idle", "listening", "clarifying", "confirming", "followUp"]);

export interface Snapshot {
  type: "snapshot";
  defaultSession: string;
  sessions: Array<{ id: string; profile: string; area?: string; seat?: string; state: string }>;
  areas: Array<{ id: string; name: string }>;
  devices: Array<{ id: string; name: string; domain: string; kind: string; area?: string; zone?: string; state?: DeviceState }>;
  speed?: number;
  /** Can the page talk (push-to-talk, WAV drop) and hear spoken answers? */
  audio: { input: boolean; speech: boolean; reason?: string };
}

interface Turn {
  /** When the session left its waiting state (ms, performance clock). */
  since?: number;
  stages: Record<string, number>;
}

/** The runtime as the page sees it: subscribe() gets every message, snapshot() the state now. */
export class ConsoleFeed {
  private readonly sinks = new Set<(m: ConsoleMessage) => void>();
  private readonly offs: Array<() => void> = [];
  private readonly turns = new Map<string, Turn>();
  private readonly entered = new Map<string, { state: string; at: number }>();

  constructor(
    private readonly rt: HarkRuntime,
    private readonly audio: Snapshot["audio"],
  ) {
    const ev = rt.events;
    const on = <K extends keyof RuntimeEventMap & string>(name: K, f: (e: RuntimeEventMap[K]) => ConsoleMessage | undefined) =>
      this.offs.push(
        ev.on(name, (e) => {
          const m = f(e);
          if (m) this.send(m);
        }),
      );
    on("level", (e) => ({ type: "level", session: e.session, db: e.db }));
    on("vad", (e) => ({ type: "vad", session: e.session, speaking: e.speaking }));
    on("partial", (e) => ({ type: "partial", session: e.session, text: e.text }));
    on("heard", (e) => {
      const h = e.heard;
      const turn = this.turn(e.session);
      turn.stages.asr = Math.round(h.asrMs);
      if (h.speechEnd !== undefined) turn.stages.endpoint = Math.round((h.end - h.speechEnd) * 1000);
      return {
        type: "heard",
        session: e.session,
        text: h.text,
        confidence: round(h.confidence),
        ...(h.evidence?.score !== undefined ? { score: round(h.evidence.score) } : {}),
        ...(h.endpoint ? { endpoint: h.endpoint } : {}),
        ...(h.rejected ? { rejected: h.reason ?? true } : {}),
        ...(h.wake ? { wake: true } : {}),
        ms: Math.round(h.asrMs),
      };
    });
    on("state", (e) => this.state(e.session, e.state));
    on("command", (e) => ({ type: "command", id: e.command.id, device: e.command.deviceId, action: e.command.action, params: e.command.params }));
    on("ack", (e) => ({
      type: "ack",
      id: e.result.command.id,
      device: e.result.command.deviceId,
      ok: e.result.ok,
      ms: Math.round(e.result.ms),
      ...(e.result.error ? { error: e.result.error } : {}),
      ...(e.result.message ? { message: e.result.message } : {}),
    }));
    on("answer", (a) => ({
      type: "answer",
      session: a.session,
      ...(a.text !== undefined ? { text: a.text } : {}),
      speech: a.speech,
      kind: a.kind,
      intents: a.intents.map((i) => ({ intent: i.intent, slots: i.slots, confidence: round(i.confidence), source: i.source })),
      decision: decision(a),
      ...(a.commands ? { commands: a.commands } : {}),
      ...(a.error ? { error: a.error } : {}),
      ...(a.scheduled ? { scheduled: a.scheduled } : {}),
      ms: a.ms,
    }));
    this.offs.push(rt.devices.bus.onState((device, state) => this.send({ type: "device", device, state })));
  }

  /** The page's starting point: sessions, devices with their states now, what audio it may use. */
  snapshot(): Snapshot {
    const rt = this.rt;
    const catalog = rt.devices.catalog;
    return {
      type: "snapshot",
      defaultSession: rt.defaultSession.info.id,
      sessions: rt.sessions.all.map((s) => ({ ...s.info, state: s.state })),
      areas: catalog.areas.map((a) => ({ id: a.id, name: a.name })),
      devices: catalog.devices.map((d) => {
        const state = rt.devices.bus.state(d.id);
        return { id: d.id, name: d.name, domain: d.domain, kind: d.kind, ...(d.area ? { area: d.area } : {}), ...(d.zone ? { zone: d.zone } : {}), ...(state ? { state } : {}) };
      }),
      ...(rt.speed !== undefined ? { speed: rt.speed } : {}),
      audio: this.audio,
    };
  }

  /** Every message from now on; returns the function that stops them. */
  subscribe(sink: (m: ConsoleMessage) => void): () => void {
    this.sinks.add(sink);
    return () => void this.sinks.delete(sink);
  }

  get watchers(): number {
    return this.sinks.size;
  }

  send(m: ConsoleMessage): void {
    for (const s of this.sinks) {
      try {
        s(m);
      } catch {
        /* one page's trouble */
      }
    }
  }

  close(): void {
    for (const off of this.offs.splice(0)) off();
    this.sinks.clear();
  }

  private turn(session: string): Turn {
    let t = this.turns.get(session);
    if (!t) this.turns.set(session, (t = { stages: {} }));
    return t;
  }

  /** A state change, with the time spent in the state left; back to waiting: the turn's timings. */
  private state(session: string, state: string): ConsoleMessage {
    const now = performance.now();
    const prev = this.entered.get(session);
    this.entered.set(session, { state, at: now });
    const msg: ConsoleMessage = { type: "state", session, state, ...(prev ? { from: prev.state, ms: Math.round(now - prev.at) } : {}) };
    const turn = this.turn(session);
    if (prev && !WAITING.has(prev.state)) turn.stages[prev.state] = (turn.stages[prev.state] ?? 0) + Math.round(now - prev.at);
    if (!WAITING.has(state)) turn.since ??= now;
    else if (turn.since !== undefined) {
      const stages = turn.stages;
      const total = Math.round(now - turn.since) + (stages.asr ?? 0) + (stages.endpoint ?? 0);
      this.turns.delete(session);
      // After the state message itself, so the page closes the turn once it has seen the state.
      queueMicrotask(() => this.send({ type: "timings", session, stages, total }));
    }
    return msg;
  }
}

const round = (x: number): number => Math.round(x * 1000) / 1000;

/** The trust decision as the page shows it: act, ask, refuse, schedule, report (none: nothing understood). */
function decision(a: RuntimeEventMap["answer"]): { decision: string; reason?: string; detail?: string } | undefined {
  if (a.trust) return { decision: a.trust.decision, ...(a.trust.reason ? { reason: a.trust.reason } : {}), ...(a.trust.detail ? { detail: a.trust.detail } : {}) };
  if (a.kind === "prompt") return { decision: "ask" };
  if (a.intents.length) return { decision: "act" };
  return undefined;
}
