import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { encodeWav16 } from "../src/audio/wav.js";
import type { Recognizer } from "../src/asr/types.js";
import { listAudioFiles, parseLabels, replayFile, score, SummaryBuilder } from "../src/replay/index.js";
import type { Understander } from "../src/nlu/types.js";

describe("labels and scoring", () => {
  const labels = parseLabels(JSON.stringify({
    "a.wav": { intent: "orderDrink", slots: { coffeeDrink: "mocha", milkAmount: " soy milk" } },
    "n.wav": { intent: null },
  }));

  it("counts a command only when the intent and every slot match exactly (stray spaces ignored)", () => {
    const want = labels.get("a.wav")!;
    expect(score(want, [{ intent: "orderDrink", slots: { coffeeDrink: "mocha", milkAmount: "soy milk" } }])).toEqual({ correct: true });
    expect(score(want, [{ intent: "orderDrink", slots: { coffeeDrink: "latte", milkAmount: "soy milk" } }]).error).toMatch(/coffeeDrink/);
    expect(score(want, [{ intent: "orderDrink", slots: { coffeeDrink: "mocha" } }]).error).toMatch(/milkAmount: missing/);
    expect(score(want, [{ intent: "orderDrink", slots: { coffeeDrink: "mocha", milkAmount: "soy milk", size: "small" } }]).error).toMatch(/size: not expected/);
    expect(score(want, [{ intent: "other", slots: {} }]).correct).toBe(false);
    expect(score(want, []).error).toBe("nothing understood");
  });

  it("scores non-commands: correct when nothing is understood", () => {
    const want = labels.get("n.wav")!;
    expect(score(want, []).correct).toBe(true);
    expect(score(want, [{ intent: "x", slots: {} }]).error).toMatch(/false accept/);
  });

  it("compares numbers and strings by value", () => {
    expect(score({ intent: "T", slots: { t: 21 } }, [{ intent: "T", slots: { t: "21" } }]).correct).toBe(true);
  });

  it("rejects malformed label files with a clear message", () => {
    expect(() => parseLabels("{")).toThrow(/not valid JSON/);
    expect(() => parseLabels('{"a.wav": {"slots": {}}}')).toThrow(/needs \{"intent"/);
  });
});

describe("replayFile and the summary", () => {
  const dir = mkdtempSync(join(tmpdir(), "hark-replay-test-"));
  const tone = new Float32Array(16000).map((_, i) => 0.3 * Math.sin(i / 5));
  mkdirSync(join(dir, "sub"));
  writeFileSync(join(dir, "a.wav"), encodeWav16(tone, 16000));
  writeFileSync(join(dir, "sub", "n.wav"), encodeWav16(tone, 16000));
  writeFileSync(join(dir, "broken.wav"), Buffer.from("RIFF\x10\0\0\0WAVEfmt "));

  const heard = new Map<number, string>();
  const recognizer: Recognizer = {
    engine: "fake",
    initMs: 1,
    async recognize(x) {
      heard.set(x.length, "");
      return { text: "a mocha", confidence: 0.9, ms: 10 };
    },
    close() {},
  };
  const understander: Understander = {
    understand: (text) => ({ text, intents: [{ intent: "orderDrink", slots: { coffeeDrink: "mocha" }, confidence: 1, source: "matcher" }] }),
  };
  const labels = parseLabels(JSON.stringify({ "a.wav": { intent: "orderDrink", slots: { coffeeDrink: "mocha" } }, "sub/n.wav": { intent: null } }));

  it("lists WAVs of folders recursively with paths relative to the folder", () => {
    expect(listAudioFiles([dir]).map((f) => f.rel)).toEqual(["a.wav", "broken.wav", join("sub", "n.wav")]);
    expect(() => listAudioFiles([join(dir, "missing")])).toThrow(/no such file/);
  });

  it("produces per-file JSON and a summary with accuracy, false accepts, RTF and stage times", async () => {
    const summary = new SummaryBuilder();
    for (const f of listAudioFiles([dir])) summary.add(await replayFile(f.path, f.rel, { recognizer, understander, labels }));
    const s = summary.build({ engine: "fake", initMs: 1 });
    expect(s).toMatchObject({ summary: true, files: 3, failed: 1, labelled: 2, correct: 1, accuracy: 50, commandAccuracy: 100, falseAccepts: 1, nonCommands: 1 });
    expect(s.rtf).toBeCloseTo(0.01, 3);
    expect(Object.keys(s.ms)).toEqual(expect.arrayContaining(["read", "asr", "nlu", "total"]));
  });

  it("reports an unreadable file in its JSON instead of crashing", async () => {
    const item = await replayFile(join(dir, "broken.wav"), "broken.wav", { recognizer, understander });
    expect(item.error).toBeTruthy();
    expect(item.intents).toEqual([]);
  });

  it("mixes noise repeatably (same file, same seed → same audio)", async () => {
    const seen: Float32Array[] = [];
    const rec: Recognizer = { ...recognizer, recognize: async (x) => (seen.push(x.slice()), { text: "", confidence: 0, ms: 1, rejected: true, reason: "garbage" }) };
    const noise = { samples: new Float32Array(48000).map((_, i) => Math.sin(i * 1.7) * 0.1), snrDb: 6 };
    for (let k = 0; k < 2; k++) await replayFile(join(dir, "a.wav"), "a.wav", { recognizer: rec, understander, noise });
    expect(seen[0]).toEqual(seen[1]);
    expect(seen[0]).not.toEqual(tone);
  });
});
