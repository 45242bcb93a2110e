// Audio between the page and the runtime. In: push-to-talk PCM from the browser's microphone (16 kHz
// mono s16le over the socket) and dropped WAV files, both through the same live path as the microphone
// of `hark run --input mic` (src/run/live.ts: VAD, streaming decode, grammar-aware endpoint, dialog).
// One stream at a time: the recognizer decodes one utterance at once. Out: each answer spoken with
// hark's voice, as a WAV the page plays.
import type { Logger } from "pino";
import { AudioError } from "../audio/errors.js";
import { pcmSource, readAll, SAMPLE_RATE, type AudioSource, type AudioStats } from "../audio/source.js";
import { runLive } from "../run/live.js";
import type { HarkRuntime } from "../run/runtime.js";
import type { Synthesizer } from "../tts/types.js";

/** 20 ms at 16 kHz: the live path's frame. */
const FRAME = 320;
/** Longest push-to-talk stream and longest dropped file, s. */
export const MAX_TALK_SECONDS = 60;
export const MAX_WAV_SECONDS = 120;

/** A live source fed by pushes (the socket's PCM): 16 kHz mono frames of FRAME samples. */
export class PushSource implements AudioSource {
  readonly sampleRate = SAMPLE_RATE;
  readonly frameSamples = FRAME;
  private readonly frames: Float32Array[] = [];
  private partial = new Float32Array(FRAME);
  private fill = 0;
  private ended = false;
  private wake: (() => void) | undefined;
  private readonly s: AudioStats = { input: "", sourceRate: SAMPLE_RATE, channels: 1, samples: 0, seconds: 0, peak: 0, clipped: 0, truncated: false };

  constructor(
    readonly name: string,
    input: string,
  ) {
    this.s.input = input;
  }

  /** Samples in [-1, 1] at 16 kHz; ignored once ended. */
  push(x: Float32Array): void {
    if (this.ended) return;
    for (let i = 0; i < x.length; i++) {
      const v = x[i]!;
      if (Math.abs(v) > this.s.peak) this.s.peak = Math.abs(v);
      this.partial[this.fill++] = v;
      if (this.fill === FRAME) {
        this.frames.push(this.partial);
        this.partial = new Float32Array(FRAME);
        this.fill = 0;
      }
    }
    this.s.samples += x.length;
    this.s.seconds = this.s.samples / SAMPLE_RATE;
    this.notify();
  }

  /** No more audio: what is left is delivered, then the iteration ends. */
  end(): void {
    if (this.ended) return;
    if (this.fill) this.frames.push(this.partial.slice(0, this.fill));
    this.fill = 0;
    this.ended = true;
    this.notify();
  }

  get seconds(): number {
    return this.s.seconds;
  }

  stats(): AudioStats {
    return { ...this.s };
  }

  close(): void {
    this.frames.length = 0;
    this.end();
  }

  private notify(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Float32Array> {
    for (;;) {
      const f = this.frames.shift();
      if (f) yield f;
      else if (this.ended) return;
      else await new Promise<void>((r) => (this.wake = r));
    }
  }
}

/** Little-endian signed 16-bit PCM → float samples (an odd last byte is dropped). */
export function int16ToFloat(bytes: Uint8Array): Float32Array {
  const n = bytes.length >> 1;
  const view = new DataView(bytes.buffer, bytes.byteOffset, n * 2);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = view.getInt16(i * 2, true) / 32768;
  return out;
}

/** A push-to-talk stream in progress. */
export interface Talk {
  /** s16le 16 kHz mono bytes from the socket. */
  push(bytes: Uint8Array): void;
  /** The button was released. */
  end(): void;
  /** Resolves when the last utterance has gone through the dialog. */
  done: Promise<void>;
}

export class ConsoleAudio {
  /** What holds the recognizer now ("push-to-talk", "a WAV file"), if anything. */
  private holder: string | undefined;
  private ready: Promise<void> | undefined;

  constructor(
    private readonly rt: HarkRuntime,
    private readonly log: Logger,
    /** Told when audio input fails (the page shows it). */
    private readonly onError: (message: string) => void = () => undefined,
  ) {}

  /** Load and warm the recognizer (in the background, once): the first push-to-talk does not wait for it. */
  warm(): Promise<void> {
    return (this.ready ??= (async () => {
      const t0 = performance.now();
      const ears = await this.rt.ears();
      await ears.warmUp().catch(() => undefined);
      this.log.debug({ ms: Math.round(performance.now() - t0) }, "console: hearing ready");
    })());
  }

  get busy(): string | undefined {
    return this.holder;
  }

  /** Start a push-to-talk stream for a session; a string says why not (another stream is running). */
  talk(session: string): Talk | string {
    if (this.holder) return `hark is already listening to ${this.holder}`;
    this.holder = "push-to-talk";
    const source = new PushSource("console push-to-talk", "browser microphone s16le 16000 Hz mono");
    const done = this.run(session, source);
    return {
      push: (bytes) => {
        source.push(int16ToFloat(bytes));
        if (source.seconds >= MAX_TALK_SECONDS) source.end();
      },
      end: () => source.end(),
      done,
    };
  }

  /**
   * A dropped WAV file (any rate and format hark reads) spoken to a session through the live path, at
   * its own pace (the page sees its level, VAD and partial words as it plays). Resolves with its length
   * once it is queued; `done` when the dialog has answered it. Throws AudioError for what is not audio.
   */
  async replay(bytes: Uint8Array, session: string, options: { realTime?: boolean } = {}): Promise<{ seconds: number; done: Promise<void> }> {
    const { samples } = await readAll(pcmSource(once(bytes), { name: "dropped WAV", frameSamples: FRAME }), MAX_WAV_SECONDS);
    if (this.holder) throw new AudioError(`hark is already listening to ${this.holder}`);
    this.holder = "a WAV file";
    const source = new PushSource("console WAV", "dropped WAV");
    const done = this.run(session, source);
    // A little silence after it, as a speaker would leave: the endpoint decides as it does live.
    const padded = new Float32Array(samples.length + Math.round(0.6 * SAMPLE_RATE));
    padded.set(samples);
    void pace(padded, source, options.realTime !== false);
    return { seconds: samples.length / SAMPLE_RATE, done };
  }

  private async run(session: string, source: PushSource): Promise<void> {
    try {
      await this.warm();
      const stats = await runLive(this.rt, source, { session });
      this.log.info({ session, source: source.name, seconds: Math.round(source.seconds * 100) / 100, utterances: stats.utterances }, "console: audio heard");
    } catch (err) {
      const message = err instanceof Error ? err.message.split("\n")[0]! : String(err);
      this.log.warn({ err: message }, "console: audio input failed");
      this.onError(`audio input failed: ${message}`);
    } finally {
      source.close();
      this.holder = undefined;
    }
  }
}

async function* once(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes;
}

/** Feed samples to a source in 20 ms frames, in real time (or at once), then end it. */
async function pace(samples: Float32Array, source: PushSource, realTime: boolean): Promise<void> {
  const t0 = performance.now();
  for (let i = 0; i < samples.length; i += FRAME) {
    source.push(samples.subarray(i, i + FRAME));
    if (realTime) {
      const due = t0 + ((i + FRAME) / SAMPLE_RATE) * 1000;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
  }
  source.end();
}

/** Answers spoken with hark's voice as WAV bytes, one after another. */
export class ConsoleSpeaker {
  private synth: Synthesizer | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly voice: string,
    private readonly log: Logger,
  ) {}

  /** The answer as a 16-bit WAV, with the synthesis time; undefined when the voice fails (logged). */
  speak(text: string): Promise<{ wav: Uint8Array; ms: number; seconds: number } | undefined> {
    const job = this.queue.then(async () => {
      try {
        const [{ createSynthesizer }, { encodeWav16 }] = await Promise.all([import("../tts/index.js"), import("../audio/wav.js")]);
        this.synth ??= createSynthesizer(this.voice);
        const t0 = performance.now();
        const audio = await this.synth.synthesize(text);
        return { wav: encodeWav16(audio.samples, audio.sampleRate), ms: Math.round(performance.now() - t0), seconds: audio.samples.length / audio.sampleRate };
      } catch (err) {
        this.log.warn({ err: err instanceof Error ? err.message : String(err) }, "console: cannot speak the answer");
        return undefined;
      }
    });
    this.queue = job;
    return job;
  }

  close(): void {
    this.synth?.close();
  }
}
