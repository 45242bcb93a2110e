// Self-corrections said after the start of a request. Said last, a retraction takes the request back
// ("uh turn on the kitchen light, no wait"); said in the middle, a correction repairs what came before
// it ("turn on the pendants, I mean the cabinet lights" → "turn on the cabinet lights"). A correction
// at the very start ("no wait, turn them off") is judge.ts's frame: what follows is the request.
import type { Understanding } from "../nlu/types.js";
import type { Cues } from "./cues.js";
import type { PhraseHit } from "./phrases.js";

/** Words after a retraction that change nothing ("…, no wait, sorry"). */
const TRAILING_FILLERS = new Set(["um", "uh", "er", "erm", "hmm", "please", "sorry", "ok", "okay", "then", "actually", "thanks"]);

/** Hesitations after which a request may start again ("turn on the uh turn off the lights"). */
const RESTART_FILLERS = new Set(["uh", "um", "er", "erm", "uhm", "hmm", "ah"]);

export type SelfCorrection =
  | { kind: "retracted"; cue: PhraseHit<"retraction"> }
  | { kind: "corrected"; cue: PhraseHit<"correction">; head: string[]; tail: string[] };

/**
 * A retraction that ends the utterance (after at least one word of request), else the first
 * correction with request words on both sides. Cues inside `blocked` (known names) are not cues.
 */
export function findSelfCorrection(tokens: readonly string[], cues: Pick<Cues, "retractions" | "correctionStart" | "midCorrections">, blocked: ReadonlySet<number>): SelfCorrection | undefined {
  let end = tokens.length;
  while (end > 0 && TRAILING_FILLERS.has(tokens[end - 1]!)) end--;
  for (let i = 1; i < end; i++) {
    const h = cues.retractions.at(tokens, i, blocked);
    if (h && h.end === end) return { kind: "retracted", cue: h };
  }
  const mid = cues.midCorrections.cues.find(tokens, blocked).filter((h) => h.end < end && !cues.midCorrections.notBefore.has(tokens[h.end]!));
  // "turn on the uh turn off the lights": the request's first word said again after a hesitation starts it again.
  const first = tokens.findIndex((t) => !RESTART_FILLERS.has(t));
  const restarts: PhraseHit<"correction">[] = [];
  for (let i = first + 2; first >= 0 && i < end - 1; i++)
    if (RESTART_FILLERS.has(tokens[i - 1]!) && tokens[i] === tokens[first] && !blocked.has(i)) restarts.push({ tag: "correction", start: i - 1, end: i });
  const hits = [...cues.correctionStart.find(tokens, blocked), ...mid, ...restarts].sort((a, b) => a.start - b.start || b.end - a.end);
  for (let n = 0; n < hits.length; n++) {
    const h = hits[n]!;
    if (h.start < 2) continue;
    // "sorry, I mean …", "wait, no, …": cues one after another are one correction.
    let last = h.end;
    for (let m = n + 1; m < hits.length && hits[m]!.start === last; m++) last = hits[m]!.end;
    if (last < end) return { kind: "corrected", cue: { ...h, end: last }, head: tokens.slice(0, h.start), tail: tokens.slice(last, end) };
  }
  return undefined;
}

/** Understands a text (the matcher, then the SLM). */
export type Understand = (text: string) => Understanding | Promise<Understanding>;

const exact = (u: Understanding): boolean => u.intents.length > 0 && u.intents.every((i) => i.source === "matcher" && i.confidence >= 1);

/**
 * The request as corrected, or undefined when no reading of it is sure. Tried in order: the head with
 * the correction put in where its first word occurs last ("turn on [the pendants] → the cabinet
 * lights"), the correction alone as a whole request, the head's last 1–4 words replaced by it — each
 * only when it is a sentence of the grammar word for word; last, the correction alone as understood.
 */
export async function repairRequest(head: readonly string[], tail: readonly string[], understand: Understand): Promise<Understanding | undefined> {
  if (!tail.length) return undefined;
  const tried = new Set<string>();
  const attempt = async (words: readonly string[]): Promise<Understanding | undefined> => {
    const text = words.join(" ");
    if (tried.has(text)) return undefined;
    tried.add(text);
    const u = await understand(text);
    return exact(u) ? u : undefined;
  };
  const at = head.lastIndexOf(tail[0]!);
  if (at > 0) {
    const u = await attempt([...head.slice(0, at), ...tail]);
    if (u) return u;
  }
  const alone = await attempt(tail);
  if (alone) return alone;
  for (let k = 1; k <= Math.min(4, head.length - 1); k++) {
    const u = await attempt([...head.slice(0, head.length - k), ...tail]);
    if (u) return u;
  }
  // The correction in place of words inside the head: "turn [the pendants] on, no wait, the cabinet lights".
  for (let a = 1; a < head.length - 1; a++)
    for (let b = a + 1; b <= Math.min(a + 4, head.length - 1); b++) {
      const u = await attempt([...head.slice(0, a), ...tail, ...head.slice(b)]);
      if (u) return u;
    }
  const loose = await understand(tail.join(" "));
  return loose.intents.length ? loose : undefined;
}
