// Audio front end in front of grammar decoding: endpoint (VAD), estimate the SNR, denoise when noisy.
//
//   1. endpoint: silero VAD (sherpa-onnx-node) or the energy endpointer → speech span [first, last]
//      segment, padded; "trim" is the old whole-file energy trim (src/asr/trim.ts), false decodes all.
//   2. SNR: mean power inside the VAD's speech segments vs outside them (digital silence excluded).
//   3. RNNoise (src/audio/denoise.ts) on the span plus a lead-in (to learn the noise) when
//      `denoise` is "on", or "auto" and the estimated SNR is below `denoiseBelowDb`.
// RNNoise is only ever applied together with endpointing: without it, it costs accuracy (notes).
import { Denoiser } from "../audio/denoise.js";
import { createEndpointer, detectSegments, type Endpointer, type SpeechSegment, type VadOptions } from "../audio/vad.js";
import { SAMPLE_RATE } from "../audio/source.js";
import { speechBounds } from "./trim.js";

export type EndpointMode = "vad" | "energy" | "trim" | false;
export type DenoiseMode = "auto" | "on" | "off";

export interface FrontendOptions {
  /** How to find the speech span (default "vad": silero, energy when its model is missing). */
  endpoint?: EndpointMode;
  /** RNNoise: "auto" (default) when the estimated SNR is below denoiseBelowDb, "on", "off". */
  denoise?: DenoiseMode;
  /** "auto" threshold on the estimated SNR, dB (default 35: every file with audible background noise; RNNoise helped from 24 dB down and cost nothing clean). */
  denoiseBelowDb?: number;
  /** Audio kept around the speech span, ms (default 300). */
  padMs?: number;
  /** Audio before the span given to RNNoise to learn the noise, ms (default 500; dropped after). */
  leadInMs?: number;
  /** Fraction of the original signal mixed back into the denoised one (default 0.2: softens RNNoise's artifacts; 0 = fully denoised). */
  dry?: number;
  /** What RNNoise gets: the VAD's speech span (default with silero) or the whole input (default with the energy endpointer). */
  denoiseSpan?: "speech" | "all";
  /** Run the VAD again on the denoised span and cut to its speech (default true: +3 files at 6 dB, +1 at 12, −1 at 24 on s2i-dev). */
  revad?: boolean;
  /** VAD options (engine, threshold, trailing silence…). */
  vad?: VadOptions;
  /** Called once when the silero VAD is unavailable and the energy endpointer is used. */
  onFallback?: (reason: string) => void;
}

export interface FrontendResult {
  /** What to decode; empty when there is nothing to decode. */
  samples: Float32Array;
  /** Why nothing is left ("silence"), when samples is empty. */
  reason?: string;
  /** Estimated SNR in dB (undefined when it could not be estimated). */
  snrDb?: number;
  denoised: boolean;
  vad?: string;
  /** Speech segments found by the VAD, in seconds from the start of `samples` (absent without a VAD). */
  speech?: Array<[number, number]>;
  ms: { vad: number; denoise: number };
}

export const DEFAULT_DENOISE_BELOW_DB = 35;
export const DEFAULT_DRY = 0.2;
const DIGITAL_SILENCE = 10 ** -7.5; // mean power of a hop below −75 dBFS

/**
 * SNR estimate, dB: mean power of the VAD's speech hops (10 ms) over the median power of the other
 * hops, digital silence ignored. On the s2i-dev recordings mixed with kitchen noise it reads
 * ≈ 5 dB above the benchmark's max-frame SNR (medians 29 / 17 / 11.5 at 24 / 12 / 6 dB).
 */
export function estimateSnr(samples: Float32Array, segments: ReadonlyArray<Pick<SpeechSegment, "start" | "end">>): number | undefined {
  const H = 160;
  const inSpeech = new Uint8Array(Math.ceil(samples.length / H));
  for (const s of segments) {
    const a = Math.max(0, Math.floor((s.start * SAMPLE_RATE) / H));
    const b = Math.min(inSpeech.length, Math.ceil((s.end * SAMPLE_RATE) / H));
    inSpeech.fill(1, a, b);
  }
  let ps = 0, ns = 0;
  const other: number[] = [];
  for (let h = 0; h < inSpeech.length; h++) {
    let e = 0;
    const end = Math.min(samples.length, (h + 1) * H);
    for (let i = h * H; i < end; i++) e += samples[i]! * samples[i]!;
    e /= Math.max(1, end - h * H);
    if (e < DIGITAL_SILENCE) continue;
    if (inSpeech[h]) (ps += e), ns++;
    else other.push(e);
  }
  if (!ns || other.length < 10) return undefined; // no speech, or too little non-speech to know the noise
  other.sort((a, b) => a - b);
  const n = other[other.length >> 1]!;
  return 10 * Math.log10(Math.max(ps / ns - n, 1e-12) / Math.max(n, 1e-12));
}

export class Frontend {
  private endpointer: Endpointer | undefined;
  private denoiser: Denoiser | undefined;
  readonly endpoint: EndpointMode;
  readonly denoise: DenoiseMode;

  constructor(private readonly opts: FrontendOptions = {}) {
    this.endpoint = opts.endpoint ?? "vad";
    this.denoise = this.endpoint === false || this.endpoint === "trim" ? "off" : (opts.denoise ?? "auto");
    if (this.endpoint === "vad" || this.endpoint === "energy") {
      this.endpointer = createEndpointer({
        trailingSilenceMs: 500,
        padMs: 0,
        ...opts.vad,
        engine: this.endpoint === "energy" ? "energy" : (opts.vad?.engine ?? "auto"),
        onFallback: opts.onFallback,
      });
    }
  }

  get vadEngine(): string | undefined {
    return this.endpointer?.engine;
  }

  /** `around`: audio around x (x inside it) to measure the noise in, when x is a segment cut tight. */
  async process(x: Float32Array, around?: Float32Array): Promise<FrontendResult> {
    const t0 = performance.now();
    const pad = Math.round(((this.opts.padMs ?? 300) * SAMPLE_RATE) / 1000);
    if (this.endpoint === false) return { samples: x, denoised: false, ms: { vad: 0, denoise: 0 } };
    if (this.endpoint === "trim" || !this.endpointer) {
      const b = speechBounds(x);
      const ms = { vad: performance.now() - t0, denoise: 0 };
      if (!b.hasSignal) return { samples: new Float32Array(0), reason: "silence", denoised: false, ms };
      return { samples: x.subarray(b.start, b.end), denoised: false, ms };
    }
    const segments = detectSegments(x, this.endpointer);
    const first = segments[0];
    const last = segments[segments.length - 1];
    const vadMs = performance.now() - t0;
    const vad = this.endpointer.engine;
    if (!first || !last) return { samples: new Float32Array(0), reason: "silence", denoised: false, vad, ms: { vad: vadMs, denoise: 0 } };
    const snrDb = around ? estimateSnr(around, detectSegments(around, this.endpointer)) : estimateSnr(x, segments);
    let a = Math.max(0, Math.round(first.start * SAMPLE_RATE) - pad);
    let b = Math.min(x.length, Math.round(last.end * SAMPLE_RATE) + pad);
    const noisy = this.denoise === "on" || (this.denoise === "auto" && snrDb !== undefined && snrDb < (this.opts.denoiseBelowDb ?? DEFAULT_DENOISE_BELOW_DB));
    const rel = (segs: ReadonlyArray<Pick<SpeechSegment, "start" | "end">>, from: number, len: number): Array<[number, number]> =>
      segs.map((g): [number, number] => [Math.max(0, g.start - from / SAMPLE_RATE), Math.min(len / SAMPLE_RATE, g.end - from / SAMPLE_RATE)]).filter(([p, q]) => q > p);
    if (!noisy) return { samples: x.subarray(a, b), snrDb, denoised: false, vad, speech: rel(segments, a, b - a), ms: { vad: vadMs, denoise: 0 } };
    const t1 = performance.now();
    // The energy endpointer misses speech in strong noise: denoise everything and let the second pass cut.
    if ((this.opts.denoiseSpan ?? (vad === "energy" ? "all" : "speech")) === "all") (a = 0), (b = x.length);
    const lead = Math.min(a, Math.round(((this.opts.leadInMs ?? 500) * SAMPLE_RATE) / 1000));
    this.denoiser ??= await Denoiser.create();
    this.denoiser.reset();
    let clean = this.denoiser.denoise(x.subarray(a - lead, b)).samples.subarray(lead);
    const dry = this.opts.dry ?? DEFAULT_DRY;
    if (dry > 0) {
      const orig = x.subarray(a, b);
      const mixed = new Float32Array(clean.length);
      for (let i = 0; i < mixed.length; i++) mixed[i] = (1 - dry) * clean[i]! + dry * orig[i]!;
      clean = mixed;
    }
    let speech = rel(segments, a, b - a);
    if (this.opts.revad ?? true) {
      const segs = detectSegments(clean, this.endpointer);
      const f = segs[0], l = segs[segs.length - 1];
      if (f && l) {
        const from = Math.max(0, Math.round(f.start * SAMPLE_RATE) - pad);
        clean = clean.subarray(from, Math.min(clean.length, Math.round(l.end * SAMPLE_RATE) + pad));
        speech = rel(segs, from, clean.length);
      }
    }
    return { samples: clean, snrDb, denoised: true, vad, speech, ms: { vad: vadMs, denoise: performance.now() - t1 } };
  }

  close(): void {
    this.denoiser?.close();
    this.denoiser = undefined;
  }
}
