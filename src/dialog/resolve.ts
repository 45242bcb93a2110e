// From an utterance to a dialog decision (the production `understand` actor of machines/dialog.ts):
// understand → fill slots from the session/follow-up context → ask for missing slots → safety policies.
import type { Expr, Grammar, SlotValue } from "../grammar/types.js";
import { normalizeText, normalizeTokens } from "../grammar/normalize.js";
import type { IntentResult, Understander, Understanding } from "../nlu/types.js";
import { clauseWords } from "../nlu/clauseWords.js";
import { startsReason } from "../nlu/rephrase.js";
import { sayIntents } from "../compile/canonical.js";
import { judge, knowledgeOf, plainReason, unitFits, type TrustDeps, type Verdict } from "../trust/index.js";
import type { Later } from "../trust/when.js";
import { afterContrast, followUpLead, followUp, newValue, resumeAfterPause, withPlace, withReferent } from "./ellipsis.js";
import { noReferent, pickAmong, whichOne } from "./which.js";
import { evaluatePolicies, type Facts, type PolicyRule } from "./policy.js";
import type { Profile, Requirement } from "./profiles.js";
import type { Interrupted, Pending, Resolution, SessionInfo, TrustNote, UnderstandInput } from "./types.js";

export interface ResolverDeps {
  understander: Understander;
  /** Slot prompts, required slots, confirm flags and slot lists (for answers to "Which room?"). */
  grammar?: Grammar;
  profile: Profile;
  policies: readonly PolicyRule[];
  /** Live signals (speed_kmh …) for policy conditions. */
  signals?: () => Facts;
  /** Extra facts about the device an intent targets; by default read from the grammar's `name` list context. */
  deviceFacts?: (intent: IntentResult) => Facts;
  /** The trust policy (src/trust): without it every understood request is acted on as before. */
  trust?: TrustDeps;
  /**
   * For a request whose room came from where it was said: the question to ask when that room has none
   * of what it asks for and other rooms do (src/act/plan.ts whichElsewhere); undefined: none to ask.
   */
  whichElsewhere?: (intent: IntentResult) => string | undefined;
  /** Carries out intents later ("in 10 minutes"); without it delayed requests are refused. */
  schedule?: (intents: IntentResult[], later: Later, session: SessionInfo) => void;
}

export const RESOLVER_SPEECH = {
  noMatch: "Sorry, I didn't understand that.",
  askYesNo: "Please say yes or no.",
  stillUnclear: "Sorry, I still didn't get that, so I did nothing.",
  sorryAgain: "Sorry.",
  confirmDefault: "Are you sure?",
};

const NEVERMIND = new Set(["HassNevermind", "HassCancel"]);
const MAX_CLARIFY_ATTEMPTS = 2;

export async function resolveUtterance(input: UnderstandInput, deps: ResolverDeps): Promise<Resolution> {
  const { text, pending, session, interrupted } = input;
  if (pending) {
    const value = await answerValue(pending, text, deps);
    if (value !== undefined) {
      const intents = pending.intents.map((i) => (i.slots[pending.slot] === undefined ? { ...i, slots: { ...i.slots, [pending.slot]: value } } : i));
      return finish(intents, session, undefined, deps, undefined);
    }
    const u = await deps.understander.understand(text);
    if (u.intents.some((i) => NEVERMIND.has(i.intent))) return { kind: "cancel", understanding: u };
    // Not an answer but a new request: the question is dropped, and the answer says so.
    if (u.intents.length > 0) return dropped(await decide(u, input, deps, undefined), pending.intents, deps);
    if (pending.attempts < MAX_CLARIFY_ATTEMPTS)
      return {
        kind: "clarify",
        pending: { ...pending, attempts: pending.attempts + 1, prompt: `${RESOLVER_SPEECH.sorryAgain} ${basePrompt(pending.prompt)}` },
        understanding: u,
      };
    return { kind: "answer", speech: RESOLVER_SPEECH.stillUnclear, understanding: u };
  }
  // "no, open the patio curtains" to a yes/no question: the no answers it, the rest is a new request.
  const said = interrupted ? text.replace(/^\s*(no|nope|nah)\b[\s,.!]*(?=\S)/i, "") : text;
  let u = await deps.understander.understand(said);
  let answered = said;
  if (interrupted && !u.intents.length) {
    // "open the garage" … "NO, close it, the dog!": "it" is what the question was about.
    const referred = withReferent(said, interrupted.intents, deps.grammar);
    const again = referred ? await deps.understander.understand(referred) : undefined;
    if (again?.intents.length) (u = again), (answered = referred!);
  }
  if (interrupted) {
    // Neither yes nor no to a confirmation: a new request replaces it; anything else asks again.
    if (u.intents.some((i) => NEVERMIND.has(i.intent))) return { kind: "cancel", understanding: u };
    // Small talk ("what do you mean" read as a greeting) is no new request: it asks again too.
    if (!u.intents.length || u.intents.every((i) => i.intent === "HassRespond"))
      return { kind: "confirm", intents: interrupted.intents, prompt: `${RESOLVER_SPEECH.askYesNo} ${interrupted.prompt}`, again: true, understanding: u };
    return dropped(await decide(u, { ...input, text: answered }, deps, undefined), interrupted.intents, deps);
  }
  // Read word for word as said; a reading of the words said another way comes after the context's readings.
  const exact = (x: Understanding) => !x.rephrased && x.intents.length > 0 && x.intents.every((i) => i.source === "matcher" && i.confidence >= 1);
  // "thank you, and the coffee machine as well": thanks in front of a follow-up is no part of it; nor is
  // the "no wait, stop" of "no wait stop, close it" (what follows replaces the request, and says so).
  const followed = input.previous?.length && !exact(u) ? said.replace(clauseWords().followUpOpener, "") : said;
  const resumed = resumeAfterPause(u.intents, input.previous);
  if (resumed) return decide({ ...u, intents: resumed }, input, deps, input.previous);
  // "and the bedroom too", "now the blinds", "a bit more": the previous request, changed as said.
  // ("not the pendants, the cabinet lights": what it should have been; "no, a rest area, I need to sleep":
  // without the reason after it)
  const instead = withoutReasons(afterContrast(followed) ?? followed, deps);
  const elliptic = deps.grammar ? followUp(instead, input.previous, deps.grammar) : undefined;
  if (elliptic) return decide({ text: instead, intents: elliptic }, instead === followed ? input : { ...input, text: instead }, deps, undefined);
  // "actually make it twenty one", "only a quarter": the previous request with its number said again.
  const amount = (t: readonly string[]): number | undefined => {
    const said = new Set(deps.trust?.cues.numberWords.find(t).map((h) => h.tag));
    return said.size === 1 ? [...said][0] : undefined;
  };
  const trust = deps.trust;
  const fits = trust ? (intent: string, slot: string, word: string) => unitFits(intent, slot, word, knowledgeOf(trust.grammar), trust.cues) : undefined;
  const revalued = exact(u) ? undefined : newValue(instead, input.previous, amount, fits);
  if (revalued) return decide({ text: instead, intents: revalued }, instead === followed ? input : { ...input, text: instead }, deps, undefined);
  // "and make it blue": what "it" is comes from the previous request; "and open the curtains in there": where
  // "there" is. Taken only when the grammar then reads it word for word, even when it reads the words as
  // said ("put my window down" … "ok put it up again" is the window, not the volume "put it up" means alone).
  // ("actually close it again, it's cold": read word for word without a reason that changes nothing)
  for (const referred of [withReferent(followed, input.previous, deps.grammar), withPlace(followed, input.previous)]) {
    if (!referred) continue;
    const again = await deps.understander.understand(referred);
    if (exact(again)) return decide(again, { ...input, text: referred }, deps, input.previous);
    const { rephrased: r, ...read } = again;
    if (r && exact(read) && (!r.reason || (deps.trust && plainReason(r.reason, deps.trust.cues, read.intents)))) return decide(read, { ...input, text: r.text }, deps, input.previous);
  }
  // "and turn the volume up" in the follow-up window: the request without its "and" (and its thanks), read
  // again; a reading of it is judged like any other.
  const bare = input.previous?.length && !exact(u) ? followed.replace(followUpLead(), "") : said;
  if (bare !== said && bare) {
    const again = await deps.understander.understand(bare);
    if (again.intents.length)
      return decide(again, { ...input, text: bare }, deps, input.previous);
  }
  // Said another way (the matcher's rephrasings: "close the light of the staircase" with the owner first;
  // "pause the telly, the phone's ringing" without the reason): judged as the words the grammar read when
  // what was left out changes nothing (src/trust/reason.ts), so the policy need not weigh it again;
  // otherwise judged on every word said.
  const r = u.rephrased;
  if (r && (!r.reason || !deps.trust || plainReason(r.reason, deps.trust.cues))) {
    const { rephrased: _, ...read } = u;
    return decide(read, { ...input, text: r.text }, deps, input.previous);
  }
  return decide(u, input, deps, input.previous);
}

/** A follow-up without the clauses after it that are plain reasons ("no, 19, sorry, I'm half asleep" → "no, 19, sorry"). */
function withoutReasons(text: string, deps: ResolverDeps): string {
  const parts = text.split(/[,;]/);
  let n = parts.length;
  // (an amount in a reason with its own subject is the reason's: "I'm half asleep"; a number is not)
  const plain = (part: string) => {
    const t = normalizeTokens(part);
    return !t.some((w) => /^\d/.test(w)) && (!deps.trust || plainReason(t.filter((w) => !deps.trust!.cues.amounts.words.has(w)), deps.trust.cues));
  };
  while (n > 1 && startsReason(parts[n - 1]!) && plain(parts[n - 1]!)) n--;
  return n === parts.length ? text : parts.slice(0, n).join(",").trim();
}

/** "actually, cancel that" just after a route was started: the route is what is cancelled (the session passes such a cancel on as a request). */
export function cancelsRoute(previous: readonly IntentResult[] | undefined): boolean {
  return (previous ?? []).some((p) => p.intent === "NavigateTo");
}

/** A new request came in place of an answer: it is handled, and the answer says what was dropped. */
function dropped(r: Resolution, earlier: IntentResult[], deps: ResolverDeps): Resolution {
  const what = deps.grammar ? sayIntents(deps.grammar, earlier) : "";
  const note = what ? `I dropped the earlier request to ${what}.` : "I dropped the earlier request.";
  switch (r.kind) {
    case "act":
    case "confirm":
      return { ...r, notes: [...(r.notes ?? []), note] };
    case "answer":
      return { ...r, speech: `${r.speech} ${note}`.trim() };
    case "clarify":
      return { ...r, pending: { ...r.pending, prompt: `${note} ${r.pending.prompt}` } };
    case "cancel":
      return r;
  }
}

/** Understood (or not) → the trust policy's verdict → the dialog's resolution. */
async function decide(u: Understanding, input: UnderstandInput, deps: ResolverDeps, previous: IntentResult[] | undefined): Promise<Resolution> {
  const { text, session } = input;
  if (u.intents.some((i) => NEVERMIND.has(i.intent))) {
    if (cancelsRoute(previous) && deps.grammar?.intents.has("NavigationCancel"))
      return finish([{ intent: "NavigationCancel", slots: {}, confidence: 1, source: "dialog" }], session, undefined, deps, u);
    return { kind: "cancel", understanding: u };
  }
  const intents = speakerRelative(u.intents, text, session);
  if (!deps.trust) {
    if (!intents.length) return { kind: "answer", speech: RESOLVER_SPEECH.noMatch, understanding: u };
    return finish(intents, session, previous, deps, u);
  }
  const verdict: Verdict = await judge(
    { text, understanding: { ...u, intents }, session, ...(input.asr ? { asr: input.asr } : {}), deviceFacts: (i) => deviceFactsOf(i, deps) },
    deps.trust,
    async (t) => {
      const again = await deps.understander.understand(t);
      return { ...again, intents: speakerRelative(again.intents, t, session) };
    },
  );
  // The judge may fill a slot from the words again ("my side" is the driver in the car's lists): who speaks decides once more.
  if ("intents" in verdict && verdict.intents.length) verdict.intents = speakerRelative(verdict.intents, text, session);
  const note = (v: Verdict): TrustNote | undefined =>
    v.decision === "pass" || v.decision === "act" ? undefined : { decision: v.decision, reason: v.reason, ...("detail" in v && v.detail ? { detail: v.detail } : {}) };
  switch (verdict.decision) {
    case "pass":
    case "act": {
      const acted = verdict.decision === "act" ? verdict.intents : intents;
      if (!acted.length) return { kind: "answer", speech: RESOLVER_SPEECH.noMatch, understanding: u };
      const which = whichOne(acted, text, session);
      if (which) return { kind: "clarify", pending: which, understanding: u };
      const r = finish(acted, session, previous, deps, u);
      if (r.kind === "act" && deps.grammar && noReferent(acted, text, input.previous))
        return { kind: "confirm", intents: r.intents, prompt: `Did you mean: ${sayIntents(deps.grammar, r.intents)}?`, notes: r.notes ?? [], understanding: u, trust: { decision: "ask", reason: "unsure_nlu" } };
      return r;
    }
    case "refuse":
      // Nothing is acted on: the answer's intents stay empty, what was understood travels as `withheld`.
      return { kind: "answer", speech: verdict.speech, intents: [], understanding: u, trust: { ...note(verdict)!, withheld: verdict.intents } };
    case "report":
      return { kind: "act", intents: verdict.intents.map((i) => fillFromContext(i, session, previous, deps.profile)), report: true, understanding: u, trust: note(verdict)! };
    case "ask": {
      // The same preparation as acting (context, missing slots, policies), then one yes/no question.
      const r = finish(verdict.intents, session, previous, deps, u);
      if (r.kind !== "act" && r.kind !== "confirm") return r;
      // A reading hark doubts is asked back as it would be carried out (with the room the context filled in).
      const prompt = verdict.reason === "unsure_nlu" && deps.grammar ? `Did you mean: ${sayIntents(deps.grammar, r.intents)}?` : verdict.prompt;
      return { kind: "confirm", intents: r.intents, prompt, notes: r.notes ?? [], understanding: u, trust: note(verdict)! };
    }
    case "schedule": {
      const r = finish(verdict.intents, session, previous, deps, u);
      if (r.kind !== "act") return { kind: "answer", speech: "Sorry, I can only do things later when they need no question first, so I did nothing.", intents: [], understanding: u, trust: { ...note(verdict)!, withheld: verdict.intents } };
      if (!deps.schedule)
        return { kind: "answer", speech: "Sorry, I can't do things later here, so I did nothing.", intents: verdict.intents, understanding: u, trust: { decision: "refuse", reason: "delay" } };
      deps.schedule(r.intents, verdict.later, session);
      return { kind: "answer", speech: verdict.speech, intents: [], understanding: u, trust: { ...note(verdict)!, withheld: r.intents } };
    }
  }
}

/** Intents of the other place that a speaker's own place reads in its own way (speakerRelative): they stay in its ASR grammar. */
export const READ_LOCALLY: Record<"home" | "car", readonly string[]> = { home: ["CabinSetTemperature", "MediaSetVolume"], car: [] };

/** Car slots that name a seat/zone/side; the car's lists map "my …" to the driver. */
const SEAT_SLOTS = ["zone", "seat", "window", "side"];
/** The seat behind each front seat: the driver sits on the left (the demo car's VSS paths: Row2.DriverSide is rear_left). */
const BEHIND: Record<string, string> = { driver: "rear_left", passenger: "rear_right" };

/**
 * Readings that depend on who speaks:
 * - in the car, "my seat" / "my side" / "my window" is the speaker's seat (the car's lists say "driver",
 *   assuming the driver speaks);
 * - at home, a bare "set the temperature to 21" (a cabin sentence by the grammar's ownership rules) is
 *   about the home's thermostat, not the car's climate.
 */
export function speakerRelative(intents: IntentResult[], text: string, session: SessionInfo): IntentResult[] {
  const words = normalizeText(text);
  return intents.map((i) => {
    // "the window behind me": the seat behind a front seat.
    const behind = session.profile === "car" && /\bbehind (me|my seat)\b/.test(words) ? BEHIND[session.seat ?? "driver"] : undefined;
    if (behind) {
      const slot = i.intent === "CabinWindow" ? "window" : i.intent.startsWith("CabinSeat") ? "seat" : undefined;
      if (slot) return { ...i, slots: { ...i.slots, [slot]: behind } };
    }
    if (session.profile === "car" && session.seat && session.seat !== "driver" && /\bmy\b/.test(words) && !/\bdriver/.test(words)) {
      const fix = SEAT_SLOTS.filter((k) => i.slots[k] === "driver");
      if (fix.length) return { ...i, slots: { ...i.slots, ...Object.fromEntries(fix.map((k) => [k, session.seat!])) } };
    }
    // At home the bare phrasings the car owns mean the speaker's room: its thermostat, its players.
    if (session.profile === "home" && i.intent === "CabinSetTemperature" && i.slots.zone === undefined) {
      return { ...i, intent: "HassClimateSetTemperature", slots: { temperature: i.slots.temperature! }, fromContext: ["area"] };
    }
    if (session.profile === "home" && i.intent === "MediaSetVolume" && i.slots.volume !== undefined) {
      return { ...i, intent: "HassSetVolume", slots: { volume_level: i.slots.volume }, fromContext: ["area"] };
    }
    return i;
  });
}

function basePrompt(prompt: string): string {
  return prompt.startsWith(`${RESOLVER_SPEECH.sorryAgain} `) ? prompt.slice(RESOLVER_SPEECH.sorryAgain.length + 1) : prompt;
}

/** Context filling, requirements, policies: the part after understanding, shared by new requests and clarified ones. */
export function finish(
  understood: IntentResult[],
  session: SessionInfo,
  previous: IntentResult[] | undefined,
  deps: ResolverDeps,
  understanding: Understanding | undefined,
): Resolution {
  // (the speaker's room first: "open the blinds" in a room without any asks which, never the one elsewhere)
  const intents = understood.map((i) => onlyOneOfKind(fillFromContext(i, session, previous, deps.profile), deps.grammar));

  // The speaker's room has none of what was asked for, other rooms do: ask which, never guess.
  for (const [n, intent] of intents.entries()) {
    if (understood[n]!.slots.area !== undefined || intent.slots.area === undefined || previous?.length) continue;
    const prompt = deps.whichElsewhere?.(intent);
    if (prompt) return { kind: "clarify", pending: { intents: intents.map((x, m) => (m === n ? understood[n]! : x)), slot: "area", prompt, attempts: 1 }, understanding };
  }

  // Missing slots: ask (one question at a time; the answer fills every intent lacking that slot).
  for (const intent of intents) {
    const missing = missingSlot(intent, deps);
    if (missing) {
      return {
        kind: "clarify",
        pending: { intents, slot: missing.slot, prompt: missing.prompt, attempts: 1 },
        understanding,
      };
    }
  }

  // Safety policies, one intent at a time.
  const base: Facts = { profile: session.profile, seat: session.seat, session_area: session.area, ...(deps.signals?.() ?? {}) };
  const allowed: IntentResult[] = [];
  const refusals: string[] = [];
  const notes: string[] = [];
  let prompt: string | undefined;
  let confirm = false;
  for (const intent of intents) {
    const facts: Facts = { ...base, ...deviceFactsOf(intent, deps) };
    const out = evaluatePolicies(deps.policies, intent, facts);
    if (out.decision === "refuse") {
      refusals.push(out.refusal ?? `I can't do that.`);
      continue;
    }
    if (out.decision === "confirm" || deps.grammar?.intents.get(intent.intent)?.confirm) {
      confirm = true;
      prompt ??= out.prompt;
    }
    notes.push(...out.notes);
    allowed.push(out.intent);
  }
  if (allowed.length === 0) return { kind: "answer", speech: refusals.join(" "), intents, understanding };
  const allNotes = [...refusals, ...notes];
  if (confirm) return { kind: "confirm", intents: allowed, prompt: prompt ?? RESOLVER_SPEECH.confirmDefault, notes: allNotes, understanding };
  return { kind: "act", intents: allowed, notes: allNotes, understanding };
}

/** A missing room or seat from where the request was said (or, in a follow-up, from the previous request). */
export function fillFromContext(intent: IntentResult, session: SessionInfo, previous: IntentResult[] | undefined, profile: Profile): IntentResult {
  let slots = intent.slots;
  for (const rule of profile.fill) {
    if (slots[rule.slot] !== undefined) continue;
    // The grammar says which sentences take the room from the satellite ("lights on in here"); a reading
    // whose engine cannot tell (the SLM) goes by the profile's list of intents.
    const wanted = intent.fromContext ? intent.fromContext.includes(rule.slot) || (rule.slot !== "area" && rule.intents.includes(intent.intent)) : rule.intents.includes(intent.intent);
    if (!wanted) continue;
    if (rule.unless?.some((s) => slots[s] !== undefined)) continue;
    // In a follow-up, "and dim them" refers to what was just talked about, not to where the speaker stands.
    const fromPrevious = previous?.map((p) => p.slots[rule.slot]).find((v) => v !== undefined);
    const value = fromPrevious ?? (rule.from === "area" ? session.area : session.seat);
    if (value !== undefined) slots = { ...slots, [rule.slot]: value };
  }
  return slots === intent.slots ? intent : { ...intent, slots };
}

function missingSlot(intent: IntentResult, deps: ResolverDeps): { slot: string; prompt: string } | undefined {
  const def = deps.grammar?.intents.get(intent.intent);
  const promptFor = (slot: string, fallback: string) => def?.slots.get(slot)?.prompt ?? fallback;
  for (const req of deps.profile.requirements) {
    if (!req.intents.includes(intent.intent) || !whenMatches(req, intent)) continue;
    if (req.anyOf.every((s) => intent.slots[s] === undefined)) return { slot: req.ask, prompt: promptFor(req.ask, req.prompt) };
  }
  for (const slot of def?.slots.values() ?? []) {
    if (slot.required && intent.slots[slot.name] === undefined)
      return { slot: slot.name, prompt: slot.prompt ?? `Which ${slot.name.replace(/_/g, " ")}?` };
  }
  return undefined;
}

/**
 * "close the garage": a kind of device (a device class) the home has one of is that device, named, so it
 * needs no room to find it and a question about it can say its name ("open the Garage Door?").
 */
function onlyOneOfKind(intent: IntentResult, g: Grammar | undefined): IntentResult {
  const cls = intent.slots.device_class;
  const names = g?.lists.get("name");
  if (cls === undefined || names?.kind !== "values" || ["name", "area", "floor"].some((s) => intent.slots[s] !== undefined)) return intent;
  const same = new Set(names.values.filter((v) => v.context?.device_class === cls && (intent.slots.domain === undefined || v.context?.domain === intent.slots.domain)).map((v) => v.out));
  return same.size === 1 ? { ...intent, slots: { ...intent.slots, name: [...same][0]! } } : intent;
}

function whenMatches(req: Requirement, intent: IntentResult): boolean {
  if (intent.response !== undefined && req.unlessResponse?.includes(intent.response)) return false;
  return Object.entries(req.when ?? {}).every(([k, v]) => intent.slots[k] === v);
}

function deviceFactsOf(intent: IntentResult, deps: ResolverDeps): Facts {
  if (deps.deviceFacts) return deps.deviceFacts(intent);
  const name = intent.slots.name;
  if (name === undefined || !deps.grammar) return {};
  const list = deps.grammar.lists.get("name");
  if (list?.kind !== "values") return {};
  const v = list.values.find((x) => x.out === name);
  return { ...(v?.context ?? {}) };
}

// ---- answers to a clarification question ----------------------------------------------------------

const LEADING = /^(?:(?:in|on|at|for|to|the|my|of|um|uh|er|oh|please|it's|its|it is|that's|that is|i mean|one|ones|1)\s+)+/;
const TRAILING = /(?:\s+(?:please|thanks|thank you|room|one|ones|1))+$/;

/** The slot value an answer names, if any: from the slot's list, a number range, or understanding it alone. */
async function answerValue(pending: Pending, text: string, deps: ResolverDeps): Promise<SlotValue | undefined> {
  const answer = normalizeText(text).replace(LEADING, "").replace(TRAILING, "").trim();
  if (!answer) return undefined;
  const g = deps.grammar;
  const listName = g ? ([...g.intents.values()].flatMap((i) => [...i.slots.values()]).find((s) => s.name === pending.slot)?.list ?? pending.slot) : pending.slot;
  if (pending.among) {
    const list = g?.lists.get(listName);
    const forms = (v: SlotValue) => (g && list?.kind === "values" ? list.values.filter((x) => x.out === v).flatMap((x) => expand(x.in, g)) : []);
    return pickAmong(pending.among, answer, forms);
  }
  if (g) {
    const list = g.lists.get(listName);
    if (list?.kind === "values") {
      for (const v of list.values) {
        const forms = expand(v.in, g).map((f) => normalizeText(f).replace(LEADING, ""));
        // "the living room ones": "room" was stripped with "ones" (as for "the kitchen one").
        if (forms.includes(answer) || forms.includes(`${answer} room`) || normalizeText(String(v.out)) === answer) return v.out;
      }
    } else if (list?.kind === "range") {
      const n = Number(answer.split(" ")[0]);
      if (Number.isFinite(n) && n >= list.from && n <= list.to) return n * (list.multiplier ?? 1);
    } else if (list?.kind === "wildcard") {
      return answer;
    }
  }
  // "the front one" to "Which one: the Back Door in the Kitchen or the Front Door in the Hallway?":
  // the room of the one device of the kind asked for whose name has those words.
  if (g && pending.slot === "area") {
    const names = g.lists.get("name");
    const domains = new Set(pending.intents.map((i) => i.slots.domain).filter((d) => d !== undefined).map(String));
    const words = answer.split(" ");
    if (names?.kind === "values") {
      const rooms = new Set<string>();
      for (const v of names.values) {
        if (v.context?.area === undefined || (domains.size && !domains.has(String(v.context.domain)))) continue;
        if (expand(v.in, g).some((f) => words.every((w) => normalizeText(f).split(" ").includes(w)))) rooms.add(String(v.context.area));
      }
      if (rooms.size === 1) return [...rooms][0];
    }
  }
  // "the kitchen lights" as an answer: whatever fills the slot in a full reading.
  const u = await deps.understander.understand(text);
  // A whole request of another kind ("turn off the kitchen lights" to "which fan?") is no answer: it is a new request.
  const wholeOther = u.intents.some((i) => i.source === "matcher" && i.confidence >= 1 && !pending.intents.some((p) => p.intent === i.intent && p.slots.domain === i.slots.domain));
  if (!wholeOther) for (const i of u.intents) if (i.slots[pending.slot] !== undefined) return i.slots[pending.slot];
  return undefined;
}

/** The spoken forms of a list value's template (bounded). */
function expand(expr: Expr, g: Grammar, cap = 64): string[] {
  switch (expr.type) {
    case "text":
      return [expr.text];
    case "slot":
      return [""];
    case "rule": {
      const r = g.rules.get(expr.name);
      return r ? expand(r.expr, g, cap) : [""];
    }
    case "alt": {
      const out = expr.items.flatMap((i) => expand(i, g, cap));
      if (expr.optional) out.push("");
      return out.slice(0, cap);
    }
    case "seq":
    case "perm": {
      let acc = [""];
      for (const item of expr.items) {
        const next: string[] = [];
        for (const a of acc) for (const b of expand(item, g, cap)) if (next.length < cap) next.push(`${a} ${b}`.trim());
        acc = next;
      }
      return acc;
    }
  }
}
