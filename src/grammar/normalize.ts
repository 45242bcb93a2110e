// Text normalization shared by templates and utterances: both go through the same function,
// so whatever the user says and whatever the template writes meet as the same tokens.
import { wordsToNumbers } from "./numbers.js";

const REPLACEMENTS: Array<[RegExp, string]> = [
  [/[’‘`´]/g, "'"],
  [/%/g, " percent "],
  // a letter drawn out ("pleeeease", "sooo", "nooo"): said once (three or more of one letter are in no English word)
  [/(\p{L})\1{2,}/gu, "$1"],
  // texting shorthand, before digits and letters are parted ("is it gonna rain 2day", "nvm")
  [/\b2day\b/gi, "today"],
  [/\b2nite\b/gi, "tonight"],
  [/\b2morrow\b/gi, "tomorrow"],
  [/\bnvm\b/gi, "never mind"],
  [/°\s*[cf]\b/gi, " degrees "],
  [/°/g, " degrees "],
  [/(\d),(\d{3})/g, "$1$2"], // 1,000 → 1000
  [/(\d)([a-z])/gi, "$1 $2"], // 21c, 5min → 21 c, 5 min
  [/(^|\s)[-−–](?=\d)/g, "$1minus "], // "-10" is "minus 10", as said (and as normalizing it twice gives)
  [/[^\p{L}\p{N}'.\s]+/gu, " "], // punctuation except apostrophes and decimal points
  [/(?<!\d)\.|\.(?!\d)/g, " "], // a dot is kept only between digits
  [/(^|\s)'+|'+(?=\s|$)/g, " "], // quotes, not apostrophes
  // Contractions typed or transcribed without their apostrophe, where no other word is spelt so
  // ("im cold", "dont", "whats", "shes"); "its", "lets", "were", "well", "ill" are words of their own.
  [/\b(i)m\b/g, "$1'm"],
  [/\b(i|you|we|they)ve\b/g, "$1've"],
  [/\b(you|they)re\b/g, "$1're"],
  [/\b(do|does|did|is|are|was|were|has|have|had|could|would|should|must|need)nt\b/g, "$1n't"],
  [/\b(ca)nt\b/g, "$1n't"],
  [/\bwont\b/g, "won't"],
  [/\b(that|what|there|where|who|how|here|he|she)s\b/g, "$1's"],
  // "its like a sauna", "its so dark": "its" before what only "it's" goes on with ("its bulb" stays)
  [/\bits(?= (?:like|so|too|very|really|a|an|getting|gonna|going|been|not|kinda|pretty|way|super|ever|all|quite|rather|just|still|freezing|boiling|cold|hot|dark|late|early|bedtime|daytime|movie|nap)\b)/g, "it's"],
  // "turn em off"
  [/\bem\b/g, "them"],
  // a prefix a recognizer wrote apart ("un lock the front door"): one word, as said
  [/\bun (lock|locked|locking|plug|plugged|pause|paused|mute|muted)\b/g, "un$1"],
];

/** Lower-case, strip punctuation, split into words, and merge number words into digit tokens. */
export function normalizeTokens(text: string): string[] {
  return normalizeWithWords(text).tokens;
}

/** The tokens plus the words they came from (before number words became digits): free text
 *  ("add two pounds of beef to the list") is given back as said. */
export function normalizeWithWords(text: string): { tokens: string[]; words: string[]; spans: Array<[number, number]> } {
  let t = text.toLowerCase();
  for (const [re, rep] of REPLACEMENTS) t = t.replace(re, rep);
  const words = t.split(/\s+/).filter((w) => w.length > 0);
  const spans: Array<[number, number]> = [];
  return { tokens: wordsToNumbers(words, spans), words, spans };
}

export function normalizeText(text: string): string {
  return normalizeTokens(text).join(" ");
}
