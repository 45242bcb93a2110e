// A request read without the words said around it ("the phone's ringing, pause the telly"): those words
// may be left out only when they change nothing about the request.
import type { IntentResult } from "../nlu/types.js";
import type { Cues } from "./cues.js";
import { findLater } from "./when.js";

/** Words that make the words after them a reason or a purpose, not a sentence of their own. */
const SUBORDINATORS = new Set(["so", "because", "cause", "cos", "coz", "since"]);

/**
 * Whether words said besides a request leave it as it is: no negation, time or condition, and no
 * correction, take-back or question ("turn on the kitchen lights, no, the hallway" is no reason).
 */
export function plainReason(reason: readonly string[], cues: Cues, reading: readonly IntentResult[] = []): boolean {
  // "…, it's six in the morning and they're blinding": the time now is no time to wait for, nor a value
  const clock = cues.clockNow.atStart(reason);
  if (clock) return plainReason(reason.slice(clock.end), cues, reading);
  // A reason about another topic than the request's ("it's cold, turn it up" read as the volume): the
  // request may not be what it seems; judged on every word said.
  const own = new Set(reading.map((i) => cues.topics.intents.get(i.intent)));
  if (reading.length && !own.has(undefined) && cues.topics.words.find(reason).some((h) => !own.has(h.tag))) return false;
  // (and no vague amount: "set the thermostat to twenty… something")
  // ("so I can see what I'm chopping", "because I can't see where I'm going": a question word in a reason asks nothing)
  const subordinate = SUBORDINATORS.has(reason[0] ?? "");
  const sets = [cues.anywhere, ...(subordinate ? [] : [cues.questionEmbedded]), cues.correctionStart, cues.midCorrections.cues, cues.retractions, cues.amounts.vagueAfter];
  // (a question starts the reason: "are" in "my legs are cold" asks nothing)
  if (!subordinate && cues.questionStart.atStart(reason)?.tag === "question") return false;
  // A number or amount said besides the request is its value more often than not ("cool my seat, level
  // two", "nightlight on, 5%", "just a quarter, open the rear window", "a bit, lower the blind").
  if (reason.some((t) => /^\d/.test(t) || cues.amounts.words.has(t)) || cues.partial.find(reason).length) return false;
  // "I'm writing a song called …": the request is quoted
  if (cues.quoting.has(reason[reason.length - 1] ?? "")) return false;
  // "honey, can you …": someone else is asked
  if (reason.length && reason.every((t) => cues.addressedWords.has(t))) return false;
  return sets.every((set) => !set.find(reason).length) && !findLater(reason, cues).length;
}
