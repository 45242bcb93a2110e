// What src/compile derives from a grammar: the JSGF export, responses, and `hark grammar compile`, whose files
// must be byte for byte what the runtime loads (issue 16: compile/ is the one place a grammar becomes something).
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../src/cli/main.js";
import type { GrammarRecognizer } from "../src/asr/soundswallower/index.js";
import { activeModels } from "../src/models/manifest.js";
import { loadGraph, loadSources, Matcher } from "../src/nlu/index.js";
import { compileGraph } from "../src/compile/graph.js";
import { parseConfig } from "../src/run/config.js";
import { HarkRuntime } from "../src/run/runtime.js";
import { compileJsgf } from "../src/compile/jsgf.js";
import { renderResponse } from "../src/compile/responses.js";
import { Sampler } from "../src/compile/sample.js";
import { loadGrammar, type LoadedGrammar } from "../src/grammar/load.js";
import { normalizeTokens } from "../src/grammar/normalize.js";
import { numberToWords } from "../src/grammar/numbers.js";
import { tmpFiles } from "./helpers/tmpGrammar.js";

const GRAMMAR = `language: en
intents:
  HassTurnOn:
    responses: { default: "Turned on the {area} lights" }
    data:
      - sentences: ["<turn> on [the] {area} light[s]"]
        slots: { domain: light }
  HassLightSet:
    data:
      - sentences: ["(set;[the] {area} lights) to {brightness} [percent]"]
  NavigateTo:
    data:
      - sentences: ["take me to {destination}"]
lists:
  area: { values: [kitchen, { in: "(living room|lounge)", out: living_room }] }
  brightness: { range: { from: 0, to: 20, step: 5, type: percentage } }
  destination: { wildcard: true, examples: ["the airport", "grandma's house"] }
expansion_rules:
  turn: "(turn|switch)"
`;

let g: LoadedGrammar;
beforeAll(async () => {
  g = await loadGrammar({ grammar: join(tmpFiles({ "g.yaml": GRAMMAR }), "g.yaml") });
});

/** Every sentence a (small, finite) JSGF grammar generates: a reference expander for the test. */
function expandJsgf(jsgf: string): Set<string> {
  const rules = new Map<string, string>();
  for (const m of jsgf.matchAll(/^(?:public )?<([\w]+)> = ([\s\S]*?);$/gm)) rules.set(m[1]!, m[2]!.replace(/\s+/g, " "));
  const memo = new Map<string, string[]>();
  const expandRule = (name: string): string[] => {
    if (!memo.has(name)) memo.set(name, parse(rules.get(name)!));
    return memo.get(name)!;
  };
  function parse(src: string): string[] {
    const toks = src.match(/<\w+>|[()[\]|]|[^\s()[\]|<>]+/g) ?? [];
    let i = 0;
    const alts = (): string[] => {
      let out = seq();
      while (toks[i] === "|") {
        i++;
        out = out.concat(seq());
      }
      return out;
    };
    const seq = (): string[] => {
      let acc = [""];
      while (i < toks.length && toks[i] !== "|" && toks[i] !== ")" && toks[i] !== "]") {
        const t = toks[i++]!;
        let items: string[];
        if (t === "(") { items = alts(); i++; }
        else if (t === "[") { items = ["", ...alts()]; i++; }
        else if (t.startsWith("<")) items = t === "<NULL>" ? [""] : t === "<VOID>" ? [] : expandRule(t.slice(1, -1));
        else items = [t];
        acc = acc.flatMap((a) => items.map((x) => `${a} ${x}`.trim()));
      }
      return acc;
    };
    return alts();
  }
  return new Set(expandRule("command"));
}

describe("JSGF export (grammar compile --jsgf)", () => {
  it("generates exactly the spoken forms of the sentences (numbers as words, glued text joined)", () => {
    const jsgf = compileJsgf(g);
    expect(jsgf).toMatch(/^#JSGF V1.0;/);
    const language = expandJsgf(jsgf);
    const samples = [...new Sampler(g, { seed: 3 }).take(300)];
    for (const s of samples) {
      const spoken = normalizeTokens(s.text).map((t) => (/^\d+$/.test(t) ? numberToWords(Number(t)) : t)).join(" ");
      expect(language.has(spoken), spoken).toBe(true);
    }
    expect(language.has("switch on the kitchen lights")).toBe(true);
    expect(language.has("the lounge lights set to fifteen percent")).toBe(true);
    expect(language.has("set the lounge lights to twelve")).toBe(false); // not a step of 5
    expect(language.has("take me to the airport")).toBe(true);
  });
});

describe("responses", () => {
  it("fills slot values into the intent's template", () => {
    expect(renderResponse(g, "HassTurnOn", { area: "living_room" })).toBe("Turned on the living room lights");
    expect(renderResponse(g, "NavigateTo", {})).toBeUndefined();
  });
});

describe("hark grammar compile writes what the runtime loads", () => {
  // The shipped grammars and devices with the default configuration: the command's files against the ones
  // `hark run` builds and loads (its recognizer's FSG and dictionary, the matcher graph it caches, the SLM
  // engine's output language). A fresh cache folder, so the runtime builds its files here rather than finding
  // older ones.
  const saved = process.env.HARK_CACHE_DIR;
  const cache = mkdtempSync(join(tmpdir(), "hark-compile-cache-"));
  const out = mkdtempSync(join(tmpdir(), "hark-compile-out-"));
  const written = (file: string) => readFileSync(join(out, file), "utf8");
  /** Byte equality; on a difference, the first line that differs (not a diff of megabytes). */
  const same = (got: string, want: string, what: string) => {
    if (got === want) return;
    const a = got.split("\n"), b = want.split("\n");
    let i = 0;
    while (i < Math.max(a.length, b.length) && a[i] === b[i]) i++;
    const show = (l: string | undefined) => JSON.stringify(l?.slice(0, 200));
    expect.fail(`${what}: line ${i + 1} differs: ${show(a[i])} written, ${show(b[i])} loaded (${a.length} vs ${b.length} lines)`);
  };
  let rt: HarkRuntime | undefined;

  beforeAll(async () => {
    process.env.HARK_CACHE_DIR = cache;
    const stdout = process.stdout.write;
    process.stdout.write = (() => true) as typeof process.stdout.write; // the command's "wrote …" line
    try {
      expect(await main(["grammar", "compile", "-o", out])).toBe(0);
    } finally {
      process.stdout.write = stdout;
    }
  }, 300_000);
  afterAll(async () => {
    await rt?.stop();
    if (saved === undefined) delete process.env.HARK_CACHE_DIR;
    else process.env.HARK_CACHE_DIR = saved;
    for (const d of [cache, out]) rmSync(d, { recursive: true, force: true });
  });

  it("the recognizer's FSG, dictionary and guessed words are the files the command wrote", async () => {
    const grammar = await loadSources({});
    rt = await HarkRuntime.start({ config: parseConfig("log_level: silent\nspeech: { enabled: false }\n"), logger: pino({ level: "silent" }), understander: new Matcher(compileGraph(grammar)) });
    const recognizer = (await rt.ears()).recognizer as GrammarRecognizer;
    const { fsgPath, dictPath } = recognizer.prepared;
    expect(fsgPath.startsWith(cache), "the runtime built its own files").toBe(true);
    const fsg = written("asr.fsg");
    expect(fsg).toMatch(/^FSG_BEGIN hark\n/);
    // A word on some arc, alone or inside a compound word ("never+mind").
    const hasWord = (w: string) => new RegExp(`^TRANSITION \\d+ \\d+ \\S+ (\\S+\\+)?${w}(\\+\\S+)?$`, "m").test(fsg);
    expect(hasWord("ph_aa"), "the garbage branch").toBe(true);
    expect(hasWord("nope"), "a dialog reply").toBe(true);
    same(fsg, readFileSync(fsgPath, "utf8"), "asr.fsg against the FSG the recognizer loaded");
    same(written("asr.dict"), readFileSync(dictPath, "utf8"), "asr.dict against the recognizer's dictionary");
    same(written("asr.guessed.json"), readFileSync(fsgPath.replace(/\.fsg$/, ".guessed.json"), "utf8"), "asr.guessed.json");
  }, 300_000);

  it("matcher.json is the matcher graph the runtime caches and loads", async () => {
    const graph = await loadGraph({});
    const cached = readdirSync(cache).filter((f) => f.startsWith("graph-") && f.endsWith(".json"));
    expect(cached).toHaveLength(1);
    same(written("matcher.json"), readFileSync(join(cache, cached[0]!), "utf8"), "matcher.json against the cached graph");
    same(written("matcher.json"), JSON.stringify(graph), "matcher.json against the loaded graph");
  });

  const models = activeModels();
  it.skipIf(!models.slm)(`slm.gbnf is the SLM engine's output language${models.slm ? "" : " (skipped: no active SLM model)"}`, async () => {
    const { SlmEngine } = await import("../src/nlu/slm/engine.js");
    const engine = await SlmEngine.load({ model: models.slm!, grammar: await loadSources({}), mode: "plain" });
    try {
      expect(written("slm.gbnf")).toMatch(/^root ::= " " \("none" \| intent/);
      same(written("slm.gbnf"), engine.gbnf, "slm.gbnf against the engine's language");
    } finally {
      await engine.dispose();
    }
  }, 120_000);
});
