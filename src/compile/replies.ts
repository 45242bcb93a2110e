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

export interface AsrReplies {
  /** Whole phrases accepted on their own ("yes", "never mind"). */
  phrases?: readonly string[];
  /** Value lists whose values are accepted on their own, with or without "the" ("kitchen", "the kitchen"). */
  lists?: readonly string[];
}

/**
 * The replies a voice dialog over `grammar` needs: yes/no/cancel phrases and the bare values of the
 * lists it may ask for — REPLY_LISTS plus the value lists of every slot that has a prompt or is required.
 * Only lists of kind "values" are included (ranges and wildcards would blow up the graph).
 */
export function dialogReplies(grammar: Grammar): Required<AsrReplies> {
  const lists = new Set<string>();
  const add = (name: string | null | undefined): void => {
    if (name && grammar.lists.get(name)?.kind === "values") lists.add(name);
  };
  for (const name of REPLY_LISTS) add(name);
  for (const intent of grammar.intents.values())
    for (const slot of intent.slots.values()) if (slot.required || slot.prompt) add(slot.list ?? (grammar.lists.has(slot.name) ? slot.name : null));
  return { phrases: [...REPLY_PHRASES], lists: [...lists].sort() };
}
