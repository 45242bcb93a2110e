// The output language for one utterance: the model may only name what the user said. Device, area and
// floor values are the placeholders of the delexicalized utterance (src/nlu/slm/delex.ts), and numbers
// those that occur in it ("21", and 21.5 for "21 and a half", which the normalizer leaves to the grammar).
// Everything else the grammar can say (intent names, slot keys, enumerated values) stays. A narrower
// language means no invented names, no mangled numbers ("volume 2" decoded as "22"), and more steps with
// one admissible token, which the decoder appends without asking the model (jump-forward). Free text
// (a list item, a destination, a search) is a run of the utterance's own words: "play some jazz" cannot
// come out as a search for "some relaxing piano music".
import { parseNumberToken } from "../../grammar/numbers.js";
import type { Delexed } from "./delex.js";
import type { OutputSpec } from "./format.js";

export interface Narrowed {
  spec: OutputSpec;
  /** Equal keys ⇔ equal languages (for caching compiled constraints). */
  key: string;
}

/** Numbers an utterance (normalized: number words already digits) can fill a numeric slot with. */
export function spokenNumbers(text: string): string[] {
  const toks = text.split(" ");
  const out = new Set<string>();
  toks.forEach((t, i) => {
    const n = parseNumberToken(t);
    if (n === undefined) return;
    out.add(String(n));
    if (toks[i + 1] === "and" && (toks[i + 2] === "half" || (toks[i + 2] === "a" && toks[i + 3] === "half"))) out.add(String(n + 0.5));
  });
  return [...out].sort();
}

export function narrowSpec(spec: OutputSpec, delex: Delexed): Narrowed {
  const values = new Map(spec.values);
  const keyParts: string[] = [];
  for (const list of spec.spoken.keys()) {
    const k = [...delex.slots].filter(([, v]) => v.list === list).map(([ph]) => ph);
    values.set(list, { kind: "enum", values: k });
    keyParts.push(`${list}=${k.join("|")}`);
  }
  // The car's places: those said ("the rear left window" is no passenger's), and those a sentence sets itself.
  const words = ` ${delex.said ?? delex.text} `;
  for (const [list, { forms, fixed }] of spec.said) {
    const k = [...forms].filter(([value, fs]) => fixed.has(value) || fs.some((f) => words.includes(` ${f} `))).map(([value]) => value);
    values.set(list, { kind: "enum", values: k });
    keyParts.push(`${list}=${k.join("|")}`);
  }
  const numbers = spokenNumbers(delex.text);
  // Only numbers in the list's range: "fan speed eleven" (levels 1-10) cannot come out as level 11.
  const saidFor = new Set<string>();
  for (const [list, v] of spec.values)
    if (v.kind === "number") {
      const within = numbers.filter((n) => Number(n) >= v.from && Number(n) <= v.to);
      if (within.length) saidFor.add(list);
      // (and in its steps: no 0.5 % brightness; halves for a temperature)
      const k = within.filter((n) => Number.isInteger(Number(n) * v.per));
      values.set(list, { kind: "enum", values: k });
      keyParts.push(`${list}#=${k.join("|")}`);
    }
  // A number said for a slot is its value: the values sentences set without a number ("full brightness"
  // → 100, "a minute timer" → 1) do not stand in for it ("bedside lamp to 10 percent" is not 100).
  const inRange = (l: string) => saidFor.has(l);
  const intents = spec.intents.map((i) =>
    i.slots.some((x) => x.lists.some(inRange) && x.fixed.some(numeric))
      ? { ...i, slots: i.slots.map((x) => (x.lists.some(inRange) ? { ...x, fixed: x.fixed.filter((f) => !numeric(f)) } : x)) }
      : i,
  );
  let texts = false;
  for (const [list, v] of spec.values) {
    if (v.kind !== "text") continue;
    // Runs of the words as said: a message may name a room ("tell everyone the laundry is done").
    values.set(list, { kind: "enum", values: spans(delex.said ?? delex.text, v.maxWords) });
    texts = true;
  }
  if (texts) keyParts.push(`text=${delex.said ?? delex.text}`);
  return { spec: { ...spec, intents, values }, key: keyParts.join(";") };
}

const numeric = (v: string) => /^-?\d+(\.\d+)?$/.test(v);

/** Every run of 1…maxWords words of the utterance that names no placeholder: what free text may be. */
export function spans(text: string, maxWords: number): string[] {
  const w = text.split(" ").filter(Boolean);
  const out = new Set<string>();
  for (let i = 0; i < w.length; i++) {
    for (let j = i; j < w.length && j - i < maxWords; j++) {
      if (w[j]!.startsWith("@")) break;
      out.add(w.slice(i, j + 1).join(" "));
    }
  }
  return [...out];
}
