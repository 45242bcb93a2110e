// The `hark run` runtime, in process: understander + dialog sessions + devices and vehicle signals, both
// through the DeviceBus (src/bus/types.ts; MQTT by default).
// The CLI (src/cli/commands/run.ts) feeds it lines and prints its answers; tests and the bench use it directly.
import { readFileSync } from "node:fs";
import pino, { type Logger } from "pino";
import { clientPassword, embeddedServe, simulatorCredentials } from "../bus/serve.js";
import { startDeviceRuntime, type DeviceRuntime } from "../act/index.js";
import type { DeviceFault } from "../devices/sim/simulator.js";
import { DeviceCatalog } from "../devices/catalog.js";
import { createUnderstander, DEFAULT_UNDERSTANDER, loadSources, sourcePaths } from "../nlu/index.js";
import type { IntentResult, Understander } from "../nlu/types.js";
import type { Grammar } from "../grammar/types.js";
import { PROFILES, type Profile } from "../dialog/profiles.js";
import { SessionManager, type DialogSession } from "../dialog/session.js";
import type { SayEvent, SessionInfo } from "../dialog/types.js";
import type { DialogEvent } from "../../machines/dialog.js";
import type { HarkConfig } from "./config.js";
import { outcomeSpeech } from "./speech.js";
import { Hearing, type Heard } from "./voice.js";
import { Scheduler, type ScheduledRequest } from "./scheduler.js";
import { loadTrust, trustEvidence, type TrustDeps } from "../trust/index.js";
import { spokenTrustWords } from "../trust/spoken.js";
import type { ProfileKind, TrustNote } from "../dialog/types.js";
import { subsetGrammar } from "../compile/subset.js";
import { intentHandling, whichElsewhere } from "../act/plan.js";
import { READ_LOCALLY } from "../dialog/resolve.js";
import { TypedEvents } from "./events.js";
import type { CommandResult, DeviceCommand } from "../bus/types.js";

export interface CommandReport {
  device: string;
  action: string;
  params: Record<string, unknown>;
  ok: boolean;
  error?: string;
  ms: number;
}

/** One thing hark said: printed as one JSON line (or its text) by `hark run`. */
export interface Answer {
  session: string;
  /** What the user said/typed (when the answer follows an utterance). */
  text?: string;
  speech: string;
  kind: SayEvent["kind"];
  intents: IntentResult[];
  /** Device commands sent for this answer and how they ended. */
  commands?: CommandReport[];
  error?: string;
  /** Why hark asked back, refused, scheduled or only reported instead of acting (src/trust). */
  trust?: TrustNote;
  /** A request carried out later, now that its time came ("in 10 minutes"). */
  scheduled?: { id: number; when: string };
  /** From the input line to this answer. */
  ms: number;
}

/** What the running assistant does, as HarkRuntime.events tells it (the web console watches these). */
export interface RuntimeEventMap {
  /** Live input level of a session's audio, dBFS (about every 100 ms while audio arrives). */
  level: { session: string; db: number };
  /** The VAD's view of live input: speech began or ended. */
  vad: { session: string; speaking: boolean };
  /** The partial transcript of live input, whenever it changes. */
  partial: { session: string; text: string };
  /** One utterance heard (live input or a WAV file), before the dialog gets its words. */
  heard: { session: string; heard: Heard };
  /** A session's dialog state changed (idle, listening, understanding, acting, responding …). */
  state: { session: string; state: string };
  /** A device command went out on the device bus … */
  command: { command: DeviceCommand };
  /** … and how it ended (the device's confirmation, or why not). */
  ack: { result: CommandResult };
  /** Something hark said (as onAnswer gets it). */
  answer: Answer;
}

export interface RuntimeOptions {
  config: HarkConfig;
  logger?: Logger;
  /** Called for every answer, in order. */
  onAnswer?: (answer: Answer) => void;
  /** Test hooks for the simulated devices. */
  faults?: Record<string, DeviceFault>;
  latencyMs?: number;
  /** An understander to use instead of loading the matcher (the SLM cascade, …). */
  understander?: Understander;
  /** Recognizer + endpointer to share (tests, benches); by default created on the first audio input. */
  hearing?: Hearing;
}

/** An input line: plain text for the default session, or JSON for a chosen session / event / signal. */
export interface InputLine {
  session?: string;
  text?: string;
  /** ptt | wake | cancel | speech_start */
  event?: string;
  /** Vehicle signals to publish, e.g. {"speed_kmh": 100} or {"Vehicle.Speed": 100}. */
  signal?: Record<string, number | string | boolean>;
  /** A WAV file spoken to the session: VAD endpointer → ASR → one utterance per speech segment. */
  wav?: string;
}

export function parseInputLine(line: string): InputLine | undefined {
  const t = line.trim();
  if (!t || t.startsWith("#")) return undefined;
  if (t.startsWith("{")) {
    try {
      const v = JSON.parse(t) as unknown;
      if (v && typeof v === "object" && !Array.isArray(v)) return v as InputLine;
    } catch {
      // not JSON: treat as text
    }
  }
  return { text: t };
}

export class HarkRuntime {
  readonly sessions = new SessionManager();
  private readonly pendingCommands = new Map<string, CommandReport[]>();
  private lineStart = Date.now();
  private speedKmh: number | undefined;
  private signalOff: (() => void) | undefined;
  private stopped = false;
  /** One recognizer per profile: a satellite's ASR grammar holds its own profile's sentences. */
  private readonly hearings = new Map<ProfileKind, Promise<Hearing>>();
  private sharedHearing: Hearing | undefined;
  readonly scheduler: Scheduler;
  /** Everything the runtime does, for watchers (src/run/events.ts). */
  readonly events = new TypedEvents<RuntimeEventMap>();

  private constructor(
    readonly config: HarkConfig,
    readonly log: Logger,
    readonly devices: DeviceRuntime,
    readonly understander: Understander,
    readonly grammar: Grammar,
    readonly trust: TrustDeps,
    private readonly onAnswer: ((a: Answer) => void) | undefined,
  ) {
    this.scheduler = new Scheduler((r) => this.runScheduled(r));
    // Every command on the device bus and its confirmation, as events (the bus is the runtime's own).
    const bus = devices.bus;
    const send = bus.send.bind(bus);
    bus.send = async (command, options) => {
      this.events.emit("command", { command });
      const result = await send(command, options);
      this.events.emit("ack", { result });
      return result;
    };
  }

  private answered(answer: Answer): void {
    this.events.emit("answer", answer);
    this.onAnswer?.(answer);
  }

  static async start(options: RuntimeOptions): Promise<HarkRuntime> {
    const started = Date.now();
    const { config } = options;
    const log = options.logger ?? pino({ level: config.logLevel, base: undefined }, pino.destination(2));
    const paths = sourcePaths({ ...(config.grammar ? { grammar: config.grammar } : {}), ...(config.devices ? { devices: config.devices } : {}) });
    const [understander, grammar] = await Promise.all([
      options.understander ? Promise.resolve(options.understander) : createUnderstander(DEFAULT_UNDERSTANDER, { ...paths, slm: config.env.slm }),
      loadSources(paths),
    ]);
    // The device files are read once, with the grammar (src/devices/load.ts); the catalog adds the timer service.
    const catalog = new DeviceCatalog(grammar.devices.files);
    const b = config.broker;
    const tls =
      b.ca || b.cert || b.key || b.reject_unauthorized !== undefined
        ? {
            ...(b.ca ? { ca: readFileSync(b.ca) } : {}),
            ...(b.cert ? { cert: readFileSync(b.cert) } : {}),
            ...(b.key ? { key: readFileSync(b.key) } : {}),
            ...(b.reject_unauthorized !== undefined ? { rejectUnauthorized: b.reject_unauthorized } : {}),
          }
        : undefined;
    // The embedded broker locked from broker.serve (accounts, ACLs, TLS); passwords from files (src/bus/serve.ts).
    const password = clientPassword(b);
    const serve = b.url ? undefined : embeddedServe(b, catalog);
    const simulatorAuth = simulatorCredentials(b.simulator);
    const devices = await startDeviceRuntime({
      devices: catalog,
      ...(serve ? { serve } : {}),
      ...(simulatorAuth ? { simulatorAuth } : {}),
      ...(b.url ? { brokerUrl: b.url } : {}),
      ...(b.port !== undefined ? { port: b.port } : {}),
      ...(config.simulate !== undefined ? { simulate: config.simulate } : {}),
      ...(b.protocol_version ? { protocolVersion: b.protocol_version } : {}),
      ...(b.username !== undefined ? { username: b.username } : {}),
      ...(password !== undefined ? { password } : {}),
      ...(tls ? { tls } : {}),
      ...(options.faults ? { faults: options.faults } : {}),
      ...(options.latencyMs !== undefined ? { latencyMs: options.latencyMs } : {}),
      timeoutMs: config.deviceTimeoutMs,
      waitForBroker: false, // a broker that refuses is reported at once, in one line
      logger: log.child({ mod: "bus" }),
    });
    const rt = new HarkRuntime(config, log, devices, understander, grammar, loadTrust(grammar, config.trust, paths.grammar), options.onAnswer);
    if (options.hearing) rt.sharedHearing = options.hearing;
    try {
      await rt.startSignals();
      for (const s of config.sessions) rt.addSession(s.id, s.profile, s.area, s.seat, s.wake_phrases);
    } catch (err) {
      await rt.stop();
      throw err;
    }
    log.info(
      { broker: devices.brokerUrl, embedded: !!devices.broker, simulated: !!devices.sims, sessions: config.sessions.map((s) => s.id), ms: Date.now() - started },
      "hark ready",
    );
    // The SLM (cascade) loads in the background now, so the first utterance the matcher cannot parse does
    // not wait for the model. A failure is logged here and answered as before when an utterance needs it.
    const slm = (understander as { slm?: () => Promise<unknown> }).slm;
    if (typeof slm === "function")
      slm.call(understander).then(
        () => log.debug("SLM loaded"),
        (err: unknown) => {
          // One line that says why (e.g. "models/x.gguf: sha256 mismatch (…): refusing to load it").
          const reason = (err instanceof Error ? err.message : String(err)).split("\n")[0]!;
          log.warn({ err: reason }, `SLM not available (${reason}): the matcher alone understands`);
        },
      );
    return rt;
  }

  get brokerUrl(): string {
    return this.devices.brokerUrl;
  }

  /** The session plain text goes to: the first one with the configured profile. */
  get defaultSession(): DialogSession {
    const s = this.sessions.all.find((x) => x.info.profile === this.config.profile) ?? this.sessions.first;
    if (!s) throw new Error("no sessions configured");
    return s;
  }

  /** Current vehicle speed as last seen on the bus (km/h). */
  get speed(): number | undefined {
    return this.speedKmh;
  }

  private addSession(id: string, kind: "home" | "car", area: string | undefined, seat: string | undefined, wake?: string[]): void {
    // Areas are spoken by name (the matcher's canonical value), whatever the config wrote.
    const areaName = area ? (this.devices.catalog.area(area)?.name ?? area) : undefined;
    const info: SessionInfo = { id, profile: kind, ...(areaName ? { area: areaName } : {}), ...(seat ? { seat } : {}) };
    const profile: Profile = { ...PROFILES[kind], ...(wake ? { wakePhrases: wake } : {}) };
    const log = this.log.child({ session: id });
    this.sessions.add(info, profile, {
      understander: this.understander,
      grammar: this.grammar,
      trust: this.trust,
      schedule: (intents, later, session) => {
        const r = this.scheduler.add(intents, later, session);
        log.info({ id: r.id, intents, when: r.when, at: new Date(r.at).toISOString() }, "scheduled");
      },
      policies: this.config.policies,
      ...(kind === "home" ? { whichElsewhere: (intent: IntentResult) => whichElsewhere(intent, this.devices.catalog, { profile: kind, ...(info.area ? { area: info.area } : {}) }) } : {}),
      signals: () => (this.speedKmh === undefined ? {} : { speed_kmh: this.speedKmh }),
      timeouts: this.config.timeouts,
      act: async (input) => {
        const { plan, outcome } = await this.devices.act(input.intents, {
          profile: kind,
          ...(info.area ? { area: info.area } : {}),
          ...(info.seat ? { seat: info.seat } : {}),
          ...(input.report ? { report: true } : {}),
        });
        const commands = outcome.steps.flatMap((s) =>
          s.results.map((r) => ({
            device: r.command.deviceId,
            action: r.command.action,
            params: r.command.params,
            ok: r.ok,
            ...(r.error ? { error: r.error } : {}),
            ms: r.ms,
          })),
        );
        this.pendingCommands.set(id, commands);
        log.info({ intents: input.intents, commands: plan.commands.length, ok: outcome.ok, ms: outcome.ms }, "acted");
        const speech = outcomeSpeech(outcome, this.grammar, this.devices.catalog, input.notes);
        return { speech: speech.text, ok: speech.ok, details: commands };
      },
      onSay: (session, say) => {
        const commands = this.pendingCommands.get(session.id);
        this.pendingCommands.delete(session.id);
        const answer: Answer = {
          session: session.id,
          ...(say.utterance ? { text: say.utterance } : {}),
          speech: say.text,
          kind: say.kind,
          intents: say.intents,
          ...(commands && commands.length ? { commands } : {}),
          ...(say.error ? { error: say.error } : {}),
          ...(say.trust ? { trust: say.trust } : {}),
          ms: Date.now() - this.lineStart,
        };
        log.info({ kind: say.kind, speech: say.text, ...(say.error ? { error: say.error } : {}) }, "say");
        for (const t of this.taps) if (t.session === session.id) t.fn(answer);
        this.answered(answer);
      },
      onState: (_s, state) => {
        log.debug({ state }, "dialog state");
        this.events.emit("state", { session: id, state });
      },
    });
  }

  /** Vehicle speed arrives as a VSS signal on the device bus (reported by the car, or by `signal` input lines). */
  private async startSignals(): Promise<void> {
    const signal = this.config.vehicle.speed_signal;
    this.signalOff = this.devices.bus.onSignal(signal, (payload) => {
      const v = parseSignal(payload);
      if (v === undefined) this.log.warn({ signal, payload: payload.slice(0, 80) }, "ignored malformed speed signal");
      else this.speedKmh = v;
    });
    if (this.config.vehicle.speed_kmh !== undefined) await this.setSpeed(this.config.vehicle.speed_kmh);
  }

  /** Publish a vehicle speed (retained) and wait until it is back from the bus. */
  async setSpeed(kmh: number): Promise<void> {
    await this.devices.bus.publishSignal(this.config.vehicle.speed_signal, kmh);
    const until = Date.now() + 2000;
    while (this.speedKmh !== kmh && Date.now() < until) await new Promise((r) => setTimeout(r, 5));
  }

  /** Every session back to idle, nothing pending, no follow-up context (replaying independent test items). */
  async resetSessions(): Promise<void> {
    for (const s of this.sessions.all) {
      s.send({ type: "RESET" });
      await s.settled();
    }
  }

  /** Handle one input line; resolves with what hark said once the session waits for the user again. */
  async handleLine(line: string): Promise<Answer[]> {
    const input = parseInputLine(line);
    if (!input) return [];
    return this.handle(input);
  }

  async handle(input: InputLine): Promise<Answer[]> {
    if (this.stopped) return [];
    this.lineStart = Date.now();
    if (input.signal) {
      const speed = input.signal.speed_kmh ?? input.signal[this.config.vehicle.speed_signal];
      if (speed !== undefined) await this.setSpeed(Number(speed));
    }
    const session = input.session ? this.sessions.get(input.session) : this.defaultSession;
    if (!session) {
      const answer: Answer = { session: input.session ?? "", speech: `There is no session called ${input.session}.`, kind: "error", intents: [], ms: 0 };
      this.answered(answer);
      return [answer];
    }
    const answers: Answer[] = [];
    const collect = (a: Answer) => answers.push(a);
    const off = this.tap(session.info.id, collect);
    try {
      const events: Record<string, DialogEvent> = { ptt: { type: "PTT" }, wake: { type: "WAKE" }, cancel: { type: "CANCEL" }, speech_start: { type: "SPEECH_START" } };
      if (input.event) {
        const e = events[input.event.toLowerCase()];
        if (!e) throw new Error(`unknown event '${input.event}' (ptt, wake, cancel, speech_start)`);
        session.send(e);
        await session.settled();
      }
      if (input.text !== undefined) await session.handleText(input.text);
      if (input.wav !== undefined) {
        const hearing = await this.ears(session.info.profile);
        const heard = await hearing.hearFile(input.wav);
        await this.handleHeardIn(session, heard);
      }
    } finally {
      off();
    }
    return answers;
  }

  /**
   * The recognizer and endpointer for a profile (default: the default session's), created on first use
   * (text-only runs never load them). Its grammar holds every sentence, so a request for the other place
   * is heard as what it is and refused; `trust.satellite_grammar: own` keeps only the profile's own.
   */
  ears(profile: ProfileKind = this.defaultSession.info.profile): Promise<Hearing> {
    if (this.sharedHearing) return Promise.resolve(this.sharedHearing);
    let h = this.hearings.get(profile);
    if (!h) {
      h = this.newEars(profile);
      this.hearings.set(profile, h);
    }
    return h;
  }

  /**
   * A recognizer and endpointer of their own, made as `ears(profile)` makes them, for a second audio
   * path beside the runtime's (the Wyoming server): one decoder decodes one stream at a time. The
   * caller closes it.
   */
  newEars(profile: ProfileKind = this.defaultSession.info.profile): Promise<Hearing> {
    const own = (i: string) => ["any", profile].includes(intentHandling(i).scope) || READ_LOCALLY[profile].includes(i);
    const grammar = this.config.trust.satelliteGrammar === "own" ? subsetGrammar(this.grammar, own, profile) : this.grammar;
    const trustWords = this.config.trust.spokenWords ? spokenTrustWords(this.trust.cues) : undefined;
    const l = this.config.listen;
    const live = { shortSilenceMs: l.short_silence_ms, mediumSilenceMs: l.medium_silence_ms, longSilenceMs: l.long_silence_ms };
    return Hearing.create({ grammar, log: this.log.child({ mod: "asr", profile }), live, ...(trustWords ? { trustWords } : {}) });
  }

  /** Utterances heard by the microphone or in a WAV file, for a session (default: the default session). */
  async handleHeard(heard: Heard[], sessionId?: string): Promise<Answer[]> {
    const session = sessionId ? this.sessions.get(sessionId) : this.defaultSession;
    if (!session || this.stopped) return [];
    const answers: Answer[] = [];
    const off = this.tap(session.info.id, (a) => answers.push(a));
    try {
      this.lineStart = Date.now();
      await this.handleHeardIn(session, heard);
    } finally {
      off();
    }
    return answers;
  }

  private async handleHeardIn(session: DialogSession, heard: Heard[]): Promise<void> {
    if (!heard.length) {
      this.log.info({ session: session.info.id }, "no speech in the audio");
      return;
    }
    for (const h of heard) {
      this.events.emit("heard", { session: session.info.id, heard: h });
      if (h.text) {
        // The recognizer's doubt travels with the words: a close competitor ("turn on" / "turn off") is asked back.
        await session.handleText(h.text, h.evidence ? { asr: trustEvidence(h.evidence) } : {});
        continue;
      }
      // Heard something, understood no words: the dialog says so (a question is asked again).
      if (!["clarifying", "confirming", "listening"].includes(session.state)) {
        session.send({ type: "PTT" });
        await session.settled();
      }
      session.send({ type: "ASR_ERROR", message: h.reason ?? "nothing recognized" });
      await session.settled();
    }
  }

  private readonly taps = new Set<{ session: string; fn: (a: Answer) => void }>();

  /** Collect the answers of one session while a line is handled. */
  private tap(session: string, fn: (a: Answer) => void): () => void {
    const entry = { session, fn };
    this.taps.add(entry);
    return () => this.taps.delete(entry);
  }

  /** A scheduled request's time came: carried out like any other, and announced on its session. */
  private async runScheduled(r: ScheduledRequest): Promise<void> {
    if (this.stopped) return;
    const started = Date.now();
    try {
      const { outcome } = await this.devices.act(r.intents, { profile: r.session.profile, ...(r.session.area ? { area: r.session.area } : {}), ...(r.session.seat ? { seat: r.session.seat } : {}) });
      const speech = outcomeSpeech(outcome, this.grammar, this.devices.catalog);
      const commands = outcome.steps.flatMap((s) => s.results.map((x) => ({ device: x.command.deviceId, action: x.command.action, params: x.command.params, ok: x.ok, ...(x.error ? { error: x.error } : {}), ms: x.ms })));
      const answer: Answer = { session: r.session.id, speech: speech.text, kind: speech.ok ? "answer" : "error", intents: r.intents, ...(commands.length ? { commands } : {}), scheduled: { id: r.id, when: r.when }, ms: Date.now() - started };
      this.log.info({ id: r.id, ok: outcome.ok }, "scheduled request carried out");
      this.answered(answer);
    } catch (err) {
      this.log.warn({ id: r.id, err: err instanceof Error ? err.message : String(err) }, "scheduled request failed");
    }
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    const left = this.scheduler.pending;
    if (left.length) this.log.warn({ requests: left.map((r) => ({ session: r.session.id, when: r.when, at: new Date(r.at).toISOString() })) }, `${left.length} scheduled request(s) not carried out: hark is stopping`);
    this.scheduler.stop();
    this.sessions.stop();
    for (const h of this.hearings.values()) await h.then((x) => x.close()).catch(() => {});
    this.signalOff?.();
    await this.devices.stop();
    this.log.info("hark stopped");
  }
}

function parseSignal(payload: string): number | undefined {
  const t = payload.trim();
  const direct = Number(t);
  if (t && Number.isFinite(direct)) return direct;
  try {
    const v = JSON.parse(t) as unknown;
    if (v && typeof v === "object" && "value" in v && Number.isFinite(Number((v as { value: unknown }).value))) return Number((v as { value: unknown }).value);
  } catch {
    // fall through
  }
  return undefined;
}
