// One decision per utterance: act, ask back, or refuse with the reason. Everything that can make an
// understood request the wrong thing to do is checked here, in this order:
//   what the words do to the request (negation, "leave it", a statement, a question, "except",
//   conditions, repetitions, vague or exact later times) → places and devices the home or car does not
//   have → values the user never said → intents nothing can carry out, or that belong to the other
//   place → how sure each stage was, against the risk of the action.
// The dialog (src/dialog/resolve.ts), `hark understand` and `hark replay` all decide through here.
import { canonicalSentence, sayIntents } from "../compile/canonical.js";
import { normalizeTokens } from "../grammar/normalize.js";
import type { Grammar } from "../grammar/types.js";
import type { LoadedGrammar } from "../grammar/load.js";
import type { IntentResult, Understanding } from "../nlu/types.js";
import { intentHandling } from "../act/plan.js";
import type { Facts } from "../dialog/policy.js";
import { riskOf, type Risk, type TrustConfig } from "./config.js";
import type { CueKind, Cues, LexiconKind } from "./cues.js";
import { groundIntent, outOfRange, unreadName } from "./grounding.js";
import { freeText, knowledgeOf, type EntityTag, type Knowledge } from "./knowledge.js";
import { covered, type PhraseHit } from "./phrases.js";
import { findLater, sayLater, type Later } from "./when.js";
import { findSelfCorrection, repairRequest } from "./repair.js";
import { plainReason } from "./reason.js";
import { narrowByKindWord } from "./kindWords.js";
import { clauses, startsRequest } from "../nlu/rephrase.js";
import { findLeftOut, leaveOut, type LeftOut } from "./exclusion.js";
import type { DeviceCatalog } from "../devices/catalog.js";
import { CAR_PLACE_SLOTS, guessFault, ownPlaceAt, unheldNumber } from "./guessed.js";

/** What the speech recognizer says about how sure it is of the words (src/asr evidence). */
export interface AsrEvidence {
  /** 0..1: how surely the heard sentence beat its best competitor with another meaning. */
  score?: number;
  /** That competitor, as words. */
  competitor?: string;
}

export interface JudgeInput {
  text: string;
  understanding: Understanding;
  /** Where the request was said (absent for `hark understand` without --area). */
  session?: { profile?: "home" | "car"; area?: string; seat?: string };
  asr?: AsrEvidence;
  /** Target device facts for the risk class (domain, device_class of a named device). */
  deviceFacts?: (intent: IntentResult) => Facts;
  /** false: no devices behind the decision (a replay, `hark understand`): whether a device can carry an intent out is not checked. */
  devices?: false;
}

export interface TrustDeps {
  grammar: Grammar;
  cues: Cues;
  config: TrustConfig;
}

/** Understands the request again without the words that framed it ("why don't you …", "… in 10 minutes"). */
export type Reunderstand = (text: string) => Understanding | Promise<Understanding>;

/** Why hark did not simply act. */
export type TrustReason =
  | "negation"
  | "correction"
  | "hold"
  | "statement"
  | "question"
  | "exclusion"
  | "condition"
  | "recurring"
  | "vague_time"
  | "comparison"
  | "duration"
  | "delay"
  | "unknown_area"
  | "unknown_device"
  | "wrong_place"
  | "ungrounded"
  | "no_handler"
  | "scope"
  | "unsure_asr"
  | "unsure_nlu"
  | "confirm_first";

export type Verdict =
  /** Carry out these intents now. */
  | { decision: "act"; intents: IntentResult[]; notes: string[] }
  /** A question in the form of a command: read these intents' devices, change nothing. */
  | { decision: "report"; intents: IntentResult[]; reason: "question" }
  /** Carry them out later (the runtime's scheduler). */
  | { decision: "schedule"; intents: IntentResult[]; later: Later; reason: "delay"; speech: string }
  /** Ask first; act on yes. */
  | { decision: "ask"; intents: IntentResult[]; prompt: string; reason: TrustReason; risk?: Risk }
  /** Do nothing, and say why. */
  | { decision: "refuse"; intents: IntentResult[]; speech: string; reason: TrustReason; detail?: string }
  /** Nothing understood, or a cancel: the dialog's usual path. */
  | { decision: "pass" };

/** Words a request may start with that say nothing ("so, is the light on"). */
const LEAD_FILLERS = new Set(["so", "and", "um", "uh", "er", "hey", "ok", "okay", "well", "oh", "please", "hark", "now"]);

/** Verbs a request for a change starts with ("put the big light on …"): what a question does not. */
const CHANGE_VERBS = new Set(["turn", "switch", "put", "set", "make", "open", "close", "shut", "start", "stop", "lock", "unlock", "dim", "brighten", "raise", "lower", "play", "pause", "resume", "run", "activate", "crank", "bump", "roll", "wind"]);

const TIME_SLOTS = ["hours", "minutes", "seconds"];

const POSSESSIVES = new Set(["my", "his", "her", "their", "your", "our"]);

/** Device intents a question may ask for ("where's the nearest pharmacy" → a route, offered first). */
const OFFERED = ["NavigateTo"];

const SPEECH = {
  negation: "Okay, I won't do that.",
  hold: "Okay, I'll leave it as it is.",
  correction: "Sorry, I didn't follow the correction, so I did nothing. Please say the whole request again.",
  statement: "Okay. I didn't change anything; tell me what you would like me to do.",
  questionUnknown: "Sorry, I can't answer that.",
  exclusion: "Sorry, I could not tell what to leave out, so I did nothing. Please name only what to change.",
  notUnderstood: "Sorry, I didn't understand that.",
  unsureAsr: "Sorry, I didn't catch that clearly, so I did nothing.",
  relay: "Sorry, I can't pass requests on to people, so I did nothing. Ask me directly if you want me to do it.",
  addressed: "That sounded meant for someone else, so I did nothing. Ask me directly if you want me to do it.",
  reported: "Okay. That sounded like someone else's words, so I did nothing. Ask me directly if you want me to do it.",
  unsureHighRisk: "Sorry, I'm not sure what you want me to do there, so I did nothing. Please say it again in other words.",
};

export async function judge(input: JudgeInput, deps: TrustDeps, reunderstand?: Reunderstand): Promise<Verdict> {
  const { grammar, cues, config } = deps;
  // "honey, can you turn the big light off?": someone else is asked, however the rest reads.
  const words = normalizeTokens(input.text);
  const addressed = cues.addressedStart.atStart(words, LEAD_FILLERS);
  const asks = addressed ? input.understanding.intents.filter((i) => intentHandling(i.intent).kind === "device") : [];
  if (addressed && asks.length) return { decision: "refuse", intents: asks, speech: SPEECH.addressed, reason: "statement", detail: words[addressed.start]! };
  // Read said another way (src/nlu/rephrase.ts): judged as the words the grammar read when what was left
  // out changes nothing; else on every word said, as a reading that left words out (not word for word:
  // "…, no wait" takes it back, "…, no, the hallway" is repaired below).
  if (input.understanding.rephrased) {
    const { rephrased: r, ...rest } = input.understanding;
    if (!r.reason || plainReason(r.reason, cues, rest.intents)) return judge({ ...input, text: r.text, understanding: { ...rest, text: r.text } }, deps, reunderstand);
    const partial = (i: IntentResult): IntentResult => ({ ...i, confidence: Math.min(i.confidence, 0.9), evidence: { ...i.evidence, tolerance: r.reason!.length } });
    input = { ...input, understanding: { ...rest, intents: rest.intents.map(partial) } };
  }
  const { session, text } = input;
  let u = input.understanding;
  const k = knowledgeOf(grammar);
  const tokens = normalizeTokens(text);
  // Known names are never cues ("Do Not Disturb" is a switch); neither are the words of a free-text value.
  const valueWords = new Set(u.intents.flatMap((i) => Object.values(i.slots).flatMap((v) => (typeof v === "string" ? normalizeTokens(v) : []))));
  const names = k.entities.find(tokens);
  // ("…, it's six in the morning": the time now is no cue, no delay and no value)
  const blocked = new Set([...covered(names), ...covered(cues.clockNow.find(tokens))]);
  // Free text is the user's own words, not a cue: "tell everyone we are leaving in ten minutes" is no delay.
  const freeWords = new Set(u.intents.flatMap((i) => freeText(i, grammar).flatMap(([, v]) => normalizeTokens(v))));
  const cueBlocked = freeWords.size ? new Set([...blocked, ...tokens.flatMap((t, i) => (freeWords.has(t) ? [i] : []))]) : blocked;
  const cueHits = cues.anywhere.find(tokens, cueBlocked);
  const hitText = (h: { start: number; end: number }) => tokens.slice(h.start, h.end).join(" ");

  // Places and devices named that this home or car does not have.
  const valueBlocked = new Set([...blocked, ...tokens.flatMap((t, i) => (valueWords.has(t) && !k.entities.at(tokens, i) ? [i] : []))]);
  // Found around the known names, not between them: "guest bedroom" is not the Bedroom; "master bedroom" (an alias) is.
  const valueOnly = new Set([...valueBlocked].filter((i) => !blocked.has(i)));
  const insideName = (h: { start: number; end: number }) => names.some((n) => n.start <= h.start && h.end <= n.end);
  // A place said as someone's ("my room") is unknown even though the grammar has its words.
  const unknown = cues.lexicon.find(tokens, valueOnly).filter((h) => !insideName(h) && !simile(tokens, h.start) && (POSSESSIVES.has(tokens[h.start]!) || !tokens.slice(h.start, h.end).every((t) => k.vocabulary.has(t))));

  // "the second bathroom", "the downstairs bathroom" (when the bathroom is upstairs): rooms this home does not have.
  unknown.push(...otherRooms(names, tokens, cues), ...roomsNamed(tokens, valueBlocked).filter((h) => !unknown.some((u) => u.start <= h.start && h.end <= u.end)));
  unknown.sort((a, b) => a.start - b.start);
  // "turn off the kettle, no sorry, the coffee maker": what was corrected away is no request for it.
  const early = findSelfCorrection(tokens, cues, blocked);
  if (early?.kind === "corrected") unknown.splice(0, unknown.length, ...unknown.filter((h) => h.start >= early.cue.end));

  const start = cues.questionStart.atStart(tokens, LEAD_FILLERS);
  let stripped = false;
  // Nothing understood: understood again without the words the understander could not place, which
  // still judge it below ("stripped": a word-for-word match of the rest does not spell them out).
  // - question words: "did you turn on the kitchen lights" is reported on, never done;
  // - a time ("… at 7 pm"), a repetition or a vague time ("… every day", "… tomorrow morning");
  if (!u.intents.length && early?.kind === "corrected" && reunderstand) {
    const repaired = await repairRequest(early.head, early.tail, reunderstand);
    if (repaired) (u = { ...u, intents: repaired.intents }), (stripped = true);
  }
  if (!u.intents.length) {
    const first = unknown[0];
    if (first) return refuseUnknown(first, tokens, session);
    const question = start?.tag === "question";
    const strip = !reunderstand
      ? []
      : question
        ? start.end < tokens.length ? [start] : []
        : [
            ...findLater(tokens, cues, cueBlocked).filter((l) => !amountNotTime(l, tokens, cues)),
            ...cueHits.filter((h) => h.tag === "recurring" || h.tag === "vague_time"),
            // - what is left out ("every light except the kitchen ones"), judged below.
            ...(catalogOf(grammar) ? cueHits.filter((h) => h.tag === "exclusion").flatMap((h) => findLeftOut(tokens, h, names)?.span ?? []) : []),
          ];
    const rest = strip.length ? await reunderstand!(without(tokens, strip)) : undefined;
    if (!rest?.intents.length && !question && reunderstand) {
      const asked = await lackingValue(tokens, cues, grammar, reunderstand);
      if (asked) return { decision: "act", intents: asked, notes: [] };
    }
    if (!rest?.intents.length) return question ? { decision: "refuse", intents: [], speech: SPEECH.questionUnknown, reason: "question" } : { decision: "pass" };
    u = { ...u, intents: rest.intents };
    stripped = true;
  }
  const cancels = (i: IntentResult) => intentHandling(i.intent).kind === "cancel";
  if (u.intents.some(cancels)) {
    // "never mind, turn on the coffee maker": what was said first is dropped, the request after it stands.
    const c = cues.correctionStart.atStart(tokens, LEAD_FILLERS);
    const after = c && c.end < tokens.length && reunderstand ? await reunderstand(tokens.slice(c.end).join(" ")) : undefined;
    if (!after?.intents.length || after.intents.some(cancels)) return { decision: "pass" };
    u = { ...u, intents: after.intents };
  }
  let intents = u.intents;
  const refuse = (reason: TrustReason, speech: string, detail?: string): Verdict => ({ decision: "refuse", intents, speech, reason, ...(detail ? { detail } : {}) });

  // 1. What the words do to the request. A sentence of the grammar matched word for word spells out
  // what its words mean ("i don't need navigation any more" is how the grammar cancels navigation):
  // then negation, hold, statements, exclusions and conditions are the template's own words.
  const spelled = !stripped && intents.every(wordForWord);
  const has = (kind: CueKind) => !spelled && cueHits.some((h) => h.tag === kind);
  if (has("negation_ask")) return { decision: "ask", intents, prompt: `Do you want me to ${sayIntents(grammar, intents)} now?`, reason: "negation" };
  // "don't turn off the lamp, turn off the ceiling light": the negated request is set aside for the one after it.
  const insteadOf = has("negation") && reunderstand ? await negatedThenAsked(text, tokens, cues, reunderstand) : undefined;
  if (has("negation") && !has("negation_act") && !insteadOf) return refuse("negation", SPEECH.negation, hitText(cueHits.find((h) => h.tag === "negation")!));
  // "why don't you turn on the lights", "no wait, turn them off": the request is what follows the frame, understood on its own.
  const correction = cues.correctionStart.atStart(tokens, LEAD_FILLERS);
  const frame = insteadOf ?? cueHits.find((h) => h.tag === "negation_act") ?? (correction && correction.end < tokens.length ? { start: 0, end: correction.end } : undefined) ?? contrasted(tokens, names);
  // (a follow-up the dialog already read with its correction, "sorry, 21" after "set my side to 22", stands)
  const dialogRead = intents.length > 0 && intents.every((i) => i.source === "dialog");
  if (frame && reunderstand && !dialogRead) {
    const again = await reunderstand(without(tokens, [frame]));
    if (!again.intents.length) return refuse("negation", SPEECH.notUnderstood, hitText(frame));
    u = again;
    intents = again.intents;
  }
  // "turn on the kitchen light, no wait": taken back. "turn on the pendants, I mean the cabinet lights": repaired.
  const self = frame || spelled ? undefined : findSelfCorrection(tokens, cues, blocked);
  if (self?.kind === "retracted") return refuse("negation", SPEECH.negation, hitText(self.cue));
  if (self?.kind === "corrected") {
    const repaired = reunderstand ? await repairRequest(self.head, self.tail, reunderstand) : undefined;
    if (!repaired) return refuse("correction", SPEECH.correction, hitText(self.cue));
    u = repaired;
    intents = repaired.intents;
  }
  // Without devices behind the decision (a replay), an intent hark has no handler for still asks for a change.
  const isChange = (i: IntentResult) => intentHandling(i.intent).kind === "device" || (input.devices === false && intentHandling(i.intent).kind === "none");
  const changes = intents.some(isChange);
  // "leave the porch light on": the hold may wrap a device's name, so names do not block it.
  // (also when guessed as a question about it: "leave the porch light on" asks nothing)
  const holds = changes || (guessedReading(intents) && start?.tag !== "question");
  // (a hold inside an exclusion, "… but leave the pendants on", leaves that device out: judged below)
  const excluding = cueHits.filter((h) => h.tag === "exclusion");
  const held = cues.anywhere.find(tokens).some((h) => h.tag === "hold" && !excluding.some((e) => e.start < h.start && h.start < e.end));
  if (holds && !spelled && held) return refuse("hold", SPEECH.hold);
  if (changes && !spelled && cues.statementStart.atStart(tokens, LEAD_FILLERS)) return refuse("statement", SPEECH.statement);
  if (!spelled && intents.some((i) => isChange(i) && !freeText(i, grammar).length) && relayed(tokens, cues)) return refuse("statement", SPEECH.relay);
  if (changes && !spelled && cues.reported.find(tokens, cueBlocked).length) return refuse("statement", SPEECH.reported);
  // "I'm writing a song called Turn On the Pendants": every device named comes after a title's word
  const title = changes && names.length ? cues.titles.find(tokens, cueBlocked)[0] : undefined;
  if (title && names.every((n) => n.start >= title.end)) return refuse("statement", SPEECH.reported, hitText(title));

  // A question mark counts too, unless the words ask for something ("could you turn on the lights?").
  // (after a negated request set aside, the request's own first words say whether it asks)
  const opening = insteadOf ? cues.questionStart.atStart(tokens.slice(insteadOf.end), LEAD_FILLERS) : start;
  const question = opening?.tag === "question" || (opening?.tag !== "request" && (cues.questionEmbedded.find(tokens, cueBlocked).length > 0 || /\?\s*$/.test(text)));
  if (question && changes) {
    // Never act on a question: answer from the devices' state. Only a reading whose values were all said qualifies;
    // a place asked about ("where's the nearest pharmacy") is offered as a route, asked first.
    const reportable = intents.filter((i) => groundIntent(i, tokens, k, cues, config.grounding).unsaid === undefined && intentHandling(i.intent).kind !== "none");
    if (reportable.length !== intents.length || reportable.some((i) => !inScope(i, session, grammar))) return refuse("question", SPEECH.questionUnknown);
    if (reportable.every((i) => OFFERED.includes(i.intent))) return { decision: "ask", intents: reportable, prompt: `Should I ${sayIntents(grammar, reportable)}?`, reason: "question" };
    return { decision: "report", intents: reportable, reason: "question" };
  }

  // "and put the big light on while you are at it" read as asking whether it is on: a guessed question
  // said with the words of a change is neither answered nor done.
  const asksState = (i: IntentResult) => intentHandling(i.intent).kind === "query";
  if (!question && guessedReading(intents) && intents.every(asksState) && CHANGE_VERBS.has(tokens.find((t) => !LEAD_FILLERS.has(t)) ?? ""))
    return refuse("question", SPEECH.notUnderstood, "a change read as a question");

  // What only matters for a change: "except …", conditions, repetitions and times (a question about the
  // arrival "until we get there" is no condition).
  // (a frame's own "not the pendants, …" is no exclusion)
  const outsideFrame = (h: { start: number }) => !frame || h.start < frame.start || h.start >= frame.end;
  // "all the lights in here except the floor lamp": the request without the words that leave something out,
  // carried out on its devices but that one (at the end, once the request itself passed every check).
  const exclusion = changes && !spelled ? cueHits.find((h) => h.tag === "exclusion" && outsideFrame(h)) : undefined;
  let leftOut: LeftOut | undefined;
  if (exclusion) {
    leftOut = catalogOf(grammar) && reunderstand ? findLeftOut(tokens, exclusion, names) : undefined;
    const request = leftOut ? await reunderstand!(without(tokens, [leftOut.span])) : undefined;
    if (!request?.intents.length || !request.intents.every(isChange)) return refuse("exclusion", SPEECH.exclusion, hitText(exclusion));
    intents = request.intents;
  }
  const openEnded = cues.openEnded.find(tokens);
  for (const kind of ["condition", "recurring", "vague_time", "comparison"] as const) {
    const h = changes && !spelled ? cueHits.find((x) => x.tag === kind && !openEnded.some((o) => o.start === x.start)) : undefined;
    if (h) return refuse(kind, laterSpeech(kind, hitText(h)), hitText(h));
  }
  const timed = intents.some((i) => TIME_SLOTS.some((s) => i.slots[s] !== undefined));
  // "at 7" is a time when the request is whole without it ("turn on the porch light at 7"), else a
  // value the request needs ("set the lights at 10").
  // A change with a time, guessed as a timer ("turn on the kitchen speaker in 1 second" read as a timer
  // named "the"): when the words without the time are a change word for word, the time is when to do it.
  let retimed = false;
  if (timed && guessedReading(intents) && reunderstand)
    for (const l of findLater(tokens, cues, cueBlocked)) {
      const rest = await reunderstand(without(tokens, [l]));
      if (rest.intents.length && rest.intents.every(wordForWord) && rest.intents.some(isChange)) {
        retimed = true;
        break;
      }
    }
  const laters: Later[] = [];
  for (const l of (timed && !retimed) || (!changes && !retimed) ? [] : findLater(tokens, cues, cueBlocked)) {
    // ("turn the lights off at eleven": after "off" no value is set, so the number is a time)
    if (l.kind === "clock" && l.bare && !OFF_WORDS.has(tokens[l.start - 1] ?? "")) {
      if (amountNotTime(l, tokens, cues)) continue;
      const rest = reunderstand ? await reunderstand(without(tokens, [l])) : undefined;
      if (!rest?.intents.length || !rest.intents.every(wordForWord)) continue;
    }
    laters.push(l);
  }
  // A time is not a value of the request ("… in 10 minutes" is no brightness of 10): the request is
  // understood again without it, and its words never ground a slot.
  if (laters.length && reunderstand) {
    const again = await reunderstand(without(tokens, laters));
    if (!again.intents.length) return refuse("delay", SPEECH.notUnderstood, laters.map(hitText).join(", "));
    intents = again.intents;
  }
  // (nor are the words of what was left out)
  const unsaid = leftOut ? [...laters, leftOut.span] : laters;
  const said = unsaid.length ? tokens.map((t, i) => (unsaid.some((l) => i >= l.start && i < l.end) ? "" : t)) : tokens;

  // 2. Places and devices that do not exist here.
  const firstUnknown = unknown[0];
  if (firstUnknown) return refuseUnknown(firstUnknown, tokens, session);
  // "the kids' windows": the car knows seats, not who sits in them.
  const owner = session?.profile === "car" ? tokens.findIndex((t, n) => cues.carOwners.has(t) && /^(window|seat|side|door)s?$/.test(tokens[n + 1] ?? "")) : -1;
  if (changes && owner >= 0)
    return refuse("unknown_area", `Sorry, I don't know which ${tokens[owner + 1]} ${tokens[owner + 1]!.endsWith("s") ? "are" : "is"} the ${tokens[owner]}', so I did nothing. Please name the seat.`, tokens.slice(owner, owner + 2).join(" "));

  // A number no slot list gives ("no wait, make it 40" after "set the fan to 4"): never sent on.
  for (const i of intents) {
    const o = outOfRange(i, k);
    if (o) return refuse("ungrounded", `Sorry, ${o.value} is out of range (${o.from} to ${o.to}), so I did nothing.`, `${o.slot} ${o.value}`);
  }
  // Free text that names nothing ("play something"): asked for, never searched for.
  for (const i of intents) {
    for (const [slot, v] of freeText(i, grammar)) {
      const t = normalizeTokens(v);
      if (t.length && cues.vagueValues.find(t).some((h) => h.start === 0 && h.end === t.length))
        return refuse("ungrounded", `Sorry, "${v}" is too vague for me, so I did nothing. Please say which one.`, `${slot} ${v}`);
    }
  }

  // A number said as a rough one ("twenty… something") is no value to act on, nor are two numbers in a row
  // ("set the island lights two fifty percent").
  const digit = (n: number) => /^\d/.test(said[n] ?? "") && !blocked.has(n);
  const roughly = said.findIndex((t, n) => digit(n) && (cues.amounts.vagueAfter.at(tokens, n + 1, cueBlocked) !== undefined || digit(n + 1)));
  if (changes && roughly >= 0) {
    // "set the heat pump two twenty one": "two" is how a recognizer writes "to"; asked back that way.
    const to = tokens[roughly] === "2" && digit(roughly + 1) && reunderstand ? await reunderstand(tokens.map((t, n) => (n === roughly ? "to" : t)).join(" ")) : undefined;
    if (to?.intents.length && to.intents.every(wordForWord))
      return { decision: "ask", intents: to.intents, prompt: `Did you mean: ${sayIntents(grammar, to.intents)}?`, reason: "ungrounded" };
    return refuse("ungrounded", `Sorry, I need an exact number, so I did nothing.`, tokens.slice(roughly, roughly + 3).join(" "));
  }
  // A request that stops short ("open my window to").
  let last = tokens.length - 1;
  const trails = cues.trailing.find(tokens);
  for (let moved = true; moved && last > 0; ) {
    moved = false;
    if (["please", "thanks", "now"].includes(tokens[last]!)) (last--, (moved = true));
    const t = trails.find((h) => h.end === last + 1 && h.start > 0);
    if (t) (last = t.start - 1), (moved = true);
  }
  if (changes && !spelled && last > 0 && cues.dangling.has(tokens[last]!) && !blocked.has(last)) {
    const asked = reunderstand ? await lackingValue(tokens, cues, grammar, reunderstand) : undefined;
    if (asked) return { decision: "act", intents: asked, notes: [] };
    return refuse("ungrounded", SPEECH.notUnderstood, tokens[last]);
  }

  // "the desk lamp in here" said in the living room: here is the speaker's room.
  const here = session?.area && cueHits.some((x) => x.tag === "here") ? session.area : undefined;

  // 3. Values the user never said.
  const kept: IntentResult[] = [];
  const sunk: string[] = [];
  const guessed: IntentResult[] = [];
  // In the car "back here" is the speaker's own place, not the rear seats ("it's stuffy back here").
  const ownPlace = new Set(session?.profile === "car" ? said.flatMap((_, n) => (ownPlaceAt(said, n) ? [n] : [])) : []);
  const unnamed = new Set(tokens.flatMap((t, n) => (freeWords.has(t) || said[n] === "" || ownPlace.has(n) ? [n] : [])));
  const groundedIn = ownPlace.size ? said.map((t, n) => (ownPlace.has(n) ? "" : t)) : said;
  for (const i of intents) {
    if (certain(i)) {
      kept.push(i);
      continue;
    }
    // A place or device said but not read: the value said fills the slot (a slot's value comes from the
    // words); several said, or none that fits, and nothing is done.
    let read = i;
    // ("the lights in here, we're going out to the garden": the room is the one "here" says, the garden is no slot's)
    const hereHeld = here !== undefined && i.slots.area === here;
    for (let n = 0, miss = hereHeld ? undefined : unreadName(read, tokens, k, cues, unnamed); miss && n < 4; n++, miss = unreadName(read, tokens, k, cues, unnamed)) {
      if (miss.value === undefined) return refuse("ungrounded", `Sorry, I did not follow what you said about "${miss.words}", so I did nothing. Please say it another way.`, miss.words);
      read = { ...read, slots: { ...read.slots, [miss.slot]: miss.value } };
    }
    if (!hereHeld && unreadName(read, tokens, k, cues, unnamed)) return refuse("ungrounded", SPEECH.notUnderstood);
    const g = groundIntent(read, groundedIn, k, cues, config.grounding);
    if (g.intent) kept.push(g.intent);
    else if (g.unsaid) {
      sunk.push(`${g.unsaid.slot} ${String(g.unsaid.value)}`);
      guessed.push(read);
    }
  }
  // "the lamp" among the room's lights: the devices called so.
  const narrowedKept: IntentResult[] = [];
  for (const i of kept) {
    const narrowed = narrowByKindWord(i, tokens, k, cues, session?.area);
    if (narrowed?.kind === "elsewhere")
      return refuse("wrong_place", `Sorry, there is no ${narrowed.word} in the ${narrowed.area}, so I did nothing. ${narrowed.names.length > 1 ? `The ${narrowed.word}s are the ${narrowed.names.slice(0, -1).join(", the ")} and the ${narrowed.names.at(-1)}` : `There is the ${narrowed.names[0]}`}.`, `${narrowed.word} / ${narrowed.area}`);
    if (narrowed?.kind === "several") return { decision: "ask", intents: narrowed.intents, prompt: `Which ${narrowed.word}? Did you mean: ${sayIntents(grammar, narrowed.intents)}?`, reason: "ungrounded" };
    narrowedKept.push(...(narrowed ? narrowed.intents : [i]));
  }
  kept.splice(0, kept.length, ...narrowedKept);
  // 4. A device named with a room it is not in, intents nothing carries out, or that belong to the other place.
  const otherNamed = cueHits.some((x) => x.tag === (session?.profile === "car" ? "place_home" : "place_car"));
  // "turn off the lights in here, we're going out to the garden" read as the garden's: "here" is the speaker's room.
  const areaOf = (i: IntentResult) => i.slots.area ?? (typeof i.slots.name === "string" ? k.areaOf(i.slots.name) : undefined);
  if (here && guessedReading(intents) && !spelled && [...kept, ...guessed].every((i) => areaOf(i) !== undefined && areaOf(i) !== here))
    return refuse("wrong_place", `Sorry, I did not follow which room you meant, so I did nothing. Please say it another way.`, `here / ${String(areaOf([...kept, ...guessed][0]!))}`);
  for (const i of [...kept, ...guessed]) {
    const misplaced = wrongPlace(i, grammar) ?? saidElsewhere(i, names, tokens) ?? (here && i.slots.area === undefined ? wrongPlace({ ...i, slots: { ...i.slots, area: here } }, grammar) : undefined);
    if (misplaced) return refuse("wrong_place", `Sorry, the ${misplaced.name} is not in the ${misplaced.area}.`, `${misplaced.name} / ${misplaced.area}`);
    const h = intentHandling(i.intent);
    // A rear seat asking for the driver's window or the front passenger's seat: changed from the front.
    const front = session?.seat?.startsWith("rear") && config.rearReach === "rear" && h.kind === "device" ? frontPlace(i) : undefined;
    if (front) return refuse("scope", `Sorry, the ${front === "driver" ? "driver's" : front === "passenger" ? "front passenger's" : "front seats'"} settings are changed from the front, so I did nothing.`, front);
    if (h.kind === "none" && input.devices !== false) return refuse("no_handler", `Sorry, I understood "${canonicalSentence(grammar, i) ?? i.intent}", but nothing here can do that.`, i.intent);
    if (!inScope(i, session, grammar, otherNamed)) {
      const other = session?.profile === "car" ? "home" : "car";
      // Only a request of the other place's own can be carried there; "pause" would still pause this place's music.
      if (!(otherNamed && config.crossScope === "named" && h.scope === other))
        return refuse(
          "scope",
          // (a question about the car's own devices read as the home's: "is the rear right window open?")
          h.kind === "query" ? "Sorry, I can't check that from here." : other === "car" ? "Sorry, I can only control the car from inside the car." : "Sorry, I can only control the home from a speaker in the home.",
          i.intent,
        );
    }
  }

  // The same command twice in one reading ("add eggs and bacon" read as "add eggs ; add eggs"): the model
  // lost the thread; asked back once, never done twice.
  const key = (i: IntentResult) => `${i.intent} ${JSON.stringify(Object.entries(i.slots).sort(([a], [b]) => a.localeCompare(b)))}`;
  const all = [...kept, ...guessed];
  const once = all.filter((i, n) => all.findIndex((j) => key(j) === key(i)) === n);
  if (once.length < all.length && !all.every(wordForWord))
    return { decision: "ask", intents: once, prompt: `Did you mean: ${sayIntents(grammar, once)}?`, reason: "ungrounded" };

  if (guessedReading(intents)) {
    const reading = [...kept, ...guessed];
    // What a frame or a correction set aside ("not the big light, …", "the pendants, I mean …") is not lost.
    const overruled = (n: number) => (frame !== undefined && n >= frame.start && n < frame.end) || (self?.kind === "corrected" && n < self.cue.end) || (early?.kind === "corrected" && n < early.cue.end);
    const g = { reading, tokens, said, names, blocked, unnamed, overruled, changes, profile: session?.profile, cues, k };
    const fault = guessFault(g);
    if (fault) return refuse("ungrounded", fault.speech ?? SPEECH.notUnderstood, fault.detail);
    const unheld = unheldNumber(g, intents);
    if (unheld !== undefined) sunk.push(unheld);
    // "no make more cold for me", "no put the lights": a "no" run into the request may be "don't"; a guess
    // is asked back ("no, turn off the lights" written with its comma answers something before it).
    if (changes && LEADING_NO.test(text)) sunk.push("no");
  }
  // A guessed reading that splits one request in two, the second with no place of its own and a kind of device
  // said only inside the first's name ("thanks, and turn on the workbench light" read as the workbench light and
  // this room's lights): the words went to the named device.
  const echo = (i: IntentResult): boolean =>
    i.slots.name === undefined && i.slots.area === undefined && i.slots.floor === undefined && typeof i.slots.domain === "string" &&
    !cues.domainWords.find(tokens, blocked).some((h) => h.tag === i.slots.domain) && kept.some((j) => j !== i && j.intent === i.intent && j.slots.name !== undefined);
  if (guessedReading(intents) && kept.some(echo)) {
    const meant = kept.filter((i) => !echo(i));
    return { decision: "ask", intents: meant, prompt: `Did you mean: ${sayIntents(grammar, meant)}?`, reason: "ungrounded" };
  }

  // "turn the lights to 7", "pendants to level 7": a percentage of ten or less said without "percent" may be
  // a level out of ten; asked back with the value named ("… to 7 percent?").
  const small = kept.map((i) => smallPercent(i, said, k)).find((x) => x !== undefined);
  if (small !== undefined) sunk.push(`percent ${small}`);
  // "crank it up to eleven": a number said inside an idiom (cues.yaml `no_value`) is no value, read word for word or not.
  const idioms = cues.noValue.find(said);
  const inIdiom = (n: number) => idioms.some((h) => h.start <= n && n < h.end);
  const idiomatic = kept.flatMap((i) => Object.values(i.slots)).find((v) => {
    const at = said.flatMap((t, n) => (typeof v === "number" && t === String(v) ? [n] : []));
    return at.length > 0 && at.every(inIdiom);
  });
  if (idiomatic !== undefined) sunk.push(`idiom ${String(idiomatic)}`);

  // A reading with a value the user never said is never acted on as it is: it is asked back, the
  // guessed value named ("Did you mean: turn on the driver seat heating to 3?"), so a yes consents to it.
  // A guess is never offered for a high-risk change: "close with key the back door" asked back as "unlock the
  // Back Door?" would turn a yes into the opposite of what was meant.
  const guess = [...kept, ...guessed];
  if (sunk.length && guess.some((i) => riskOf(config, { ...(input.deviceFacts?.(i) ?? {}), ...i.slots, intent: i.intent }) === "high"))
    return refuse("ungrounded", SPEECH.unsureHighRisk, sunk.join(", "));
  if (sunk.length) return { decision: "ask", intents: guess, prompt: `Did you mean: ${sayIntents(grammar, guess)}?`, reason: "ungrounded" };

  // What was left out, out of the request's devices.
  if (leftOut) {
    const r = leaveOut(kept, leftOut.excluded, catalogOf(grammar)!, { ...(session?.profile ? { profile: session.profile } : {}), ...(session?.area ? { area: session.area } : {}), ...(session?.seat ? { seat: session.seat } : {}) });
    if (r.kind === "nothing") return refuse("exclusion", "That leaves nothing to do, so I did nothing.", hitText(leftOut.span));
    if (r.kind === "unsure") return refuse("exclusion", SPEECH.exclusion, hitText(leftOut.span));
    kept.splice(0, kept.length, ...r.intents);
  }

  // 5. Later.
  if (laters.length) {
    const l = laters[0]!;
    if (laters.length > 1 || l.kind === "duration")
      return refuse("duration", `Sorry, I can't ${l.kind === "duration" ? "undo things after a while" : "follow several times in one request"} yet, so I did nothing.`, hitText(l));
    if (!config.schedule) return refuse("delay", `Sorry, I can't do things later yet, so I did nothing.`, hitText(l));
    const when = l.kind === "clock" ? `at ${sayLater(l)}` : `in ${sayLater(l)}`;
    return { decision: "schedule", intents: kept, later: l, reason: "delay", speech: `Okay, ${when} I'll ${sayIntents(grammar, kept)}.` };
  }

  // 6. How sure each stage was, against the risk of acting.
  for (const i of kept) {
    const risk = riskOf(config, { ...(input.deviceFacts?.(i) ?? {}), ...i.slots, intent: i.intent });
    const t = config.thresholds[risk];
    const score = input.asr?.score;
    // Words heard that unsurely are not even answered; a change heard short of its class's evidence is asked back.
    if (score !== undefined && score < t.asr_refuse) return refuse("unsure_asr", SPEECH.unsureAsr, `asr ${score.toFixed(2)} < ${t.asr_refuse} (${risk})`);
    if (score !== undefined && kept.some(isChange)) {
      if (score < t.asr) {
        const alt = input.asr?.competitor ? ` or "${input.asr.competitor}"` : "";
        return { decision: "ask", intents: kept, prompt: `Did you say "${text}"${alt}?`, reason: "unsure_asr", risk };
      }
    }
    const nluMin = i.source === "slm" ? t.slm : t.matcher;
    if (isChange(i) && i.confidence < nluMin)
      return { decision: "ask", intents: kept, prompt: `Did you mean: ${sayIntents(grammar, kept)}?`, reason: "unsure_nlu", risk };
  }
  return { decision: "act", intents: kept, notes: [] };
}

/** A sentence of the grammar, matched word for word. */
const wordForWord = (i: IntentResult): boolean => i.source === "matcher" && i.confidence >= 1;
/**
 * A reading matched word for word, or one the dialog built from a request already carried out and the words
 * of a follow-up ("and the cabinet lights" after "pendants to 50": the 50 was said then, not now).
 */
const certain = (i: IntentResult): boolean => wordForWord(i) || (i.source === "dialog" && i.confidence >= 1);
/** A reading not certain (the SLM's, or a tolerant match). */
const guessedReading = (intents: readonly IntentResult[]): boolean => !intents.every(certain);

/**
 * Whether the intent belongs where it was said. An intent of either place ("pause", "volume up") is
 * the place's own, unless it names a device of the other place ("pause the telly" said in the car).
 */
function inScope(i: IntentResult, session: JudgeInput["session"], grammar?: Grammar, otherNamed = false): boolean {
  const scope = intentHandling(i.intent).scope;
  if (!session?.profile) return true;
  const name = i.slots.name;
  const catalog = catalogOf(grammar);
  const named = typeof name === "string" && catalog ? catalog.find({ name }) : [];
  // "warm up the car to 20" said at home and read as the home's thermostat: the request is for the
  // place named, unless it names a device of this one ("the car charger").
  if (otherNamed && !named.some((d) => d.kind === session.profile)) return false;
  if (scope !== "any") return scope === session.profile;
  // "pause the music in the car" said at home: an intent of either place belongs to the place named.
  if (typeof name !== "string" || !catalog) return true;
  return !named.length || named.some((d) => d.kind === session.profile);
}

/**
 * A percentage a reading sets that may be a level out of ten: said after "level", or 1 to 9 said without
 * "percent" for a brightness or a position (a volume is said out of a hundred: "volume 10" is 10 %).
 * Undefined when there is none.
 */
function smallPercent(i: IntentResult, said: readonly string[], k: Knowledge): number | undefined {
  for (const [slot, v] of Object.entries(i.slots)) {
    if (typeof v !== "number" || !k.listsOf(i.intent, slot).some((l) => l.kind === "range" && l.type === "percentage")) continue;
    const at = said.indexOf(String(v));
    if (at < 0 || ["percent", "%", "per", "pc"].includes(said[at + 1] ?? "")) continue;
    if (said[at - 1] === "level" || (v >= 1 && v <= 9 && !VOLUME_SLOTS.has(slot))) return v;
  }
  return undefined;
}

const VOLUME_SLOTS = new Set(["volume", "volume_level"]);

/** The front seat a car request is for ("driver", "passenger"), from its place slots. */
function frontPlace(i: IntentResult): string | undefined {
  for (const slot of CAR_PLACE_SLOTS) {
    const v = i.slots[slot];
    if (v === "driver" || v === "passenger" || v === "front") return v;
  }
  return undefined;
}

function laterSpeech(kind: "condition" | "recurring" | "vague_time" | "comparison", cue: string): string {
  if (kind === "comparison") return `Sorry, I can't tell what "${cue}" is, so I did nothing. Please say the value.`;
  if (kind === "condition") return `Sorry, I can't wait for "${cue}" yet, so I did nothing.`;
  if (kind === "recurring") return `Sorry, I can't repeat things "${cue}" yet, so I did nothing.`;
  return `Sorry, I can't do things "${cue}" yet, so I did nothing. I can act now, or in a set time like "in 10 minutes".`;
}

/** Known rooms made into others by a word in front: a modifier ("second"), or a floor the room is not on. */
function otherRooms(names: ReadonlyArray<PhraseHit<EntityTag>>, tokens: readonly string[], cues: Cues): Array<PhraseHit<LexiconKind>> {
  const out: Array<PhraseHit<LexiconKind>> = [];
  for (const h of names) {
    if (h.tag.kind !== "area") continue;
    const before = names.find((n) => n.end === h.start);
    if (before?.tag.kind === "floor" && h.tag.context?.floor !== undefined && String(h.tag.context.floor) !== before.tag.value) out.push({ start: before.start, end: h.end, tag: "room" });
    else if (!before && h.start > 0 && cues.areaModifiers.has(tokens[h.start - 1]!)) out.push({ start: h.start - 1, end: h.end, tag: "room" });
  }
  // "the second floor" in a home whose floors are called otherwise.
  tokens.forEach((t, i) => {
    if (i > 0 && FLOOR_WORDS.has(t) && cues.areaModifiers.has(tokens[i - 1]!) && !names.some((n) => n.start <= i && i < n.end)) out.push({ start: i - 1, end: i + 1, tag: "room" });
  });
  return out;
}
const FLOOR_WORDS = new Set(["floor", "level", "storey", "story"]);

/** "the cinema room": a room called by a word before "room" that is no known name (one known is blocked). */
function roomsNamed(tokens: readonly string[], known: ReadonlySet<number>): Array<PhraseHit<LexiconKind>> {
  const out: Array<PhraseHit<LexiconKind>> = [];
  tokens.forEach((t, i) => {
    if (i > 0 && ROOMS.has(t) && !known.has(i) && !known.has(i - 1) && !ROOM_DETERMINERS.has(tokens[i - 1]!) && !/^\d/.test(tokens[i - 1]!) && !simile(tokens, i - 1)) out.push({ start: i - 1, end: i + 1, tag: "room" });
  });
  return out;
}
const ROOMS = new Set(["room", "rooms"]);
/** A place said in a likeness, no place meant: "it's like an interrogation room in here", "like a sauna". */
function simile(tokens: readonly string[], start: number): boolean {
  return (tokens[start - 1] === "a" || tokens[start - 1] === "an") && (tokens[start - 2] === "like" || tokens[start - 2] === "as");
}
/** Words before "room" that name no room ("this room", "every room", "the kids' room" is a name or an owner). */
const ROOM_DETERMINERS = new Set(["the", "a", "an", "this", "that", "these", "those", "my", "our", "your", "his", "her", "their", "whole", "entire", "every", "each", "any", "all", "same", "other", "another", "next", "which", "what", "one", "in", "of", "to", "from", "empty", "dark", "own", "whose", "no", "some", "and", "or"]);

/** A device said with a room it is not in: "the mirror light in the kitchen", "the kitchen mirror light". */
function saidElsewhere(i: IntentResult, names: ReadonlyArray<PhraseHit<EntityTag>>, tokens: readonly string[]): { name: string; area: string } | undefined {
  for (const n of names) {
    if (n.tag.kind !== "name" || n.tag.value !== i.slots.name) continue;
    const home = n.tag.context?.area;
    if (home === undefined) continue;
    let j = n.end;
    if (["in", "on", "at", "from"].includes(tokens[j] ?? "")) j++;
    if (["the", "my", "our"].includes(tokens[j] ?? "")) j++;
    const after = j > n.end ? names.find((x) => x.start === j && x.tag.kind === "area") : undefined;
    const before = names.find((x) => x.end === n.start && x.tag.kind === "area");
    for (const a of [after, before]) if (a && a.tag.value !== String(home)) return { name: n.tag.value, area: a.tag.value };
  }
  return undefined;
}

function refuseUnknown(h: PhraseHit<LexiconKind>, tokens: readonly string[], session: JudgeInput["session"]): Verdict {
  const what = tokens.slice(h.start, h.end).join(" ");
  const reason: TrustReason = h.tag === "room" ? "unknown_area" : "unknown_device";
  const speech =
    h.tag === "car_part" && session?.profile !== "home"
      ? `Sorry, this car has no ${what} I can control.`
      : h.tag === "room"
        ? POSSESSIVES.has(tokens[h.start]!)
          ? `Sorry, I don't know which room is meant by "${what}", so I did nothing. Please name the room.`
          : `Sorry, there is no ${what} here.`
        : `Sorry, there is no ${what} here that I can control.`;
  return { decision: "refuse", intents: [], speech, reason, detail: what };
}

/** "not the pendants, the cabinet lights off": the name after "not" is the one not meant, when another follows it. */
function contrasted(tokens: readonly string[], names: ReadonlyArray<PhraseHit<EntityTag>>): { start: number; end: number } | undefined {
  let i = 0;
  while (i < tokens.length && LEAD_FILLERS.has(tokens[i]!)) i++;
  if (tokens[i] !== "not") return undefined;
  let j = i + 1;
  if (["the", "my", "that", "this"].includes(tokens[j] ?? "")) j++;
  const not = names.find((n) => n.start === j);
  if (!not) return undefined;
  const next = names.find((n) => n.start > not.end - 1 && n.start <= not.end + 2);
  return next ? { start: i, end: not.end } : undefined;
}

/** Words a request may open with before its verb ("just open my window halfway"). */
const REQUEST_ADVERBS = new Set(["just", "only", "instead", "rather", "then", "simply"]);

/**
 * "don't turn off the lamp, turn off the ceiling light": a negated request in its own typed clause
 * first, then a request with no negation of its own that is a sentence of the grammar word for word.
 * The first clause (the words to set aside) or undefined.
 */
async function negatedThenAsked(text: string, tokens: readonly string[], cues: Cues, reunderstand: Reunderstand): Promise<{ start: number; end: number } | undefined> {
  const parts = clauses(text).map((c) => c.text.split(" "));
  if (parts.length !== 2) return undefined;
  const [first, rest] = parts as [string[], string[]];
  const lead = cues.anywhere.find(first).filter((h) => h.tag === "negation");
  if (!lead.length || cues.anywhere.find(rest).some((h) => h.tag === "negation" || h.tag === "negation_act" || h.tag === "negation_ask")) return undefined;
  // (the second a request of its own, not a reason: "don't open my window, I'm cold" asks for nothing)
  const verb = rest.findIndex((t) => !LEAD_FILLERS.has(t) && !REQUEST_ADVERBS.has(t));
  if (first.length + rest.length !== tokens.length || verb < 0 || !startsRequest(rest.slice(verb).join(" "))) return undefined;
  const again = await reunderstand(rest.join(" "));
  return again.intents.length && again.intents.every(wordForWord) && again.intents.every((i) => intentHandling(i.intent).kind === "device") ? { start: 0, end: first.length } : undefined;
}

/** Words a request may trail off with before the value it never said ("set my temperature to um"). */
const TRAILING_HESITATIONS = new Set(["um", "uh", "er", "erm", "hmm", "please", "thanks", "now"]);

/**
 * "set my temperature to … um": a request that stops short, whose words before the end are a sentence
 * of the grammar lacking only a required value. Its reading goes on (the dialog asks for the value);
 * undefined when there is none.
 */
async function lackingValue(tokens: readonly string[], cues: Cues, grammar: Grammar, reunderstand: Reunderstand): Promise<IntentResult[] | undefined> {
  let end = tokens.length;
  while (end > 0 && TRAILING_HESITATIONS.has(tokens[end - 1]!)) end--;
  if (end === 0 || !cues.dangling.has(tokens[end - 1]!)) return undefined;
  while (end > 0 && cues.dangling.has(tokens[end - 1]!)) end--;
  if (end === 0) return undefined;
  const again = await reunderstand(tokens.slice(0, end).join(" "));
  return again.intents.length && again.intents.every(wordForWord) && again.intents.every((i) => lacksRequired(i, grammar)) ? again.intents : undefined;
}

/** Whether a reading lacks a slot its intent requires (the dialog asks for it before anything is done). */
function lacksRequired(i: IntentResult, grammar: Grammar): boolean {
  return [...(grammar.intents.get(i.intent)?.slots.values() ?? [])].some((s) => s.required && i.slots[s.name] === undefined);
}

/** "ask Dave to …", "tell the kids to …": a request for someone else, at the start (after fillers). */
function relayed(tokens: readonly string[], cues: Cues): boolean {
  let i = 0;
  while (i < tokens.length && LEAD_FILLERS.has(tokens[i]!)) i++;
  if (!cues.relay.verbs.has(tokens[i] ?? "")) return false;
  let who = i + 1;
  // ("tell the kids to …": people after an article)
  if (["the", "my", "our", "a"].includes(tokens[who] ?? "") && cues.relay.people.has(tokens[who + 1] ?? "")) who++;
  else if (tokens[who] === undefined || cues.relay.notSomeone.has(tokens[who]!)) return false;
  for (let j = who + 1; j <= who + 3 && j < tokens.length; j++) if (tokens[j] === "to") return true;
  return false;
}

/** Words after which a bare number cannot be a value ("off at eleven"; "of" as heard for "off"). */
const OFF_WORDS = new Set(["off", "of"]);

/** A first word that may negate what follows, run into it. */
const LEADING_NO = /^\s*(no|nope)\s+[a-z]/i;

/** "turn the volume up by 10": a bare number after a change by an amount is that amount, not a time. */
function amountNotTime(l: Later, tokens: readonly string[], cues: Cues): boolean {
  return l.kind === "clock" && l.bare !== undefined && l.start > 0 && cues.amounts.relativeBefore.has(tokens[l.start - 1]!);
}

/** The devices behind the grammar, when it was loaded with them. */
function catalogOf(grammar: Grammar | undefined): DeviceCatalog | undefined {
  return (grammar as Partial<LoadedGrammar> | undefined)?.devices;
}

/** The utterance without some stretches of it. */
function without(tokens: readonly string[], spans: ReadonlyArray<{ start: number; end: number }>): string {
  return tokens.filter((_, i) => !spans.some((s) => i >= s.start && i < s.end)).join(" ");
}

/** A named device with an area it is not in ("the TV in the bedroom"); undefined when it fits or is not known. */
function wrongPlace(i: IntentResult, g: Grammar): { name: string; area: string } | undefined {
  const { name, area } = i.slots;
  if (typeof name !== "string" || typeof area !== "string") return undefined;
  const list = g.lists.get("name");
  if (list?.kind !== "values") return undefined;
  const entries = list.values.filter((v) => v.out === name);
  if (!entries.length || entries.some((v) => v.context?.area === undefined || String(v.context.area).toLowerCase() === area.toLowerCase())) return undefined;
  return { name, area };
}
