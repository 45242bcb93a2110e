// Learners' English put the owner after the thing: "close the light of the staircase", "the window of
// the driver", "the lights of kitchen". Said the English way ("the staircase light") the request is a
// sentence of the grammar; the resolver tries that reading when the words as said were not one.
import { normalizeTokens } from "../grammar/normalize.js";

/** Words that end the owner phrase after "of" ("the lights of kitchen and …", "… of the bedroom to 20"). */
const END = new Set(["and", "to", "on", "in", "at", "please", "for", "with", "not", "but", "then", "also", "too", "now", "so"]);
const ARTICLES = new Set(["the", "my", "our", "a"]);
/** Words before "of" that are amounts or phrases of their own ("a lot of", "all of the lights", "a quarter of the way", "out of"). */
const NOT_THINGS = new Set(["lot", "lots", "bit", "couple", "some", "all", "most", "none", "one", "both", "each", "half", "quarter", "quarters", "third", "out", "because", "instead", "kind", "sort", "top", "end", "rest", "any", "many", "few", "of"]);

/** The text with each "<thing> of [the] <owner>" said as "<owner> <thing>"; undefined when there is none. */
export function ownerFirst(text: string): string | undefined {
  const w = normalizeTokens(text);
  const out: string[] = [];
  let changed = false;
  for (let i = 0; i < w.length; i++) {
    const thing = out[out.length - 1];
    if (w[i] === "of" && thing !== undefined && !ARTICLES.has(thing) && !NOT_THINGS.has(thing) && !/^\d/.test(thing) && i + 1 < w.length) {
      let j = i + 1;
      while (j < w.length && ARTICLES.has(w[j]!)) j++;
      let k = j;
      while (k < w.length && k - j < 3 && !END.has(w[k]!)) k++;
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
const BECAUSE = new Set(["because", "cause", "cos", "coz", "since", "as"]);
/** Contractions and forms of "be" that make the words after a request a clause of their own. */
// ("that's", "which is" start a clause about the device, "the lamp that's by the window": no reason)
// ("its": "it's" as a recognizer or a hurried typist writes it, "… its so cringe")
const IS = /^(?:(?!that's)\S+'s|i'm|we're|they're|you're|it's|its|this|is|are|am|was|were|feels|looks|sounds|seems)$/;
/** Who or what a purpose clause after "so" is about. */
const PURPOSE_SUBJECTS = /^(that|i|we|you|they|he|she|it|nobody|no|noone|everyone|everybody|someone|the|my|our|i'm|we're|it's|its|they're|you're)$/;
/** A pronoun with "be" that starts a clause of its own. */
const PRONOUN_BE = /^(i'm|we're|they're|you're|it's|its|he's|she's|there's)$/;
/** More words a person's clause after a request goes on with ("… i nearly tripped", "… i love this song"). */
const AFTER_VERBS = new Set(["nearly", "almost", "just", "really", "still", "hate", "love", "like", "feel", "think", "couldn't", "keep", "was", "am", "gotta", "gonna", "wanna", "spilled", "spilt", "dropped", "heard", "fell", "can't", "don't", "didn't", "won't", "should", "must", "might", "forgot", "left"]);
/** Who a reason is about, when a verb of `REASON_VERBS` follows. */
const PEOPLE = new Set(["i", "we", "they", "he", "she", "i've", "we've", "they've", "i'd", "we'd", "i'll", "we'll"]);
/** Prepositions a request cannot end with ("turn on the lights in"): no reason starts after one. */
const NEEDS_OBJECT = new Set(["in", "at", "to", "into", "onto", "of", "from", "with", "by", "near", "about", "under", "inside", "the", "a", "an", "my", "our"]);
/** He or she, whose verb says so ("she runs hot"). */
const THIRD_PERSONS = new Set(["he", "she"]);
/** Words after which a person's clause is part of the request ("where we parked", "that she is home"). */
const CLAUSE_LINKS = new Set(["where", "when", "what", "that", "which", "how", "who", "if", "whether", "until", "till"]);
const SUBJECTS = new Set(["i", "we", "they", "you", "he", "she", "it", "this", "the", "my", "our", "somebody", "someone", "everyone", "nobody"]);
/** People a reason after a request may be about, whatever it says of them ("… grandpa fell asleep in his chair", "… mom says the bill is too high"). */
const PEOPLE_NOUNS = new Set(["grandpa", "grandad", "granddad", "grandma", "granny", "gran", "nana", "nan", "mum", "mom", "mommy", "mummy", "dad", "daddy", "baby", "husband", "wife", "partner", "kids", "kid", "son", "daughter", "hubby", "wifey", "everybody", "everyone", "somebody", "someone", "nobody"]);

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
  if (BECAUSE.has(w[i]!) && i + 1 < w.length) return true;
  // what it is for: "turn on the stair lights so nobody trips", "… so that i can read"
  if (w[i] === "so" && PURPOSE_SUBJECTS.test(w[i + 1] ?? "")) return true;
  // who it is for: "put the stair lights on for grandad", "… for the kids"
  if (w[i] === "for" && PEOPLE_NOUNS.has(w[/^(my|the|our)$/.test(w[i + 1] ?? "") ? i + 2 : i + 1] ?? "")) return true;
  // (never right after a word that needs what follows: "… in the granny flat" is where, not a reason)
  if (i > 0 && NEEDS_OBJECT.has(w[i - 1]!)) return false;
  // "… grandpa fell asleep", "… my wife's freezing", "… the baby just went down"
  const person = /^(my|the|our|his|her)$/.test(w[i]!) ? i + 1 : i;
  const who = w[person] ?? "";
  if (PEOPLE_NOUNS.has(who.replace(/'s$/, "")) && person + 1 < w.length + (who.endsWith("'s") ? 1 : 0)) return true;
  // "… the phone's ringing", "… the baby is sleeping", "… it's loud", "… this one's boring"
  if (!SUBJECTS.has(w[i]!) && !IS.test(w[i]!)) return false;
  const clause = w.slice(i, i + 4);
  // "… i need to print a boarding pass", "… we've got guests": a person and what they do or need
  if (PEOPLE.has(w[i]!) && (REASON_VERBS.has(w[i + 1] ?? "") || AFTER_VERBS.has(w[i + 1] ?? "") || /^(i|we|they|you)'(ve|d|ll)$/.test(w[i]!))) return true;
  // "… she runs hot", "… he wakes at five": someone else and what they do, after a request said whole
  // (not inside one: "navigate to where we parked", "tell me when they arrive")
  if (THIRD_PERSONS.has(w[i]!) && i >= 2 && /^[a-z]+s$/.test(w[i + 1] ?? "") && !CLAUSE_LINKS.has(w[i - 1]!)) return true;
  const be = clause.findIndex((t) => IS.test(t) && t !== "this");
  // ("open up the garage i'm pulling in": the reason starts at "i'm", not at "the garage")
  if (be > 0 && PRONOUN_BE.test(clause[be]!)) return false;
  return be >= 0 && be <= 2 && (be > 0 || w[i] !== "this") && i + be + 1 < w.length + (/'s$|'m$|'re$/.test(clause[be]!) ? 1 : 0);
}

/** Words a request starts with, where one may follow a reason said first. */
const REQUEST_STARTS = new Set([
  "turn", "switch", "put", "set", "open", "close", "shut", "lock", "unlock", "pause", "play", "resume", "stop", "start", "dim", "brighten",
  "make", "take", "navigate", "lower", "raise", "roll", "crank", "can", "could", "please", "find", "send", "get", "bring", "run", "drop",
  "bump", "give", "show", "add", "activate", "wind", "cancel", "mute", "skip", "vacuum", "hoover", "mow", "heat", "cool", "warm", "blast",
  "recirculate", "defrost", "draw", "pull", "fire", "kill", "cut", "clean", "chuck", "stick", "pop",
]);
/** Verbs other than "be" a reason says early on ("the neighbours can see in", "the kids need the bathroom"). */
const REASON_VERBS = new Set(["can", "can't", "cannot", "need", "needs", "have", "has", "got", "keep", "keeps", "want", "wants", "left", "forgot"]);
/** A word that ends a reason and starts what it asks for, whatever that starts with ("we're heading out so lights off"). */
const SO = new Set(["so"]);

/** The [reason, request] splits of a request said after its reason ("we're heading out, turn off every light"), longest request first. */
export function reasonBefore(text: string): Array<[string[], string]> {
  const w = normalizeTokens(text);
  // The reason starts with who or what it is about and says so within its first words.
  // ("is it open my window?" is a question: a bare "is" does not start a reason)
  const says = (t: string) => (IS.test(t) && t !== "this") || REASON_VERBS.has(t);
  if (/\?\s*$/.test(text) || !(SUBJECTS.has(w[0]!) || PRONOUN_BE.test(w[0]!) || /'(s|m|re)$/.test(w[0]!)) || !w.slice(0, 3).some(says)) return [];
  const out: Array<[string[], string]> = [];
  for (let i = 2; i < w.length - 1; i++) if (REQUEST_STARTS.has(w[i]!) || SO.has(w[i - 1]!)) out.push([w.slice(0, i), w.slice(i).join(" ")]);
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

/** Words whose "'s" is no "is" of a thing ("it's", "what's", "let's" are words of their own). */
const OWN_CONTRACTIONS = /^(it|that|what|there|here|where|who|how|let|he|she|one|everyone|everybody|someone|somebody|nobody|nothing|something|everything)'s$/;

/** The thing of a word "<thing>'s" said for "<thing> is" ("lamp's" → "lamp"); undefined for any other word. */
const thingIs = (t: string): string | undefined => (/^[a-z]+'s$/.test(t) && !OWN_CONTRACTIONS.test(t) ? t.slice(0, -2) : undefined);

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

/** Words no thing said first holds: they negate, limit, join or time what follows. */
const NOT_TOPIC = new Set(["not", "no", "never", "don't", "didn't", "won't", "nothing", "but", "except", "instead", "only", "just", "and", "or", "then", "if", "when", "after", "before", "until", "later", "tomorrow", "please"]);

/** Words that point back at what a reason was about. */
const PRONOUNS = new Set(["it", "them"]);
const DETERMINERS = new Set(["the", "my", "our", "that", "this", "those", "these"]);

/**
 * The request with its "it" or "them" said as the thing the reason before it is about ("the big light's
 * doing my head in, switch it off" → "switch the big light off"); undefined when the reason names no
 * thing first ("it's cold, …", "i'm off to bed, …") or the request points back at nothing.
 */
function pronounNamed(reason: readonly string[], request: string): string | undefined {
  const w = request.split(" ");
  const at = w.findIndex((t) => PRONOUNS.has(t));
  if (at < 0 || w.filter((t) => PRONOUNS.has(t)).length > 1) return undefined;
  // the subject: up to the verb ("the printer is", "the printer's", "printer's been")
  const verb = reason.findIndex((t) => IS.test(t) || REASON_VERBS.has(t));
  if (verb < 0 || verb > 4) return undefined;
  const head = reason.slice(0, verb);
  const own = thingIs(reason[verb]!);
  const subject = own !== undefined ? [...head, own] : head;
  const thing = subject.filter((t, i) => !(i === 0 && DETERMINERS.has(t)));
  if (!thing.length || thing.some((t) => SUBJECTS.has(t) || PRONOUN_BE.test(t))) return undefined;
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
  if (!DETERMINERS.has(t[start] ?? "")) return undefined;
  const at = t.findIndex((w, j) => j > start + 1 && REQUEST_STARTS.has(w));
  if (at < 0 || at - start > 7) return undefined;
  const topic = t.slice(start, at);
  // (the topic is a thing, not a clause: "the kitchen is dark, turn …" is a reason before the request,
  // and "the window of the driver, not close it" no request at all)
  if (topic.some((w) => IS.test(w) || REASON_VERBS.has(w) || NOT_TOPIC.has(w) || (SUBJECTS.has(w) && !DETERMINERS.has(w)))) return undefined;
  const request = t.slice(at);
  const back = request.flatMap((w, j) => (PRONOUNS.has(w) || w === "that" ? [j] : []));
  if (back.length !== 1) return undefined;
  const thing = DETERMINERS.has(topic[0]!) && topic[0] !== "the" && topic[0] !== "my" && topic[0] !== "our" ? ["the", ...topic.slice(1)] : topic;
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
  const base = [stem, `${stem}e`, stem.slice(0, -1)].find((v) => REQUEST_STARTS.has(v));
  return base ? [...t.slice(0, at + 1), base, ...t.slice(at + 2)].join(" ") : undefined;
}

/** Words that go on from what was said before ("and put the big light on", "oh, and also …"). */
const CONNECTIVES = new Set(["and", "also", "then", "plus", "oh", "so", "now", "ah"]);

/** Words that greet or get attention before a request ("hello um can you …", "excuse me, …"), and the hesitations after them. */
const OPENERS = [["hello"], ["hi"], ["hey"], ["hiya"], ["excuse", "me"], ["there"], ["good", "morning"], ["good", "evening"], ["good", "afternoon"], ["hang", "on"], ["hold", "on"], ["um"], ["uh"], ["er"], ["erm"]];

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
    if (CONNECTIVES.has(t[i]!)) (i += 1), (moved = true);
    // a sound said twice before a request ("beep beep lock the back door", "night night turn off …")
    else if (t[i] === t[i + 1] && !/^\d/.test(t[i]!)) {
      while (t[i] === t[i + 1]) i += 1;
      (i += 1), (moved = true);
    } else {
      const o = OPENERS.find((w) => w.every((x, j) => t[i + j] === x));
      if (o) (i += o.length), (moved = true);
    }
  }
  return i;
}

/** Whether the words start the way a request does ("heat up the steering wheel"). */
export function startsRequest(text: string): boolean {
  return REQUEST_STARTS.has(normalizeTokens(text)[0] ?? "");
}

/** Words a clause about the speaker or a correction starts with ("I'm already late", "actually no"). */
const REASON_STARTS = /^(i|we|they|you|he|she|it|i'm|we're|they're|you're|he's|she's|it's|its|there's|actually|no|sorry|wait|oops|or)$/;

/** Whether a clause starts the way a reason or a correction does, not a request or a name. */
export function reasonLike(clause: string): boolean {
  return REASON_STARTS.test(normalizeTokens(clause)[0] ?? "");
}
