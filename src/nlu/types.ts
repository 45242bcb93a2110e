import type { SlotValue } from "../grammar/types.js";

/** One understood command. Slot values are canonical (numbers are numbers, names as in devices/). */
export interface IntentResult {
  intent: string;
  slots: Record<string, SlotValue>;
  /** 0..1: 1 for an exact template match, lower for tolerant matches. */
  confidence: number;
  /** Which engine produced it: "matcher", "slm", … */
  source: string;
}

export interface Understanding {
  text: string;
  intents: IntentResult[];
  /** Why nothing was understood (present only when intents is empty). */
  reason?: string;
}

/** A stage that turns text into intents: the matcher, the SLM, or a cascade of both. */
export interface Understander {
  understand(text: string): Understanding | Promise<Understanding>;
}
