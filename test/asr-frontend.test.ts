import { describe, expect, it } from "vitest";
import { estimateSnr, Frontend } from "../src/asr/frontend.js";
import { seededRandom } from "../src/audio/mix.js";

/** 1 s noise, 1 s "speech" (a 300 Hz tone burst at `level` over the noise), 1 s noise. */
function signal(noiseRms: number, level: number): Float32Array {
  const rnd = seededRandom(7);
  const x = new Float32Array(48000);
  for (let i = 0; i < x.length; i++) {
    x[i] = (rnd() - 0.5) * noiseRms * Math.sqrt(12);
    if (i >= 16000 && i < 32000) x[i]! += level * Math.SQRT2 * Math.sin((2 * Math.PI * 300 * i) / 16000);
  }
  return x;
}

describe("SNR estimate (speech segments vs the rest)", () => {
  it("reads the ratio of speech power to the median noise power", () => {
    const x = signal(0.01, 0.1); // 20 dB
    const snr = estimateSnr(x, [{ start: 1, end: 2 }])!;
    expect(snr).toBeGreaterThan(18);
    expect(snr).toBeLessThan(22);
  });

  it("is undefined without non-speech to measure (digital silence does not count)", () => {
    const x = new Float32Array(32000);
    x.fill(0.1, 8000, 24000);
    expect(estimateSnr(x, [{ start: 0.5, end: 1.5 }])).toBeUndefined();
    expect(estimateSnr(x, [])).toBeUndefined();
  });
});

describe("ASR front end", () => {
  it("trim mode cuts digital silence and reports silence for all-zero input", async () => {
    const fe = new Frontend({ endpoint: "trim" });
    expect((await fe.process(new Float32Array(16000))).reason).toBe("silence");
    const x = signal(0.001, 0.2);
    const r = await fe.process(x);
    expect(r.samples.length).toBeLessThan(x.length);
    expect(r.denoised).toBe(false);
  });

  it("energy endpointing finds the burst; denoises only when the SNR estimate is low (auto)", async () => {
    const quiet = new Frontend({ endpoint: "energy", denoise: "auto", denoiseBelowDb: 15 });
    const noisy = signal(0.02, 0.1); // ≈ 14 dB
    const r1 = await quiet.process(noisy);
    expect(r1.vad).toBe("energy");
    expect(r1.samples.length).toBeGreaterThan(16000 * 0.8);
    expect(r1.samples.length).toBeLessThan(16000 * 2);
    expect(r1.snrDb).toBeDefined();
    expect(r1.denoised).toBe(true);
    const clean = signal(0.001, 0.1); // ≈ 40 dB
    const r2 = await quiet.process(clean);
    expect(r2.denoised).toBe(false);
    quiet.close();
  });

  it("never denoises without endpointing; off/on modes are honoured", async () => {
    expect(new Frontend({ endpoint: false, denoise: "on" }).denoise).toBe("off");
    expect(new Frontend({ endpoint: "trim", denoise: "on" }).denoise).toBe("off");
    const on = new Frontend({ endpoint: "energy", denoise: "on" });
    const r = await on.process(signal(0.001, 0.1));
    expect(r.denoised).toBe(true);
    expect(r.ms.denoise).toBeGreaterThan(0);
    on.close();
    const none = new Frontend({ endpoint: "energy" });
    expect((await none.process(new Float32Array(16000))).reason).toBe("silence");
  });
});

describe("grammar ASR with the default front end", () => {
  it("endpoints with silero, denoises noisy speech and still understands it; silence is rejected", async () => {
    const { createRecognizer } = await import("../src/asr/index.js");
    const { loadSources } = await import("../src/nlu/index.js");
    const { createSynthesizer } = await import("../src/tts/index.js");
    const { mixNoise } = await import("../src/audio/mix.js");
    const synth = createSynthesizer();
    const speech = (await synth.synthesize("turn on the kitchen light")).samples;
    synth.close();
    const padded = new Float32Array(speech.length + 32000);
    padded.set(speech, 16000);
    const rnd = seededRandom(11);
    const noise = new Float32Array(padded.length * 2).map(() => rnd() - 0.5);
    const noisy = mixNoise(padded, noise, 20, { offset: 0 });
    const asr = await createRecognizer("grammar", { grammar: await loadSources({}) });
    try {
      const r = await asr.recognize(noisy);
      expect(r.detail).toMatchObject({ vad: "silero", denoised: true });
      expect(r.text).toMatch(/^turn on (the )?kitchen light$/); // an optional word may go in noise
      const clean = await asr.recognize(padded);
      expect(clean.detail).toMatchObject({ denoised: false });
      expect(clean.text).toBe("turn on the kitchen light");
      const s = await asr.recognize(new Float32Array(16000 * 3));
      expect(s).toMatchObject({ rejected: true, reason: "silence" });
    } finally {
      asr.close();
    }
  }, 60_000);
});
