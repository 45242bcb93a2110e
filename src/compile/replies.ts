// Dialog replies for the ASR grammar: what a user says back to hark's questions. The matcher does not
// need these (src/dialog/phrases.ts and the dialog's answer handling understand them), but the
// grammar ASR only hears what its FSG contains, so `hark run` adds them as extra top-level
// alternatives of the ASR grammar (`AsrGrammarOptions.replies`), never as grammar intents.
import type { Grammar } from "../grammar/types.js";

/** Yes / no / cancel answers to a confirmation (the spoken subset of src/dialog/phrases.ts). */
export const REPLY_PHRASES: readonly string[] = [
  // yes
  "yes", "yeah", "yep", "yup", "sure", "ok", "okay", "correct", "right", "affirmative", "do it", "go ahead",
  "yes please", "yes do it", "yeah do it", "yeah go ahead", "please do", "confirm", "confirmed", "absolutely", "of course", "that's right",
  // no
  "no", "nope", "nah", "don't", "do not", "no thanks", "no thank you", "negative", "not now", "no don't", "wait no",
  // cancel
  "never mind", "cancel", "cancel that", "stop", "forget it", "forget about it", "abort", "stop it", "that's all", "nothing",
];

/** Lists whose bare values answer the dialog's usual questions ("Which room?", "Which side?"). */
export const REPLY_LISTS: readonly string[] = ["area", "name", "floor", "zone", "side", "seat"];

/**
 * Follow-ups in the follow-up window (src/dialog/ellipsis.ts): a value said with what announces it as one
 * ("and the bedroom too", "same for the passenger"), and requests about what was just named ("turn it
 * off", "make it blue"). Without them a grammar recognizer rejects the second turn of a spoken dialog.
 */
export const FOLLOW_UP_LEADS: readonly string[] = ["and", "also", "now", "and also", "and now", "same for", "same in", "and the same for", "what about", "how about"];
export const FOLLOW_UP_TRAILS: readonly string[] = ["too", "as well", "also"];
/** Requests about what was just named; only for grammars with on/off requests. */
export const PRONOUN_PHRASES: readonly string[] = [
  "turn it on", "turn it off", "switch it on", "switch it off", "turn them on", "turn them off", "turn it up", "turn it down",
  "close it", "open it", "close it again", "open it again", "lock it", "unlock it", "close them", "open them",
  "make it brighter", "make it dimmer", "make it warmer", "make it cooler", "make it louder", "make it quieter",
  "a bit more", "a little more", "a bit less", "a little less", "more", "less", "play it again",
  // a step for the lights just named; the same for the speaker's own seat ("and mine too")
  "brighter", "dimmer", "a bit brighter", "a bit dimmer", "a little brighter", "a little dimmer",
  "and mine too", "and mine", "mine too", "and for me", "and me too", "same for me", "and my side too",
];

/** What a new number for the previous request is said with ("actually make it twenty one"; never a number alone). */
export const NEW_VALUE_LEADS: readonly string[] = ["make it", "actually make it", "no make it", "set it to", "actually", "no", "only", "no only", "just", "actually just"];
export const NEW_VALUE_TRAILS: readonly string[] = ["degrees", "percent", "instead", "please"];
/** Amounts said in words as a new value ("no, only a quarter"). */
export const NEW_VALUE_WORDS: readonly string[] = ["a quarter", "half", "halfway", "three quarters"];

/** Kinds of device a follow-up may name ("and the lights too"; src/dialog/ellipsis.ts KINDS). */
export const FOLLOW_UP_KINDS: readonly string[] = ["lights", "light", "lamp", "lamps", "fan", "blinds", "curtains", "shades", "shutters"];

export interface AsrReplies {
  /** Whole phrases accepted on their own ("yes", "never mind"). */
  phrases?: readonly string[];
  /** Value lists whose values are accepted on their own, with or without "the" ("kitchen", "the kitchen"). */
  lists?: readonly string[];
  /** Words that may come before ("and", "same for") and after ("too") a list value said alone. */
  followUps?: { leads: readonly string[]; trails: readonly string[]; lists: readonly string[] };
  /** A new number for the previous request: its lead words, the 0–100 range list it is said from, what may follow. */
  newValues?: { leads: readonly string[]; list: string; trails: readonly string[] };
}

/**
 * The replies a voice dialog over `grammar` needs: yes/no/cancel phrases and the bare values of the
 * lists it may ask for — REPLY_LISTS plus the value lists of every slot that has a prompt or is required.
 * Only lists of kind "values" are included (ranges and wildcards would blow up the graph).
 */
export function dialogReplies(grammar: Grammar): Required<Omit<AsrReplies, "newValues">> & Pick<AsrReplies, "newValues"> {
  const lists = new Set<string>();
  const add = (name: string | null | undefined): void => {
    if (name && grammar.lists.get(name)?.kind === "values") lists.add(name);
  };
  for (const name of REPLY_LISTS) add(name);
  for (const intent of grammar.intents.values())
    for (const slot of intent.slots.values()) if (slot.required || slot.prompt) add(slot.list ?? (grammar.lists.has(slot.name) ? slot.name : null));
  const requests = grammar.intents.has("HassTurnOn") && grammar.intents.has("HassTurnOff");
  // "and make it blue": a colour said about what was just named.
  const colours = requests && grammar.lists.get("color")?.kind === "values" ? ["color"] : [];
  const percent = [...grammar.lists.entries()].find(([, l]) => l.kind === "range" && l.type === "percentage" && l.from === 0 && l.to === 100)?.[0];
  return {
    ...(requests && percent ? { newValues: { leads: [...NEW_VALUE_LEADS], list: percent, trails: [...NEW_VALUE_TRAILS] } } : {}),
    phrases: [
      ...REPLY_PHRASES,
      ...(requests ? NEW_VALUE_LEADS.flatMap((l) => NEW_VALUE_WORDS.map((w) => `${l} ${w}`)) : []),
      ...(requests ? PRONOUN_PHRASES : []),
      ...(requests ? FOLLOW_UP_LEADS.flatMap((l) => FOLLOW_UP_KINDS.flatMap((k) => [`${l} the ${k}`, ...FOLLOW_UP_TRAILS.map((t) => `${l} the ${k} ${t}`)])) : []),
    ],
    lists: [...lists].sort(),
    followUps: requests ? { leads: [...FOLLOW_UP_LEADS], trails: [...FOLLOW_UP_TRAILS], lists: [...lists, ...colours].sort() } : { leads: [], trails: [], lists: [] },
  };
}
