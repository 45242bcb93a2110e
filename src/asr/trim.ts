// Energy-based trimming of leading/trailing silence before grammar decoding.
// PocketSphinx does no silence removal of its own, and long stretches of digital silence skew its
// cepstral mean normalisation (clean accuracy 89.9 → 96.1 % on a subset once trimmed, see
// ../shared/notes/asr.md). This is a light fallback for whole files; live audio goes through the
// VAD/endpointer in src/audio first.

export interface TrimOptions {
  /** Frame length in samples (default 160 = 10 ms at 16 kHz). */
  frame?: number;
  /** Audio kept before the first and after the last speech frame, in samples (default 0.3 s). */
  pad?: number;
  /** Speech threshold above the noise floor, as a fraction of the floor-to-peak distance in dB (default 0.2). */
  ratio?: number;
  /** Minimum threshold above the noise floor in dB (default 6). */
  minDb?: number;
}

export interface TrimResult {
  start: number;
  end: number;
  /** false when the whole input is below the digital-silence level. */
  hasSignal: boolean;
}

const DIGITAL_SILENCE_DB = -75;

/** Sample range [start, end) worth decoding. */
export function speechBounds(x: Float32Array, opts: TrimOptions = {}): TrimResult {
  const frame = opts.frame ?? 160;
  const pad = opts.pad ?? 4800;
  const n = Math.floor(x.length / frame);
  if (n === 0) return { start: 0, end: x.length, hasSignal: x.some((v) => v !== 0) };
  const db = new Float64Array(n);
  for (let f = 0; f < n; f++) {
    let s = 0;
    for (let i = f * frame; i < (f + 1) * frame; i++) s += (x[i] as number) * (x[i] as number);
    db[f] = 10 * Math.log10(s / frame + 1e-12);
  }
  const live = [...db].filter((v) => v > DIGITAL_SILENCE_DB).sort((a, b) => a - b);
  if (!live.length) return { start: 0, end: 0, hasSignal: false };
  const floor = live[Math.floor(live.length * 0.1)] as number;
  const peak = live[Math.floor((live.length - 1) * 0.99)] as number;
  const thr = floor + Math.max(opts.minDb ?? 6, (peak - floor) * (opts.ratio ?? 0.2));
  let first = -1;
  let last = -1;
  for (let f = 0; f < n; f++)
    if ((db[f] as number) > thr) {
      if (first < 0) first = f;
      last = f;
    }
  if (first < 0) return { start: 0, end: x.length, hasSignal: true };
  return { start: Math.max(0, first * frame - pad), end: Math.min(x.length, (last + 1) * frame + pad), hasSignal: true };
}

export function trimSilence(x: Float32Array, opts?: TrimOptions): Float32Array {
  const b = speechBounds(x, opts);
  return x.subarray(b.start, b.end);
}
