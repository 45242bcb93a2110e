// Synthesizers: flite (default, always available through npm), espeak-ng via text2wav when that
// optional package is installed, sherpa-onnx OfflineTts up to the missing voice files; `hark say`.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command } from "commander";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listFixtures, readAudioFile } from "../src/audio/index.js";
import { register as registerSay } from "../src/cli/commands/say.js";
import {
  buildSherpaTtsConfig,
  createSynthesizer,
  EspeakSynthesizer,
  FliteSynthesizer,
  parseVoice,
  SherpaSynthesizer,
  SynthesisError,
  type SynthesizedAudio,
} from "../src/tts/index.js";
import { generateFixtures } from "../src/replay/fixtures.js";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "hark-tts-test-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function rms(x: Float32Array): number {
  let s = 0;
  for (const v of x) s += v * v;
  return Math.sqrt(s / Math.max(1, x.length));
}

function expectSpeech(a: SynthesizedAudio, rate: number, minSeconds: number, maxSeconds: number): void {
  expect(a.sampleRate).toBe(rate);
  const seconds = a.samples.length / a.sampleRate;
  expect(seconds).toBeGreaterThan(minSeconds);
  expect(seconds).toBeLessThan(maxSeconds);
  expect(rms(a.samples)).toBeGreaterThan(0.01);
  expect(a.samples.every((v) => v >= -1 && v <= 1)).toBe(true);
}

const SENTENCES = [
  "turn on the kitchen lights",
  "set the temperature to twenty one degrees",
  "open the driver window halfway",
  "what is the temperature in the living room",
  "navigate to the nearest charging station",
];

describe("flite (default voice)", () => {
  it("speaks a command as non-silent 16 kHz audio of plausible length", async () => {
    const flite = new FliteSynthesizer();
    expectSpeech(await flite.synthesize("turn on the kitchen lights"), 16000, 1, 3.5);
    flite.close();
  });

  it("all built-in voices work; kal is 8 kHz", async () => {
    for (const [voice, rate] of [["rms", 16000], ["awb", 16000], ["kal16", 16000], ["kal", 8000]] as const) {
      const s = new FliteSynthesizer({ voice });
      expectSpeech(await s.synthesize("hello there"), rate, 0.3, 3);
      s.close();
    }
  });

  it("empty text is empty audio; punctuation and control characters are harmless", async () => {
    const flite = new FliteSynthesizer();
    expect((await flite.synthesize("  \n ")).samples.length).toBe(0);
    expectSpeech(await flite.synthesize("-5 degrees?! \u0007 \"ok\" --help"), 16000, 0.5, 6);
    flite.close();
  });

  it("rate changes the duration", async () => {
    const normal = await new FliteSynthesizer().synthesize("open the garage door");
    const fast = await new FliteSynthesizer({ rate: 1.5 }).synthesize("open the garage door");
    expect(fast.samples.length).toBeLessThan(normal.samples.length * 0.85);
  });

  it("synthesizes much faster than real time (speed is logged)", async () => {
    const flite = new FliteSynthesizer();
    await flite.warmUp();
    await flite.synthesize("warm up");
    let ms = 0;
    let seconds = 0;
    for (const s of SENTENCES) {
      const t0 = performance.now();
      const a = await flite.synthesize(s);
      ms += performance.now() - t0;
      seconds += a.samples.length / a.sampleRate;
    }
    flite.close();
    const rtf = ms / 1000 / seconds;
    console.log(`flite slt: ${SENTENCES.length} sentences, ${seconds.toFixed(2)} s audio in ${ms.toFixed(0)} ms, RTF ${rtf.toFixed(4)}`);
    expect(rtf).toBeLessThan(0.5);
  });

  it("concurrent calls do not mix up their outputs", async () => {
    const flite = new FliteSynthesizer();
    const [a, b] = await Promise.all([flite.synthesize("yes"), flite.synthesize("set the living room temperature to twenty two degrees")]);
    expect(a.samples.length).toBeLessThan(b.samples.length / 2);
    flite.close();
  });

  it("unknown voice or rate is a clear error", () => {
    expect(() => new FliteSynthesizer({ voice: "bob" as never })).toThrow(/unknown flite voice "bob"/);
    expect(() => new FliteSynthesizer({ rate: 10 })).toThrow(/rate/);
  });
});

describe("voice specs", () => {
  it("parses engines, names and speakers", () => {
    expect(parseVoice("flite")).toEqual({ engine: "flite" });
    expect(parseVoice("flite:kal16")).toEqual({ engine: "flite", name: "kal16" });
    expect(parseVoice("espeak:en+f3")).toEqual({ engine: "espeak", name: "en+f3" });
    expect(parseVoice("kokoro:/m/kokoro-en#3")).toEqual({ engine: "kokoro", name: "/m/kokoro-en", speaker: 3 });
    expect(() => parseVoice("piper")).toThrow(/needs a model path/);
    expect(() => parseVoice("festival:kal")).toThrow(/unknown voice "festival:kal"/);
    expect(() => parseVoice("kokoro:/m#x")).toThrow(/bad speaker/);
    expect(createSynthesizer().voice).toBe("flite:slt");
  });
});

const text2wavPath = process.env.HARK_TEXT2WAV ?? "text2wav";
const espeakMissing = (() => {
  try {
    new EspeakSynthesizer({ modulePath: text2wavPath });
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
})();

describe("espeak-ng (optional)", () => {
  it("without text2wav the error says what to install", () => {
    if (!espeakMissing) return;
    expect(espeakMissing).toMatch(/install the npm package text2wav/);
  });

  it.skipIf(Boolean(espeakMissing))(`speaks at 22.05 kHz${espeakMissing ? ` — skipped: ${espeakMissing}` : ""}`, async () => {
    const s = new EspeakSynthesizer({ modulePath: text2wavPath });
    expectSpeech(await s.synthesize("turn on the kitchen lights"), 22050, 0.8, 4);
    expectSpeech(await s.synthesize("-5 degrees"), 22050, 0.3, 3);
  });
});

describe("sherpa-onnx OfflineTts (Piper / Kokoro / Matcha voices)", () => {
  it("fills in the files a Piper voice folder should hold", () => {
    const { config, missing } = buildSherpaTtsConfig({ kind: "piper", model: "/voices/en_US-amy-low/en_US-amy-low.onnx" });
    expect(config.model.vits).toMatchObject({
      model: "/voices/en_US-amy-low/en_US-amy-low.onnx",
      tokens: "/voices/en_US-amy-low/tokens.txt",
      dataDir: "/voices/en_US-amy-low/espeak-ng-data",
    });
    expect(config.model.numThreads).toBe(1);
    expect(missing).toHaveLength(3);
  });

  it("kokoro bundle layout and speaker/rate options", () => {
    const { config } = buildSherpaTtsConfig({ kind: "kokoro", model: "/voices/kokoro/model.onnx", rate: 2 });
    expect(config.model.kokoro).toMatchObject({ voices: "/voices/kokoro/voices.bin", tokens: "/voices/kokoro/tokens.txt", lengthScale: 0.5 });
  });

  it("missing voice files are one clear error listing them", () => {
    expect(() => createSynthesizer("piper:/nonexistent/voice.onnx")).toThrow(SynthesisError);
    expect(() => new SherpaSynthesizer({ kind: "kokoro", model: "/nonexistent/kokoro" })).toThrow(
      /kokoro voice unavailable: missing \/nonexistent\/kokoro\/model.onnx, \/nonexistent\/kokoro\/voices.bin, .*tokens.txt, .*espeak-ng-data/,
    );
  });

  it("a corrupt voice file fails to load with one line (the native addon does not crash)", async () => {
    const v = join(dir, "fake-voice");
    mkdirSync(join(v, "espeak-ng-data"), { recursive: true });
    writeFileSync(join(v, "fake-voice.onnx"), "not an onnx model");
    writeFileSync(join(v, "tokens.txt"), "a 1\n");
    for (const f of ["phontab", "phonindex", "phondata", "intonations"]) writeFileSync(join(v, "espeak-ng-data", f), "x");
    const s = createSynthesizer(`piper:${v}`);
    const err = await s.synthesize("hello").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SynthesisError);
    expect((err as Error).message).toMatch(/^piper voice failed to load: .*Protobuf parsing failed/);
  });

  const piper = process.env.HARK_PIPER_VOICE;
  it.skipIf(!piper)(
    `speaks with a real Piper voice${piper ? "" : " — skipped: no voice files here (set HARK_PIPER_VOICE=/path/model.onnx with tokens.txt and espeak-ng-data beside it)"}`,
    async () => {
      const s = createSynthesizer(`piper:${piper}`);
      const a = await s.synthesize("turn on the kitchen lights");
      expect(a.samples.length / a.sampleRate).toBeGreaterThan(0.8);
      expect(rms(a.samples)).toBeGreaterThan(0.01);
    },
  );
});

describe("fixture generation", () => {
  it("speaks labelled utterances into WAV + sidecar pairs", async () => {
    const fdir = join(dir, "fixtures");
    const labels = [
      { text: "turn on the kitchen light", intents: [{ intent: "HassTurnOn", slots: { name: "kitchen light" } }] },
      { text: "the weather was lovely yesterday", intents: [] },
    ];
    const done: number[] = [];
    const fx = await generateFixtures(labels, fdir, { onProgress: (n) => done.push(n) });
    expect(done).toEqual([1, 2]);
    expect(fx.map((f) => f.id)).toEqual(["0001-turn-on-the-kitchen-light", "0002-the-weather-was-lovely-yesterday"]);
    const { fixtures } = listFixtures(fdir);
    expect(fixtures[0]!.label).toEqual({ ...labels[0], voice: "flite:slt" });
    const { samples } = await readAudioFile(fixtures[0]!.wav);
    expect(samples.length / 16000).toBeGreaterThan(1.5); // speech + 2 × 0.3 s margins
  });
});

describe("hark say", () => {
  async function run(args: string[]): Promise<string> {
    const program = new Command("hark").exitOverride();
    registerSay(program);
    const writes: string[] = [];
    const orig = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string | Uint8Array) => {
      writes.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("latin1"));
      return true;
    }) as typeof process.stdout.write;
    try {
      await program.parseAsync(args, { from: "user" });
    } finally {
      process.stdout.write = orig;
    }
    return writes.join("");
  }

  it("writes a 16-bit WAV with -o and prints one JSON line", async () => {
    const out = join(dir, "say.wav");
    const line = await run(["say", "turn", "off", "the", "hallway", "light", "-o", out]);
    const info = JSON.parse(line) as { file: string; voice: string; sampleRate: number; seconds: number; rtf: number };
    expect(info).toMatchObject({ file: out, voice: "flite:slt", sampleRate: 16000 });
    expect(info.seconds).toBeGreaterThan(1);
    const bytes = readFileSync(out);
    expect(bytes.readUInt16LE(34)).toBe(16); // bits per sample
    const { samples } = await readAudioFile(out);
    expect(rms(samples)).toBeGreaterThan(0.01);
  });

  it("reports a bad voice as a failure with one line", async () => {
    await expect(run(["say", "hi", "--voice", "piper:/nope.onnx", "-o", join(dir, "x.wav")])).rejects.toThrow(/piper voice unavailable: missing \/nope.onnx/);
    expect(existsSync(join(dir, "x.wav"))).toBe(false);
    await expect(run(["say", "hi", "--rate", "fast", "-o", join(dir, "x.wav")])).rejects.toThrow(/--rate must be a positive number/);
  });
});
