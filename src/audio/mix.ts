// Noise mixing the way the Picovoice speech-to-intent benchmark does it (benchmark/mixer.py), so
// hark's noisy-speech figures are comparable with the published ones:
//   - SNR is measured on the maximum energy over non-overlapping 2048-sample frames of each signal;
//   - the noise excerpt starts at a random offset and has the speech's length;
//   - the sum is peak-normalised to 0.5 (mixed / (2 · max|mixed|)).

export const ENERGY_FRAME = 2048;

/** Largest sum of squares over whole non-overlapping frames (0 when shorter than one frame). */
export function maxFrameEnergy(x: Float32Array, frameLength = ENERGY_FRAME): number {
  const frames = Math.floor(x.length / frameLength);
  let best = 0;
  for (let f = 0; f < frames; f++) {
    let e = 0;
    for (let i = f * frameLength, end = i + frameLength; i < end; i++) e += x[i]! * x[i]!;
    if (e > best) best = e;
  }
  return best;
}

export interface MixOptions {
  /** Where the noise excerpt starts; default random (uniform, like numpy randint). */
  offset?: number;
  /** Random source in [0, 1) for the offset (default Math.random); pass a seeded one for repeatability. */
  random?: () => number;
}

/** mulberry32: a tiny seeded PRNG so benchmark runs are repeatable. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Mix `noise` into `speech` (same sample rate) at `snrDb`. The noise must be at least as long as
 * the speech. Returns a new array peak-normalised to 0.5; silence in, silence out.
 */
export function mixNoise(speech: Float32Array, noise: Float32Array, snrDb: number, opts: MixOptions = {}): Float32Array {
  if (!Number.isFinite(snrDb)) throw new RangeError(`SNR must be a finite number of dB, got ${snrDb}`);
  if (noise.length < speech.length) {
    throw new RangeError(`noise (${noise.length} samples) is shorter than the speech (${speech.length} samples)`);
  }
  const span = noise.length - speech.length;
  const offset = opts.offset ?? Math.floor((opts.random ?? Math.random)() * span);
  if (offset < 0 || offset > span) throw new RangeError(`noise offset ${offset} outside 0..${span}`);
  const excerpt = noise.subarray(offset, offset + speech.length);
  const es = maxFrameEnergy(speech);
  const en = maxFrameEnergy(excerpt);
  const scale = en > 0 ? Math.sqrt(es / (en * 10 ** (snrDb / 10))) : 0;
  const out = new Float32Array(speech.length);
  let peak = 0;
  for (let i = 0; i < out.length; i++) {
    const y = speech[i]! + scale * excerpt[i]!;
    out[i] = y;
    const a = Math.abs(y);
    if (a > peak) peak = a;
  }
  if (peak > 0) for (let i = 0; i < out.length; i++) out[i] = out[i]! / (2 * peak);
  return out;
}

/** SNR in dB of a speech signal over a noise signal, measured the benchmark's (max frame energy) way. */
export function frameEnergySnr(speech: Float32Array, noise: Float32Array): number {
  return 10 * Math.log10(maxFrameEnergy(speech) / maxFrameEnergy(noise));
}
