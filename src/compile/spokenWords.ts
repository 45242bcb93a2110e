// Spoken-word tokenization for the ASR grammar and dictionary.
// Grammar text is written for readers ("Set 21%", "I'd like", "drip-coffee"); the decoder needs the
// words a speaker says, in the dictionary's spelling (lowercase, apostrophes kept inside words).
import { numberToWords } from "../grammar/numbers.js";

const DIGITS = /^-?\d+(?:\.\d+)?$/;

/** "Set 21.5%, please" → ["set", "twenty", "one", "point", "five", "percent", "please"]. */
export function spokenWords(text: string): string[] {
  const spaced = text
    .toLowerCase()
    .replace(/%/g, " percent ")
    .replace(/&/g, " and ")
    .replace(/°/g, " degrees ")
    .replace(/[‘’`´]/g, "'")
    .replace(/[^a-z0-9'.\-\s]/g, " ")
    .replace(/-/g, " ");
  const out: string[] = [];
  for (const raw of spaced.split(/\s+/)) {
    if (!raw) continue;
    // Keep a decimal point only inside a number; strip stray quotes and dots at the edges.
    const tok = DIGITS.test(raw) ? raw : raw.replace(/\./g, " ").trim();
    for (const t of tok.split(/\s+/)) {
      const w = t.replace(/^'+|'+$/g, "");
      if (!w) continue;
      if (DIGITS.test(w)) out.push(...numberToWords(Number(w)).split(" "));
      else if (/\d/.test(w)) out.push(...w.split(/(\d+)/).flatMap((p) => (p ? (/^\d+$/.test(p) ? numberToWords(Number(p)).split(" ") : [p]) : [])));
      else out.push(w);
    }
  }
  return out;
}
