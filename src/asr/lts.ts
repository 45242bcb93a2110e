// Letter-to-sound fallback for words the pronunciation dictionary lacks (new device names such as
// "Zigbeeplug" or "Hue"). soundswallower 0.6 exposes no g2p model, so this is a small ordered rule
// set: longest grapheme match first, with a few context rules (soft c/g, silent final e, doubled
// consonants). It is deliberately simple — a rough pronunciation still lets a grammar decoder pick
// the right word because competing words are few — and a dictionary hit always wins over it.
//
// Before falling back to rules, `compoundPronunciation` tries to split the word into dictionary words
// ("livingroom" → living + room) and strips a possessive/plural "s".

const VOWELS = new Set(["a", "e", "i", "o", "u", "y"]);

/** Ordered grapheme rules: [letters, phones, condition?]. Longer graphemes are tried first. */
type Cond = (word: string, i: number, len: number) => boolean;
const before = (set: string): Cond => (w, i, len) => set.includes(w[i + len] ?? "#");
const atEnd: Cond = (w, i, len) => i + len === w.length;
const atStart: Cond = (_w, i) => i === 0;
const notAtEnd: Cond = (w, i, len) => i + len < w.length;

const RULES: Array<[string, string, Cond?]> = [
  ["tion", "SH AH N"], ["sion", "ZH AH N"], ["ture", "CH ER"], ["ough", "AO"], ["augh", "AO"],
  ["eigh", "EY"], ["igh", "AY"], ["tch", "CH"], ["dge", "JH"], ["sch", "S K"], ["que", "K", atEnd],
  ["ght", "T"], ["wr", "R", atStart], ["kn", "N", atStart], ["gn", "N", atStart], ["ps", "S", atStart],
  ["wh", "W"], ["ph", "F"], ["sh", "SH"], ["ch", "CH"], ["th", "TH"], ["ng", "NG"], ["ck", "K"],
  ["qu", "K W"], ["ee", "IY"], ["ea", "IY"], ["ie", "IY", notAtEnd], ["ie", "AY", atEnd], ["ei", "IY"],
  ["oo", "UW"], ["ou", "AW"], ["ow", "OW", atEnd], ["ow", "AW"], ["oa", "OW"], ["oe", "OW"],
  ["ai", "EY"], ["ay", "EY"], ["oi", "OY"], ["oy", "OY"], ["au", "AO"], ["aw", "AO"], ["ew", "UW"],
  ["ue", "UW"], ["ui", "UW"], ["ey", "IY", atEnd], ["ey", "EY"],
  ["er", "ER"], ["ir", "ER"], ["ur", "ER"], ["ar", "AA R"], ["or", "AO R"],
  ["ce", "S IY", (w, i, l) => atEnd(w, i, l) && w.length <= 2], ["c", "S", before("eiy")], ["c", "K"],
  ["ge", "JH", atEnd], ["g", "JH", before("iy")], ["g", "G"], ["x", "Z", atStart], ["x", "K S"],
  ["y", "Y", (w, i) => i === 0 && !VOWELS.has(w[1] ?? "")], ["y", "Y", atStart], ["y", "IY", atEnd], ["y", "IH"],
  ["e", "", (w, i, l) => atEnd(w, i, l) && w.length > 2 && [...w.slice(0, -1)].some((c) => VOWELS.has(c))],
  ["e", "IY", (w, i, l) => atEnd(w, i, l)],
  ["a", "EY", (w, i) => magicE(w, i)], ["i", "AY", (w, i) => magicE(w, i)], ["o", "OW", (w, i) => magicE(w, i)],
  ["u", "UW", (w, i) => magicE(w, i)], ["o", "OW", atEnd],
  ["a", "AE"], ["e", "EH"], ["i", "IH"], ["o", "AA"], ["u", "AH"],
  ["b", "B"], ["d", "D"], ["f", "F"], ["h", "HH"], ["j", "JH"], ["k", "K"], ["l", "L"], ["m", "M"],
  ["n", "N"], ["p", "P"], ["q", "K"], ["r", "R"], ["s", "Z", (w, i, l) => atEnd(w, i, l) && i > 0 && !"ptkf".includes(w[i - 1] ?? "")],
  ["s", "S"], ["t", "T"], ["v", "V"], ["w", "W"], ["z", "Z"],
];

/** Vowel-consonant-final e ("lime", "cube"): the vowel says its name. */
function magicE(w: string, i: number): boolean {
  const c = w[i + 1];
  return c !== undefined && !VOWELS.has(c) && w[i + 2] === "e" && i + 3 === w.length;
}

/** Rule-based ARPAbet pronunciation of a lowercase word ("zigbee" → "Z IH G B IY"). */
export function letterToSound(word: string): string {
  const w = word.toLowerCase().replace(/[^a-z]/g, "");
  const phones: string[] = [];
  let i = 0;
  while (i < w.length) {
    // A doubled consonant sounds once ("ll", "tt").
    if (i > 0 && w[i] === w[i - 1] && !VOWELS.has(w[i] as string)) {
      i++;
      continue;
    }
    let matched = false;
    for (const [g, ph, cond] of RULES) {
      if (!w.startsWith(g, i) || (cond && !cond(w, i, g.length))) continue;
      if (ph) phones.push(...ph.split(" "));
      i += g.length;
      matched = true;
      break;
    }
    if (!matched) i++;
  }
  // Collapse identical neighbours produced across grapheme boundaries.
  const out = phones.filter((p, k) => p !== phones[k - 1]);
  return out.length ? out.join(" ") : "AH";
}

/**
 * Pronunciation from dictionary pieces: "livingroom" → living + room, "zigbee's" → zigbee + Z.
 * `lookup` returns the first pronunciation of a dictionary word or undefined.
 */
export function compoundPronunciation(word: string, lookup: (w: string) => string | undefined): string | undefined {
  const w = word.toLowerCase();
  for (const suffix of ["'s", "s"]) {
    if (w.length > suffix.length + 2 && w.endsWith(suffix)) {
      const stem = lookup(w.slice(0, -suffix.length));
      if (stem) return `${stem} ${/(S|Z|SH|ZH|CH|JH)$/.test(stem) ? "IH Z" : /(P|T|K|F|TH)$/.test(stem) ? "S" : "Z"}`;
    }
  }
  // Best split into at most three dictionary words, preferring fewer, longer parts.
  const split = (rest: string, parts: number): string[] | undefined => {
    if (!rest) return [];
    if (parts === 0) return undefined;
    for (let k = rest.length; k >= 2; k--) {
      const head = lookup(rest.slice(0, k));
      if (!head) continue;
      const tail = split(rest.slice(k), parts - 1);
      if (tail) return [head, ...tail];
    }
    return undefined;
  };
  const parts = split(w.replace(/[^a-z']/g, ""), 3);
  return parts && parts.length > 1 ? parts.join(" ") : undefined;
}
