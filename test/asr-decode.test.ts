// Grammar ASR on real audio: flite-synthesized commands in test/fixtures/asr (see its README).
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { createRecognizer, engineNames, GrammarRecognizer } from "../src/asr/index.js";
import { asrConfig } from "../src/asr/cliOptions.js";
import { DEFAULT_SCORE_FLOOR, LARGE_GRAMMAR_STATES, prepareGrammar, readIntoHeap, scoreFloor } from "../src/asr/soundswallower/index.js";
import { loadSources } from "../src/nlu/index.js";
import { buildNegatives } from "../src/audio/negatives.js";
import { seededRandom } from "../src/audio/mix.js";
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

  it("takes raw decoder settings from $HARK_ASR_DECODER and names a bad value", async () => {
    const saved = process.env.HARK_ASR_DECODER;
    try {
      process.env.HARK_ASR_DECODER = "topn=2";
      expect(() => asrConfig({})).toThrow(/HARK_ASR_DECODER must be a JSON object/);
      process.env.HARK_ASR_DECODER = JSON.stringify({ topn: 2 });
      const r = (await createRecognizer("grammar", { grammar: homeGrammar(), cacheDir: cache, ...asrConfig({}) })) as GrammarRecognizer;
      try {
        expect((r as unknown as { decoder: { get_config(k: string): unknown } }).decoder.get_config("topn")).toBe(2);
      } finally {
        r.close();
      }
      // On the command line a bad value is a usage error: one line, exit 2.
      const cli = spawnSync(process.execPath, [join(import.meta.dirname, "..", "bin", "hark.js"), "transcribe", join(FIX, "kitchen-on.wav")], {
        encoding: "utf8",
        env: { ...process.env, HARK_ASR_DECODER: "[1]" },
      });
      expect(cli.status).toBe(2);
      expect(cli.stderr.trim().split("\n")).toHaveLength(1);
      expect(cli.stderr).toMatch(/HARK_ASR_DECODER must be a JSON object/);
    } finally {
      if (saved === undefined) delete process.env.HARK_ASR_DECODER;
      else process.env.HARK_ASR_DECODER = saved;
    }
  });

  it("names unknown engines", async () => {
    await expect(createRecognizer("nope", {})).rejects.toThrow(/unknown ASR engine "nope"/);
  });

  it("rejects by acoustic score what the garbage branch lets through, and reports it", async () => {
    // Garbage branch practically off: only the score floor stands between chatter and a command.
    const noGarbage = await GrammarRecognizer.create({ grammar: homeGrammar(), cacheDir: cache, rejection: { entryProb: 1e-30 } });
    const noFloor = await GrammarRecognizer.create({ grammar: homeGrammar(), cacheDir: cache, rejection: { entryProb: 1e-30, minScore: false } });
    try {
      const chatter = readWav16(join(FIX, "chatter-fox.wav"));
      const forced = await noFloor.recognize(chatter);
      expect(forced.rejected).toBeFalsy();
      const r = await noGarbage.recognize(chatter);
      expect(r).toMatchObject({ text: "", rejected: true, reason: "score" });
      const d = r.detail as { score: { acoustic: number; floor: number }; heard: string };
      expect(d.score.acoustic).toBeLessThan(d.score.floor);
      expect(d.heard).toBe(forced.text);
      expect(r.confidence).toBeLessThan(0.5);
      // commands stay well above the floor
      const ok = await noGarbage.recognize(readWav16(join(FIX, "kitchen-on.wav")));
      expect(ok.text).toBe("turn on the kitchen light");
      const okd = ok.detail as { score: { acoustic: number; floor: number } };
      expect(okd.score.acoustic).toBeGreaterThan(okd.score.floor + 3);
      expect(ok.confidence).toBeGreaterThan(0.5);
    } finally {
      noGarbage.close();
      noFloor.close();
    }
  });

  it("relaxes the score floor with the estimated SNR", () => {
    const f = DEFAULT_SCORE_FLOOR;
    expect(scoreFloor(f, undefined)).toBe(f.clean);
    expect(scoreFloor(f, 40)).toBe(f.clean);
    expect(scoreFloor(f, 5)).toBe(f.noisy);
    expect(scoreFloor(f, (f.cleanDb + f.noisyDb) / 2)).toBeCloseTo((f.clean + f.noisy) / 2, 9);
  });

  it("rejects the noise and silence inputs of the negative set", async () => {
    // Kitchen-like noise: pink-ish (integrated white noise) with clatter bursts, 40 s.
    const rnd = seededRandom(3);
    const noise = new Float32Array(40 * 16000);
    let y = 0;
    for (let i = 0; i < noise.length; i++) {
      y = 0.98 * y + 0.02 * (2 * rnd() - 1);
      const burst = i % 24000 < 1600 ? (2 * rnd() - 1) * 0.3 : 0;
      noise[i] = 4 * y + burst;
    }
    const items = await buildNegatives({ noise: { samples: noise, name: "synthetic" }, noiseSegments: 4, chatter: [] });
    expect(items.map((i) => i.kind)).toEqual(["noise", "noise", "noise", "noise", "silence", "silence", "silence"]);
    for (const it of items) {
      const r = await asr.recognize(it.samples);
      expect(r.rejected, `${it.id}: heard "${r.text}"`).toBe(true);
    }
  });

  it("compound words decode to the same words as single ones", async () => {
    const compound = await GrammarRecognizer.create({ grammar: homeGrammar(), cacheDir: cache, fsg: { compound: { maxWords: 4 } } });
    try {
      expect(readFileSync(compound.prepared.fsgPath, "utf8")).toMatch(/ [a-z']+\+[a-z']+/);
      const cases: Array<[string, string]> = [
        ["kitchen-on.wav", "turn on the kitchen light"],
        ["temperature-21.wav", "set the temperature to twenty one degrees"],
      ];
      for (const [file, text] of cases) {
        const r = await compound.recognize(readWav16(join(FIX, file)));
        expect(r.text).toBe(text);
      }
    } finally {
      compound.close();
    }
  });

  it("gives large grammars compound words (fewer FSG states), small ones one word per arc", async () => {
    const small = readFileSync(asr.prepared.fsgPath, "utf8");
    expect(small).not.toMatch(/ [a-z']+\+[a-z']+/);
    const big = await loadSources(); // grammars/en + devices/
    const p = prepareGrammar({ grammar: big, cacheDir: cache });
    expect(p.asr.dfa.arcs.length).toBeGreaterThanOrEqual(LARGE_GRAMMAR_STATES);
    const fsg = readFileSync(p.fsgPath, "utf8");
    expect(fsg).toMatch(/ [a-z']+\+[a-z']+/);
    const states = Number(/NUM_STATES (\d+)/.exec(fsg)?.[1]);
    expect(states).toBeLessThan(0.6 * p.asr.dfa.arcs.length);
    // alternative pronunciations are arcs of their own, the decoder adds none
    expect(fsg).toMatch(/ the\(2\)\n/);
  }, 60_000);

  it("reads model and grammar files into the heap NUL-terminated inside their block", () => {
    // soundswallower's own loader wrote the NUL one byte past a block of len + 1 bytes, which
    // corrupted the WASM heap for some file sizes ("memory access out of bounds" at start-up).
    const path = join(cache, "seven.txt");
    writeFileSync(path, "1234567");
    const heap = new Uint8Array(64).fill(0xaa);
    const m = { HEAPU8: heap, _malloc: (n: number) => (expect(n).toBe(8), 16) };
    expect(readIntoHeap(m, path)).toEqual([16, 7]);
    expect(Buffer.from(heap.subarray(16, 23)).toString()).toBe("1234567");
    expect(heap[23]).toBe(0);
    expect(heap[24]).toBe(0xaa); // the next block is untouched
  });
});
