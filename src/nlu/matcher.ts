// The grammar matcher: normalized text → intents with canonical slot values.
// Order of attempts: exact whole utterance, exact per clause ("… and …"), exact rephrasings (a reason
// left out, the owner said first: src/nlu/rephrase.ts), tolerant whole utterance.
import type { MatcherGraph } from "../compile/graph.js";
import { normalizeTokens, normalizeWithWords } from "../grammar/normalize.js";
import type { SlotValue } from "../grammar/types.js";
import { clauses, reasonAfter, reasonLike, rephrasings, startsReason, startsRequest } from "./rephrase.js";
import { Searcher, type Parse } from "./search.js";
import type { IntentResult, Understander, Understanding } from "./types.js";

/** Longer inputs are not commands; refuse them before any search. */
export const MAX_TOKENS = 64;
const CONJUNCTIONS = new Set(["and", "then", "also"]);

export interface MatchOptions {
  /** Allow edits (dropped/extra/misheard words). Default true. */
  fuzzy?: boolean;
  /** Try the utterance said another way when its words are no sentence. Default true. */
  rephrase?: boolean;
}

/** Lists whose names a reason may hold: a reason naming a place leaves the request's place to it. */
const PLACE_LISTS = new Set(["area", "floor", "name"]);
/** The word that says what to do in a short request ("lights off", "fan on"). */
const PARTICLES = new Set(["on", "off"]);
/** Words that make a clause go on with the one before it. */
const GOES_ON = new Set(["and", "or", "also", "then", "plus", "but", "too", "as", "with"]);

export class Matcher implements Understander {
  private readonly searcher: Searcher;

  /** Free-text lists of at most 8 words (destinations, queries, items; not a message). */
  private readonly shortFreeText: ReadonlySet<string>;

  constructor(readonly graph: MatcherGraph) {
    this.searcher = new Searcher(graph);
    this.shortFreeText = new Set(graph.lists.filter((l) => l.kind === "wildcard" && l.maxWords <= 8).map((l) => l.name));
  }

  understand(text: string, options: MatchOptions = {}): Understanding {
    const { tokens, words, spans } = normalizeWithWords(text);
    // Per token, the words it came from ("two" for "2"): free text is given back as said.
    const said = spans.map(([a, b]) => words.slice(a, b).join(" "));
    if (tokens.length === 0) return { text, intents: [], reason: "empty input" };
    if (tokens.length > MAX_TOKENS) return { text, intents: [], reason: `too long (${tokens.length} words; at most ${MAX_TOKENS})` };

    const exact = this.best(tokens, said, false);
    // "take me to work, I'm already late": free text does not run on across a typed clause mark.
    if (exact && options.rephrase !== false && (crossesClauses(exact, text) || this.runsIntoReason(exact))) {
      const rephrased = this.rephrased(text);
      if (rephrased) return rephrased;
    }
    if (exact) return { text, intents: exact };
    const clauses = this.splitClauses(tokens, said);
    if (clauses) return { text, intents: clauses };
    if (options.rephrase !== false) {
      const rephrased = this.rephrased(text);
      if (rephrased) return rephrased;
    }
    if (options.fuzzy !== false) {
      const tolerant = this.best(tokens, said, true);
      if (tolerant) return { text, intents: tolerant };
    }
    return { text, intents: [], reason: "no intent matches" };
  }

  /**
   * The first rephrasing that is a sentence word for word. A reason that names a place or device
   * ("the kitchen is too dark, turn on the lights") must leave it to the request to say which: a
   * request that takes its place from where it was said, or names none, is not read without it.
   */
  private rephrased(text: string): Understanding | undefined {
    const listed = this.listed(text);
    if (listed) return listed;
    // Each other clause is read loosely once, whichever clause is tried alone.
    const loose = new Map<string, boolean>();
    const readsLoosely = (o: string) => {
      let r = loose.get(o);
      if (r === undefined) loose.set(o, (r = this.understand(o, { rephrase: false }).intents.length > 0));
      return r;
    };
    for (const r of rephrasings(text)) {
      const found = this.understand(r.text, { fuzzy: false, rephrase: false });
      // (a destination that runs on into a reason is read by a later rephrasing: "uh take me to school im late")
      if (!found.intents.length || this.runsIntoReason(found.intents)) continue;
      const placed = (i: IntentResult) => [...PLACE_LISTS].some((k) => i.slots[k] !== undefined && !i.fromContext?.includes(k));
      // (nor one that goes on to another: "turn off the string lights, the party's over, and the porch light")
      if (r.reason && this.namesPlace(r.reason) && (!found.intents.every(placed) || r.reason.some((w) => GOES_ON.has(w)))) continue;
      // Two requests in two clauses ("close my window, I'm cold") are no request and its reason, nor is a
      // clause that goes on with the request ("…, and the back door too", "…, the porch light and the
      // stair lights"): neither is read alone.
      // (a clause read as a request even loosely counts: "turn on the seat heating in the back, the kids are cold")
      // (and so does one that starts like a request: "heat up the steering wheel, my hands are frozen")
      // (a complaint said as a reason is one even when it reads loosely as a request: "turn on the rear seat
      // heater, my legs are cold"; one the grammar reads word for word is a request: "close my window, i'm cold")
      const request = (o: string) => readsLoosely(o) && (!startsReason(o) || this.understand(o, { fuzzy: false, rephrase: false }).intents.length > 0);
      if (r.others?.some((o) => request(o) || GOES_ON.has(o.split(" ")[0]!) || startsRequest(o) || this.namesPlace(o.split(" "))))
        continue;
      const { others: _, ...rephrased } = r;
      return { text, intents: found.intents, rephrased };
    }
    return undefined;
  }

  /**
   * Typed clauses that go on with a request, read as one: "switch off the coffee maker, the pendants, and
   * the kitchen radio", "turn off the tv, turn on the porch light", "I'm off to bed. lock the front door,
   * the back door too". Each later clause starts like a request, goes on ("and …") or names a device or
   * place within its first words; any other clause ("I'm off to bed") is the reason, judged as such.
   */
  private listed(text: string): Understanding | undefined {
    const parts = clauses(text).map((c) => c.text);
    const goesOn = (p: string) => {
      const w = p.split(" ");
      return startsRequest(p) || GOES_ON.has(w[0]!) || this.namesPlace(w, 3);
    };
    for (let i = 0; i + 1 < parts.length; i++) {
      // (the clauses that go on follow the first without a break: "…, no, the hallway lights" is a correction)
      let end = i + 1;
      while (end < parts.length && goesOn(parts[end]!)) end++;
      const run = parts.slice(i, end);
      if (run.length < 2) continue;
      // Two requests only when the first starts like one too: "I'm cold, heat my seat" is a reason and a request.
      // ("…, and open my window" goes on with the one before it, whatever that starts with)
      if (!startsRequest(run[0]!) && run.slice(1).some((p) => startsRequest(p) && !GOES_ON.has(p.split(" ")[0]!))) continue;
      const joined = run.map((p, n) => (n ? p.replace(/^(and|also|plus) /, "") : p)).join(" and ");
      const found = this.understand(joined, { fuzzy: false, rephrase: false });
      if (!found.intents.length) continue;
      const reason = [...parts.slice(0, i), ...parts.slice(end)].flatMap((p) => p.split(" "));
      if (reason.length && this.namesPlace(reason)) continue;
      return { text, intents: found.intents, rephrased: reason.length ? { text: joined, reason } : { text: joined } };
    }
    return undefined;
  }

  /**
   * Whether a short free-text value (a destination, a query: lists of at most 8 words, not a message)
   * runs on into a reason said after it, untyped: "take me to the gym i'm late for spin class".
   */
  private runsIntoReason(intents: readonly IntentResult[]): boolean {
    return intents.some((i) => Object.entries(i.slots).some(([slot, v]) => typeof v === "string" && this.shortFreeText.has(slot) && reasonAfter(v, 1) !== undefined));
  }

  /** Whether the words hold the name of an area, a floor or a device (anywhere, or starting among the first `within`). */
  private namesPlace(words: readonly string[], within = words.length): boolean {
    for (const [l, list] of this.graph.lists.entries()) {
      const auto = this.searcher.listAutos[l];
      if (!auto || !PLACE_LISTS.has(list.name)) continue;
      for (let start = 0; start < Math.min(within, words.length); start++) {
        let states = [0];
        for (let i = start; i < words.length && states.length; i++) {
          states = [...new Set(states.flatMap((n) => auto.at(n).words.get(words[i]!) ?? []))];
          if (states.some((n) => auto.at(n).accepts.length)) return true;
        }
      }
    }
    return false;
  }

  /** Best parse of the whole token sequence as one sentence. */
  private best(tokens: string[], said: string[], fuzzy: boolean): IntentResult[] | undefined {
    const maxCost = fuzzy ? Math.min(1.6, 0.3 + 0.22 * tokens.length) : Infinity;
    const starts = fuzzy ? this.searcher.candidateStarts(tokens) : [0];
    if (starts.length === 0) return undefined;
    const parse = this.searcher.search(tokens, fuzzy, maxCost, starts)[0];
    if (!parse) return undefined;
    const confidence = fuzzy ? Math.max(0.05, Math.round((1 - parse.cost / (tokens.length + 1)) * 1000) / 1000) : 1;
    const intents = this.toIntents(parse, confidence, said);
    return fuzzy ? intents.map((i) => ({ ...i, evidence: { tolerance: Math.round(parse.cost * 1000) / 1000 } })) : intents;
  }

  /** "turn on the porch light and lock the front door": each clause on its own; a clause missing its
   *  verb borrows the previous clause's opening words ("… and the fan" → "turn on the fan"). */
  private splitClauses(tokens: string[], said: string[]): IntentResult[] | undefined {
    for (let k = 1; k < tokens.length - 1; k++) {
      if (!CONJUNCTIONS.has(tokens[k]!)) continue;
      let r = k + 1;
      while (r < tokens.length - 1 && CONJUNCTIONS.has(tokens[r]!)) r++; // "and then"
      const left = tokens.slice(0, k);
      const right = tokens.slice(r);
      const saidLeft = said.slice(0, k);
      const saidRight = said.slice(r);
      const leftIntents = this.best(left, saidLeft, false);
      if (!leftIntents) continue;
      const rightIntents =
        this.best(right, saidRight, false) ?? this.splitClauses(right, saidRight) ?? this.borrowOpening(left, right, saidLeft, saidRight);
      if (rightIntents) return [...leftIntents, ...rightIntents];
    }
    return undefined;
  }

  private borrowOpening(left: string[], right: string[], saidLeft: string[], saidRight: string[]): IntentResult[] | undefined {
    // The fewest words borrowed: "set a pasta timer … and a sauce timer …" borrows "set", not "set a pasta"
    // (which free text would take in: a timer named "pasta a sauce").
    for (let j = 1; j <= Math.min(3, left.length - 1); j++) {
      const found = this.best([...left.slice(0, j), ...right], [...saidLeft.slice(0, j), ...saidRight], false);
      if (found) return found;
    }
    // "lights off in here and the coffee machine": the clause said the short way ("the coffee machine off")
    for (let j = 0; j < left.length; j++) {
      if (!PARTICLES.has(left[j]!)) continue;
      const found = this.best([...right, left[j]!], [...saidRight, saidLeft[j]!], false);
      if (found) return found;
    }
    return undefined;
  }

  private toIntents(parse: Parse, confidence: number, said: string[]): IntentResult[] {
    const accept = this.graph.accepts[parse.accept]!;
    const slots: Record<string, SlotValue | SlotValue[]> = { ...accept.slots };
    const captured: Array<[string, SlotValue | SlotValue[]]> = [];
    for (let c = parse.captures; c; c = c.prev) captured.unshift([c.slot, c.free ? said.slice(c.start, c.end).join(" ") : c.value]);
    for (const [slot, value] of captured) slots[slot] = value;
    // A slot with several values ("the hallway and the kitchen") becomes one intent per value.
    let variants: Array<Record<string, SlotValue>> = [{}];
    for (const [slot, value] of Object.entries(slots)) {
      const values = Array.isArray(value) ? value : [value];
      variants = variants.flatMap((v) => values.map((x) => ({ ...v, [slot]: x })));
    }
    // What the sentence wants from the satellite ({slot: true}) and did not say itself.
    const fromContext = Object.entries(accept.requires)
      .filter(([k, c]) => typeof c === "object" && !Array.isArray(c) && c.slot === true && slots[k] === undefined)
      .map(([k]) => k);
    return variants.map((s) => ({ intent: accept.intent, slots: s, confidence, source: "matcher", fromContext, ...(accept.response ? { response: accept.response } : {}) }));
  }
}

/**
 * Whether a value of the reading (free text) runs on into a typed clause that is a reason or a
 * correction ("take me to work, I'm already late", "navigate to work, actually no, the gym"); a
 * message's own clauses ("tell everyone dinner is ready, come down") are its words.
 */
function crossesClauses(intents: readonly IntentResult[], text: string): boolean {
  const parts = clauses(text).map((c) => c.text);
  if (parts.length < 2) return false;
  return intents.some((i) =>
    Object.values(i.slots).some((v) => {
      if (typeof v !== "string" || !v.includes(" ")) return false;
      const value = ` ${normalizeTokens(v).join(" ")} `;
      const later = parts.findIndex((p, n) => n > 0 && value.includes(` ${p.split(" ")[0]} `) && !parts[n - 1]!.includes(value.trim()));
      return later > 0 && !parts.some((p) => ` ${p} `.includes(value)) && reasonLike(parts[later]!);
    }),
  );
}
