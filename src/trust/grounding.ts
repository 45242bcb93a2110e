// Grounding: every slot value hark acts on must come from the utterance. A value the understander
// produced that the user never said (an SLM's guess, a tolerant match's substitution) is dropped when
// the dialog can fill it from context or ask for it (a room, a seat), and sinks the reading otherwise
// (a device name, a number, a destination).
import type { SlotValue } from "../grammar/types.js";
import { normalizeTokens } from "../grammar/normalize.js";
import type { IntentResult } from "../nlu/types.js";
import type { Cues } from "./cues.js";
import type { PhraseSet } from "./phrases.js";
import type { Knowledge } from "./knowledge.js";

export interface GroundingRules {
  /** Slots whose values are meanings, not words (a direction inferred from "I'm cold"). */
  inferable: readonly string[];
  /** Slots the dialog can fill from context or ask for: an unsaid value is dropped, not fatal. */
  droppable: readonly string[];
}

export const DEFAULT_GROUNDING: GroundingRules = {
  inferable: ["domain", "device_class", "direction", "state", "action", "feature"],
  droppable: ["area", "zone", "window", "seat", "side"],
};

export interface Grounded {
  /** The intent without its dropped values (undefined when the reading is sunk). */
  intent?: IntentResult;
  dropped: Array<{ slot: string; value: SlotValue }>;
  /** The value that sank the reading. */
  unsaid?: { slot: string; value: SlotValue };
}

/** Plural and possessive forms meet ("lights" / "light", "kid's" / "kids"). */
const stem = (t: string): string => t.replace(/'s$|s'$/, "").replace(/(?<=[a-z]{3})(es|s)$/, "");

/** Whether the phrase is said; `inside`: spans a shorter phrase never counts in ("all" in "all the way"). */
function contains(tokens: readonly string[], phrase: readonly string[], inside: ReadonlyArray<{ start: number; end: number }> = []): boolean {
  if (!phrase.length) return false;
  const hay = tokens.map(stem);
  const needle = phrase.map(stem);
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let k = 0; k < needle.length; k++) if (hay[i + k] !== needle[k]) continue outer;
    if (inside.some((h) => h.start <= i && i + needle.length <= h.end && h.end - h.start > needle.length)) continue;
    return true;
  }
  return false;
}

/**
 * Is the number in the utterance? A number said with a unit that cannot be this kind of number does not
 * count: "set the heat pump to twenty percent" names no temperature, "thirty centimetres" no position.
 */
function numberSaid(tokens: readonly string[], value: number, cues: Cues, multiplier = 1, kind?: string): boolean {
  const fits = (i: number) => kind === undefined || unitAllows(tokens[i + 1] ?? "", kind, cues);
  const said = new Set(tokens.flatMap((t, i) => (/^-?\d+(?:\.\d+)?$/.test(t) && fits(i) ? [Number(t)] : [])));
  if (said.has(value) || said.has(value / multiplier)) return true;
  // "21 and a half" → 21.5
  if (!Number.isInteger(value) && said.has(Math.floor(value)) && tokens.includes("half")) return true;
  return cues.numberWords.find(tokens).some((h) => h.tag === value);
}

/** Words that name nothing: articles, or nothing but little words ("of the"; cues.yaml `vague_values`). */
function littleWords(words: readonly string[], cues: Cues): boolean {
  if (words.every((w) => cues.nameArticles.has(w))) return true;
  return cues.vagueValues.find(words).some((h) => h.start === 0 && h.end === words.length);
}

/** Is this slot value in the words of the utterance (or, for "here", the speaker's own area)? */
export function valueSaid(intent: string, slot: string, value: SlotValue, tokens: readonly string[], k: Knowledge, cues: Cues): boolean {
  const lists = k.listsOf(intent, slot);
  if (!lists.length) return contains(tokens, normalizeTokens(String(value)));
  // "all the way" names no value called "all" (but is itself the value 100 of "all the way").
  const idioms = cues.noValue.find(tokens);
  for (const list of lists) {
    if (list.kind === "values") {
      // One leading article may be left out ("both back windows" says "the back"), when what is left
      // still names something: "all of the" without "all" is the "of the" of "a quarter of the way".
      const forms = k.formsOf(list, value).flatMap((f) => (f.length > 1 && cues.nameArticles.has(f[0]!) && !littleWords(f.slice(1), cues) ? [f, f.slice(1)] : [f]));
      // (an article grounds a number only before a unit: "a minute" is 1, the "a" of "set a timer" is no second)
      const unitAfter = (f: string[]) => tokens.some((_, n) => f.every((w, j) => tokens[n + j] === w) && cues.numberUnits.has(tokens[n + f.length] ?? ""));
      if (forms.some((f) => (typeof value === "number" && littleWords(f, cues) ? unitAfter(f) : contains(tokens, f, idioms)))) return true;
      if (contains(tokens, normalizeTokens(String(value)), idioms)) return true;
    } else if (list.kind === "range") {
      if (typeof value === "number" && numberSaid(tokens, value, cues, list.multiplier, list.type)) return true;
      if (typeof value === "string" && Number.isFinite(Number(value)) && numberSaid(tokens, Number(value), cues, list.multiplier, list.type)) return true;
    } else {
      const words = normalizeTokens(String(value));
      if (words.length && words.every((w) => tokens.includes(w))) return true;
    }
  }
  return false;
}

/**
 * A number no list of its slot can give ("make it 40" after "set the fan to 4": levels go to 10): the slot
 * and its bounds. Readings of the grammar never hold one; a value a follow-up says again may.
 */
export function outOfRange(intent: IntentResult, k: Knowledge): { slot: string; value: number; from: number; to: number } | undefined {
  for (const [slot, value] of Object.entries(intent.slots)) {
    if (typeof value !== "number") continue;
    const lists = k.listsOf(intent.intent, slot);
    const ranges = lists.flatMap((l) => (l.kind === "range" ? [l] : []));
    if (!ranges.length) continue;
    const fits = lists.some((l) =>
      l.kind === "range" ? value / (l.multiplier ?? 1) >= l.from && value / (l.multiplier ?? 1) <= l.to : l.kind === "values" && l.values.some((v) => v.out === value),
    );
    if (!fits) return { slot, value, from: Math.min(...ranges.map((r) => r.from)), to: Math.max(...ranges.map((r) => r.to)) };
  }
  return undefined;
}

/** Whether a unit word may stand for the intent's slot ("percent" for a temperature may not; words that are no unit may). */
export function unitFits(intent: string, slot: string, unit: string, k: Knowledge, cues: Cues): boolean {
  if (!cues.numberUnits.has(unit)) return true;
  return k.listsOf(intent, slot).some((l) => l.kind !== "range" || unitAllows(unit, l.type, cues));
}

/** Whether a word after a number lets it be this kind of number (a range list's `type`): any word that is no unit does. */
function unitAllows(word: string, kind: string, cues: Cues): boolean {
  return cues.numberUnits.get(word)?.has(kind) ?? true;
}

/** Languages without direction words in cues.yaml are not checked. */
function directionSaid(tokens: readonly string[], cues: Cues): boolean {
  if (!cues.directionWords.size) return true;
  // ("i'm going up", "the kids are up early": no value's words, no direction either)
  const idioms = cues.noValue.find(tokens);
  const free = (h: { start: number; end: number }) => !idioms.some((i) => i.start <= h.start && h.end <= i.end);
  return cues.directionWords.find(tokens).some(free) || cues.directionWords.find(tokens.map(stem)).some(free);
}

/**
 * The words for what the reading does ("off", "close" …; cues.yaml `action_words`), keyed by intent or
 * by intent and one slot value ("CabinWindow action=close"; a named device's domain counts as its
 * `domain`). Readings without a key are not checked; a key for the device's domain ("HassTurnOff
 * domain=lock": unlock) is the only one that counts ("close the back door" does not unlock it).
 */
function actionSaid(intent: IntentResult, tokens: readonly string[], cues: Cues, k: Knowledge): boolean {
  const named = intent.slots.domain === undefined && typeof intent.slots.name === "string" ? k.domainOf(intent.slots.name) : undefined;
  const slots = named ? { ...intent.slots, domain: named } : intent.slots;
  const keys = [intent.intent, ...Object.entries(slots).map(([slot, v]) => `${intent.intent} ${slot}=${String(v)}`)];
  const stems = tokens.map(stem);
  const found = (set: PhraseSet<"action">) => set.find(tokens).length > 0 || set.find(stems).length > 0;
  // Words that ask for the opposite ("make more cold" read as warmer): never this reading.
  if (keys.some((key) => { const c = cues.contraryWords.get(key); return c !== undefined && found(c); })) return false;
  const domainKey = keys.find((key) => key.includes(" domain=") && cues.actionWords.has(key));
  const sets = domainKey ? [cues.actionWords.get(domainKey)!] : keys.flatMap((key) => cues.actionWords.get(key) ?? []);
  if (!sets.length) return true;
  return sets.some(found);
}

/** Domains without words in cues.yaml are not checked. */
function domainSaid(domain: string, tokens: readonly string[], cues: Cues): boolean {
  if (!cues.wordedDomains.has(domain)) return true;
  // ("it's still light out" names daylight, no lamp)
  const idioms = cues.noValue.find(tokens);
  const ours = (h: { start: number; end: number; tag: string }) => h.tag === domain && !idioms.some((i) => i.start <= h.start && h.end <= i.end);
  return cues.domainWords.find(tokens.map(stem)).some(ours) || cues.domainWords.find(tokens).some(ours);
}

export function groundIntent(intent: IntentResult, tokens: readonly string[], k: Knowledge, cues: Cues, rules: GroundingRules = DEFAULT_GROUNDING): Grounded {
  const dropped: Grounded["dropped"] = [];
  // What the SLM says to do needs a word for it: "the windows are all fogged up" closes nothing.
  if (intent.source === "slm" && !actionSaid(intent, tokens, cues, k)) return { dropped, unsaid: { slot: "action", value: intent.intent } };
  let slots = intent.slots;
  for (const [slot, value] of Object.entries(intent.slots)) {
    // A kind of device the SLM chose ("the bedroom tv" read as the bedroom's lights): the user must have named it.
    if (slot === "domain" && intent.source === "slm" && intent.slots.name === undefined && !domainSaid(String(value), tokens, cues)) return { dropped, unsaid: { slot, value } };
    // A direction the SLM inferred needs a word that points somewhere ("cold", "louder", "up").
    if (slot === "direction" && intent.source === "slm" && !directionSaid(tokens, cues)) return { dropped, unsaid: { slot, value } };
    if (rules.inferable.includes(slot)) continue;
    if (valueSaid(intent.intent, slot, value, tokens, k, cues)) continue;
    if (!rules.droppable.includes(slot)) return { dropped, unsaid: { slot, value } };
    dropped.push({ slot, value });
    const { [slot]: _gone, ...rest } = slots;
    slots = rest;
  }
  return { intent: slots === intent.slots ? intent : { ...intent, slots }, dropped };
}

/** A place or device said that a reading left out or read as another value. */
export interface UnreadName {
  slot: string;
  /** The words said. */
  words: string;
  /** The value they name, when the slot's list has exactly one value said. */
  value?: SlotValue;
}

/**
 * A place or device the user named that a reading which is not word for word left out or read as
 * another: "close driver window" read as "close the passenger window", "bathroom desk lamp off" as
 * "the bathroom lights off". `skip`: token positions that name nothing (free text, a time). Names a
 * value the reading keeps stand for their device's area and floor ("the fan in the office").
 */
export function unreadName(intent: IntentResult, tokens: readonly string[], k: Knowledge, cues: Cues, skip: ReadonlySet<number> = new Set()): UnreadName | undefined {
  if (!cues.namedLists.length) return undefined;
  const spans = (slot: string, value?: SlotValue): Array<{ a: number; b: number; value: SlotValue; context?: Record<string, SlotValue> }> => {
    const out: Array<{ a: number; b: number; value: SlotValue; context?: Record<string, SlotValue> }> = [];
    for (const list of k.listsOf(intent.intent, slot)) {
      if (list.kind !== "values" || !cues.namedLists.includes(list.name)) continue;
      for (const v of list.values) {
        if (value !== undefined && String(v.out) !== String(value)) continue;
        for (const form of k.formsOf(list, v.out)) {
          // One leading article may be left out ("driver window" for "the driver window").
          const f = form.length > 1 && cues.nameArticles.has(form[0]!) ? form.slice(1) : form;
          if (f.every((w) => cues.nameArticles.has(w))) continue;
          for (let i = 0; i + f.length <= tokens.length; i++)
            if (f.every((w, j) => tokens[i + j] === w)) out.push({ a: i, b: i + f.length, value: v.out, ...(v.context ? { context: v.context } : {}) });
        }
      }
    }
    return out;
  };
  const slots = k.slotsOf(intent.intent);
  // What the reading's own values cover ("kitchen" inside the Kitchen Speaker it names).
  const read = new Set<number>();
  const found = new Set<string>();
  const implied = new Map<string, string>();
  for (const s of slots) {
    if (intent.slots[s] === undefined) continue;
    for (const h of spans(s, intent.slots[s])) {
      found.add(s);
      for (let i = h.a; i < h.b; i++) read.add(i);
      for (const [ck, cv] of Object.entries(h.context ?? {})) implied.set(ck, String(cv).toLowerCase());
    }
  }
  // A slot left out, or filled with a value not said (the SLM's "passenger" for "driver window").
  for (const s of slots) {
    if (found.has(s)) continue;
    const all = spans(s);
    const said = all.filter((h) => {
      for (let i = h.a; i < h.b; i++) if (read.has(i) || skip.has(i)) return false;
      // "rear" inside "rear right": the longer name is what was said.
      if (all.some((o) => o !== h && o.a <= h.a && h.b <= o.b && o.b - o.a > h.b - h.a)) return false;
      // A device the reading already takes in ("the fan" of "the fans in the office"); a room is never
      // taken in by its floor ("the upstairs bathroom" is not the whole upstairs).
      const ctx = Object.entries(h.context ?? {});
      if (s === "name" && intent.slots[s] === undefined && ctx.some(([ck]) => intent.slots[ck] !== undefined) && ctx.every(([ck, cv]) => intent.slots[ck] === undefined || String(intent.slots[ck]).toLowerCase() === String(cv).toLowerCase())) return false;
      return implied.get(s) !== String(h.value).toLowerCase();
    });
    if (!said.length) continue;
    const values = new Set(said.map((h) => String(h.value)));
    const first = said[0]!;
    return { slot: s, words: tokens.slice(first.a, first.b).join(" "), ...(values.size === 1 ? { value: first.value } : {}) };
  }
  return undefined;
}
