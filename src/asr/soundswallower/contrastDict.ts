// The contrast decoder's dictionary: every word of the grammar's DFA as a plain word (the main
// decoder's dictionary of a large grammar holds compound words "living+room" instead), with the
// same alternative pronunciations and letter-to-sound guesses. Cached by the DFA's hash.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { AsrGrammar } from "../../compile/fsg.js";
import { fileStamp, hash, loadDictionary, restrictDictionary, writeAtomic, type AcousticModel } from "./model.js";

export interface ContrastDictionary {
  path: string;
  /** Word → pronunciations (primary first), for ranking competitors by how alike they sound. */
  prons: Map<string, string[]>;
  /** Word → its alternate entries ("the" → ["the(2)"]), written as parallel FSG arcs. */
  alternates: Map<string, string[]>;
}

const VERSION = 1;

export function contrastDictionary(asr: AsrGrammar, model: Pick<AcousticModel, "dict">, cache: string): ContrastDictionary {
  const key = hash([`contrast-dict${VERSION}`, asr.hash, fileStamp(model.dict), "lts1"].join("\n")).slice(0, 20);
  const path = join(cache, "asr", "grammars", `${key}.contrast.dict`);
  if (!existsSync(path)) writeAtomic(path, restrictDictionary(loadDictionary(model.dict), asr.words).text);
  return { path, ...parseDictionary(readFileSync(path, "utf8")) };
}

/** Pronunciations and alternate entries of a (small) CMUdict-format text. */
function parseDictionary(text: string): Pick<ContrastDictionary, "prons" | "alternates"> {
  const prons = new Map<string, string[]>();
  const alternates = new Map<string, string[]>();
  for (const line of text.split("\n")) {
    const sp = line.indexOf(" ");
    if (sp <= 0) continue;
    const entry = line.slice(0, sp);
    const m = /^(.*)\((\d+)\)$/.exec(entry);
    const word = m ? m[1]! : entry;
    (prons.get(word) ?? prons.set(word, []).get(word)!).push(line.slice(sp + 1).trim());
    if (m) (alternates.get(word) ?? alternates.set(word, []).get(word)!).push(entry);
  }
  return { prons, alternates };
}
