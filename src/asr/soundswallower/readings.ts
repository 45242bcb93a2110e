// "Does this sentence mean something else?" for the evidence's competitors: hark's own matcher,
// compiled from the same grammar the ASR grammar comes from, in exact mode (competitors are grammar
// sentences, so no tolerance is needed, and exact search is the fast path).
import { compileGraph } from "../../compile/graph.js";
import type { Grammar } from "../../grammar/types.js";
import { Matcher } from "../../nlu/matcher.js";
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
