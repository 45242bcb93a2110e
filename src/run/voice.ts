// Speech in and out for `hark run`.
//   Hearing: 16 kHz audio (a WAV file, the microphone) → VAD endpointer (silero, else energy) → one
//            speech segment per utterance → grammar ASR → text for the dialog.
//   Speaking: each answer → the default voice (flite) → a WAV file in --say-to DIR and/or aplay when a
//            sound device exists; without one hark says so once and keeps answering as text.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Logger } from "pino";
import type { Grammar } from "../grammar/types.js";
import type { AsrEvidence, RecognitionResult, Recognizer } from "../asr/types.js";
import type { AudioSource, Endpointer, SpeechSegment, VadOptions } from "../audio/index.js";
import type { Synthesizer } from "../tts/types.js";
import type { SpokenTrustWords } from "../trust/spoken.js";
import { hearingAsrOptions } from "../compile/asrOptions.js";
import { SAMPLE_RATE } from "../audio/source.js";
import { Listener, liveVadOptions, type ListenOptions, type LiveUtterance } from "./listen.js";

/** Quiet around a segment of a whole signal the front end measures the noise in, seconds. */
const CONTEXT_BEFORE_S = 1;
const CONTEXT_AFTER_S = 0.5;

// ---- hearing ----------------------------------------------------------------------------------

/** One utterance cut out by the endpointer and what the recognizer made of it. */
export interface Heard {
  text: string;
  confidence: number;
  /** Segment bounds in the input, seconds. */
  start: number;
  end: number;
  /** Recognition time, ms. */
  asrMs: number;
  rejected?: boolean;
  reason?: string;
  /** How sure the recognizer is of what the words mean (grammar ASR): the trust policy asks back when it is not. */
  evidence?: AsrEvidence;
  /** Live input: end of the last speech, seconds, and which silence ended the utterance (src/run/listen.ts). */
  speechEnd?: number;
  endpoint?: LiveUtterance["endpoint"];
  /** The wake phrase, heard by the wake spotter (text = the phrase). */
  wake?: boolean;
}

export interface HearingOptions {
  grammar: Grammar;
  /** ASR engine name (default "grammar"). */
  engine?: string;
  vad?: VadOptions;
  log?: Logger;
  /**
   * Also accept dialog replies ("yes", "never mind", "the kitchen", "passenger side") so questions
   * and confirmations can be answered by voice (default true; src/compile/replies.ts).
   */
  replies?: boolean;
  /**
   * Words the trust policy needs to hear around requests ("don't …", "… in ten minutes", rooms and
   * appliances the home lacks; src/trust/spoken.ts), added to the ASR grammar.
   */
  trustWords?: SpokenTrustWords;
  /** Live input (hearStream): endpointing and callbacks (src/run/listen.ts). */
  live?: ListenOptions;
}

/** VAD endpointer + recognizer, created once and reused for every utterance. */
export class Hearing {
  private constructor(
    readonly recognizer: Recognizer,
    private readonly endpointer: Endpointer,
    private readonly log: Logger | undefined,
    private readonly vad: VadOptions | undefined,
    private readonly live: ListenOptions,
    private readonly grammar: Grammar,
  ) {}

  static async create(o: HearingOptions): Promise<Hearing> {
    const [{ createRecognizer }, { createEndpointer }] = await Promise.all([import("../asr/index.js"), import("../audio/index.js")]);
    const heard = hearingAsrOptions(o.grammar, { ...(o.replies === false ? { replies: false } : {}), ...(o.trustWords ? { trustWords: o.trustWords } : {}) });
    const recognizer = await createRecognizer(o.engine, { grammar: o.grammar, ...heard });
    const endpointer = createEndpointer({ ...o.vad, onFallback: (reason) => o.log?.info({ reason }, "VAD fallback") });
    o.log?.debug({ asr: recognizer.engine, vad: endpointer.engine, initMs: Math.round(recognizer.initMs) }, "hearing ready");
    return new Hearing(recognizer, endpointer, o.log, o.vad, o.live ?? {}, o.grammar);
  }

  get vadEngine(): string {
    return this.endpointer.engine;
  }

  /**
   * Decode a few of the grammar's sentences said by the default voice, so that the first real
   * utterance does not pay for compiling and first allocations (≈ 150 ms more on its evidence).
   * Returns the time it took, ms.
   */
  async warmUp(sentences = 2): Promise<number> {
    const t0 = performance.now();
    const [{ createSynthesizer }, { Sampler }, { resample }] = await Promise.all([import("../tts/index.js"), import("../compile/sample.js"), import("../audio/resample.js")]);
    const synth = createSynthesizer("flite:slt");
    try {
      const sampler = new Sampler(this.grammar, { seed: 7, numberWords: 1 });
      for (let i = 0; i < sentences; i++) {
        const a = await synth.synthesize(sampler.next().text);
        const x = a.sampleRate === 16000 ? a.samples : resample(a.samples, a.sampleRate, 16000);
        const padded = new Float32Array(x.length + 9600);
        padded.set(x, 4800);
        await this.recognizer.recognize(padded);
      }
    } finally {
      synth.close();
    }
    return performance.now() - t0;
  }

  /** Recognize one segment. */
  async recognize(seg: SpeechSegment, around?: Float32Array): Promise<Heard> {
    return this.report(await this.recognizer.recognize(seg.samples, around ? { around } : {}), seg.start, seg.end);
  }

  private report(r: RecognitionResult, start: number, end: number, live?: Pick<Heard, "speechEnd" | "endpoint">): Heard {
    const heard: Heard = {
      text: r.rejected ? "" : r.text,
      confidence: r.confidence,
      start,
      end,
      asrMs: r.ms,
      ...(r.rejected ? { rejected: true, ...(r.reason ? { reason: r.reason } : {}) } : {}),
      ...(r.evidence && !r.rejected ? { evidence: r.evidence } : {}),
      ...live,
    };
    const e = r.evidence;
    const garbage = r.rejected ? (r.detail as { garbage?: unknown } | undefined)?.garbage : undefined;
    const evidence = e ? { ...(e.score !== undefined ? { score: e.score } : {}), ...(e.beyondBeam ? { beyondBeam: true } : {}), ...(e.competitor ? { competitor: e.competitor } : {}) } : undefined;
    this.log?.info({ text: heard.text, confidence: Math.round(r.confidence * 100) / 100, ...(evidence ? { evidence } : {}), start, end, asrMs: Math.round(r.ms), ...(live?.endpoint ? { endpoint: live.endpoint } : {}), ...(r.rejected ? { rejected: r.reason ?? true } : {}), ...(typeof garbage === "string" ? { garbage } : {}) }, "heard");
    return heard;
  }

  /** Speech segments of audio already in memory (16 kHz), in order. */
  segments(samples: Float32Array, frame = 512): SpeechSegment[] {
    this.endpointer.reset();
    const out: SpeechSegment[] = [];
    for (let i = 0; i < samples.length; i += frame) out.push(...this.endpointer.accept(samples.subarray(i, i + frame)));
    out.push(...this.endpointer.flush());
    return out;
  }

  /**
   * Every utterance in a whole signal (16 kHz). The front end measures the noise in up to a second of the
   * quiet around each segment (never into the next or previous utterance), as it does for a whole file;
   * the segment itself is decoded. Measured in the segment cut tight at the VAD's edges, clean speech read
   * as noisy (its own fading edges taken for the noise: −14 dB) and was denoised.
   */
  async hearSamples(samples: Float32Array): Promise<Heard[]> {
    const out: Heard[] = [];
    const segs = this.segments(samples);
    const at = (sec: number) => Math.max(0, Math.min(samples.length, Math.round(sec * SAMPLE_RATE)));
    for (const [i, seg] of segs.entries()) {
      const from = at(Math.max(seg.start - CONTEXT_BEFORE_S, segs[i - 1]?.end ?? 0));
      const to = at(Math.min(seg.end + CONTEXT_AFTER_S, segs[i + 1]?.start ?? Infinity));
      out.push(await this.recognize(seg, samples.subarray(Math.min(from, at(seg.start)), Math.max(to, at(seg.end)))));
    }
    return out;
  }

  /** Every utterance in a WAV file. */
  async hearFile(path: string): Promise<Heard[]> {
    const { readAudioFile } = await import("../audio/source.js");
    const { samples } = await readAudioFile(path);
    return this.hearSamples(samples);
  }

  /**
   * Utterances of a live source (the microphone, a paced stream), each as soon as its endpoint is
   * reached: decoded while the user speaks where the engine streams (src/run/listen.ts), else one VAD
   * segment at a time. `live` adds to the options given at creation (callbacks).
   */
  async *hearStream(source: AudioSource, live: ListenOptions = {}): AsyncGenerator<Heard> {
    if (!this.recognizer.stream) {
      this.endpointer.reset();
      for await (const frame of source) for (const seg of this.endpointer.accept(frame)) yield await this.recognize(seg);
      for (const seg of this.endpointer.flush()) yield await this.recognize(seg);
      return;
    }
    const o = { ...this.live, ...live };
    const { createEndpointer } = await import("../audio/index.js");
    const listener = new Listener(this.recognizer, createEndpointer(liveVadOptions(this.vad)), o);
    const heard = (u: LiveUtterance): Heard[] => {
      const live = { speechEnd: u.speechEnd, endpoint: u.endpoint };
      if (!u.wake) return [this.report(u.result, u.start, u.end, live)];
      // The phrase wakes the session (the dialog's WAKE); a request in the same breath follows it.
      const w = u.wake;
      this.log?.info({ phrase: w.phrase, start: u.start + w.wakeStart, end: u.start + w.wakeEnd, request: w.request }, "wake phrase");
      const woke: Heard = { text: w.phrase, confidence: 1, start: u.start + w.wakeStart, end: u.start + w.wakeEnd, asrMs: u.result.ms, wake: true, ...(w.request ? {} : live) };
      return w.request ? [woke, this.report(u.result, u.start + w.wakeEnd, u.end, live)] : [woke];
    };
    for await (const frame of source) for (const u of await listener.accept(frame)) yield* heard(u);
    for (const u of await listener.flush()) yield* heard(u);
  }

  close(): void {
    this.recognizer.close();
  }
}

// ---- speaking ---------------------------------------------------------------------------------

export interface VoiceOptions {
  /** Voice spec (default flite:slt). */
  voice?: string;
  /** Write each answer as NNN-SESSION.wav in this folder. */
  sayTo?: string;
  /** Play through aplay: "auto" (default) = when a sound device exists. */
  play?: boolean | "auto";
  log?: Logger;
  /** Player command (tests). */
  player?: string;
}

/** Is there a sound card aplay can use? (`aplay -l` lists playback devices; none → false.) */
export function soundDeviceAvailable(player = "aplay"): { ok: boolean; reason?: string } {
  const r = spawnSync(player, ["-l"], { encoding: "utf8", timeout: 3000 });
  if (r.error) return { ok: false, reason: `${player} not found (install alsa-utils)` };
  const out = `${r.stdout ?? ""}${r.stderr ?? ""}`;
  if (r.status !== 0 || /no soundcards/i.test(out) || !/card \d+/i.test(out)) return { ok: false, reason: "no sound device found" };
  return { ok: true };
}

/** Speaks answers one after another, never blocking the text answer. */
export class Voice {
  private synth: Synthesizer | undefined;
  private queue: Promise<void> = Promise.resolve();
  private playing: boolean;
  private seq: number;
  /** Answers queued before an interruption belong to an older generation and are not spoken. */
  private generation = 0;
  private pending = 0;
  private playback: AbortController | undefined;
  /** Files written so far. */
  readonly files: string[] = [];

  private constructor(
    private readonly o: VoiceOptions,
    playing: boolean,
  ) {
    this.playing = playing;
    this.seq = o.sayTo && existsSync(o.sayTo) ? readdirSync(o.sayTo).filter((f) => /^\d+-.*\.wav$/.test(f)).length : 0;
  }

  /** Undefined when there is nowhere to speak to (no folder, no sound device): answers stay text only. */
  static create(o: VoiceOptions): Voice | undefined {
    let play = o.play ?? "auto";
    if (play !== false) {
      const dev = soundDeviceAvailable(o.player);
      if (!dev.ok) {
        const msg = `${dev.reason}: answers are printed as text only${o.sayTo ? ` and written as WAV files to ${o.sayTo}` : " (--say-to DIR writes them as WAV files)"}`;
        if (play === true) o.log?.warn(msg);
        else o.log?.info(msg);
        play = false;
      } else play = true;
    }
    if (!play && !o.sayTo) return undefined;
    if (o.sayTo) mkdirSync(o.sayTo, { recursive: true });
    return new Voice(o, play === true);
  }

  get voice(): string {
    return this.o.voice ?? "flite:slt";
  }

  /** Queue one answer; resolves when it has been written (and played, or interrupted). */
  say(text: string, session: string): Promise<void> {
    const t = text.trim();
    if (!t) return Promise.resolve();
    const n = ++this.seq;
    const generation = this.generation;
    this.pending++;
    this.queue = this.queue
      .then(() => (generation === this.generation ? this.speak(t, session, n, generation) : undefined))
      .catch((err: unknown) => this.o.log?.warn({ err: err instanceof Error ? err.message : String(err) }, "speaking failed"))
      .finally(() => void this.pending--);
    return this.queue;
  }

  /** An answer is being spoken or waits its turn. */
  get busy(): boolean {
    return this.pending > 0;
  }

  /**
   * Barge-in: stop the answer being played and drop the ones queued behind it. Returns whether
   * anything was stopped. (A loudspeaker near the microphone needs an echo-cancelled capture
   * device, or hark's own voice interrupts itself.)
   */
  interrupt(): boolean {
    if (!this.busy) return false;
    this.generation++;
    this.playback?.abort();
    return true;
  }

  private async speak(text: string, session: string, n: number, generation: number): Promise<void> {
    const { createSynthesizer } = await import("../tts/index.js");
    this.synth ??= createSynthesizer(this.voice);
    const t0 = performance.now();
    const audio = await this.synth.synthesize(text);
    const ms = Math.round(performance.now() - t0);
    let file: string | undefined;
    if (this.o.sayTo) {
      const { encodeWav16 } = await import("../audio/wav.js");
      file = join(this.o.sayTo, `${String(n).padStart(3, "0")}-${session.replace(/[^\w.-]+/g, "_")}.wav`);
      writeFileSync(file, encodeWav16(audio.samples, audio.sampleRate));
      this.files.push(file);
    }
    this.o.log?.debug({ text, session, ms, ...(file ? { file } : {}) }, "spoke");
    if (this.playing && generation === this.generation) {
      const { play } = await import("../audio/playback.js");
      const playback = (this.playback = new AbortController());
      try {
        const whole = await play(audio.samples, audio.sampleRate, { ...(this.o.player ? { player: this.o.player } : {}), signal: playback.signal });
        if (!whole) this.o.log?.info({ text, session }, "answer interrupted");
      } catch (err) {
        this.playing = false;
        this.o.log?.warn({ err: err instanceof Error ? err.message : String(err) }, "cannot play answers; printing them as text only from now on");
      }
    }
  }

  /** Wait for everything queued. */
  async drain(): Promise<void> {
    await this.queue;
  }

  close(): void {
    this.synth?.close();
  }
}
