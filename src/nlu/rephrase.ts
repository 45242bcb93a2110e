// Learners' English put the owner after the thing: "close the light of the staircase", "the window of
// the driver", "the lights of kitchen". Said the English way ("the staircase light") the request is a
// sentence of the grammar; the resolver tries that reading when the words as said were not one.
import { normalizeTokens } from "../grammar/normalize.js";
import { clauseWords, type ClauseWords } from "./clauseWords.js";

let words: ClauseWords | undefined;
/** The language's clause words (grammars/en/language/clauses.yaml), read on first use. */
const W = (): ClauseWords => (words ??= clauseWords());

/** A form of "be" that makes what follows a clause of its own ("i'm", "is", "the phone's", not "that's"). */
const isBe = (t: string): boolean => W().reason.be.has(t) || (/^\S+'s$/.test(t) && !W().reason.be_not.has(t));
/** A word whose "'s" is no "is" of a thing ("it's", "what's", "let's" are words of their own). */
const ownContraction = (t: string): boolean => t.endsWith("'s") && W().topic.own_contractions.has(t.slice(0, -2));

/** The text with each "<thing> of [the] <owner>" said as "<owner> <thing>"; undefined when there is none. */
export function ownerFirst(text: string): string | undefined {
  const w = normalizeTokens(text);
  const out: string[] = [];
  let changed = false;
  for (let i = 0; i < w.length; i++) {
    const thing = out[out.length - 1];
    if (w[i] === "of" && thing !== undefined && !W().owner.articles.has(thing) && !W().owner.not_things.has(thing) && !/^\d/.test(thing) && i + 1 < w.length) {
      let j = i + 1;
      while (j < w.length && W().owner.articles.has(w[j]!)) j++;
      let k = j;
      while (k < w.length && k - j < 3 && !W().owner.ends.has(w[k]!)) k++;
      if (k > j) {
        out.pop();
        out.push(...w.slice(j, k), thing);
        i = k - 1;
        changed = true;
        continue;
      }
    }
    out.push(w[i]!);
  }
  return changed ? out.join(" ") : undefined;
}

// A request with its reason said after it: "pause the telly, the phone's ringing", "turn the music down
// the baby is sleeping", "close the window because it's loud". The request is what comes before the
// reason; the resolver takes it only when that part is a sentence of the grammar word for word and the
// reason holds no word that changes a request (a negation, a time, a condition: checked by the caller).

/**
 * [request, reason] split where a reason clause starts; undefined when there is none. `from`: the fewest
 * words before it (a request has two at least; a destination said before a reason may have one: "school
 * i'm late").
 */
export function reasonAfter(text: string, from = 2): [string, string[]] | undefined {
  const w = normalizeTokens(text);
  for (let i = from; i < w.length; i++) if (reasonAt(w, i)) return [w.slice(0, i).join(" "), w.slice(i)];
  return undefined;
}

/** Whether a clause is said the way a reason is ("my legs are cold", "the kids have played it all day"). */
export function startsReason(clause: string): boolean {
  const w = normalizeTokens(clause);
  return w.length > 1 && reasonAt(w, 0);
}

/** Whether a reason clause starts at word i. */
function reasonAt(w: readonly string[], i: number): boolean {
  if (W().reason.because.has(w[i]!) && i + 1 < w.length) return true;
  // what it is for: "turn on the stair lights so nobody trips", "… so that i can read"
  if (w[i] === "so" && W().reason.purpose_subjects.has(w[i + 1] ?? "")) return true;
  // who it is for: "put the stair lights on for grandad", "… for the kids"
  if (w[i] === "for" && W().reason.people_nouns.has(w[/^(my|the|our)$/.test(w[i + 1] ?? "") ? i + 2 : i + 1] ?? "")) return true;
  // (never right after a word that needs what follows: "… in the granny flat" is where, not a reason)
  if (i > 0 && W().reason.needs_object.has(w[i - 1]!)) return false;
  // "… grandpa fell asleep", "… my wife's freezing", "… the baby just went down"
  const person = /^(my|the|our|his|her)$/.test(w[i]!) ? i + 1 : i;
  const who = w[person] ?? "";
  if (W().reason.people_nouns.has(who.replace(/'s$/, "")) && person + 1 < w.length + (who.endsWith("'s") ? 1 : 0)) return true;
  // "… the phone's ringing", "… the baby is sleeping", "… it's loud", "… this one's boring"
  if (!W().reason.subjects.has(w[i]!) && !isBe(w[i]!)) return false;
  const clause = w.slice(i, i + 4);
  // "… i need to print a boarding pass", "… we've got guests": a person and what they do or need
  if (W().reason.people.has(w[i]!) && (W().reason.verbs.has(w[i + 1] ?? "") || W().reason.after_verbs.has(w[i + 1] ?? "") || /^(i|we|they|you)'(ve|d|ll)$/.test(w[i]!))) return true;
  // "… she runs hot", "… he wakes at five": someone else and what they do, after a request said whole
  // (not inside one: "navigate to where we parked", "tell me when they arrive")
  if (W().reason.third_persons.has(w[i]!) && i >= 2 && /^[a-z]+s$/.test(w[i + 1] ?? "") && !W().reason.clause_links.has(w[i - 1]!)) return true;
  const be = clause.findIndex((t) => isBe(t) && t !== "this");
  // ("open up the garage i'm pulling in": the reason starts at "i'm", not at "the garage")
  if (be > 0 && W().reason.pronoun_be.has(clause[be]!)) return false;
  return be >= 0 && be <= 2 && (be > 0 || w[i] !== "this") && i + be + 1 < w.length + (/'s$|'m$|'re$/.test(clause[be]!) ? 1 : 0);
}

/** The [reason, request] splits of a request said after its reason ("we're heading out, turn off every light"), longest request first. */
export function reasonBefore(text: string): Array<[string[], string]> {
  const w = normalizeTokens(text);
  // The reason starts with who or what it is about and says so within its first words.
  // ("is it open my window?" is a question: a bare "is" does not start a reason)
  const says = (t: string) => (isBe(t) && t !== "this") || W().reason.verbs.has(t);
  if (/\?\s*$/.test(text) || !(W().reason.subjects.has(w[0]!) || W().reason.pronoun_be.has(w[0]!) || /'(s|m|re)$/.test(w[0]!)) || !w.slice(0, 3).some(says)) return [];
  const out: Array<[string[], string]> = [];
  for (let i = 2; i < w.length - 1; i++) if (W().request_starts.has(w[i]!) || W().reason.so.has(w[i - 1]!)) out.push([w.slice(0, i), w.slice(i).join(" ")]);
  return out;
}

/** A way of saying the same request closer to the grammar's words, and the reason it left out (checked by the trust policy). */
export interface Rephrasing {
  text: string;
  reason?: string[];
  /** For a clause of typed text: the other clauses (none of them may be a request of its own). */
  others?: string[];
}

// Typed text marks its clauses: "kids, shoes off please! … turn on the stair lights", "close all the
// windows, tunnel coming up". Each part on its own, the rest as its reason.
const CLAUSE_MARKS = /[,;:!?…]+|\.{2,}|\.(?=\s)|\s[-–—]+\s/;

/** Each part of the text between clause marks, with the other parts as its reason; none for a text of one part. */
export function clauses(text: string): Rephrasing[] {
  const parts = text.split(CLAUSE_MARKS).map((p) => normalizeTokens(p)).filter((p) => p.length > 0);
  if (parts.length < 2) return [];
  const texts = parts.map((p) => p.join(" "));
  return parts.map((p, i) => ({ text: texts[i]!, reason: parts.filter((_, j) => j !== i).flat(), others: texts.filter((_, j) => j !== i) }));
}

/** Every rephrasing of the text, in the order to try them: the owner first, then each clause, then without a reason after, then before. */
export function rephrasings(text: string): Rephrasing[] {
  const out: Rephrasing[] = [];
  const owner = ownerFirst(text);
  if (owner) out.push({ text: owner });
  const going = goesOnFirst(text);
  if (going) out.push({ text: going });
  const is = isSpelledOut(text);
  if (is) out.push({ text: is });
  const mind = mindGerund(text);
  if (mind) out.push({ text: mind });
  const topic = topicFirst(text);
  if (topic) {
    out.push({ text: topic });
    // ("uh the dehumidifier can you turn that off its so noisy")
    const after = reasonAfter(topic);
    if (after) out.push({ text: after[0], reason: after[1] });
  }
  out.push(...clauses(text));
  const after = reasonAfter(text);
  if (after) out.push({ text: after[0], reason: after[1] });
  for (const [reason, request] of reasonBefore(text)) {
    out.push({ text: request, reason });
    // "the workbench light's still burning, turn it off": "it" is what the reason is about
    const named = pronounNamed(reason, request);
    if (named) out.push({ text: named, reason });
  }
  return out;
}

/** The thing of a word "<thing>'s" said for "<thing> is" ("lamp's" → "lamp"); undefined for any other word. */
const thingIs = (t: string): string | undefined => (/^[a-z]+'s$/.test(t) && !ownContraction(t) ? t.slice(0, -2) : undefined);

/** The text with a thing's "'s" said as "is" ("the floor lamp's way too dim"); undefined when there is none. */
export function isSpelledOut(text: string): string | undefined {
  const w = normalizeTokens(text);
  let changed = false;
  const out = w.flatMap((t, i) => {
    const thing = i > 0 ? thingIs(t) : undefined;
    if (thing === undefined) return [t];
    changed = true;
    return [thing, "is"];
  });
  return changed ? out.join(" ") : undefined;
}

/**
 * The request with its "it" or "them" said as the thing the reason before it is about ("the big light's
 * doing my head in, switch it off" → "switch the big light off"); undefined when the reason names no
 * thing first ("it's cold, …", "i'm off to bed, …") or the request points back at nothing.
 */
function pronounNamed(reason: readonly string[], request: string): string | undefined {
  const w = request.split(" ");
  const at = w.findIndex((t) => W().topic.pronouns.has(t));
  if (at < 0 || w.filter((t) => W().topic.pronouns.has(t)).length > 1) return undefined;
  // the subject: up to the verb ("the printer is", "the printer's", "printer's been")
  const verb = reason.findIndex((t) => isBe(t) || W().reason.verbs.has(t));
  if (verb < 0 || verb > 4) return undefined;
  const head = reason.slice(0, verb);
  const own = thingIs(reason[verb]!);
  const subject = own !== undefined ? [...head, own] : head;
  const thing = subject.filter((t, i) => !(i === 0 && W().topic.determiners.has(t)));
  if (!thing.length || thing.some((t) => W().reason.subjects.has(t) || W().reason.pronoun_be.has(t))) return undefined;
  return [...w.slice(0, at), "the", ...thing, ...w.slice(at + 1)].join(" ");
}

/**
 * A thing said first and the request after it pointing back at it ("the mirror light in the bathroom,
 * could you turn it off", "uh the dehumidifier can you turn that off") said as one request; undefined
 * when the text does not start with a thing or the request points back at none or at two.
 */
export function topicFirst(text: string): string | undefined {
  const t = normalizeTokens(text);
  const start = openersEnd(t);
  if (!W().topic.determiners.has(t[start] ?? "")) return undefined;
  const at = t.findIndex((w, j) => j > start + 1 && W().request_starts.has(w));
  if (at < 0 || at - start > 7) return undefined;
  const topic = t.slice(start, at);
  // (the topic is a thing, not a clause: "the kitchen is dark, turn …" is a reason before the request,
  // and "the window of the driver, not close it" no request at all)
  if (topic.some((w) => isBe(w) || W().reason.verbs.has(w) || W().topic.not_topic.has(w) || (W().reason.subjects.has(w) && !W().topic.determiners.has(w)))) return undefined;
  const request = t.slice(at);
  const back = request.flatMap((w, j) => (W().topic.pronouns.has(w) || w === "that" ? [j] : []));
  if (back.length !== 1) return undefined;
  const thing = W().topic.determiners.has(topic[0]!) && topic[0] !== "the" && topic[0] !== "my" && topic[0] !== "our" ? ["the", ...topic.slice(1)] : topic;
  return [...request.slice(0, back[0]), ...thing, ...request.slice(back[0]! + 1)].join(" ");
}

/**
 * A request asked as "would you mind …ing" said with the verb as such ("would you mind closing the roller
 * blind" → "would you mind close the roller blind", whose "would you mind" the grammar skips); undefined
 * when there is no such verb.
 */
export function mindGerund(text: string): string | undefined {
  const t = normalizeTokens(text);
  const at = t.findIndex((w, i) => w === "mind" && i + 1 < t.length && /ing$/.test(t[i + 1]!));
  if (at < 0) return undefined;
  const stem = t[at + 1]!.slice(0, -3);
  // closing → close, turning → turn, putting → put, stopping → stop
  const base = [stem, `${stem}e`, stem.slice(0, -1)].find((v) => W().request_starts.has(v));
  return base ? [...t.slice(0, at + 1), base, ...t.slice(at + 2)].join(" ") : undefined;
}

/** A request said as going on from before or after a greeting, without those words; undefined when it is not one. */
export function goesOnFirst(text: string): string | undefined {
  const t = normalizeTokens(text);
  const i = openersEnd(t);
  const rest = t.slice(i).join(" ");
  return i > 0 && i < t.length && startsRequest(rest) ? rest : undefined;
}

/** Where the words after greetings, hesitations and connectives start. */
function openersEnd(t: readonly string[]): number {
  let i = 0;
  for (let moved = true; moved && i < t.length; ) {
    moved = false;
    if (W().openers.connectives.has(t[i]!) || W().openers.hedges.has(t[i]!)) (i += 1), (moved = true);
    // a sound said twice before a request ("beep beep lock the back door", "night night turn off …")
    else if (t[i] === t[i + 1] && !/^\d/.test(t[i]!)) {
      while (t[i] === t[i + 1]) i += 1;
      (i += 1), (moved = true);
    } else {
      const o = W().openers.greetings.find((w) => w.every((x, j) => t[i + j] === x));
      if (o) (i += o.length), (moved = true);
    }
  }
  return i;
}

/** Whether the words start the way a request does, after any greeting or hedge ("heat up the steering wheel", "actually close it"). */
export function startsRequest(text: string): boolean {
  const t = normalizeTokens(text);
  return W().request_starts.has(t[openersEnd(t)] ?? "");
}

/** Whether a clause starts the way a reason or a correction does, not a request or a name. */
export function reasonLike(clause: string): boolean {
  return W().reason.starts.has(normalizeTokens(clause)[0] ?? "");
}
