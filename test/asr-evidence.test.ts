// ASR evidence (src/asr/soundswallower/evidence.ts): the contrast decode of real audio against the
// hypothesis' competitors, through the real recognizer.
import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GrammarRecognizer } from "../src/asr/soundswallower/index.js";
import { applyEdit, nearbyEdits } from "../src/asr/soundswallower/competitors.js";
import { wordTrie } from "../src/asr/soundswallower/contrast.js";
import { contrastWindow } from "../src/asr/soundswallower/evidence.js";
import { effectiveMargin } from "../src/asr/soundswallower/evidenceScore.js";
import { dfaAccepts } from "../src/compile/fsg.js";
import type { RecognitionResult } from "../src/asr/types.js";
import { mixNoise, seededRandom } from "../src/audio/mix.js";
import { readAudioFile } from "../src/audio/source.js";
import { encodeWav16 } from "../src/audio/wav.js";
import { compileGraph } from "../src/compile/graph.js";
import { loadSources, Matcher } from "../src/nlu/index.js";
import { curve, halfOf, SummaryBuilder, type ReplayItem } from "../src/replay/index.js";
import { hark } from "./helpers/cli.js";
import { tmpFiles } from "./helpers/tmpGrammar.js";

const FIX = join(import.meta.dirname, "fixtures");
const COMMANDS = join(FIX, "audio", "commands");
const wav = async (path: string): Promise<Float32Array> => (await readAudioFile(path)).samples;

// "turn on" and "turn off" the same devices: the flipped reading is always one short word away.
const SWITCH_GRAMMAR = `language: en
intents:
  TurnOn:
    data:
      - sentences: ["(turn|switch) on [the] {name}"]
  TurnOff:
    data:
      - sentences: ["(turn|switch) off [the] {name}"]
lists:
  name:
    values: ["kitchen light", "hallway lamp", "bedroom fan"]
`;

/** Stationary white noise, seeded. */
function whiteNoise(seconds: number, seed = 7): Float32Array {
  const rnd = seededRandom(seed);
  return Float32Array.from({ length: Math.round(16000 * seconds) }, () => rnd() * 2 - 1);
}

/** A result without its timings: what must not change when evidence is turned on. */
function decodeOf(r: RecognitionResult): unknown {
  const { ms: _ms, evidence: _e, detail, ...rest } = r;
  const { frontendMs: _f, ...d } = detail ?? {};
  return { ...rest, detail: d };
}

describe("competitors and contrast grammar (units)", () => {
  let dfa: Parameters<typeof nearbyEdits>[0];
  beforeAll(async () => {
    const grammar = await loadSources({ grammar: tmpFiles({ "g.yaml": SWITCH_GRAMMAR }), devices: [] });
    const r = await GrammarRecognizer.create({ grammar, cacheDir: mkdtempSync(join(tmpdir(), "hark-ev-")), evidence: false });
    dfa = r.prepared.asr.dfa;
    r.close();
  });

  it("nearby edits are grammar sentences, the flipped word among the smallest, nearest first", () => {
    const words = "turn on the kitchen light".split(" ");
    const edits = nearbyEdits(dfa, words)!;
    const sentences = edits.map((e) => applyEdit(words, e).join(" "));
    expect(edits.length).toBeGreaterThan(5);
    for (const e of edits) expect(dfaAccepts(dfa, applyEdit(words, e))).toBe(true);
    expect(sentences).not.toContain(words.join(" "));
    expect(sentences.slice(0, 6)).toContain("turn off the kitchen light");
    expect(sentences).toContain("turn on the hallway lamp");
    const sizes = edits.map((e) => e.to - e.from + e.insert.length);
    expect([...sizes].sort((a, b) => a - b)).toEqual(sizes);
    expect(nearbyEdits(dfa, ["not", "a", "sentence"])).toBeUndefined();
  });

  it("the contrast trie keeps a path and an end of its own for every sentence", () => {
    const sentences = [
      ["turn", "off", "the", "kitchen", "light"],
      ["turn", "off", "kitchen", "light"],
      ["switch", "off", "the", "kitchen", "light"],
      ["turn", "off", "the", "kitchen"],
    ];
    const t = wordTrie(sentences);
    const spelled = t.end.map((e) => {
      const words: string[] = [];
      for (let s = e; s !== 0; ) {
        const [from, w] = t.arcs.find(([, , to]) => to === s)!;
        words.unshift(w);
        s = from;
      }
      return words;
    });
    expect(spelled).toEqual(sentences);
    expect(new Set(t.end).size).toBe(sentences.length);
    expect(t.states).toBe(1 + 5 + 3 + 4); // shared beginnings only
  });

  it("the contrast window covers what the competitors change, with a word of context", () => {
    const words = "can i have a small latte with soy milk".split(" ");
    const times = words.map((_, i): [number, number] => [0.3 + i * 0.3, 0.6 + i * 0.3]);
    const w = contrastWindow(words, ["can i have a small latte with skim milk".split(" "), "can i have a small mocha with soy milk".split(" ")], times, 4, 0.1)!;
    expect(w.from).toBe(4); // "small", one before "latte"
    expect(w.to).toBe(9); // through "milk", the last word
    expect(w.start).toBeCloseTo(times[4]![0] - 0.1);
    expect(w.end).toBe(4);
    // compound words ("small+latte" in a large grammar) share a span: never split
    const compound = times.map((t, i): [number, number] => (i === 3 || i === 4 ? [times[3]![0], times[4]![1]] : t));
    expect(contrastWindow(words, ["can i have a small mocha with soy milk".split(" ")], compound, 4, 0.1)).toMatchObject({ from: 3, to: 7 });
    expect(contrastWindow(words, [], times, 4, 0.1)).toBeUndefined();
    expect(contrastWindow(words, [words], undefined, 4, 0.1)).toBeUndefined();
  });

  it("the replay curve counts accepted-correct, wrong and asked per threshold", () => {
    const items = [
      { correct: true, evidence: { competitors: 3, margin: 2, score: 0.97, ms: 1 } },
      { correct: true, evidence: { competitors: 3, beyondBeam: true, score: 0.999, ms: 1 } },
      { correct: false, evidence: { competitors: 3, margin: 0.3, score: 0.82, ms: 1 } },
      { correct: false },
    ];
    const byMargin = curve(items, 5, "margin");
    expect(byMargin.find((p) => p.threshold === 0)).toEqual({ threshold: 0, acceptedCorrect: 40, wrong: 20, asked: 20 });
    expect(byMargin.find((p) => p.threshold === 0.5)).toEqual({ threshold: 0.5, acceptedCorrect: 40, wrong: 0, asked: 40 });
    expect(curve(items, 5, "score").find((p) => p.threshold === 0.98)).toEqual({ threshold: 0.98, acceptedCorrect: 20, wrong: 0, asked: 60 });
  });

  it("the summary's headline follows a gate only when one is given", () => {
    const item = (correct: boolean, margin: number): ReplayItem => ({
      file: "x.wav", transcript: "t", intents: [{ intent: "I", slots: {}, confidence: 1, source: "matcher" }], mqtt: [], response: null,
      ms: { read: 0, asr: 1, nlu: 0, total: 1 }, audioSeconds: 1, rtf: 0, confidence: 1, correct,
      expected: { intent: "I" }, evidence: { competitors: 2, margin, ms: 1 },
    });
    const items = [item(true, 2), item(false, 0.1), item(true, 0.4)];
    const plain = new SummaryBuilder();
    const gated = new SummaryBuilder({ minMargin: 0.5 });
    for (const it of items) (plain.add(it), gated.add(it));
    const asr = { engine: "grammar", initMs: 0 };
    expect(plain.build(asr).accepted).toMatchObject({ correct: 2, wrong: 1, asked: 0 });
    expect(gated.build(asr).accepted).toMatchObject({ gate: { minMargin: 0.5 }, correct: 1, wrong: 0, asked: 2 });
    expect(plain.build(asr).correct).toBe(gated.build(asr).correct);
  });

  it("splits files into halves by name, deterministically", () => {
    const sample = Array.from({ length: 200 }, (_, i) => `${(i * 7919).toString(36)}-command.wav`);
    const a = sample.filter((n) => halfOf(n) === "A").length;
    expect(a).toBeGreaterThan(sample.length * 0.3);
    expect(a).toBeLessThan(sample.length * 0.7);
    expect(halfOf("/x/y/z.wav")).toBe(halfOf("z.wav"));
  });
});

describe("evidence on real audio", () => {
  let cache: string;
  let switchGrammar: Awaited<ReturnType<typeof loadSources>>;
  let onSwitch: GrammarRecognizer;
  let home: GrammarRecognizer;
  let homeOff: GrammarRecognizer;
  let matcher: Matcher;
  const commands = readdirSync(COMMANDS).filter((f) => f.endsWith(".wav")).sort();

  beforeAll(async () => {
    cache = mkdtempSync(join(tmpdir(), "hark-ev-"));
    switchGrammar = await loadSources({ grammar: tmpFiles({ "g.yaml": SWITCH_GRAMMAR }), devices: [] });
    onSwitch = await GrammarRecognizer.create({ grammar: switchGrammar, cacheDir: cache });
    const grammar = await loadSources(); // grammars/en + devices/: what the command fixtures were made from
    home = await GrammarRecognizer.create({ grammar });
    homeOff = await GrammarRecognizer.create({ grammar, evidence: false });
    matcher = new Matcher(compileGraph(grammar));
  });
  afterAll(() => {
    onSwitch?.close();
    home?.close();
    homeOff?.close();
  });

  const reading = (text: string): string => JSON.stringify(matcher.understand(text).intents.map((i) => [i.intent, Object.entries(i.slots).sort()]));

  it("comes with every accepted command, naming a competitor that is understood differently", async () => {
    let withCompetitor = 0;
    for (const f of commands.slice(0, 10)) {
      const r = await home.recognize(await wav(join(COMMANDS, f)));
      if (r.rejected) continue;
      const e = r.evidence!;
      expect(e, f).toBeDefined();
      expect(e.ms).toBeGreaterThan(0);
      expect(e.score).toBeGreaterThan(0);
      expect(e.score).toBeLessThanOrEqual(1);
      if (!e.competitors) continue;
      withCompetitor++;
      expect(e.competitor, f).toBeTruthy();
      expect(e.competitor).not.toBe(r.text);
      expect(reading(e.competitor!), `${f}: ${r.text} / ${e.competitor}`).not.toBe(reading(r.text));
      expect(e.differsIn!.length).toBeGreaterThan(0);
      expect(e.margin !== undefined || e.beyondBeam).toBe(true);
      // per slot: the best competitor's own differences carry its margin, no slot a larger one
      if (e.margin !== undefined) for (const k of e.differsIn!) expect(e.slots![k], f).toBe(e.margin);
      for (const m of Object.values(e.slots ?? {})) expect(m).toBeGreaterThanOrEqual(e.margin!);
    }
    expect(withCompetitor).toBeGreaterThanOrEqual(6);
  });

  it("names the flipped reading when 'turn on …' is heard and 'turn off …' exists", async () => {
    const x = await wav(join(FIX, "asr", "kitchen-on.wav"));
    const clean = await onSwitch.recognize(x);
    expect(clean.text).toBe("turn on the kitchen light");
    expect(clean.evidence!.competitor).toMatch(/^turn off (the )?kitchen light$/);
    expect(clean.evidence!.differsIn).toEqual(["intent"]);
    // In noise the flip stays in the search and its margin is measured.
    const noisy = await onSwitch.recognize(mixNoise(x, whiteNoise(10), 20, { offset: 0 }));
    expect(noisy.text).toMatch(/^turn on (the )?kitchen light$/);
    expect(noisy.evidence!.competitor).toMatch(/^turn off (the )?kitchen light$/);
    expect(noisy.evidence!.differsIn).toEqual(["intent"]);
    expect(noisy.evidence!.margin).toBeGreaterThan(0);
  });

  it("starts the contrast decoder from its snapshot the second time, measuring the same", async () => {
    const snaps = readdirSync(join(cache, "asr", "contrast")).filter((f) => f.endsWith(".snap"));
    expect(snaps).toHaveLength(1);
    const y = mixNoise(await wav(join(FIX, "asr", "kitchen-on.wav")), whiteNoise(10), 20, { offset: 0 });
    const again = await GrammarRecognizer.create({ grammar: switchGrammar, cacheDir: cache });
    try {
      const a = (await onSwitch.recognize(y)).evidence!;
      const b = (await again.recognize(y)).evidence!;
      expect(b.margin).toBeDefined();
      expect({ ...b, ms: 0 }).toEqual({ ...a, ms: 0 });
    } finally {
      again.close();
    }
  });

  it("gives clean commands larger margins than the same commands in heavy noise", async () => {
    const noise = whiteNoise(30, 3);
    const clean: number[] = [];
    const noisy: number[] = [];
    for (const f of commands.slice(0, 12)) {
      const x = await wav(join(COMMANDS, f));
      const a = await home.recognize(x);
      const b = await home.recognize(mixNoise(x, noise, 10, { offset: 0 }));
      if (a.rejected || b.rejected || !a.evidence || !b.evidence) continue;
      const ma = effectiveMargin(a.evidence), mb = effectiveMargin(b.evidence);
      if (ma === undefined || mb === undefined) continue;
      clean.push(ma);
      noisy.push(mb);
    }
    expect(clean.length).toBeGreaterThanOrEqual(4);
    const mean = (v: number[]): number => v.reduce((s, x) => s + x, 0) / v.length;
    expect(mean(clean)).toBeGreaterThan(mean(noisy) + 0.5);
  });

  it("leaves the decode itself identical when turned off", async () => {
    const noise = whiteNoise(30, 5);
    for (const f of commands.slice(0, 8)) {
      const x = await wav(join(COMMANDS, f));
      for (const y of [x, mixNoise(x, noise, 12, { offset: 0 })]) {
        const on = await home.recognize(y);
        const off = await homeOff.recognize(y);
        expect(off.evidence).toBeUndefined();
        expect(decodeOf(on), f).toEqual(decodeOf(off));
      }
    }
  });

  it("hark replay prints it per file, a curve in the summary, and gates with --min-margin", () => {
    const dir = mkdtempSync(join(tmpdir(), "hark-ev-replay-"));
    const noise = join(dir, "white.wav");
    writeFileSync(noise, encodeWav16(whiteNoise(10), 16000));
    const grammarDir = tmpFiles({ "g.yaml": SWITCH_GRAMMAR });
    const args = ["replay", join(FIX, "asr", "kitchen-on.wav"), "--grammar", grammarDir, "--no-devices", "--expect", join(FIX, "asr", "labels.json"), "--snr", "20", "--noise", noise];
    const env = { HARK_SLM: "0", HARK_CACHE_DIR: cache };
    const r = hark(args, undefined, env);
    expect(r.status, r.stderr).toBe(0);
    const [item, summary] = r.stdout.trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    expect((item!.evidence as { competitor: string }).competitor).toMatch(/^turn off (the )?kitchen light$/);
    expect(item!.asked).toBeUndefined();
    expect(summary!.accepted).toMatchObject({ correct: 1, wrong: 0, asked: 0 });
    const c = summary!.curve as { margin: Array<{ threshold: number; asked: number }>; score: unknown[] };
    expect(c.margin.length).toBeGreaterThan(3);
    expect(c.score.length).toBeGreaterThan(3);
    const gated = hark([...args, "--min-margin", "1000"], undefined, env);
    const [gItem, gSummary] = gated.stdout.trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(gItem!.asked).toBe(true);
    expect(gSummary!.accepted).toMatchObject({ gate: { minMargin: 1000 }, correct: 0, asked: 1 });
    expect(gSummary!.correct).toBe(summary!.correct); // the understanding itself is unchanged
    const off = hark([...args, "--no-evidence"], undefined, env);
    expect(JSON.parse(off.stdout.split("\n")[0]!).evidence).toBeUndefined();
  }, 120_000);
});
