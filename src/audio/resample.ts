// Streaming band-limited resampler (windowed sinc, polyphase table). Pure TypeScript so reading
// audio never needs the native addon. Quality target: ASR front end (anti-aliased downsampling
// 44.1/48 kHz → 16 kHz, clean upsampling from 8 kHz), not mastering.

/** Zero crossings of the sinc on each side of the centre (filter length ≈ 2·ZEROS/cutoff taps). */
const ZEROS = 10;
/** Cutoff as a fraction of the lower Nyquist frequency (leaves a transition band). */
const ROLLOFF = 0.92;
/** Phase table resolution cap for rate pairs with a large L (arbitrary rates). */
const MAX_PHASES = 1024;

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

export class Resampler {
  readonly inRate: number;
  readonly outRate: number;
  private readonly L: number; // output step numerator: t_out(j) = j·M/L input samples
  private readonly M: number;
  private readonly half: number; // taps on each side
  private readonly phases: number;
  private readonly table: Float32Array; // phases × (2·half) coefficients
  /** Pending input; buf[0] is global input index bufStart. */
  private buf = new Float32Array(0);
  private bufStart = 0;
  private inCount = 0; // input samples received
  private outIndex = 0; // next output sample index
  private flushed = false;

  constructor(inRate: number, outRate: number) {
    if (!(inRate > 0 && outRate > 0) || !Number.isInteger(inRate) || !Number.isInteger(outRate)) {
      throw new RangeError(`bad resampling rates ${inRate} → ${outRate}`);
    }
    this.inRate = inRate;
    this.outRate = outRate;
    const g = gcd(inRate, outRate);
    this.L = outRate / g;
    this.M = inRate / g;
    const cutoff = Math.min(1, outRate / inRate) * ROLLOFF; // in cycles per input sample × 2
    this.half = Math.ceil(ZEROS / cutoff);
    this.phases = Math.min(this.L, MAX_PHASES);
    const width = 2 * this.half;
    this.table = new Float32Array(this.phases * width);
    for (let p = 0; p < this.phases; p++) {
      const frac = p / this.phases; // output position = n + frac
      let sum = 0;
      for (let k = 0; k < width; k++) {
        const d = k - this.half + 1 - frac; // input index (n - half + 1 + k) minus position
        const x = d * cutoff;
        const sinc = x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
        const w = 0.5 + 0.5 * Math.cos((Math.PI * d) / (this.half + 1)); // Hann window
        const h = cutoff * sinc * (Math.abs(d) < this.half + 1 ? w : 0);
        this.table[p * width + k] = h;
        sum += h;
      }
      for (let k = 0; k < width; k++) this.table[p * width + k]! /= sum; // unity DC gain per phase
    }
    // Treat the signal as zero before its start.
    this.buf = new Float32Array(this.half);
    this.bufStart = -this.half;
  }

  get identity(): boolean {
    return this.inRate === this.outRate;
  }

  /** Feed input samples; returns the output samples that are now complete. */
  process(input: Float32Array): Float32Array {
    if (this.flushed) throw new Error("Resampler: process() after flush()");
    if (this.identity) {
      this.inCount += input.length;
      return input.slice();
    }
    const merged = new Float32Array(this.buf.length + input.length);
    merged.set(this.buf);
    merged.set(input, this.buf.length);
    this.buf = merged;
    this.inCount += input.length;
    return this.produce(this.bufStart + this.buf.length);
  }

  /** End of input: returns the remaining output (total length = ceil(inputs · out/in)). */
  flush(): Float32Array {
    if (this.flushed) return new Float32Array(0);
    this.flushed = true;
    if (this.identity) return new Float32Array(0);
    const padded = new Float32Array(this.buf.length + this.half + 1);
    padded.set(this.buf);
    this.buf = padded;
    const total = Math.ceil((this.inCount * this.L) / this.M);
    return this.produce(this.bufStart + this.buf.length, total);
  }

  /** Produce outputs whose filter support lies entirely below input index `avail`. */
  private produce(avail: number, limit = Infinity): Float32Array {
    const { L, M, half, phases, table } = this;
    const width = 2 * half;
    // Count outputs first so we allocate once.
    const out: number[] = [];
    const buf = this.buf;
    const start = this.bufStart;
    let j = this.outIndex;
    for (; j < limit; j++) {
      const num = j * M; // exact in doubles for any realistic stream length
      let n = Math.floor(num / L);
      let p = num - n * L;
      let phase = phases === L ? p : Math.round((p * phases) / L);
      if (phase === phases) {
        n += 1;
        phase = 0;
      }
      const first = n - half + 1;
      if (first + width > avail) break;
      const base = first - start;
      const row = phase * width;
      let acc = 0;
      for (let k = 0; k < width; k++) acc += buf[base + k]! * table[row + k]!;
      out.push(acc);
    }
    this.outIndex = j;
    // Drop input that no future output needs.
    const nextFirst = Math.floor((j * M) / L) - half + 1;
    const drop = Math.max(0, Math.min(buf.length, nextFirst - start));
    if (drop > 0) {
      this.buf = buf.slice(drop);
      this.bufStart = start + drop;
    }
    return Float32Array.from(out);
  }
}

/** Resample a whole signal (convenience for tests and short clips). */
export function resample(samples: Float32Array, inRate: number, outRate: number): Float32Array {
  if (inRate === outRate) return samples.slice();
  const r = new Resampler(inRate, outRate);
  const a = r.process(samples);
  const b = r.flush();
  const out = new Float32Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
