// Learners' English put the owner after the thing: "close the light of the staircase", "the window of
// the driver", "the lights of kitchen". Said the English way ("the staircase light") the request is a
// sentence of the grammar; the resolver tries that reading when the words as said were not one.
import { normalizeTokens } from "../grammar/normalize.js";

/** Words that end the owner phrase after "of" ("the lights of kitchen and …", "… of the bedroom to 20"). */
const END = new Set(["and", "to", "on", "in", "at", "please", "for", "with", "not", "but", "then", "also", "too", "now", "so"]);
const ARTICLES = new Set(["the", "my", "our", "a"]);
/** Words before "of" that are amounts or phrases of their own ("a lot of", "all of the lights", "a quarter of the way", "out of"). */
const NOT_THINGS = new Set(["lot", "lots", "bit", "couple", "some", "all", "most", "none", "one", "both", "each", "half", "quarter", "quarters", "third", "out", "because", "instead", "kind", "sort", "top", "end", "rest", "any", "many", "few", "of"]);

/** The text with each "<thing> of [the] <owner>" said as "<owner> <thing>"; undefined when there is none. */
export function ownerFirst(text: string): string | undefined {
  const w = normalizeTokens(text);
  const out: string[] = [];
  let changed = false;
  for (let i = 0; i < w.length; i++) {
    const thing = out[out.length - 1];
    if (w[i] === "of" && thing !== undefined && !ARTICLES.has(thing) && !NOT_THINGS.has(thing) && !/^\d/.test(thing) && i + 1 < w.length) {
      let j = i + 1;
      while (j < w.length && ARTICLES.has(w[j]!)) j++;
      let k = j;
      while (k < w.length && k - j < 3 && !END.has(w[k]!)) k++;
      if (k > j) {
        out.pop();
        out.push(...w.slice(j, k), thing);
        i = k - 1;
        changed = true;
        continue;
      }
    }
    out.push(w[i]!);
  }
  return changed ? out.join(" ") : undefined;
}
