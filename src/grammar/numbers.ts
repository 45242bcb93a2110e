// English number words <-> numbers, for the text normalizer and the sample generator.
// Templates and utterances go through the same normalization, so a conversion only has to be
// deterministic, not perfect: "one of the lights" becomes "1 of the lights" on both sides.

const CARDINALS = [
  "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
  "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen",
] as const;
const TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"] as const;

/** Word -> value for zero..nineteen and the tens. */
const VALUE = new Map<string, number>();
CARDINALS.forEach((w, i) => VALUE.set(w, i));
TENS.forEach((w, i) => { if (w) VALUE.set(w, i * 10); });

/** Ordinal -> the cardinal word it stands in for, used to spot compound ordinals ("twenty first"). */
const ORDINAL = new Map<string, string>([
  ["first", "one"], ["second", "two"], ["third", "three"], ["fourth", "four"], ["fifth", "five"],
  ["sixth", "six"], ["seventh", "seven"], ["eighth", "eight"], ["ninth", "nine"], ["tenth", "ten"],
  ["eleventh", "eleven"], ["twelfth", "twelve"], ["hundredth", "hundred"], ["thousandth", "thousand"],
]);
for (let i = 13; i < 20; i++) ORDINAL.set(`${CARDINALS[i]}th`, CARDINALS[i] as string);
for (let i = 2; i < 10; i++) ORDINAL.set(`${TENS[i]!.slice(0, -1)}ieth`, TENS[i] as string);

const NUMBER_TOKEN = /^-?\d+(?:\.\d+)?$/;

// Parser state (module-level to avoid allocating result tuples; the parser is not re-entrant).
/** Index just past the tokens consumed by the last successful parse. */
let end = 0;
/** Index of a token to read as its cardinal (ordinal probe), or -1. */
let probe = -1;

function word(t: readonly string[], k: number): string | undefined {
  const w = t[k];
  return k === probe && w !== undefined ? (ORDINAL.get(w) ?? w) : w;
}

function value(t: readonly string[], k: number): number {
  const w = word(t, k);
  return w === undefined ? -1 : (VALUE.get(w) ?? -1);
}

/** 1..99 at i ("seven", "fifteen", "twenty one"); -1 if none. */
function parseTens(t: readonly string[], i: number): number {
  const v = value(t, i);
  if (v < 1) return -1;
  end = i + 1;
  if (v >= 20) {
    const u = value(t, i + 1);
    if (u >= 1 && u <= 9) {
      end = i + 2;
      return v + u;
    }
  }
  return v;
}

/** 1..999 at i: "(one..nine|a) hundred [and] [1..99]" or 1..99; -1 if none. */
function parseGroup(t: readonly string[], i: number): number {
  let h = -1;
  if (word(t, i + 1) === "hundred") {
    if (word(t, i) === "a") h = 1;
    else {
      const v = value(t, i);
      if (v >= 1 && v <= 9) h = v;
    }
  }
  if (h < 0) return parseTens(t, i);
  const j = i + 2;
  const r = parseTens(t, word(t, j) === "and" ? j + 1 : j);
  if (r >= 0) return h * 100 + r;
  end = j;
  return h * 100;
}

/** 0..999999 at i; -1 if none. "and" is consumed only when a number follows it. */
function parseInteger(t: readonly string[], i: number): number {
  if (word(t, i) === "zero") {
    end = i + 1;
    return 0;
  }
  let g: number;
  if (word(t, i) === "a" && word(t, i + 1) === "thousand") {
    g = 1;
    end = i + 1;
  } else {
    g = parseGroup(t, i);
    if (g < 0) return -1;
  }
  if (word(t, end) !== "thousand") return g;
  const j = end + 1;
  const r = parseGroup(t, word(t, j) === "and" ? j + 1 : j);
  if (r >= 0) return g * 1000 + r;
  end = j;
  return g * 1000;
}

function isUnsignedInt(s: string): boolean {
  if (s.length === 0) return false;
  for (let k = 0; k < s.length; k++) {
    const c = s.charCodeAt(k);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/**
 * Read one number starting at i and set `end`. Returns its digit form, undefined if there is no
 * number at i, or "" for a compound ordinal ("twenty first") whose tokens [i, end) stay verbatim.
 */
function readNumber(t: readonly string[], i: number): string | undefined {
  const w = t[i];
  if (w === undefined) return undefined;
  let body: string;
  let decimal = false;
  if (isUnsignedInt(w)) {
    body = w; // digits pass through; only "and a half" attaches to them
    end = i + 1;
  } else {
    const v = parseInteger(t, i);
    if (v < 0) return undefined;
    // Compound ordinal: the next word (after an optional "and") would extend the number if it were a cardinal.
    const p = t[end] === "and" ? end + 1 : end;
    const o = t[p];
    // "second" after a number is a unit far more often than an ordinal ("seventy second timer").
    if (o !== undefined && o !== "second" && ORDINAL.has(o)) {
      const e0 = end;
      probe = p;
      parseInteger(t, i);
      probe = -1;
      if (end > p) {
        end = p + 1;
        return "";
      }
      end = e0;
    }
    body = String(v);
    if (t[end] === "point") {
      let k = end + 1;
      let digits = "";
      for (let d = value(t, k); d >= 0 && d <= 9; d = value(t, ++k)) digits += String(d);
      if (digits) {
        body += "." + digits;
        decimal = true;
        end = k;
      }
    }
  }
  // "and a half" is left as words: whether it belongs to the number ("21 and a half degrees") or to a
  // template ("{hours} and a half hours") only the grammar knows, so the matcher decides.
  void decimal;
  return body;
}

/**
 * Merge runs of number words (lower-cased tokens) into one digit token; everything else is untouched.
 * ["set","it","to","twenty","one","degrees"] -> ["set","it","to","21","degrees"].
 * Handles "one hundred and five" (105), "a hundred" (100), "two thousand twenty" (2020),
 * "twenty one point five" / "twenty one and a half" / "21 and a half" (21.5), "minus five" (-5).
 * Words that cannot continue a number start a new one: "five ten" -> ["5","10"].
 * Not converted: ordinals incl. compound ones ("twenty first"), "half", "oh", "a" not followed by
 * hundred/thousand, digit tokens (passed through as is). Note "one of the lights" -> "1 of the lights";
 * that is fine because templates are normalized the same way.
 */
/** `spans`, when given, receives for every output token the [start, end) of the input words it came from. */
export function wordsToNumbers(tokens: readonly string[], spans?: Array<[number, number]>): string[] {
  const out: string[] = [];
  const n = tokens.length;
  let i = 0;
  while (i < n) {
    const tok = tokens[i] as string;
    if ((tok === "minus" || tok === "negative") && i + 1 < n) {
      const s = readNumber(tokens, i + 1);
      if (s) {
        out.push("-" + s);
        spans?.push([i, end]);
        i = end;
        continue;
      }
    } else {
      const s = readNumber(tokens, i);
      if (s !== undefined) {
        if (s) out.push(s), spans?.push([i, end]);
        else for (let k = i; k < end; k++) out.push(tokens[k] as string), spans?.push([k, k + 1]);
        i = end;
        continue;
      }
    }
    out.push(tok);
    spans?.push([i, i + 1]);
    i++;
  }
  return out;
}

function below1000(n: number, parts: string[]): void {
  const h = Math.floor(n / 100);
  const r = n % 100;
  if (h) parts.push(CARDINALS[h] as string, "hundred");
  if (r >= 20) {
    parts.push(TENS[Math.floor(r / 10)] as string);
    if (r % 10) parts.push(CARDINALS[r % 10] as string);
  } else if (r) parts.push(CARDINALS[r] as string);
}

/**
 * Spoken form: 21 -> "twenty one", 105 -> "one hundred five" (no "and"), 21.5 -> "twenty one point five",
 * 0 -> "zero", -5 -> "minus five". Fraction digits are spoken one by one. |n| must be < 1,000,000.
 */
export function numberToWords(n: number): string {
  if (!Number.isFinite(n)) throw new RangeError(`numberToWords: not a finite number: ${n}`);
  if (n < 0) return "minus " + numberToWords(-n);
  const int = Math.trunc(n);
  if (int > 999_999) throw new RangeError(`numberToWords: out of range (max 999999): ${n}`);
  let s: string;
  if (int === 0) s = "zero";
  else {
    const parts: string[] = [];
    const th = Math.floor(int / 1000);
    if (th) {
      below1000(th, parts);
      parts.push("thousand");
    }
    below1000(int % 1000, parts);
    s = parts.join(" ");
  }
  if (int !== n) {
    const str = String(n);
    const dot = str.indexOf(".");
    if (dot < 0 || str.includes("e")) throw new RangeError(`numberToWords: unsupported precision: ${n}`);
    s += " point";
    for (let k = dot + 1; k < str.length; k++) s += " " + CARDINALS[str.charCodeAt(k) - 48];
  }
  return s;
}

/** A single token written in digits ("21", "21.5", "-3") -> its value; anything else -> undefined. */
export function parseNumberToken(token: string): number | undefined {
  return NUMBER_TOKEN.test(token) ? Number(token) : undefined;
}
