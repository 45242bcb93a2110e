// The out-of-grammar test set: `hark fixtures negatives` and src/audio/negatives.ts.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { listFixtures } from "../src/audio/fixtures.js";
import { CHATTER_SENTENCES, buildNegatives, listSpeechFiles, noiseSegments, writeNegatives } from "../src/audio/negatives.js";
import { readAudioFile } from "../src/audio/source.js";
import { encodeWav16 } from "../src/audio/wav.js";
import { loadLabels } from "../src/replay/labels.js";
import { hark } from "./helpers/cli.js";

const tone = (seconds: number, rate: number, hz = 220, amp = 0.5): Float32Array =>
  Float32Array.from({ length: Math.round(seconds * rate) }, (_, i) => amp * Math.sin((2 * Math.PI * hz * i) / rate));

/** A folder shaped like Debian's pocketsphinx-testdata: WAVs below, 16 kHz raw on top, 8 kHz raw in a subfolder. */
function testdataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "hark-testdata-"));
  mkdirSync(join(dir, "cards"));
  mkdirSync(join(dir, "tidigits"));
  writeFileSync(join(dir, "cards", "001.wav"), encodeWav16(tone(1, 8000), 8000));
  writeFileSync(join(dir, "cards", "cards.transcription"), "<s> ten of clubs </s> (001)\n");
  const raw = Buffer.alloc(16000 * 2);
  tone(1, 16000).forEach((v, i) => raw.writeInt16LE(Math.round(v * 32767), 2 * i));
  writeFileSync(join(dir, "numbers.raw"), raw);
  writeFileSync(join(dir, "tidigits", "8k.raw"), raw); // not 16 kHz: skipped
  return dir;
}

describe("negative set (out-of-grammar inputs)", () => {
  it("cuts peak-normalised noise segments every 9 s and stops at the end of the recording", () => {
    const noise = tone(30, 16000, 100, 0.1);
    const segs = noiseSegments(noise, { noiseSegments: 12 });
    expect(segs.length).toBe(3); // from 1, 10 and 19 s; the one from 28 s would run past the end
    for (const s of segs) {
      expect(s.length).toBe(3 * 16000);
      expect(Math.max(...s.map(Math.abs))).toBeCloseTo(10 ** (-6 / 20), 3);
    }
  });

  it("lists *.wav below the folder and *.raw only directly in it", () => {
    const dir = testdataDir();
    expect(listSpeechFiles(dir).map((f) => f.slice(dir.length + 1))).toEqual(["cards/001.wav", "numbers.raw"]);
  });

  it("builds noise, silence, other speech and chatter, and writes WAVs, sidecars and labels with intent null", async () => {
    const spoken: string[] = [];
    const items = await buildNegatives({
      noise: { samples: tone(40, 16000, 150, 0.2), name: "/some/where/kitchen.wav" },
      testdataDir: testdataDir(),
      chatter: ["the cat is asleep", "my coffee is cold"],
      speak: async (text) => (spoken.push(text), { samples: tone(1.5, 22050), sampleRate: 22050 }),
    });
    expect(spoken).toEqual(["the cat is asleep", "my coffee is cold"]);
    const kinds = items.map((i) => i.kind);
    expect(kinds.filter((k) => k === "noise").length).toBe(5); // from 1, 10, 19, 28, 37 s of 40 s
    expect(kinds.filter((k) => k === "silence").length).toBe(3);
    expect(kinds.filter((k) => k === "testdata").length).toBe(2);
    expect(kinds.filter((k) => k === "chatter").length).toBe(2);
    expect(items.find((i) => i.id === "testdata-cards-001")?.text).toBe("ten of clubs");
    expect(items.find((i) => i.id === "silence-20s")?.samples.length).toBe(20 * 16000);
    // chatter: resampled to 16 kHz with 0.3 s of silence on either side
    expect(items.find((i) => i.kind === "chatter")?.samples.length).toBe(1.5 * 16000 + 2 * 4800);

    const dir = mkdtempSync(join(tmpdir(), "hark-neg-"));
    const w = writeNegatives(dir, items, "test:voice");
    expect(w.byKind).toEqual({ noise: 5, silence: 3, testdata: 2, chatter: 2 });
    const labels = loadLabels(join(dir, "labels.json"));
    expect(labels.size).toBe(items.length);
    for (const l of labels.values()) expect(l.intent).toBeNull();
    const { fixtures, unlabelled } = listFixtures(dir);
    expect(unlabelled).toEqual([]);
    expect(fixtures.length).toBe(items.length);
    for (const f of fixtures) expect(f.label.intents).toEqual([]);
    expect(fixtures.find((f) => f.id.startsWith("chatter-"))?.label.voice).toBe("test:voice");
    expect(fixtures.find((f) => f.id === "noise-01")?.label.source).toBe("noise: kitchen.wav");
    const back = await readAudioFile(join(dir, "testdata-cards-001.wav"));
    expect(back.samples.length).toBe(16000); // 1 s at 8 kHz → 16 kHz
  });

  it("has chatter with and without in-domain words", () => {
    expect(CHATTER_SENTENCES.length).toBeGreaterThanOrEqual(12);
    expect(CHATTER_SENTENCES.filter((c) => c.inDomain).length).toBeGreaterThanOrEqual(4);
    expect(CHATTER_SENTENCES.filter((c) => !c.inDomain).length).toBeGreaterThanOrEqual(4);
  });

  it("hark fixtures negatives writes the set (≥ 40 inputs with Debian's test data)", () => {
    const dir = mkdtempSync(join(tmpdir(), "hark-neg-cli-"));
    const noise = join(dir, "noise.wav");
    writeFileSync(noise, encodeWav16(tone(120, 16000, 90, 0.3), 16000));
    const out = join(dir, "out");
    const r = hark(["fixtures", "negatives", "-o", out, "--noise", noise]);
    expect(r.stderr).toBe("");
    expect(r.status, `ended by signal ${r.signal}`).toBe(0);
    const summary = JSON.parse(r.stdout) as { files: number; byKind: Record<string, number>; testdata: string | null };
    expect(summary.byKind.noise).toBe(12);
    expect(summary.byKind.silence).toBe(3);
    expect(summary.byKind.chatter).toBe(CHATTER_SENTENCES.length);
    const debian = "/usr/share/pocketsphinx/test/data";
    if (existsSync(debian)) {
      expect(summary.testdata).toBe(debian);
      expect(summary.byKind.testdata).toBe(13);
      expect(summary.files).toBeGreaterThanOrEqual(40);
    }
    const labels = JSON.parse(readFileSync(join(out, "labels.json"), "utf8")) as Record<string, { intent: null }>;
    expect(Object.keys(labels).length).toBe(summary.files);
    expect(readdirSync(out).filter((n) => n.endsWith(".wav")).length).toBe(summary.files);
  }, 60_000);

  it("hark fixtures negatives: usage errors", () => {
    const dir = mkdtempSync(join(tmpdir(), "hark-neg-cli-"));
    const r = hark(["fixtures", "negatives", "-o", dir, "--no-silence", "--no-chatter", "--no-testdata"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/nothing to write/);
    const missing = hark(["fixtures", "negatives", "-o", dir, "--testdata", join(dir, "nope"), "--no-chatter"]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/nope: no such folder/);
  });
});
