// hassil slot lists → hark lists. Value lists, number ranges and wildcards map one to one; what hark
// cannot hold (non-scalar outputs and contexts, words_language) is dropped with a warning.

import { isObject, type Json, type JsonMap, type YamlSource } from "./yamlio.js";

const RANGE_TYPES = new Set(["number", "percentage", "temperature"]);
const RANGE_KEYS = ["from", "to", "step", "type", "fractions", "multiplier", "digits", "words"];

/**
 * hassil wildcards take any number of words; hark bounds free text (8 words by default). Imported
 * wildcards get room for a long song title, shopping item or broadcast message, still below the
 * matcher's limit of 64 words per utterance.
 */
export const WILDCARD_MAX_WORDS = 32;

const scalar = (v: unknown): v is string | number => typeof v === "string" || typeof v === "number";

/**
 * Convert one hassil list definition found at `at` in `src`; undefined when nothing usable remains.
 * `metadata` (hassil passes it through to Home Assistant) means nothing to hark and is dropped silently.
 */
export function convertList(src: YamlSource, name: string, def: unknown, warnings: string[], at: (string | number)[] = ["lists", name]): Json | undefined {
  const warn = (msg: string, ...keys: (string | number)[]) => warnings.push(`${src.where(...at, ...keys)}: list "${name}": ${msg}`);
  if (!isObject(def)) {
    warn("must be a mapping, dropped");
    return undefined;
  }
  const out: JsonMap = {};
  if (def.values !== undefined) {
    if (!Array.isArray(def.values)) {
      warn("values must be a list, dropped", "values");
      return undefined;
    }
    const values: Json[] = [];
    def.values.forEach((v: unknown, i: number) => {
      const value = convertValue(v, (msg, ...keys) => warn(msg, "values", i, ...keys));
      if (value !== undefined) values.push(value);
    });
    out.values = values;
    if (def.multiple === true) out.multiple = true;
  } else if (def.range !== undefined) {
    const range = convertRange(def.range, (msg, ...keys) => warn(msg, "range", ...keys));
    if (!range) return undefined;
    out.range = range;
  } else if (def.wildcard === true) {
    out.wildcard = true;
    out.max_words = typeof def.max_words === "number" ? def.max_words : WILDCARD_MAX_WORDS;
    if (Array.isArray(def.examples)) out.examples = def.examples.filter((x): x is string => typeof x === "string");
  } else {
    warn("neither values, range nor wildcard; dropped");
    return undefined;
  }
  for (const k of Object.keys(def))
    if (!["values", "range", "wildcard", "multiple", "max_words", "examples", "metadata"].includes(k))
      warn(`"${k}" is not supported by hark, dropped`, k);
  return out;
}

type Warn = (msg: string, ...keys: (string | number)[]) => void;

function convertValue(v: unknown, warn: Warn): Json | undefined {
  if (scalar(v)) {
    if (typeof v === "string" && /[{}]/.test(v)) {
      warn(`value "${v}" uses a {slot} template, not allowed in hark lists; dropped`);
      return undefined;
    }
    return v;
  }
  if (!isObject(v) || !scalar(v.in)) {
    warn('value without a string "in", dropped');
    return undefined;
  }
  const inText = String(v.in);
  if (/[{}]/.test(inText)) {
    warn(`value "${inText}" uses a {slot} template, not allowed in hark lists; dropped`);
    return undefined;
  }
  const item: JsonMap = { in: inText };
  if (v.out === undefined || v.out === null) item.out = inText;
  else if (scalar(v.out)) item.out = v.out;
  else if (typeof v.out === "boolean") item.out = String(v.out);
  else {
    warn(`value "${inText}" has a non-scalar "out" (hark slot values are strings or numbers), dropped`);
    return undefined;
  }
  if (v.context !== undefined) {
    if (isObject(v.context)) {
      const ctx: JsonMap = {};
      for (const [k, c] of Object.entries(v.context))
        if (scalar(c)) ctx[k] = c;
        else if (typeof c === "boolean") ctx[k] = String(c);
        else warn(`context "${k}" is not a scalar (hark contexts hold one value per key), dropped`, "context", k);
      if (Object.keys(ctx).length) item.context = ctx;
    } else warn("context must be a mapping, dropped", "context");
  }
  for (const k of Object.keys(v))
    if (!["in", "out", "context", "metadata"].includes(k)) warn(`value key "${k}" not supported, dropped`, k);
  return item;
}

function convertRange(r: unknown, warn: Warn): JsonMap | undefined {
  if (!isObject(r) || typeof r.from !== "number" || typeof r.to !== "number") {
    warn("range needs numeric from and to, dropped");
    return undefined;
  }
  const range: JsonMap = { from: r.from, to: r.to };
  if (r.step !== undefined) {
    if (typeof r.step === "number" && r.step > 0) range.step = r.step;
    else warn("step must be a positive number, dropped", "step");
  }
  if (r.type !== undefined) {
    if (typeof r.type === "string" && RANGE_TYPES.has(r.type)) range.type = r.type;
    else warn(`range type "${String(r.type)}" not supported (number is used)`, "type");
  }
  if (r.fractions !== undefined && r.fractions !== null && r.fractions !== false) {
    if (r.fractions === "halves" || r.fractions === "tenths") range.fractions = r.fractions;
    else warn(`fractions "${String(r.fractions)}" not supported, dropped`, "fractions");
  }
  if (r.multiplier !== undefined) {
    if (typeof r.multiplier === "number") range.multiplier = r.multiplier;
    else warn("multiplier must be a number, dropped", "multiplier");
  }
  for (const k of ["digits", "words"] as const)
    if (r[k] !== undefined) {
      if (typeof r[k] === "boolean") range[k] = r[k];
      else warn(`${k} must be true or false, dropped`, k);
    }
  for (const k of Object.keys(r))
    if (!RANGE_KEYS.includes(k)) warn(`range key "${k}" not supported, dropped`, k);
  return range;
}
