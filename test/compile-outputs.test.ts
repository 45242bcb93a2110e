import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { compileGbnf } from "../src/compile/gbnf.js";
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

describe("JSGF for the ASR", () => {
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

describe("GBNF for the SLM", () => {
  it("enumerates intents, their slot keys and canonical values", () => {
    const gbnf = compileGbnf(g);
    expect(gbnf).toMatch(/^root ::= "none" \| intent \(" ; " intent\)\*$/m);
    expect(gbnf).toContain(`intent-hassturnon ::= "HassTurnOn" (" area=" list-area)? (" domain=" "light")?`);
    expect(gbnf).toContain(`list-area ::= "kitchen" | "living_room"`);
    expect(gbnf).toMatch(/intent-navigateto ::= "NavigateTo" \(" destination=" list-destination\)\?/);
    expect(gbnf).toContain("list-brightness ::= number");
  });
});

describe("responses", () => {
  it("fills slot values into the intent's template", () => {
    expect(renderResponse(g, "HassTurnOn", { area: "living_room" })).toBe("Turned on the living room lights");
    expect(renderResponse(g, "NavigateTo", {})).toBeUndefined();
  });
});
