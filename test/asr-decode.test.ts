// Grammar ASR on real audio: flite-synthesized commands in test/fixtures/asr (see its README).
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRecognizer, engineNames, GrammarRecognizer } from "../src/asr/index.js";
import { parseTemplate } from "../src/grammar/template.js";
import type { Grammar, IntentDef, SlotList } from "../src/grammar/types.js";

const FIX = join(import.meta.dirname, "fixtures", "asr");

function readWav16(path: string): Float32Array {
  const b = readFileSync(path);
  let off = 12;
  while (off + 8 <= b.length) {
    const id = b.toString("ascii", off, off + 4);
    const len = b.readUInt32LE(off + 4);
    if (id === "data") {
      const out = new Float32Array(len >> 1);
      for (let i = 0; i < out.length; i++) out[i] = b.readInt16LE(off + 8 + i * 2) / 32768;
      return out;
    }
    off += 8 + len + (len & 1);
  }
  throw new Error(`${path}: no data chunk`);
}

function homeGrammar(): Grammar {
  const intent = (name: string, sentences: string[]): IntentDef => ({
    name,
    slots: new Map(),
    responses: {},
    data: [{ sentences: sentences.map((text) => ({ text, expr: parseTemplate(text) })), slots: {}, requiresContext: {}, excludesContext: {}, rules: new Map() }],
  });
  const names = ["kitchen light", "hallway lamp", "zorblex heater", "bedroom fan"];
  const lists = new Map<string, SlotList>([
    ["name", { kind: "values", name: "name", multiple: false, values: names.map((n) => ({ in: parseTemplate(n), inText: n, out: n })) }],
    ["temperature", { kind: "range", name: "temperature", from: 16, to: 26, step: 1, type: "temperature" }],
  ]);
  return {
    language: "en",
    intents: new Map([
      ["TurnOn", intent("TurnOn", ["(turn|switch) on [the] {name}"])],
      ["TurnOff", intent("TurnOff", ["(turn|switch) off [the] {name}"])],
      ["SetTemperature", intent("SetTemperature", ["set [the] temperature to {temperature} [degrees]"])],
      ["Time", intent("Time", ["what time is it"])],
    ]),
    lists,
    rules: new Map(),
    skipWords: ["please"],
    hash: "test-home-v1",
    files: [],
  };
}

describe("grammar ASR (soundswallower, 16 kHz en-us)", () => {
  let asr: GrammarRecognizer;
  const cache = mkdtempSync(join(tmpdir(), "hark-asr-test-"));

  beforeAll(async () => {
    asr = await GrammarRecognizer.create({ grammar: homeGrammar(), cacheDir: cache });
  });
  afterAll(() => asr?.close());

  it("is the default engine of the registry", () => {
    expect(engineNames()).toContain("grammar");
  });

  it.each([
    ["kitchen-on.wav", "turn on the kitchen light"],
    ["temperature-21.wav", "set the temperature to twenty one degrees"],
    ["zorblex-off.wav", "switch off the zorblex heater"],
  ])("recognizes %s", async (file, text) => {
    const r = await asr.recognize(readWav16(join(FIX, file)));
    expect(r.text).toBe(text);
    expect(r.rejected).toBeFalsy();
    expect(r.confidence).toBeGreaterThan(0);
  });

  it("gives words missing from the dictionary a letter-to-sound pronunciation", () => {
    expect(asr.prepared.guessed.map((g) => g.word)).toEqual(["zorblex"]);
  });

  it("rejects out-of-grammar speech and silence instead of forcing a sentence", async () => {
    const chatter = await asr.recognize(readWav16(join(FIX, "chatter-fox.wav")));
    expect(chatter).toMatchObject({ text: "", rejected: true });
    const silence = await asr.recognize(new Float32Array(16000 * 3));
    expect(silence).toMatchObject({ text: "", rejected: true, reason: "silence" });
    expect((await asr.recognize(new Float32Array(0))).rejected).toBe(true);
  });

  it("without rejection, forces chatter onto the grammar (why the garbage branch exists)", async () => {
    const forced = await GrammarRecognizer.create({ grammar: homeGrammar(), cacheDir: cache, rejection: false });
    try {
      const r = await forced.recognize(readWav16(join(FIX, "chatter-fox.wav")));
      expect(r.rejected).toBeFalsy();
      expect(r.text).not.toBe("");
    } finally {
      forced.close();
    }
  });

  it("streams: partial text while audio arrives, the same final text", async () => {
    const x = readWav16(join(FIX, "kitchen-on.wav"));
    const s = asr.stream();
    for (let i = 0; i < x.length; i += 4000) s.accept(x.subarray(i, i + 4000));
    expect(typeof s.partial()).toBe("string");
    expect((await s.finish()).text).toBe("turn on the kitchen light");
  });

  it("starts from the cache the second time, and fast", async () => {
    const again = await createRecognizer("grammar", { grammar: homeGrammar(), cacheDir: cache });
    try {
      expect((again as GrammarRecognizer).prepared.cached).toBe(true);
      expect(again.initMs).toBeLessThan(2000); // generous: CI machines vary; docs/benchmarks.md has the real figure
    } finally {
      again.close();
    }
  });

  it("names unknown engines", async () => {
    await expect(createRecognizer("nope", {})).rejects.toThrow(/unknown ASR engine "nope"/);
  });
});
