// A request read without the words said around it ("the phone's ringing, pause the telly"): those words
// may be left out only when they change nothing about the request.
import type { Cues } from "./cues.js";
import { findLater } from "./when.js";

/**
 * Whether words said besides a request leave it as it is: no negation, time or condition, and no
 * correction, take-back or question ("turn on the kitchen lights, no, the hallway" is no reason).
 */
export function plainReason(reason: readonly string[], cues: Cues): boolean {
  // (and no vague amount: "set the thermostat to twenty… something")
  const sets = [cues.anywhere, cues.questionStart, cues.questionEmbedded, cues.correctionStart, cues.midCorrections.cues, cues.retractions, cues.amounts.vagueAfter];
  // A number said besides the request is its value more often than not ("cool my seat, level two", "nightlight on, 5%").
  if (reason.some((t) => /^\d/.test(t))) return false;
  // "honey, can you …": someone else is asked
  if (reason.length && reason.every((t) => cues.addressedWords.has(t))) return false;
  return sets.every((set) => !set.find(reason).length) && !findLater(reason, cues).length;
}
