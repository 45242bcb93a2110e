// Lexical paraphrase for SLM training: the grammar's own words swapped for WordNet synonyms, so the
// model meets "cut the lamp", "shut the shades", "i'm freezing" without anyone writing them. WordNet's
// senses are broad ("heater" is also a fastball), so a sense is kept only when the domain vouches
// for it: a verb sense must share its synset with another word the grammar uses ("turn off" with
// "switch off"), a noun sense must be a kind of thing a home or a car has (an artifact, a room, a
// sound…), an adjective sense is the most frequent one. Words that carry a command's polarity or
// amount are never touched.
import type { Random } from "../../compile/random.js";
import { glossFrequency, senses, type Pos } from "./wordnet.js";

/** Word → the words that may replace it in a training utterance, per part of speech. */
export type Lexicon = Map<string, Array<{ pos: Pos; words: string[] }>>;

/** What a noun sense must be a kind of for the home/car domain to vouch for it. */
const NOUN_ANCHORS = ["artifact", "structure", "room", "area", "region", "location", "sound", "auditory communication", "atmospheric phenomenon", "natural phenomenon", "time period", "measure", "property"];

/** Never replaced: function words, polarity and amount words, and words WordNet misreads here. */
const KEEP = new Set([
  "on", "off", "up", "down", "in", "out", "all", "it", "a", "an", "the", "i", "me", "my", "one", "more", "less", "much", "many", "no", "not", "don't",
  "is", "are", "be", "am", "do", "does", "will", "can", "could", "would", "what", "how", "which", "who", "when", "where", "please", "and", "then",
  "open", "close", "lock", "unlock", "warmer", "cooler", "higher", "lower", "next", "previous", "last", "first", "second", "third", "back", "front",
  "left", "right", "rear", "driver", "passenger", "percent", "degrees", "degree", "minutes", "minute", "hours", "hour", "seconds", "half", "full",
  "max", "maximum", "minimum", "min", "all", "every", "here", "there", "this", "that", "these", "those", "now", "again", "bit", "little", "lot",
  "nevermind", "cancel", "yes", "no", "okay", "ok", "stop", "pause", "resume", "unpause", "mute", "unmute", "skip", "hey", "hark",
]);

/** Verbs too general to vouch for a sense ("jazz" shares a synset with "have" and "know"). */
const GENERIC_VERBS = new Set(["have", "get", "make", "do", "go", "know", "take", "give", "put", "be", "see", "come", "let", "hold", "keep", "say", "tell", "run", "set", "find", "play", "want", "need", "show", "work", "start", "stop", "turn", "check", "read", "hear", "bring", "leave", "lie", "move", "change", "knock", "tap"]);

/** Synonyms that are right in WordNet but wrong in a command ("set" → "lay", "pose"), and colour words' "chromatic". */
const BAD = new Set(["lay", "pose", "lour", "cut", "get", "do", "ride", "pick", "engage", "mesh", "operate", "euphony", "vocal", "way", "bulk", "mass", "firm", "business firm", "fastball", "smoke", "hummer", "bullet", "chromatic", "wrong", "dead", "cold", "hot", "bed", "know", "horny", "sexy", "aroused", "cum", "ejaculate", "semen", "seminal fluid", "seed", "idle words", "wind", "upset", "can", "john", "privy", "caller", "airy", "buoyant", "lighter-than-air", "lightweight", "low-density", "visible radiation", "visible light"]);

/** A replacement must be common English: every word seen at least this often in WordNet's glosses. */
const MIN_FREQUENCY = 3;

function usable(w: string, freq: Map<string, number>): boolean {
  return /^[a-z][a-z' -]*[a-z]$/.test(w) && !BAD.has(w) && w.split(" ").length <= 3 && w.split(/[ -]/).every((x) => (freq.get(x) ?? 0) >= MIN_FREQUENCY);
}

/**
 * The lexicon for a grammar's vocabulary (its sampled utterances): unigrams and bigrams that WordNet
 * knows, each with the synonyms of the senses the domain vouches for.
 */
export function buildLexicon(utterances: Iterable<string>): Lexicon {
  const vocab = new Set<string>();
  for (const u of utterances) {
    const w = u.split(" ").filter(Boolean);
    w.forEach((x, i) => {
      vocab.add(x);
      if (i + 1 < w.length) vocab.add(`${x} ${w[i + 1]}`);
    });
  }
  const freq = glossFrequency();
  const lex: Lexicon = new Map();
  for (const term of vocab) {
    if (term.length < 3 || /\d|@/.test(term) || term.split(" ").some((w) => KEEP.has(w) && !term.includes(" "))) continue;
    if (!term.includes(" ") && KEEP.has(term)) continue;
    const entries: Array<{ pos: Pos; words: string[] }> = [];
    for (const pos of ["verb", "noun", "adj"] as Pos[]) {
      const out = new Set<string>();
      const add = (words: string[]) => words.filter((w) => w !== term && usable(w, freq)).forEach((w) => out.add(w));
      for (const s of senses(term, pos).slice(0, pos === "adj" ? 1 : 2)) {
        if (pos === "verb" && s.words.some((w) => w !== term && vocab.has(w) && !GENERIC_VERBS.has(w))) add(s.words);
        else if (pos === "noun" && NOUN_ANCHORS.some((a) => s.kindOf.has(a))) add(s.words);
        // Participles ("turned", "closed") are verbs in a command, whatever WordNet's adjective senses say.
        else if (pos === "adj" && !/(ed|ing)$/.test(term)) add([...s.words, ...s.similar]);
      }
      if (out.size) entries.push({ pos, words: [...out].sort() });
    }
    // Bigrams only where they are a WordNet phrase ("turn off"), not any two adjacent words.
    if (entries.length) lex.set(term, entries);
  }
  return lex;
}

/**
 * One word (or two-word phrase) of `text` replaced by a synonym, when one is in the lexicon and is not
 * part of what the output copies (`keep`: slot values said in the utterance must stay as said).
 */
export function paraphraseLexically(text: string, lex: Lexicon, rng: Random, keep: (word: string) => boolean): string {
  const w = text.split(" ");
  const spots: Array<{ i: number; n: number; words: string[] }> = [];
  for (let i = 0; i < w.length; i++) {
    for (const n of [2, 1]) {
      if (i + n > w.length) continue;
      const entries = lex.get(w.slice(i, i + n).join(" "));
      if (!entries || w.slice(i, i + n).some(keep)) continue;
      const role = roleAt(w, i);
      for (const e of entries) if (e.pos === role) spots.push({ i, n, words: e.words });
    }
  }
  if (!spots.length) return text;
  const s = rng.pick(spots);
  w.splice(s.i, s.n, rng.pick(s.words));
  return w.join(" ");
}

const BEFORE_NOUN = new Set(["the", "a", "an", "my", "our", "your", "this", "that", "all", "some", "any", "every", "each", "his", "her", "their"]);
const BEFORE_ADJ = new Set(["is", "are", "am", "i'm", "it's", "we're", "too", "so", "very", "really", "bit", "feel", "feeling", "getting", "quite", "way", "super", "pretty", "kinda", "little", "it", "be"]);

/**
 * What a word is where it stands, from the word before it (a command's syntax is simple): after a
 * determiner or a placeholder a noun, after "is"/"too"/"so" an adjective, else a verb. "switch" in
 * "switch on the fan" is not the electrical switch.
 */
function roleAt(w: string[], i: number): Pos {
  const prev = i > 0 ? w[i - 1]! : "";
  if (BEFORE_NOUN.has(prev) || prev.startsWith("@")) return "noun";
  if (BEFORE_ADJ.has(prev)) return "adj";
  return "verb";
}
