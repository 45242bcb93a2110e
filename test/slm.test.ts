// hark's SLM: output format and language (always), and a CI-sized training run end to end to a GGUF that
// node-llama-cpp loads (skips with the reason when python3-torch is absent).
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { intentsEqual } from "../src/nlu/intentsEqual.js";
import { Random } from "../src/compile/random.js";
import { Sampler } from "../src/compile/sample.js";
import { normalizeText } from "../src/grammar/normalize.js";
import { loadSources } from "../src/nlu/index.js";
import { augment, buildDataSet, oodSentence, randomHome, unknownTarget, writeJsonl } from "../src/models/train/data.js";
import { buildLexicon, paraphraseLexically } from "../src/models/train/lexicon.js";
import { glossExamples, synonyms } from "../src/models/train/wordnet.js";
import { outputSpec, parseOutput, renderOutput } from "../src/nlu/slm/format.js";
import { OutputLanguage } from "../src/compile/slmLanguage.js";
import { TokenConstraint } from "../src/nlu/slm/constraint.js";
import { delexicalize } from "../src/nlu/slm/delex.js";
import { narrowSpec, spans, spokenNumbers } from "../src/nlu/slm/narrow.js";
import { runTrainer, trainerMissing } from "../src/cli/commands/models.js";
import { verifyModel } from "../src/models/manifest.js";
import { hark } from "./helpers/cli.js";

const grammar = await loadSources({});
const spec = outputSpec(grammar);
const lang = new OutputLanguage(spec);

describe("SLM output format", () => {
  it("renders every generated sample into its utterance's language and parses it back exactly", () => {
    for (const s of new Sampler(grammar, { seed: 11 }).take(1500)) {
      const d = delexicalize(normalizeText(s.text), spec);
      const out = renderOutput(spec, s.intents, d);
      expect(out, s.text).not.toBeNull();
      const narrowed = new OutputLanguage(narrowSpec(spec, d).spec);
      expect(narrowed.accepts(narrowed.advance(narrowed.initial(), " " + out)), `${d.text} → ${out}`).toBe(true);
      const back = parseOutput(spec, out!, d);
      expect(back && intentsEqual(back, s.intents), `${s.text} → ${out}`).toBe(true);
    }
  });

  it("replaces names by typed placeholders, longest first, and maps them back", () => {
    const d = delexicalize(normalizeText("Turn on the coffee machine and the living room TV, then dim the living room"), spec);
    expect(d.text).toBe("turn on the @switch1 and the @media_player1 then dim the @area1");
    expect(parseOutput(spec, "HassTurnOn name: @switch1 ; HassTurnOn name: @media_player1", d)).toEqual([
      { intent: "HassTurnOn", slots: { name: "Coffee Maker" } },
      { intent: "HassTurnOn", slots: { name: "Living Room TV" } },
    ]);
    expect(parseOutput(spec, "HassTurnOn name: @light7", d)).toBeNull();
    expect(parseOutput(spec, "none", d)).toEqual([]);
    expect(parseOutput(spec, "NoSuchIntent", d)).toBeNull();
    // A domain the model has no placeholder for gets the generic one.
    expect(delexicalize("turn on the coffee maker", spec, { hasPlaceholder: () => false }).text).toBe("turn on the @device1");
  });

  it("narrows numbers to those spoken", () => {
    expect(spokenNumbers("set it to 21 and a half degrees in 2 rooms")).toEqual(["2", "21", "21.5"]);
    const d = delexicalize("set the volume to 2", spec);
    const lang = new OutputLanguage(narrowSpec(spec, d).spec);
    const intentWithNumber = spec.intents.find((i) => i.slots.some((x) => x.lists.some((l) => spec.values.get(l)?.kind === "number")))!;
    const slot = intentWithNumber.slots.find((x) => x.lists.some((l) => spec.values.get(l)?.kind === "number"))!;
    expect(lang.accepts(lang.advance(lang.initial(), ` ${intentWithNumber.name} ${slot.slot}: 2`))).toBe(true);
    expect(lang.accepts(lang.advance(lang.initial(), ` ${intentWithNumber.name} ${slot.slot}: 22`))).toBe(false);
    // ... and to the range of the slot's list: fan levels go from 1 to 10
    const fan = (text: string, level: number) => {
      const l = new OutputLanguage(narrowSpec(spec, delexicalize(text, spec)).spec);
      return l.accepts(l.advance(l.initial(), ` CabinSetFanSpeed level: ${level}`));
    };
    expect(fan("fan speed 10", 10)).toBe(true);
    expect(fan("fan speed 11", 11)).toBe(false);
    // a number said for a slot is its value: no "full brightness" 100 in its place
    const light = (text: string, brightness: number) => {
      const l = new OutputLanguage(narrowSpec(spec, delexicalize(text, spec)).spec);
      return l.accepts(l.advance(l.initial(), ` HassLightSet brightness: ${brightness}`));
    };
    expect(light("lights to 10 percent", 10)).toBe(true);
    expect(light("lights to 10 percent", 100)).toBe(false);
    expect(light("lights to full brightness", 100)).toBe(true);
    // and to the list's steps: no half a percent
    expect(light("lights to 0.5", 0.5)).toBe(false);
  });

  it("narrows the car's places to those said, and those a sentence sets by itself", () => {
    const says = (text: string, out: string) => {
      const lang = new OutputLanguage(narrowSpec(spec, delexicalize(text, spec)).spec);
      return lang.accepts(lang.advance(lang.initial(), ` ${out}`));
    };
    expect(says("rear left window to 40 percent", "CabinWindow action: open window: rear_left percent: 40")).toBe(true);
    // "rear left" is no passenger's window, nor is the driver's said by nobody
    expect(says("rear left window to 40 percent", "CabinWindow action: open window: passenger percent: 40")).toBe(false);
    expect(says("open the window", "CabinWindow action: open window: driver")).toBe(false);
    expect(says("open the window", "CabinWindow action: open")).toBe(true);
    // "open the windows" sets all of them without saying "all"
    expect(says("open the windows", "CabinWindow action: open window: all")).toBe(true);
  });

  it("admits as free text only runs of the utterance's own words", () => {
    const intent = spec.intents.find((i) => i.slots.some((x) => x.lists.some((l) => spec.values.get(l)?.kind === "text")))!;
    const slot = intent.slots.find((x) => x.lists.some((l) => spec.values.get(l)?.kind === "text"))!;
    const lang = new OutputLanguage(narrowSpec(spec, delexicalize("play some jazz", spec)).spec);
    const says = (v: string) => lang.accepts(lang.advance(lang.initial(), ` ${intent.name} ${slot.slot}: ${v}`));
    expect(says("some jazz")).toBe(true);
    expect(says("jazz")).toBe(true);
    expect(says("some relaxing piano music")).toBe(false);
    expect(says("jazz some")).toBe(false);
    expect(spans("a @area1 b c", 2)).toEqual(["a", "b", "b c", "c"]);
  });

  it("rejects what the grammar cannot act on", () => {
    expect(lang.accepts(lang.advance(lang.initial(), " HassTurnOn name: toaster of doom"))).toBe(false);
    expect(lang.accepts(lang.advance(lang.initial(), " HassTurnOn name: @light1"))).toBe(true);
    expect(lang.advance(lang.initial(), " HassFlyToMars")).toEqual([]);
  });

  it("token constraint admits exactly the continuations of the language", () => {
    const pieces = [null, null, null, " none", " Hass", "TurnOn", " name:", " ", "@switch1", "@area1", " ;", "x"];
    const d = delexicalize("turn on the coffee maker", spec);
    const narrowed = new OutputLanguage(narrowSpec(spec, d).spec);
    const c = new TokenConstraint(narrowed, pieces, 2);
    expect(c.allowed(narrowed.initial())).toEqual(expect.arrayContaining([3, 4]));
    expect(c.allowed(narrowed.initial())).not.toContain(11);
    let st = narrowed.initial();
    for (const t of [4, 5, 6, 7]) st = c.advance(st, t);
    expect(c.allowed(st)).toEqual([8]); // the only name in the utterance: jump-forward appends it
    expect(c.allowed(c.advance(st, 8))).toContain(2);
    expect(lang.toGbnf()).toMatch(/^root ::= " " \("none" \| intent/);
  });

  it("augments, invents homes and out-of-domain sentences reproducibly", () => {
    const a = new Random(3), b = new Random(3);
    expect(augment("turn on the kitchen lights", a)).toBe(augment("turn on the kitchen lights", b));
    const home = randomHome(new Random(5)) as { devices: unknown[]; areas: unknown[] };
    expect(home.devices.length).toBeGreaterThan(3);
    expect(oodSentence(new Random(1))).toBe(oodSentence(new Random(1)));
  });

  it("trains a list said with \"and\" as one value, and look-alike sentences about other things as none", async () => {
    const data = await buildDataSet({ train: 20_000, heldOut: 200, randomHomes: 4, seed: 3 });
    // "add eggs and bacon to the shopping list": one item, not a second command.
    expect(data.train.some((e) => /^HassShoppingListAddItem item: [^;]+ and [^;]+$/.test(e.out))).toBe(true);
    const none = data.train.filter((e) => e.out === "none").map((e) => e.in);
    // "i'm tired" is none, while the grammar's own "i'm cold" never is (negatives the grammar accepts are dropped).
    expect(none.filter((t) => /^(i'm|i am|we're|i feel) /.test(t) && !t.endsWith("bored")).length).toBeGreaterThan(10);
    for (const t of ["i'm cold", "i am cold", "i'm hungry", "i'm sweating"]) expect(none).not.toContain(t);
    // (and saying so is trained as a request: "it's freezing in here", "i'm so cold")
    expect(data.train.some((e) => /\b(i am|i.m|it.s|we.re) (a little |so |really |very |pretty )?(cold|freezing)\b/.test(e.in) && e.out === "CabinAdjustTemperature direction: warmer")).toBe(true);
  });
});

describe("SLM training data beyond the grammar", () => {
  const lexicon = buildLexicon(["turn off the kitchen lights", "switch off the fan", "close the blinds", "shut the garage door", "i'm cold", "set the heater to 20", "start the vacuum cleaner"]);

  it("reads WordNet: synonyms of a sense and general-English example sentences", () => {
    expect(synonyms("turn off", "verb")).toContain("switch off");
    expect(glossExamples().length).toBeGreaterThan(10_000);
  });

  it("keeps only the senses the domain vouches for, and replaces a word only in the role it has", () => {
    const words = (term: string, pos: string) => lexicon.get(term)?.find((e) => e.pos === pos)?.words ?? [];
    expect(words("turn off", "verb")).toContain("turn out"); // the synset the grammar's "switch off" shares
    expect(words("cold", "adj")).toEqual(expect.arrayContaining(["chilly", "frigid", "icy"]));
    expect(words("heater", "noun")).not.toContain("fastball"); // a heater that is a baseball pitch is no device
    // "switch" as a verb is never replaced by the electrical switch (a noun sense).
    for (let seed = 0; seed < 30; seed++) {
      const out = paraphraseLexically("switch off the fan", lexicon, new Random(seed), () => false);
      expect(out).not.toMatch(/electric/);
    }
    // Words the output copies stay as said.
    for (let seed = 0; seed < 30; seed++) expect(paraphraseLexically("i'm cold", lexicon, new Random(seed), (w) => w === "cold")).toBe("i'm cold");
  });

  it("turns a command about a room or device the home lacks into none", () => {
    const rng = new Random(2);
    const areaEx = unknownTarget({ in: "turn on the lights in the @area1", out: "HassTurnOn area: @area1 domain: light" }, new Set(["kitchen"]), rng)!;
    expect(areaEx.out).toBe("none");
    expect(areaEx.in).not.toContain("@area1");
    expect(areaEx.in.startsWith("turn on the lights in the ")).toBe(true);
    const devEx = unknownTarget({ in: "switch on @switch1", out: "HassTurnOn name: @switch1" }, new Set(), rng)!;
    expect(devEx).toEqual({ in: expect.stringMatching(/^switch on [a-z ]+$/), out: "none" });
    expect(unknownTarget({ in: "what time is it", out: "HassGetCurrentTime" }, new Set(), rng)).toBeNull();
  });

  it("mixes WordNet synonyms into commands and WordNet sentences into the negatives", async () => {
    const data = await buildDataSet({ train: 5_000, heldOut: 100, randomHomes: 1, seed: 3 });
    const plain = await buildDataSet({ train: 5_000, heldOut: 100, randomHomes: 1, seed: 3, wordnet: false });
    const vocab = (d: typeof data) => new Set(d.train.flatMap((e) => e.in.split(" ")));
    const extra = [...vocab(data)].filter((w) => !vocab(plain).has(w));
    expect(extra.length).toBeGreaterThan(200);
    const gloss = new Set(glossExamples().map((e) => normalizeText(e)));
    const fromGloss = (d: typeof data) => d.train.filter((e) => e.out === "none" && gloss.has(e.in)).length;
    expect(fromGloss(data)).toBeGreaterThan(100);
    expect(fromGloss(plain)).toBe(0);
  }, 240_000);
});

describe("hark models train without the trainer's Python packages", () => {
  it("says in one line how to install them and exits 1, writing nothing", () => {
    const out = mkdtempSync(join(tmpdir(), "hark-notrain-"));
    try {
      const r = hark(["models", "train", "-o", out], undefined, { HARK_PYTHON: "/nonexistent/python3" });
      expect(r.status).toBe(1);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.stderr).toMatch(/apt-get install python3-torch/);
      expect(readdirSync(out)).toEqual([]);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});

const missing = trainerMissing();
const work = mkdtempSync(join(tmpdir(), "hark-slm-ci-"));
let trained: string | undefined;
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe.skipIf(missing !== null)(`SLM training, CI-sized${missing ? ` (skipped: ${missing})` : ""}`, () => {
  it("trains a tiny model end to end to GGUF, node-llama-cpp loads it, every decode mode agrees", async () => {
    const data = await buildDataSet({ train: 12_000, heldOut: 200, randomHomes: 4, seed: 3 });
    expect(data.dev.length).toBeGreaterThan(200);
    expect(data.train.some((e) => e.out === "none")).toBe(true);
    const dataDir = join(work, "data");
    const { mkdirSync } = await import("node:fs");
    mkdirSync(dataDir, { recursive: true });
    writeJsonl(join(dataDir, "train.jsonl"), data.train);
    writeJsonl(join(dataDir, "dev.jsonl"), data.dev);
    writeFileSync(join(dataDir, "symbols.txt"), data.symbols.join("\n") + "\n");
    const metrics = await runTrainer({ size: "tiny", steps: 300, batch: 64, seed: 3, out: work, dataDir, grammarHash: data.grammarHash });
    expect(metrics.params).toBeGreaterThan(50_000);
    const file = join(work, (metrics.files as { q8_0: string }).q8_0);
    const v = await verifyModel(file);
    expect(v.vocab).toBeGreaterThanOrEqual(Number(metrics.vocab));
    const { SlmEngine, benchPairKey } = await import("../src/nlu/slm/engine.js");
    const engine = await SlmEngine.load({ model: file, grammar, mode: "plain" });
    try {
      const texts = ["turn on the kitchen lights", "tell me a joke", "set the temperature to 21 degrees", "next song"];
      const byMode: string[][] = [];
      for (const mode of ["grammar", "plain", "jump", "spec", "lookup"] as const) {
        const outs: string[] = [];
        for (const t of texts) outs.push((await engine.decode(t, { mode })).output);
        byMode.push(outs);
      }
      for (const outs of byMode) expect(outs).toEqual(byMode[0]);
      for (let i = 0; i < texts.length; i++) expect(parseOutput(spec, byMode[0]![i]!, delexicalize(normalizeText(texts[i]!), spec))).not.toBeNull();
      // The language is narrowed per utterance to the names it mentions: no name can be invented.
      for (const mode of ["grammar", "jump"] as const) expect((await engine.decode("switch on the zorblax gizmo", { mode })).output).not.toMatch(/name: /);
      const u = await engine.understand("turn on the kitchen lights");
      for (const i of u.intents) expect(i.source).toBe("slm");
    } finally {
      await engine.dispose();
    }
    // auto: the mode the bench measured fastest for this very pair (file name + size), else spec.
    const bench = join(work, "bench-slm.json");
    writeFileSync(bench, JSON.stringify({ pair: benchPairKey(file), fastest: "jump" }));
    const measured = await SlmEngine.load({ model: file, grammar, benchFile: bench });
    expect(measured.mode).toBe("jump");
    await measured.dispose();
    writeFileSync(bench, JSON.stringify({ pair: benchPairKey(file, file), fastest: "jump" }));
    const other = await SlmEngine.load({ model: file, grammar, benchFile: bench });
    expect(other.mode).toBe("spec");
    await other.dispose();
    trained = file;
  }, 280_000);

  it("the trained GGUF registers with `hark models add` and serves `hark understand --engine slm`; a truncated one is refused", () => {
    expect(trained, "the training test ran first").toBeDefined();
    const models = mkdtempSync(join(tmpdir(), "hark-slm-registry-"));
    const env = { HARK_MODELS_DIR: models };
    try {
      const add = hark(["models", "add", trained!, "--copy", "--use", "--licence", "MIT"], undefined, env);
      expect(add.status, add.stderr).toBe(0);
      const u = hark(["understand", "--engine", "slm", "turn on the kitchen lights"], undefined, env);
      expect(u.status, u.stderr).toBe(0);
      const r = JSON.parse(u.stdout) as { intents: Array<{ source: string }>; reason?: string };
      expect(Array.isArray(r.intents)).toBe(true);
      for (const i of r.intents) expect(i.source).toBe("slm");
      if (!r.intents.length) expect(r.reason).toBeTruthy();
      const bad = join(models, "broken.gguf");
      writeFileSync(bad, readFileSync(trained!).subarray(0, 4096));
      const refused = hark(["models", "add", bad, "--use"], undefined, env);
      expect(refused.status).toBe(1);
      expect(refused.stderr).toMatch(/truncated GGUF/);
      expect(hark(["models", "list"], undefined, env).stdout).toMatch(/^\* hark-tiny-q8_0 /m);
    } finally {
      rmSync(models, { recursive: true, force: true });
    }
  }, 120_000);
});
