// Costs of the edits the tolerant matcher may make. Small words are cheap to drop or add (ASR loses
// them first); content words are expensive, so an unknown device name is not forced onto a known one.

const FUNCTION_WORDS = new Set([
  "the", "a", "an", "my", "our", "your", "to", "of", "in", "on", "at", "for", "is", "are", "it", "me",
  "this", "that", "some", "up", "please", "and", "with", "be", "can", "you", "i", "would", "could", "so",
]);

/** Words that flip a command's meaning: never guessed, never dropped cheaply ("turn on" ≠ "turn off"). */
const POLARITY = new Set([
  "on", "off", "open", "close", "closed", "lock", "unlock", "up", "down", "start", "stop", "pause", "resume",
  "increase", "decrease", "raise", "lower", "warmer", "cooler", "hotter", "colder", "louder", "quieter", "next", "previous",
  "not", "don't", "no", "cancel", "activate", "deactivate", "enable", "disable", "mute", "unmute", "unpause", "shut",
  "dim", "brighten", "arm", "disarm", "connect", "disconnect",
]);

/** "deactivate" for "activate", "unlock" for "lock": a prefix that negates is no mishearing to forgive. */
function negatedForm(a: string, b: string): boolean {
  const [short, long] = a.length < b.length ? [a, b] : [b, a];
  return /^(de|dis|un|in|non)$/.test(long.slice(0, long.length - short.length)) && long.endsWith(short);
}
const POLARITY_COST = 1.7;

export function deleteCost(word: string): number {
  if (POLARITY.has(word)) return POLARITY_COST;
  return FUNCTION_WORDS.has(word) ? 0.45 : 1.1;
}

export function insertCost(word: string): number {
  if (POLARITY.has(word)) return POLARITY_COST;
  return FUNCTION_WORDS.has(word) ? 0.4 : 1.0;
}

/** Cheap for near-spellings (plural, misheard ending); numbers are never substituted. */
export function substituteCost(expected: string, heard: string): number {
  if (/^\d/.test(expected) || /^\d/.test(heard)) return Infinity;
  if (POLARITY.has(expected) || POLARITY.has(heard) || negatedForm(expected, heard)) return Infinity;
  const sim = 1 - levenshtein(expected, heard) / Math.max(expected.length, heard.length);
  if (FUNCTION_WORDS.has(expected) && FUNCTION_WORDS.has(heard)) return 0.5;
  if (sim < 0.65) return Infinity; // unrelated words ("washer" for "dishwasher"): a guess, not a mishearing
  return 0.25 + 1.4 * (1 - sim);
}

export function levenshtein(a: string, b: string): number {
  if (a === b) return 0;
  const prev = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length]!;
}
