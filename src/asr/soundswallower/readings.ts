// "Does this sentence mean something else?" for the evidence's competitors: hark's own matcher,
// compiled from the same grammar the ASR grammar comes from, in exact mode (competitors are grammar
// sentences, so no tolerance is needed, and exact search is the fast path).
import { compileGraph } from "../../compile/graph.js";
import type { Expr, Grammar } from "../../grammar/types.js";
import { Matcher } from "../../nlu/matcher.js";
import { rangeForms } from "../../compile/fsg.js";
import { spokenWords } from "../../compile/spokenWords.js";
import type { ReadingOf } from "./evidence.js";

export function matcherReadings(grammar: Grammar): ReadingOf {
  const matcher = new Matcher(compileGraph(grammar));
  return (text) => {
    const intents = matcher.understand(text, { fuzzy: false }).intents.map((i) => ({ intent: i.intent, slots: i.slots }));
    if (!intents.length) return undefined;
    // Slot order does not change the meaning.
    const key = JSON.stringify(intents.map((i) => [i.intent, Object.entries(i.slots).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))]));
    return { key, intents };
  };
}

/**
 * Words that occur in slot values (list values, spoken numbers, wildcard examples) and nowhere in
 * the sentence templates around the slots: "soy", "latte", "kitchen", "twenty". A competitor that
 * adds, drops or swaps one of them says another value, so its understanding need not be checked
 * one sentence at a time (the matcher costs ≈ 0.2 ms a sentence); the winner still is.
 */
export function valueWords(grammar: Grammar): Set<string> {
  const values = new Set<string>();
  const carrier = new Set<string>();
  const walk = (e: Expr, into: Set<string>, seen: Set<string>): void => {
    switch (e.type) {
      case "text":
        for (const w of spokenWords(e.text)) into.add(w);
        return;
      case "seq":
      case "alt":
      case "perm":
        for (const it of e.items) walk(it, into, seen);
        return;
      case "rule": {
        if (seen.has(e.name)) return;
        seen.add(e.name);
        const r = grammar.rules.get(e.name);
        if (r) walk(r.expr, into, seen);
        return;
      }
      case "slot":
        return; // list words are collected from the lists themselves
    }
  };
  for (const list of grammar.lists.values()) {
    if (list.kind === "values") for (const v of list.values) walk(v.in, values, new Set());
    else if (list.kind === "range") for (const f of rangeForms(list, Infinity)) for (const w of f) values.add(w);
    else for (const ex of list.examples) for (const w of spokenWords(ex)) values.add(w);
  }
  for (const intent of grammar.intents.values())
    for (const block of intent.data) {
      for (const s of block.sentences) walk(s.expr, carrier, new Set());
      for (const r of block.rules.values()) walk(r.expr, carrier, new Set());
    }
  for (const r of grammar.rules.values()) walk(r.expr, carrier, new Set());
  for (const w of grammar.skipWords) for (const x of spokenWords(w)) carrier.add(x);
  for (const w of carrier) values.delete(w);
  return values;
}
