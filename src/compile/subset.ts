// A grammar with only some of its intents: a satellite's own sentences (a home speaker decodes home
// requests, a cabin seat car ones: fewer confusions, a smaller search). Lists, rules and skip words
// stay; the hash names the subset, so compiled artifacts are cached per subset.
import { createHash } from "node:crypto";
import type { Grammar } from "../grammar/types.js";

export function subsetGrammar<G extends Grammar>(grammar: G, keep: (intent: string) => boolean, tag: string): G {
  const intents = new Map([...grammar.intents].filter(([name]) => keep(name)));
  if (intents.size === grammar.intents.size) return grammar;
  const hash = createHash("sha256").update(`${grammar.hash}\0subset\0${tag}\0${[...intents.keys()].join(",")}`).digest("hex");
  return { ...grammar, intents, hash };
}
