import type { SlotValue } from "../grammar/types.js";
import type { Rephrasing } from "./rephrase.js";

/** One understood command. Slot values are canonical (numbers are numbers, names as in devices/). */
export interface IntentResult {
  intent: string;
  slots: Record<string, SlotValue>;
  /** 0..1: 1 for an exact template match, lower for tolerant matches. */
  confidence: number;
  /** Which engine produced it: "matcher", "slm", … */
  source: string;
  /**
   * Slots the matched sentence takes from where it was said (`requires_context: {area: {slot: true}}`:
   * "turn on the lights in here" means the satellite's room). Absent when the engine cannot tell (the SLM).
   */
  fromContext?: string[];
  /** The matched sentence's own response key in the grammar ("hello", "data"), when it names one. */
  response?: string;
  /** How the engine got there, for the trust policy (src/trust): what `confidence` was computed from. */
  evidence?: {
    /** Matcher: the edit cost of a tolerant match (words dropped, added or swapped); 0 = word for word. */
    tolerance?: number;
    /** SLM: the model's probability of this reading (intent or none) at its first decision. */
    probability?: number;
    /** SLM: the smallest share of the model's probability the grammar's language admitted (low: it wanted something else). */
    fit?: number;
  };
}

export interface Understanding {
  text: string;
  intents: IntentResult[];
  /** Why nothing was understood (present only when intents is empty). */
  reason?: string;
  /** The words as the grammar read them when they were said another way ("the phone's ringing, pause the telly"). */
  rephrased?: Rephrasing;
}

/** A stage that turns text into intents: the matcher, the SLM, or a cascade of both. */
export interface Understander {
  understand(text: string): Understanding | Promise<Understanding>;
}
