import { describe, expect, it } from "vitest";
import {
  AsrGrammarError,
  compileAsrGrammar,
  compoundGraph,
  dfaAccepts,
  dfaGraph,
  dfaToFsg,
  enumerateDfa,
  factorGraph,
  graphToFsg,
  rangeForms,
  valueExpected,
  type SearchGraph,
  type WordDfa,
} from "../src/compile/fsg.js";
import { spokenWords } from "../src/compile/spokenWords.js";
import { parseTemplate } from "../src/grammar/template.js";
import { numberToWords } from "../src/grammar/numbers.js";
import type { Expr, Grammar, IntentDef, Rule, SlotList } from "../src/grammar/types.js";

type NoName<T> = T extends unknown ? Omit<T, "name"> : never;

interface Spec {
  intents: Record<string, Array<{ sentences: string[]; rules?: Record<string, string> }>>;
  lists?: Record<string, string[] | NoName<SlotList>>;
  rules?: Record<string, string>;
  skipWords?: string[];
}

const rulesOf = (r: Record<string, string> = {}): Map<string, Rule> =>
  new Map(Object.entries(r).map(([name, text]) => [name, { name, text, expr: parseTemplate(text) }]));

function makeGrammar(spec: Spec): Grammar {
  const intents = new Map<string, IntentDef>();
  for (const [name, blocks] of Object.entries(spec.intents))
    intents.set(name, {
      name,
      slots: new Map(),
      responses: {},
      data: blocks.map((b) => ({
        sentences: b.sentences.map((text) => ({ text, expr: parseTemplate(text) })),
        slots: {},
        requiresContext: {},
        excludesContext: {},
        rules: rulesOf(b.rules),
      })),
    });
  const lists = new Map<string, SlotList>();
  for (const [name, l] of Object.entries(spec.lists ?? {}))
    lists.set(
      name,
      Array.isArray(l)
        ? { kind: "values", name, multiple: false, values: l.map((v) => ({ in: parseTemplate(v), inText: v, out: v })) }
        : ({ ...l, name } as SlotList),
    );
  return { language: "en", intents, lists, rules: rulesOf(spec.rules), skipWords: spec.skipWords ?? [], hash: "", files: [] };
}

/** The oracle: every sentence by brute-force expansion (independent of the automaton code). */
function expandAll(g: Grammar, skip = true): Set<string> {
  const out = new Set<string>();
  for (const intent of g.intents.values())
    for (const block of intent.data) {
      const go = (e: Expr): string[][] => {
        switch (e.type) {
          case "text":
            return [spokenWords(e.text)];
          case "seq":
            return e.items.reduce<string[][]>((acc, it) => acc.flatMap((a) => go(it).map((b) => [...a, ...b])), [[]]);
          case "alt":
            return [...e.items.flatMap(go), ...(e.optional ? [[]] : [])];
          case "perm": {
            const perms = (xs: Expr[]): Expr[][] => (xs.length <= 1 ? [xs] : xs.flatMap((x, i) => perms([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p])));
            return perms(e.items).flatMap((p) => go({ type: "seq", items: p, pos: 0 }));
          }
          case "rule":
            return go((block.rules.get(e.name) ?? g.rules.get(e.name))!.expr);
          case "slot": {
            const l = g.lists.get(e.list)!;
            if (l.kind === "values") return l.values.flatMap((v) => go(v.in));
            if (l.kind === "wildcard") return l.examples.map(spokenWords);
            return rangeForms(l);
          }
        }
      };
      for (const s of block.sentences) for (const w of go(s.expr)) out.add(w.join(" "));
    }
  if (skip && g.skipWords.length) {
    const base = [...out];
    for (const s of base)
      for (const pre of ["", ...g.skipWords])
        for (const post of ["", ...g.skipWords]) out.add([pre, s, post].filter(Boolean).join(" "));
  }
  return out;
}

/** The sentences of the grammar alone (no value stops: the oracle knows only the templates). */
const language = (g: Grammar): Set<string> => new Set(enumerateDfa(compileAsrGrammar(g, { valueStops: false }).dfa));

describe("spokenWords", () => {
  it("lowercases, drops punctuation, keeps apostrophes, speaks numbers and symbols", () => {
    expect(spokenWords("I'd like 21.5%, please!")).toEqual(["i'd", "like", "twenty", "one", "point", "five", "percent", "please"]);
    expect(spokenWords("drip-coffee & 'quotes'")).toEqual(["drip", "coffee", "and", "quotes"]);
    expect(spokenWords("  ")).toEqual([]);
  });
});

describe("compileAsrGrammar: the DFA's language equals the expanded sentence set", () => {
  const cases: Array<[string, Spec]> = [
    ["alternatives and optionals", { intents: { A: [{ sentences: ["(turn|switch) on [the] light", "lights [on|up]"] }] } }],
    ["permutations", { intents: { A: [{ sentences: ["(red;big;old) car"] }] } }],
    [
      "global and local rules",
      { intents: { A: [{ sentences: ["<turn> on <what>"], rules: { what: "(fan|lamp)" } }], B: [{ sentences: ["<turn> off"] }] }, rules: { turn: "(turn|switch)" } },
    ],
    [
      "value lists with spoken alternatives",
      { intents: { A: [{ sentences: ["set [the] color to {color}", "make it {color}"] }] }, lists: { color: ["red", "(crimson|scarlet)", "sky blue"] } },
    ],
    [
      "ranges spoken as words, with halves",
      { intents: { T: [{ sentences: ["set [the] temperature to {temperature} degrees"] }] }, lists: { temperature: { kind: "range", from: 18, to: 22, step: 1, type: "temperature", fractions: "halves" } } },
    ],
    [
      "wildcards from examples",
      { intents: { N: [{ sentences: ["navigate to {destination}", "take me to {destination}"] }] }, lists: { destination: { kind: "wildcard", maxWords: 8, examples: ["grandma's house", "the airport"] } } },
    ],
    [
      "skip words at the edges",
      { intents: { A: [{ sentences: ["stop"] }, { sentences: ["pause [the] music"] }] }, skipWords: ["please", "could you"] },
    ],
    [
      "shared prefixes and suffixes across intents",
      {
        intents: {
          On: [{ sentences: ["turn on [the] {name}", "{name} on"] }],
          Off: [{ sentences: ["turn off [the] {name}", "{name} off"] }],
        },
        lists: { name: ["kitchen light", "hallway light", "fan"] },
      },
    ],
  ];
  it.each(cases)("%s", (_name, spec) => {
    const g = makeGrammar(spec);
    expect(language(g)).toEqual(expandAll(g));
  });

  it("is minimal: a shared suffix is one path, words are shared", () => {
    const g = makeGrammar({ intents: { A: [{ sentences: ["(a|b|c) x y", "d x y"] }] } });
    const asr = compileAsrGrammar(g);
    // start --a|b|c|d--> s1 --x--> s2 --y--> final
    expect(asr.stats.minStates).toBe(4);
    expect(asr.stats.arcs).toBe(6);
    expect(asr.words).toEqual(["a", "b", "c", "d", "x", "y"]);
  });

  it("range values are the spoken numbers", () => {
    const g = makeGrammar({ intents: { B: [{ sentences: ["brightness {b} percent"] }] }, lists: { b: { kind: "range", from: 0, to: 100, step: 5, type: "percentage" } } });
    const asr = compileAsrGrammar(g);
    for (let v = 0; v <= 100; v += 5) expect(dfaAccepts(asr.dfa, ["brightness", ...numberToWords(v).split(" "), "percent"])).toBe(true);
    expect(dfaAccepts(asr.dfa, ["brightness", "seven", "percent"])).toBe(false);
  });

  it("drops sentences whose list is empty and says so", () => {
    const g = makeGrammar({ intents: { A: [{ sentences: ["turn on {area}", "stop"] }] }, lists: { area: [] } });
    const asr = compileAsrGrammar(g);
    expect(enumerateDfa(asr.dfa)).toEqual(["stop"]);
    expect(asr.warnings.join()).toMatch(/\{area\}/);
  });

  it("reports unknown rules, unknown lists, recursion and empty grammars", () => {
    expect(() => compileAsrGrammar(makeGrammar({ intents: { A: [{ sentences: ["<nope>"] }] } }))).toThrow(AsrGrammarError);
    expect(() => compileAsrGrammar(makeGrammar({ intents: { A: [{ sentences: ["{nope}"] }] } }))).toThrow(/unknown list/);
    expect(() => compileAsrGrammar(makeGrammar({ intents: { A: [{ sentences: ["<r>"] }] }, rules: { r: "x <r>" } }))).toThrow(/refers to itself/);
    expect(() => compileAsrGrammar(makeGrammar({ intents: {} }))).toThrow(/no sentences/);
  });

  it("is deterministic: the same language gives the same hash whatever the sentence order", () => {
    const a = compileAsrGrammar(makeGrammar({ intents: { A: [{ sentences: ["x (y|z)", "w"] }] } }));
    const b = compileAsrGrammar(makeGrammar({ intents: { A: [{ sentences: ["w", "x z", "x y"] }] } }));
    expect(a.hash).toBe(b.hash);
  });
});

describe("compileAsrGrammar: dialog replies", () => {
  const g = makeGrammar({
    intents: { Light: [{ sentences: ["turn on [the] {area} lights"] }] },
    lists: { area: ["kitchen", "living room"], color: ["red"] },
    skipWords: ["please"],
  });
  it("adds reply phrases and bare list values (with or without 'the') as top-level alternatives", () => {
    const plain = compileAsrGrammar(g);
    const asr = compileAsrGrammar(g, { replies: { phrases: ["yes", "never mind", "don't"], lists: ["area", "missing"] } });
    expect(dfaAccepts(plain.dfa, ["yes"])).toBe(false);
    for (const s of ["yes", "never mind", "don't", "kitchen", "the kitchen", "the living room", "living room", "yes please", "please the kitchen", "turn on the kitchen lights"])
      expect(dfaAccepts(asr.dfa, s.split(" ")), s).toBe(true);
    expect(dfaAccepts(asr.dfa, ["red"])).toBe(false);
    expect(dfaAccepts(asr.dfa, ["the", "yes"])).toBe(false);
    expect(asr.words).toEqual(expect.arrayContaining(["yes", "never", "mind", "don't"]));
    // every sentence of the plain grammar is still there
    const lang = new Set(enumerateDfa(asr.dfa));
    for (const s of enumerateDfa(plain.dfa)) expect(lang.has(s)).toBe(true);
    expect(asr.hash).not.toBe(plain.hash);
  });
});

describe("compileAsrGrammar: follow-ups among the dialog replies", () => {
  const g = makeGrammar({
    intents: { HassTurnOn: [{ sentences: ["turn on [the] {area} lights"] }], HassTurnOff: [{ sentences: ["turn off [the] {area} lights"] }] },
    lists: { area: ["kitchen", "living room"], color: ["red"], brightness: { kind: "range", from: 0, to: 100, step: 1, type: "percentage" } as unknown as string[] },
  });
  it("hears a new number with what announces it ('actually make it twenty one'), never a number alone", async () => {
    const { dialogReplies } = await import("../src/compile/replies.js");
    const asr = compileAsrGrammar(g, { replies: dialogReplies(g) });
    for (const s of ["actually make it twenty one", "no only forty percent", "make it seventy five", "no only a quarter", "just half"]) expect(dfaAccepts(asr.dfa, s.split(" ")), s).toBe(true);
    for (const s of ["twenty one", "forty percent", "make it"]) expect(dfaAccepts(asr.dfa, s.split(" ")), s).toBe(false);
  });
  it("hears a value said as a follow-up ('and the kitchen too'), a colour for what was named, a request about 'it'", async () => {
    const { dialogReplies } = await import("../src/compile/replies.js");
    const asr = compileAsrGrammar(g, { replies: dialogReplies(g) });
    for (const s of ["and the kitchen too", "same in the living room", "also kitchen", "and make it red", "now make it red", "turn it off", "and the lights too", "the kitchen as well"])
      expect(dfaAccepts(asr.dfa, s.split(" ")), s).toBe(true);
    // a colour alone is too short a word to hear safely; follow-up words alone are nothing
    for (const s of ["red", "and", "too", "and too", "make it kitchen"]) expect(dfaAccepts(asr.dfa, s.split(" ")), s).toBe(false);
    // a grammar without on/off requests (the coffee maker) gets none of them
    const coffee = makeGrammar({ intents: { Order: [{ sentences: ["a {drink}"] }] }, lists: { drink: ["latte"] } });
    expect(dfaAccepts(compileAsrGrammar(coffee, { replies: dialogReplies(coffee) }).dfa, ["turn", "it", "off"])).toBe(false);
  });
});

describe("dfaToFsg", () => {
  const dfa = compileAsrGrammar(makeGrammar({ intents: { A: [{ sentences: ["go [home]"] }] } })).dfa;

  it("writes a Sphinx FSG with one final state and uniform outgoing probabilities", () => {
    const fsg = dfaToFsg(dfa, { name: "t" });
    expect(fsg).toBe(
      ["FSG_BEGIN t", "NUM_STATES 4", "START_STATE 0", "FINAL_STATE 3", "TRANSITION 0 1 1 go", "TRANSITION 1 2 0.500000 home", "TRANSITION 1 3 0.500000", "TRANSITION 2 3 1", "FSG_END", ""].join("\n"),
    );
  });

  it("adds a phone-loop garbage branch from the start state", () => {
    const fsg = dfaToFsg(dfa, { garbage: { words: ["ph_aa", "ph_b"], entryProb: 0.01 } });
    expect(fsg).toContain("NUM_STATES 6");
    expect(fsg).toContain("TRANSITION 0 1 0.990000 go");
    expect(fsg).toContain("TRANSITION 0 4 0.0100000");
    expect(fsg).toContain("TRANSITION 4 5 0.500000 ph_b");
    expect(fsg).toContain("TRANSITION 5 5 0.250000 ph_aa");
    expect(fsg).toContain("TRANSITION 5 3 0.500000");
  });

  it("adds common words heard alone as a branch of their own, from the start state to the end", () => {
    const fsg = dfaToFsg(dfa, { garbage: { words: ["ph_aa"], entryProb: 0.01, whole: { words: ["ph_w_four", "ph_w_left"], entryProb: 0.04 } } });
    expect(fsg).toContain("NUM_STATES 7");
    expect(fsg).toContain("TRANSITION 0 1 0.950000 go");
    expect(fsg).toContain("TRANSITION 0 6 0.0400000");
    expect(fsg).toContain("TRANSITION 6 3 0.500000 ph_w_four");
    expect(fsg).toContain("TRANSITION 6 3 0.500000 ph_w_left");
  });
});

/** Every sentence of a search graph with its probability (null transitions followed; small graphs only). */
function graphSentences(g: SearchGraph): Map<string, number> {
  const out = new Map<string, number>();
  const walk = (s: number, words: string[], p: number, depth: number): void => {
    if (depth > 40) throw new Error("cycle");
    if (g.final[s]) {
      const k = words.join(" ");
      out.set(k, Math.max(out.get(k) ?? 0, p * (g.final[s] as number)));
    }
    for (const a of g.arcs) if (a.from === s) walk(a.to, [...words, ...a.words], p * a.p, depth + 1);
    for (const x of g.nulls) if (x.from === s) walk(x.to, words, p * x.p, depth + 1);
  };
  walk(0, [], 1, 0);
  return out;
}

describe("search graph: compound words and factoring keep the language and its probabilities", () => {
  const grammar = makeGrammar({
    intents: {
      On: [{ sentences: ["(turn|switch) on [the] {name} [please]", "{name} on"] }],
      Off: [{ sentences: ["(turn|switch) off [the] {name} [please]"] }],
      Temp: [{ sentences: ["set [the] temperature to {n} [degrees] [please]"] }],
    },
    lists: { name: ["kitchen light", "living room lamp", "hallway lamp", "tv"], n: { kind: "range", from: 18, to: 23, step: 1, type: "temperature" } as NoName<SlotList> },
    skipWords: ["please"],
  });
  const dfa: WordDfa = compileAsrGrammar(grammar).dfa;
  const base = graphSentences(dfaGraph(dfa));

  it("the DFA graph has one entry per sentence of the DFA", () => {
    expect([...base.keys()].sort()).toEqual(enumerateDfa(dfa).sort());
  });

  it("compounding merges word chains: fewer states, the same sentences with the same probabilities", () => {
    const c = compoundGraph(dfaGraph(dfa), { maxWords: 4 });
    expect(c.states).toBeLessThan(dfa.arcs.length);
    expect(c.arcs.some((a) => a.words.length > 1)).toBe(true);
    expect(Math.max(...c.arcs.map((a) => a.words.length))).toBeLessThanOrEqual(4);
    const got = graphSentences(c);
    expect([...got.keys()].sort()).toEqual([...base.keys()].sort());
    for (const [s, p] of base) expect(got.get(s)).toBeCloseTo(p, 12);
  });

  it("factoring shares arc sets through null transitions without changing sentences or probabilities", () => {
    for (const g of [dfaGraph(dfa), compoundGraph(dfaGraph(dfa))]) {
      const f = factorGraph(g);
      expect(f.nulls.length).toBeGreaterThan(0);
      expect(f.arcs.length).toBeLessThan(g.arcs.length);
      const before = graphSentences(g);
      const got = graphSentences(f);
      expect([...got.keys()].sort()).toEqual([...before.keys()].sort());
      for (const [s, p] of before) expect(got.get(s)).toBeCloseTo(p, 12);
    }
  });

  it("writes compound words joined by '+' and alternative pronunciations as explicit arcs", () => {
    const c = compoundGraph(dfaGraph(dfa));
    const compound = c.arcs.find((a) => a.words.length > 1)!.words.join("+");
    const fsg = graphToFsg(c, { alternates: new Map([[compound, [`${compound}(2)`]]]) });
    const lines = fsg.split("\n").filter((l) => l.startsWith("TRANSITION"));
    const plain = lines.filter((l) => l.endsWith(` ${compound}`));
    const alt = lines.filter((l) => l.endsWith(` ${compound}(2)`));
    expect(plain.length).toBeGreaterThan(0);
    // the same arcs again, same states and probability, for the alternative
    expect(alt.map((l) => l.replace(/\(2\)$/, ""))).toEqual(plain);
    expect(fsg).toContain(`NUM_STATES ${c.states + 1}`);
  });

  it("dfaToFsg without options writes the DFA as before (the canonical form the grammar hash is taken from)", () => {
    expect(dfaToFsg(dfa, { factor: false })).toBe(graphToFsg(dfaGraph(dfa)));
  });
});

describe("unheard words", () => {
  it("leave out exactly the sentences that contain them, and nothing else", () => {
    const g = makeGrammar({
      intents: { Off: [{ sentences: ["(turn off|kill|shut off) [the] {thing}", "kill switch test"] }], Pause: [{ sentences: ["(hold|pause) [the] timer"] }] },
      lists: { thing: ["lights", "timer"] },
    });
    g.unheardWords = ["kill"];
    const dfa = compileAsrGrammar(g, { skipWords: false }).dfa;
    const heard = enumerateDfa(dfa, 1000);
    const all = expandAll(g, false);
    const expected = [...all].filter((s) => !s.split(" ").includes("kill")).sort();
    expect([...heard].sort()).toEqual(expected);
    expect(dfaAccepts(dfa, ["kill", "the", "lights"])).toBe(false);
    expect(dfaAccepts(dfa, ["turn", "off", "the", "lights"])).toBe(true);
  });
});

describe("value stops", () => {
  it("a sentence may stop where its number should come, and before its 'to'; nowhere else", () => {
    const g = makeGrammar({
      intents: { T: [{ sentences: ["set [the] temperature to {temperature} degrees", "turn on the fan"] }] },
      lists: { temperature: { kind: "range", from: 18, to: 22, step: 1, type: "temperature" } },
    });
    const dfa = compileAsrGrammar(g, { skipWords: false }).dfa;
    const stops = ["set the temperature to", "set the temperature", "set temperature to", "set temperature"];
    expect(new Set(enumerateDfa(dfa))).toEqual(new Set([...expandAll(g, false), ...stops]));
    expect(dfaAccepts(dfa, ["set", "the"])).toBe(false);
    expect(dfaAccepts(dfa, ["set", "the", "temperature", "to", "twenty"])).toBe(false);
    expect(dfaAccepts(dfa, ["turn", "on", "the"])).toBe(false);
    // An endpointer waits for the value there, and only there.
    const asr = compileAsrGrammar(g, { skipWords: false });
    const starts = new Set(asr.numberStarts);
    const at = (ws: string[]) => ws.reduce<number>((q, w) => dfa.arcs[q]!.get(w)!, 0);
    expect(valueExpected(dfa, at(["set", "the", "temperature", "to"]), "to", starts)).toBe(true);
    expect(valueExpected(dfa, at(["set", "the", "temperature"]), "temperature", starts)).toBe(true);
    expect(valueExpected(dfa, at(["turn", "on", "the", "fan"]), "fan", starts)).toBe(false);
  });
});
