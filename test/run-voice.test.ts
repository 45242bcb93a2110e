// Spoken answers and heard input for `hark run` (src/run/voice.ts): VAD + grammar ASR on flite speech,
// answers written as WAV files, and a clear fallback when no sound device exists.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { Hearing, Voice, soundDeviceAvailable } from "../src/run/voice.js";
import { loadSources } from "../src/nlu/index.js";
import { createSynthesizer } from "../src/tts/index.js";
import { resample } from "../src/audio/index.js";
import { spokenTrustWords } from "../src/trust/spoken.js";
import { cueDir, loadCues } from "../src/trust/cues.js";

function captureLog() {
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino({ level: "debug" }, { write: (s: string) => void lines.push(JSON.parse(s) as Record<string, unknown>) });
  return { logger, lines };
}

describe("Hearing: VAD endpointer → grammar ASR", () => {
  let hearing: Hearing;
  beforeAll(async () => {
    hearing = await Hearing.create({ grammar: await loadSources() });
  });
  afterAll(() => hearing?.close());

  it("cuts two spoken commands with a pause between them into two utterances", async () => {
    const synth = createSynthesizer("flite:slt");
    try {
      const parts = await Promise.all(["turn on the kitchen lights", "never mind"].map((t) => synth.synthesize(t)));
      const xs = parts.map((a) => (a.sampleRate === 16000 ? a.samples : resample(a.samples, a.sampleRate, 16000)));
      const gap = 16000; // 1 s of silence
      const all = new Float32Array(xs.reduce((n, x) => n + x.length + gap, gap));
      let at = gap;
      for (const x of xs) {
        all.set(x, at);
        at += x.length + gap;
      }
      const heard = await hearing.hearSamples(all);
      expect(heard.map((h) => h.text)).toEqual(["turn on the kitchen lights", "never mind"]);
      expect(heard[0]!.end).toBeLessThanOrEqual(heard[1]!.start);
    } finally {
      synth.close();
    }
  });

  it("hears dialog replies: a spoken 'yes' and 'the bedroom' (default grammars + replies)", async () => {
    const synth = createSynthesizer("flite:slt");
    try {
      for (const text of ["yes", "the bedroom", "passenger side"]) {
        const a = await synth.synthesize(text);
        const x = a.sampleRate === 16000 ? a.samples : resample(a.samples, a.sampleRate, 16000);
        const all = new Float32Array(x.length + 16000);
        all.set(x, 8000);
        const heard = await hearing.hearSamples(all);
        expect(heard.map((h) => h.text), text).toEqual([text]);
      }
    } finally {
      synth.close();
    }
  });

  it("measures the noise in the quiet around a segment, so clean speech is never denoised as noisy", async () => {
    const synth = createSynthesizer("flite:slt");
    // the car's own sentences with the trust words, as a cabin seat hears them
    const grammar = await loadSources();
    const car = await Hearing.create({ grammar, trustWords: spokenTrustWords(loadCues(cueDir(grammar.language))) });
    try {
      for (const text of ["don't crack the window", "crack the window"]) {
        const a = await synth.synthesize(text);
        const x = a.sampleRate === 16000 ? a.samples : resample(a.samples, a.sampleRate, 16000);
        // half a second of quiet around the words, as the trust sets' spoken turns have
        const all = new Float32Array(x.length + 16000);
        all.set(x, 8000);
        const [heard] = await car.hearSamples(all);
        // (measured in the segment cut at the VAD's edges, its own fading edges read as noise: -14 dB,
        // and the clean speech was denoised; 35 dB is the front end's threshold for denoising)
        expect(heard?.evidence?.snrDb, text).toBeGreaterThan(35);
      }
    } finally {
      synth.close();
      car.close();
    }
  });

  it("silence is no utterance at all", async () => {
    expect(await hearing.hearSamples(new Float32Array(16000))).toEqual([]);
  });
});

describe("Voice: spoken answers", () => {
  it("writes each answer as NNN-SESSION.wav with the default voice", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hark-voice-"));
    const { logger } = captureLog();
    const v = Voice.create({ sayTo: dir, play: false, log: logger });
    expect(v?.voice).toBe("flite:slt");
    await v!.say("Turned on the lights in the Kitchen.", "living-room");
    await v!.say("Setting passenger to 23 degrees.", "passenger");
    await v!.drain();
    v!.close();
    expect(readdirSync(dir).sort()).toEqual(["001-living-room.wav", "002-passenger.wav"]);
    const wav = readFileSync(join(dir, "001-living-room.wav"));
    expect(wav.subarray(0, 4).toString()).toBe("RIFF");
    expect(wav.length).toBeGreaterThan(16000); // about a second of 16-bit speech
  });

  it("without a sound device: one clear log line, text only (no voice at all when there is no folder either)", () => {
    const { logger, lines } = captureLog();
    // a player that lists no cards, like aplay on a machine without sound hardware
    const v = Voice.create({ play: "auto", log: logger, player: "false" });
    expect(v).toBeUndefined();
    expect(lines.map((l) => l.msg).join("\n")).toMatch(/answers are printed as text only/);
    expect(soundDeviceAvailable("no-such-player-xyz")).toMatchObject({ ok: false, reason: expect.stringContaining("not found") });
  });

  it("play: true without a device warns and still writes files", () => {
    const dir = mkdtempSync(join(tmpdir(), "hark-voice-"));
    const { logger, lines } = captureLog();
    const v = Voice.create({ play: true, sayTo: dir, log: logger, player: "false" });
    expect(v).toBeDefined();
    expect(lines.find((l) => l.level === 40)?.msg).toMatch(/text only and written as WAV files/);
    v!.close();
  });
});
