// Noise suppression with RNNoise (xiph, BSD-3) compiled to WebAssembly (npm @echogarden/rnnoise-wasm).
// RNNoise works on 48 kHz frames of 480 samples in 16-bit scale: 16 kHz audio is resampled
// 16k → 48k, denoised, and resampled back. Measured (../shared/notes/asr.md): it helps grammar ASR
// only with endpointing in front (+8 points at 6 dB with a VAD, −6 without), so src/asr applies it
// to the endpointed span of noisy input only.
import { AudioError } from "./errors.js";
import { resample } from "./resample.js";
import { SAMPLE_RATE } from "./source.js";

interface RnnoiseModule {
  _rnnoise_create(model: number): number;
  _rnnoise_destroy(state: number): void;
  _rnnoise_process_frame(state: number, out: number, input: number): number;
  _rnnoise_get_frame_size(): number;
  _malloc(bytes: number): number;
  _free(ptr: number): void;
  HEAPF32: Float32Array;
}

const RATE = 48000;
const SCALE = 32768;

let modulePromise: Promise<RnnoiseModule> | undefined;
/** The WASM module, loaded once per process (a few ms). */
export function loadRnnoise(): Promise<RnnoiseModule> {
  modulePromise ??= (async () => {
    let mod: { default: () => Promise<RnnoiseModule> };
    try {
      const pkg = "@echogarden/rnnoise-wasm"; // untyped package: import by name
      mod = (await import(pkg)) as unknown as { default: () => Promise<RnnoiseModule> };
    } catch (err) {
      modulePromise = undefined;
      throw new AudioError(`noise suppression needs the npm package @echogarden/rnnoise-wasm: ${(err as Error).message.split("\n")[0]}`);
    }
    return mod.default();
  })();
  return modulePromise;
}

export interface DenoiseResult {
  samples: Float32Array;
  /** Mean RNNoise voice probability over the frames. */
  voiceProb: number;
}

/** A reusable RNNoise state (one per stream; `denoise` resets nothing between calls, so create one per utterance or call reset()). */
export class Denoiser {
  private state: number;
  private readonly inPtr: number;
  private readonly outPtr: number;
  private readonly frame: number;

  private constructor(private readonly m: RnnoiseModule) {
    this.frame = m._rnnoise_get_frame_size();
    this.state = m._rnnoise_create(0);
    this.inPtr = m._malloc(this.frame * 4);
    this.outPtr = m._malloc(this.frame * 4);
  }

  static async create(): Promise<Denoiser> {
    return new Denoiser(await loadRnnoise());
  }

  /** Start over with a fresh noise estimate. */
  reset(): void {
    this.m._rnnoise_destroy(this.state);
    this.state = this.m._rnnoise_create(0);
  }

  /** Denoise 16 kHz mono samples; the result has the same length. */
  denoise(samples16k: Float32Array): DenoiseResult {
    if (!this.state) throw new Error("the denoiser was closed");
    if (!samples16k.length) return { samples: new Float32Array(0), voiceProb: 0 };
    const up = resample(samples16k, SAMPLE_RATE, RATE);
    const F = this.frame;
    const out = new Float32Array(up.length);
    let probs = 0;
    let frames = 0;
    for (let i = 0; i < up.length; i += F) {
      const heap = this.m.HEAPF32; // re-read: the WASM memory may grow
      const inAt = this.inPtr >> 2;
      const n = Math.min(F, up.length - i);
      for (let k = 0; k < F; k++) heap[inAt + k] = k < n ? up[i + k]! * SCALE : 0;
      probs += this.m._rnnoise_process_frame(this.state, this.outPtr, this.inPtr);
      frames++;
      const h2 = this.m.HEAPF32;
      const outAt = this.outPtr >> 2;
      for (let k = 0; k < n; k++) out[i + k] = h2[outAt + k]! / SCALE;
    }
    const down = resample(out, RATE, SAMPLE_RATE);
    const samples = down.length === samples16k.length ? down : fit(down, samples16k.length);
    return { samples, voiceProb: frames ? probs / frames : 0 };
  }

  close(): void {
    if (!this.state) return;
    this.m._rnnoise_destroy(this.state);
    this.m._free(this.inPtr);
    this.m._free(this.outPtr);
    this.state = 0;
  }
}

function fit(x: Float32Array, n: number): Float32Array {
  const y = new Float32Array(n);
  y.set(x.subarray(0, n));
  return y;
}
