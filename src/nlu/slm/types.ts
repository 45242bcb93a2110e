// Types shared by the SLM's input side (delex.ts) and output side (format.ts), kept apart so that
// neither imports the other's types back.
import type { SlotValue } from "../../grammar/types.js";

/** Per intent: ordered slot names and, per slot, the list name (null: fixed values only). */
export interface OutputSpec {
  intents: Array<{ name: string; slots: Array<{ slot: string; list: string | null; lists: string[]; fixed: string[] }> }>;
  /** list name → spoken (normalized) → canonical value, for SPOKEN_LISTS. */
  spoken: Map<string, Map<string, SlotValue>>;
  /** canonical device name → its domain (the placeholder's prefix). */
  domains: Map<string, string>;
  /**
   * `${list}\0${value}` of the names, areas and floors that some sentence can take as a slot value (its
   * context constraints admit them). Only these become placeholders: the car's seats and windows are
   * devices too, but the cabin intents take "driver"/"passenger" from the words.
   */
  actionable: Set<string>;
  /**
   * The car's places (SAID_LISTS): list name → canonical value → its spoken forms (normalized, without a
   * leading "the"), and the values some sentence sets without saying them ("open the windows" → all).
   * Per utterance only the values said, and those, may come out (src/nlu/slm/narrow.ts).
   */
  said: Map<string, { forms: Map<string, string[]>; fixed: Set<string> }>;
  /** list name → admissible output strings (enumerable lists), "number" or "text". */
  values: Map<string, { kind: "enum"; values: string[] } | { kind: "number"; from: number; to: number; per: number } | { kind: "text"; maxWords: number }>;
}
