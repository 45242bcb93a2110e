import { describe, expect, it } from "vitest";
import { Denoiser } from "../src/audio/denoise.js";
import { seededRandom } from "../src/audio/mix.js";

const rms = (x: Float32Array): number => Math.sqrt(x.reduce((s, v) => s + v * v, 0) / Math.max(1, x.length));

describe("RNNoise denoiser (16k → 48k → 16k)", () => {
  it("keeps the length and removes most of steady white noise", async () => {
    const rnd = seededRandom(3);
    const x = new Float32Array(16000 * 2).map(() => (rnd() - 0.5) * 0.1);
    const d = await Denoiser.create();
    try {
      const { samples } = d.denoise(x);
      expect(samples.length).toBe(x.length);
      // after RNNoise has learnt the noise (first 0.5 s), the rest is far quieter
      expect(rms(samples.subarray(8000))).toBeLessThan(rms(x.subarray(8000)) * 0.3);
      expect(samples.every(Number.isFinite)).toBe(true);
    } finally {
      d.close();
    }
  });

  it("handles empty input and refuses use after close", async () => {
    const d = await Denoiser.create();
    expect(d.denoise(new Float32Array(0)).samples.length).toBe(0);
    d.close();
    expect(() => d.denoise(new Float32Array(10))).toThrow(/closed/);
  });
});
