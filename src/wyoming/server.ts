// The Wyoming server: TCP (node:net), one Connection per client, events handled in order per
// connection and independently across connections. Nothing a client sends can stop the server: a
// broken header, an oversized block, an unknown event, a wrong audio format or a failing service is
// answered with an `error` event {text, code}; only a byte stream that cannot be followed any more
// (lengths that are not numbers) closes that one connection, after the error is sent.
import { createServer, type AddressInfo, type Server, type Socket } from "node:net";
import type { Logger } from "pino";
import { AudioIn, audioFormat, concat, floatToPcm16, sameFormat } from "./audio.js";
import { errorEvent, event, textField, WyomingError } from "./events.js";
import { DEFAULT_LIMITS, encodeEvent, FrameParser, type FrameLimits, type WyomingEvent } from "./framing.js";
import type { LiveTranscription, WakeDetector, WyomingServices } from "./services.js";

export interface WyomingServerOptions {
  limits?: FrameLimits;
  /** A connection that sends nothing for this long is closed, ms (default 5 minutes; 0 = never). */
  idleMs?: number;
  /** Clients served at once; more are refused with an error event (default 32). */
  maxConnections?: number;
  /** Longest audio to transcribe, s (default 60). */
  maxTranscribeSeconds?: number;
  /** What a `transcript` event (Home Assistant's conversation agent) gets: `handle` (hark acts) or `intent` (the client acts). Default handle. */
  conversation?: "handle" | "intent";
  log?: Logger;
}

/** tcp://HOST:PORT → host and port (the only transport hark serves). */
export function parseWyomingUri(uri: string): { host: string; port: number } {
  const m = /^tcp:\/\/(\[[^\]]+\]|[^:/\s]+):(\d{1,5})\/?$/.exec(uri.trim());
  const port = m ? Number(m[2]) : NaN;
  if (!m || !(port >= 0 && port <= 65535)) throw new Error(`not a Wyoming URI: ${uri} (expected tcp://HOST:PORT, e.g. tcp://0.0.0.0:10500)`);
  return { host: m[1]!.replace(/^\[|\]$/g, ""), port };
}

/** Audio events sent per chunk of synthesized speech, samples. */
const SYNTH_CHUNK = 1024;
/** Events queued on one connection beyond which it stops reading until they are served. */
const PAUSE_AT = 64;

export class WyomingServer {
  private readonly conns = new Set<Connection>();
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly server: Server,
    readonly services: WyomingServices,
    private readonly o: Required<Omit<WyomingServerOptions, "log">> & { log: Logger | undefined },
  ) {}

  static async listen(uri: string, services: WyomingServices, options: WyomingServerOptions = {}): Promise<WyomingServer> {
    const { host, port } = parseWyomingUri(uri);
    const o = {
      limits: options.limits ?? DEFAULT_LIMITS,
      idleMs: options.idleMs ?? 5 * 60_000,
      maxConnections: options.maxConnections ?? 32,
      maxTranscribeSeconds: options.maxTranscribeSeconds ?? 60,
      conversation: options.conversation ?? "handle",
      log: options.log,
    };
    // Half-open: a client that ends its side after its last request (`… | nc host port`) still gets the answers.
    const server = createServer({ noDelay: true, allowHalfOpen: true });
    const w = new WyomingServer(server, services, o);
    server.on("connection", (socket) => w.accept(socket));
    server.on("error", (err) => o.log?.error({ err: err.message }, "wyoming server error"));
    await new Promise<void>((resolve, reject) => {
      const fail = (err: Error) => reject(new Error(`cannot listen on ${uri}: ${err.message}`));
      server.once("error", fail);
      server.listen(port, host, () => {
        server.off("error", fail);
        resolve();
      });
    });
    o.log?.info({ uri: w.uri }, "wyoming server listening");
    return w;
  }

  get address(): { host: string; port: number } {
    const a = this.server.address() as AddressInfo;
    return { host: a.address, port: a.port };
  }

  get uri(): string {
    const { host, port } = this.address;
    return `tcp://${host.includes(":") ? `[${host}]` : host}:${port}`;
  }

  /** Clients connected now. */
  get connections(): number {
    return this.conns.size;
  }

  private accept(socket: Socket): void {
    if (this.closing) return void socket.destroy();
    if (this.conns.size >= this.o.maxConnections) {
      socket.end(encodeEvent(errorEvent("busy", `hark serves at most ${this.o.maxConnections} Wyoming clients at once`)));
      socket.on("error", () => undefined);
      return;
    }
    const c = new Connection(socket, this.services, this.o);
    this.conns.add(c);
    socket.once("close", () => {
      this.conns.delete(c);
      c.dispose();
    });
  }

  /** Stop listening, close every connection. The services stay (their owner closes them). */
  close(): Promise<void> {
    return (this.closing ??= (async () => {
      const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
      for (const c of this.conns) c.destroy();
      await closed;
    })());
  }
}

interface Stream {
  kind: "transcribe" | "detect";
  audio: AudioIn;
  /** transcribe: the 16 kHz audio so far. */
  parts: Float32Array[];
  /** transcribe: over the length limit (reported once; the audio is dropped). */
  dropped: boolean;
  language?: string;
  /** transcribe: decoded as it arrives (the live path), when the recognizer could take it. */
  live?: LiveTranscription;
  detector?: WakeDetector;
  detections: number;
}

class Connection {
  private readonly parser: FrameParser;
  private chain: Promise<void> = Promise.resolve();
  private queued = 0;
  private pending: { kind: "transcribe"; language?: string } | { kind: "detect" } | undefined;
  private stream: Stream | undefined;
  private closed = false;
  private readonly log: Logger | undefined;

  constructor(
    private readonly socket: Socket,
    private readonly services: WyomingServices,
    private readonly o: Required<Omit<WyomingServerOptions, "log">> & { log: Logger | undefined },
  ) {
    this.parser = new FrameParser(o.limits);
    this.log = o.log?.child({ client: `${socket.remoteAddress}:${socket.remotePort}` });
    this.log?.debug("wyoming client connected");
    socket.on("data", (chunk: Buffer) => this.onData(chunk));
    socket.on("error", (err) => this.log?.debug({ err: err.message }, "wyoming socket error"));
    socket.on("close", () => (this.closed = true));
    // The client has sent its last event: answer what is queued, then close.
    socket.on("end", () => this.enqueue(async () => this.end()));
    if (o.idleMs > 0) {
      socket.setTimeout(o.idleMs, () => {
        this.log?.debug("wyoming client idle: closing");
        this.end();
      });
    }
  }

  private onData(chunk: Buffer): void {
    let frames: ReturnType<FrameParser["push"]>;
    try {
      frames = this.parser.push(chunk);
    } catch (err) {
      // Never expected; if it happens, this connection ends and the server goes on.
      this.log?.error({ err: err instanceof Error ? err.message : String(err) }, "wyoming parser failed");
      this.enqueue(async () => {
        await this.send(errorEvent("internal", "the event stream could not be read"));
        this.end();
      });
      return;
    }
    for (const f of frames) {
      if ("error" in f) {
        const e = f.error;
        this.log?.warn({ code: e.code, type: e.type }, e.text);
        this.enqueue(async () => {
          await this.send(errorEvent(e.code, e.text));
          if (e.fatal) this.end();
        });
      } else {
        const ev = f.event;
        this.enqueue(() => this.dispatch(ev));
      }
    }
  }

  /** Events are served one after another, in the order they came. */
  private enqueue(job: () => Promise<void>): void {
    this.queued++;
    if (this.queued > PAUSE_AT) this.socket.pause();
    this.chain = this.chain
      .then(async () => {
        if (!this.closed) await job();
      })
      .catch((err: unknown) => this.log?.error({ err: err instanceof Error ? err.message : String(err) }, "wyoming event failed"))
      .finally(() => {
        this.queued--;
        if (this.queued <= PAUSE_AT / 4 && this.socket.isPaused() && !this.closed) this.socket.resume();
      });
  }

  private async dispatch(ev: WyomingEvent): Promise<void> {
    try {
      await this.serve(ev);
    } catch (err) {
      const e = err instanceof WyomingError ? err : new WyomingError("internal", `${ev.type}: ${err instanceof Error ? err.message : String(err)}`);
      if (!(err instanceof WyomingError)) this.log?.error({ type: ev.type, err: e.message }, "wyoming service failed");
      await this.send(errorEvent(e.code, e.message));
    }
  }

  private async serve(ev: WyomingEvent): Promise<void> {
    const d = ev.data;
    switch (ev.type) {
      case "describe":
        return this.send(event("info", this.services.info() as unknown as Record<string, unknown>));
      case "ping":
        return this.send(event("pong", typeof d.text === "string" ? { text: d.text } : {}));
      case "transcribe":
        this.pending = { kind: "transcribe", ...(typeof d.language === "string" ? { language: d.language } : {}) };
        return;
      case "detect": {
        const wake = this.services.wake;
        if (!wake) throw new WyomingError("unsupported", "detect: hark has no wake phrase to spot here");
        if (d.names !== undefined && d.names !== null) {
          if (!Array.isArray(d.names) || !d.names.every((n) => typeof n === "string")) throw new WyomingError("bad-event", "detect: names must be a list of wake model names");
          if (d.names.length && !d.names.some((n) => sameWake(n as string, wake.name))) throw new WyomingError("unknown-wake-word", `detect: hark spots only "${wake.name}" (asked for ${(d.names as string[]).join(", ")})`);
        }
        this.pending = { kind: "detect" };
        return;
      }
      case "audio-start": {
        const format = audioFormat(d, "audio-start");
        // A new stream while one is open replaces it, for the same request unless a new one came.
        const previous = this.stream?.kind;
        this.closeStream();
        if (!this.pending && previous === "detect" && this.services.wake) this.pending = { kind: "detect" };
        const s = (this.stream = this.open(format));
        if (s.kind === "transcribe") await this.goLive(s);
        return;
      }
      case "audio-chunk":
        return this.chunk(ev);
      case "audio-stop":
        return this.stop();
      case "recognize":
        return this.recognize(textField(d, "recognize"));
      case "handle":
        return this.handle(textField(d, "handle"), d.context);
      case "transcript": {
        // Home Assistant's conversation agent sends what was said as a transcript and reads back an
        // intent (it acts) or handled (hark acted).
        const text = textField(d, "transcript");
        return this.o.conversation === "intent" ? this.recognize(text) : this.handle(text, d.context);
      }
      case "synthesize":
        return this.synthesize(textField(d, "synthesize"), d.voice);
      case "error":
        this.log?.warn({ text: d.text, code: d.code }, "wyoming client reported an error");
        return;
      case "info":
      case "pong":
        return;
      default:
        throw new WyomingError("unknown-event", `unknown event type '${clip(ev.type)}'`);
    }
  }

  /** A new audio stream, for what the last request asked (a bare stream is transcribed, as other Wyoming ASR servers do). */
  private open(format: ReturnType<typeof audioFormat>): Stream {
    const p = this.pending;
    this.pending = undefined;
    const kind = p?.kind ?? "transcribe";
    return {
      kind,
      audio: new AudioIn(format),
      parts: [],
      dropped: false,
      ...(p?.kind === "transcribe" && p.language ? { language: p.language } : {}),
      ...(kind === "detect" ? { detector: this.services.wake!.detector() } : {}),
      detections: 0,
    };
  }

  private async chunk(ev: WyomingEvent): Promise<void> {
    const d = ev.data;
    // A chunk that declares no format at all is taken in its stream's (audio-start's).
    const bare = d.rate === undefined && d.width === undefined && d.channels === undefined;
    const format = bare && this.stream ? this.stream.audio.format : audioFormat(d, "audio-chunk");
    // A chunk without audio-start opens the stream in its own format.
    if (!this.stream) {
      this.stream = this.open(format);
      if (this.stream.kind === "transcribe") await this.goLive(this.stream);
    }
    const s = this.stream;
    if (!sameFormat(format, s.audio.format)) {
      const f = s.audio.format;
      throw new WyomingError("audio-format", `audio-chunk: ${format.rate} Hz × ${format.width} bytes × ${format.channels} ch differs from the stream's ${f.rate} Hz × ${f.width} × ${f.channels} (audio-start); chunk ignored`);
    }
    if (s.dropped || !ev.payload?.length) return;
    const x = s.audio.accept(ev.payload);
    if (s.kind === "transcribe") {
      if (s.audio.seconds > this.o.maxTranscribeSeconds) {
        s.dropped = true;
        s.parts = [];
        s.live?.abort();
        throw new WyomingError("audio-too-long", `transcribe: more than ${this.o.maxTranscribeSeconds} s of audio; this stream is dropped (no transcript)`);
      }
      s.parts.push(x);
      await s.live?.accept(x);
      return;
    }
    await this.detected(s, await s.detector!.accept(x));
  }

  private async stop(): Promise<void> {
    const s = this.stream;
    this.stream = undefined;
    if (!s) throw new WyomingError("audio-order", "audio-stop without audio-start");
    try {
      const tail = s.audio.finish();
      if (s.kind === "detect") {
        await this.detected(s, await s.detector!.accept(tail));
        await this.detected(s, await s.detector!.finish());
        if (!s.detections) await this.send(event("not-detected"));
        return;
      }
      if (s.dropped) return;
      const t0 = performance.now();
      let r: { text: string; language?: string } | undefined;
      if (s.live) {
        await s.live.accept(tail);
        r = await s.live.finish();
      }
      const decode = r ? "live" : "whole";
      r ??= await this.services.transcribe(concat([...s.parts, tail]), s.language ? { language: s.language } : {});
      this.log?.info({ text: r.text, audioSec: Math.round(s.audio.seconds * 100) / 100, decode, ms: Math.round(performance.now() - t0) }, "wyoming transcript");
      await this.send(event("transcript", { text: r.text, ...(r.language ? { language: r.language } : {}) }));
    } finally {
      s.detector?.close();
      s.live?.abort();
    }
  }

  /** Decode the stream as it arrives, if the assistant can take it now. */
  private async goLive(s: Stream): Promise<void> {
    const live = await this.services.openTranscription?.();
    if (!live) return;
    if (this.stream === s && !this.closed) s.live = live;
    else live.abort();
  }

  private async detected(s: Stream, ends: number[]): Promise<void> {
    const wake = this.services.wake!;
    for (const end of ends) {
      s.detections++;
      this.log?.info({ name: wake.name, at: Math.round(end * 1000) }, "wyoming wake detection");
      await this.send(event("detection", { name: wake.name, timestamp: Math.round(end * 1000), speaker: null }));
    }
  }

  private async recognize(text: string): Promise<void> {
    const r = await this.services.recognize(text);
    if (r.kind === "intent") await this.send(event("intent", { name: r.name, entities: r.entities, text: r.text }));
    else await this.send(event("not-recognized", { text: r.text }));
  }

  private async handle(text: string, context: unknown): Promise<void> {
    const r = await this.services.handle(text);
    const ctx = context && typeof context === "object" && !Array.isArray(context) ? { context } : {};
    await this.send(event(r.handled ? "handled" : "not-handled", { text: r.text, ...ctx }));
  }

  private async synthesize(text: string, voice: unknown): Promise<void> {
    let name: string | undefined;
    if (voice !== undefined && voice !== null) {
      if (typeof voice !== "object" || Array.isArray(voice)) throw new WyomingError("bad-event", "synthesize: voice must be an object {name?, language?, speaker?}");
      const v = voice as Record<string, unknown>;
      if (v.name !== undefined && v.name !== null && typeof v.name !== "string") throw new WyomingError("bad-event", "synthesize: voice.name must be a string");
      name = (v.name as string | undefined) ?? undefined;
    }
    const a = await this.services.synthesize(text, name);
    const format = { rate: a.sampleRate, width: 2, channels: 1 };
    await this.send(event("audio-start", { ...format, timestamp: 0 }));
    let ms = 0;
    for (let i = 0; i < a.samples.length; i += SYNTH_CHUNK) {
      const piece = a.samples.subarray(i, i + SYNTH_CHUNK);
      await this.send(event("audio-chunk", { ...format, timestamp: Math.round(ms) }, floatToPcm16(piece)));
      ms += (piece.length / a.sampleRate) * 1000;
    }
    await this.send(event("audio-stop", { timestamp: Math.round(ms) }));
  }

  /** Write one event; waits while the client reads slowly. */
  private async send(ev: WyomingEvent): Promise<void> {
    if (this.closed || this.socket.destroyed) return;
    if (this.socket.write(encodeEvent(ev))) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        this.socket.off("drain", done);
        this.socket.off("close", done);
        resolve();
      };
      this.socket.on("drain", done);
      this.socket.on("close", done);
    });
  }

  private closeStream(): void {
    this.stream?.detector?.close();
    this.stream?.live?.abort();
    this.stream = undefined;
  }

  /** Close after what was written is flushed. */
  end(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.end();
    // A client that never reads must not hold the socket.
    setTimeout(() => this.socket.destroy(), 2000).unref();
  }

  destroy(): void {
    this.closed = true;
    this.socket.destroy();
  }

  dispose(): void {
    this.closed = true;
    this.closeStream();
  }
}

function sameWake(asked: string, name: string): boolean {
  const norm = (s: string) => s.toLowerCase().replace(/[\s_-]+/g, " ").trim();
  return norm(asked) === norm(name);
}

function clip(s: string): string {
  return s.length > 60 ? `${s.slice(0, 60)}…` : s;
}

