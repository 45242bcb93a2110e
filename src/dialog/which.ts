// What a request leaves open, asked back before anything is done:
// - "open the back window" in a car with two back windows: one window was asked for, and which one is
//   not known. The car's lists read "the back" as both rear seats (right for "the back windows"); said
//   in the singular it is asked back ("Which window: the rear left or the rear right?") and the answer
//   ("the left one") picks among those alone.
// - "turn it up" out of the blue: "it" may be the music or the heating; the grammar's reading (the
//   volume) is asked back.
import type { SlotValue } from "../grammar/types.js";
import { normalizeText } from "../grammar/normalize.js";
import type { IntentResult } from "../nlu/types.js";
import type { Pending, SessionInfo } from "./types.js";

/** Car slots whose value may stand for several seats, and the noun a request names them with. */
const GROUP_SLOTS: Record<string, { slot: string; noun: string }> = {
  CabinWindow: { slot: "window", noun: "window" },
  CabinSeatHeating: { slot: "seat", noun: "seat" },
  CabinSeatVentilation: { slot: "seat", noun: "seat" },
};
/** The seats a group value stands for (the car's lists: "the back" → rear). */
const GROUPS: Record<string, string[]> = { rear: ["rear_left", "rear_right"] };

/** A question for one of several seats the singular request could mean; undefined when it names one (or says all of them). */
export function whichOne(intents: readonly IntentResult[], text: string, session: SessionInfo): Pending | undefined {
  if (session.profile !== "car") return undefined;
  const words = normalizeText(text);
  for (const i of intents) {
    const g = GROUP_SLOTS[i.intent];
    const value = g ? i.slots[g.slot] : undefined;
    const among = typeof value === "string" ? GROUPS[value] : undefined;
    if (!g || !among) continue;
    // "the back window" (one) against "the back windows", "both back windows", "the back seats".
    const singular = new RegExp(`\\b(?:back|rear) ${g.noun}\\b(?!s)`).test(words) && !/\b(both|all|every|each|two)\b/.test(words);
    if (!singular) continue;
    const spoken = among.map((s) => `the ${s.replace(/_/g, " ")}`);
    return {
      intents: intents.map((x) => (x === i ? { ...x, slots: Object.fromEntries(Object.entries(x.slots).filter(([k]) => k !== g.slot)) } : x)),
      slot: g.slot,
      prompt: `Which ${g.noun}: ${spoken.slice(0, -1).join(", ")} or ${spoken[spoken.length - 1]}?`,
      attempts: 1,
      among: { values: among, all: value },
    };
  }
  return undefined;
}

/** Words of "turn it up" that name nothing ("could you turn it up a bit please"). */
const PLAIN = new Set(["turn", "crank", "bump", "it", "that", "this", "up", "down", "please", "a", "bit", "little", "more", "some", "just", "can", "could", "would", "you", "will"]);
const REFERENT = /\b(?:turn|crank|bump) (?:it|that|this) (?:up|down)\b/;

/** "turn it up" with nothing said before it: what "it" is, is not known. */
export function noReferent(intents: readonly IntentResult[], text: string, previous: readonly IntentResult[] | undefined): boolean {
  if (previous?.length || !intents.length || intents.some((i) => i.slots.name !== undefined)) return false;
  const words = normalizeText(text);
  return REFERENT.test(words) && words.split(" ").every((w) => PLAIN.has(w));
}

/**
 * The one of `among` an answer names: the words of its spoken forms (the slot's list) that no other
 * candidate's forms have ("left" for rear_left against rear_right), or its own name.
 */
export function pickAmong({ values: among, all }: NonNullable<Pending["among"]>, answer: string, forms: (v: SlotValue) => string[]): SlotValue | undefined {
  const said = new Set(normalizeText(answer).split(" "));
  if (all !== undefined && ["both", "all", "each"].some((w) => said.has(w))) return all;
  const wordsOf = (v: SlotValue) => new Set([...forms(v), String(v).replace(/_/g, " ")].flatMap((f) => normalizeText(f).split(" ")));
  const own = among.map((v, n) => {
    const others = new Set(among.filter((_, m) => m !== n).flatMap((o) => [...wordsOf(o)]));
    return [...wordsOf(v)].filter((w) => w && !others.has(w));
  });
  const hit = among.filter((_, n) => own[n]!.some((w) => said.has(w)));
  return hit.length === 1 ? hit[0] : undefined;
}
