// Elliptical follow-ups: in the follow-up window a request may only say what changes — "and the
// bedroom too", "also the kitchen", "now the blinds", "a bit more". The previous request supplies the
// rest. Only a room, a floor, a device or a kind of device can stand alone this way, and only
// relative changes repeat ("a bit more" after "turn up the volume"); anything else is a request of
// its own.
import { normalizeTokens } from "../grammar/normalize.js";
import type { Grammar, ListValue, SlotDef, SlotValue } from "../grammar/types.js";
import type { IntentResult } from "../nlu/types.js";
import { knowledgeOf } from "../trust/knowledge.js";
import { clauseWords, type FollowUpWords } from "../nlu/clauseWords.js";

/** The language's follow-up words (grammars/en/language/clauses.yaml `follow_ups`). */
const F = (): FollowUpWords => clauseWords().followUps;

/** Lists naming a seat, window or climate zone of the car ("same for the passenger"). */
const CAR_PLACES = new Set(["side", "zone"]);
/** Intents that add an item to a list: "and butter" adds another. */
const ADD_ITEM = new Set(["HassShoppingListAddItem", "HassListAddItem"]);
/** A step's direction and the step back. */
const OPPOSITE: Record<string, string> = { up: "down", down: "up", warmer: "cooler", cooler: "warmer", brighter: "dimmer", dimmer: "brighter" };
/** Intents "this one too" repeats: a step, or moving on in what plays. */
const REPEATABLE = new Set(["HassMediaNext", "HassMediaPrevious"]);
/** Intents that change something relative to now: saying "more" repeats them. */
const RELATIVE = new Set(["CabinAdjustTemperature", "MediaAdjustVolume", "LightAdjustBrightness", "HassIncreaseTimer", "HassDecreaseTimer"]);

function listValue(g: Grammar, list: string, words: string): SlotValue | undefined {
  const l = g.lists.get(list);
  if (l?.kind !== "values") return undefined;
  return l.values.find((v) => normalizeTokens(v.inText).join(" ") === words)?.out;
}

/** "not the pendants, the cabinet lights": what it should have been, after the comma; undefined for any other words. */
export function afterContrast(text: string): string | undefined {
  const [first, ...rest] = text.split(/[,;]/);
  return rest.length && F().contrast.has(normalizeTokens(first!)[0] ?? "") ? rest.join(",").trim() : undefined;
}

/** The value of a list said in any of its forms ("rest stop" → rest_area). */
function spokenValue(g: Grammar, list: string, words: string): SlotValue | undefined {
  const l = g.lists.get(list);
  if (l?.kind !== "values") return undefined;
  const k = knowledgeOf(g);
  return l.values.find((v) => k.formsOf(l, v.out).some((f) => f.join(" ") === words))?.out;
}

/** The previous request, changed the way an elliptical follow-up says; undefined when it is not one. */
export function followUp(text: string, previous: readonly IntentResult[] | undefined, g: Grammar): IntentResult[] | undefined {
  if (!previous?.length) return undefined;
  const all = normalizeTokens(text);
  let a = 0;
  let b = all.length;
  while (a < b && F().lead.has(all[a]!)) a++;
  while (b > a && F().trail.has(all[b - 1]!)) b--;
  const core = all.slice(a, b).join(" ");
  /** The previous requests with `drop` removed and `slots` put in; `fromContext`: the slots where the request is said fills. */
  const changed = (slots: Record<string, SlotValue>, drop: string[], fromContext: string[] = []): IntentResult[] =>
    previous.map((p) => {
      const kept = Object.fromEntries(Object.entries(p.slots).filter(([k]) => !drop.includes(k)));
      return { ...p, slots: { ...kept, ...slots }, confidence: 1, source: "dialog", fromContext };
    });
  // "open the passenger window" … "and mine too": the same for the speaker's own seat, filled in from where it is said.
  if (F().mine.test(all.join(" "))) {
    const slots = previous.map((p) => carPlaceSlot(g, p)?.name);
    if (!slots.every((x): x is string => x !== undefined)) return undefined;
    const own = [...new Set(slots)];
    return changed({}, own, own);
  }
  // It must announce itself as a follow-up ("and …", "… too") or be nothing but the new value.
  const marked = a > 0 || b < all.length;
  if (!core) return undefined;
  if (F().more.includes(core) || (marked && core === "more")) return previous.every((p) => RELATIVE.has(p.intent)) ? previous.map((p) => ({ ...p })) : undefined;
  if (F().less.includes(core)) {
    const back = previous.map((p): IntentResult | undefined => {
      const other = OPPOSITE[String(p.slots.direction)];
      return RELATIVE.has(p.intent) && other ? { ...p, slots: { ...p.slots, direction: other } } : undefined;
    });
    return back.every((p): p is IntentResult => p !== undefined) ? back : undefined;
  }
  if (marked && F().sameAgain.includes(core) && previous.every((p) => REPEATABLE.has(p.intent) || RELATIVE.has(p.intent))) return previous.map((p) => ({ ...p }));
  // "set the pendants to 50 percent" … "brighter": a step for the same lights.
  const step = F().lightSteps.get(core);
  if (step && previous.every((p) => isLight(g, p))) return previous.map((p) => ({ intent: "LightAdjustBrightness", slots: { ...pickPlace(p), direction: step }, confidence: 1, source: "dialog", fromContext: [] }));
  const area = listValue(g, "area", core);
  // A request about a kind of device in a room ("dim the lights to 40" … "same in the kitchen").
  const roomRequest = (p: IntentResult) => p.slots.domain !== undefined || p.slots.device_class !== undefined || (p.slots.area !== undefined && p.slots.name === undefined);
  if (area !== undefined && previous.every(roomRequest)) return changed({ area }, ["area", "floor", "name"]);
  const floor = listValue(g, "floor", core);
  if (floor !== undefined && previous.every((p) => p.slots.domain !== undefined)) return changed({ floor }, ["area", "floor", "name"]);
  if (!marked) return undefined;
  // "turn on the kitchen lights" … "and the stair lights too": a device named in place of what was named before.
  const onOff = previous.every((p) => p.intent === "HassTurnOn" || p.intent === "HassTurnOff");
  const name = listValue(g, "name", core) ?? sameKindName(g, core, previous);
  if (name !== undefined && (onOff || previous.every((p) => p.slots.name !== undefined))) return changed({ name }, ["name", "area", "floor", "domain", "device_class"]);
  // "navigate to a pharmacy" … "actually the hospital": the nearest of another kind.
  const poi = spokenValue(g, "poi_type", core);
  if (poi !== undefined && previous.every((p) => p.intent === "NavigateTo")) return changed({ poi_type: poi }, ["poi_type", "destination", "near"]);
  // "turn on my seat heating" … "same for the passenger": the seat, window or zone said instead.
  const place = carPlace(g, core, previous);
  if (place) return changed(place, Object.keys(place));
  // "add eggs to the shopping list" … "and butter": another item.
  if (previous.every((p) => ADD_ITEM.has(p.intent) && p.slots.item !== undefined) && !all.slice(a, b).some((w) => F().pronounWords.has(w)))
    return changed({ item: all.slice(a, b).join(" ") }, ["item"]);
  // "turn on the lights" … "and the radio": a device of that room called so (the Kitchen Radio).
  const local = onOff ? nameInArea(g, core, previous) : undefined;
  if (local !== undefined) return changed({ name: local }, ["name", "domain", "device_class"]);
  // "set the patio curtains to 40" … "and the bedroom curtains too": that kind in that room.
  const roomKind = areaAndKind(g, all.slice(a, b));
  if (roomKind && previous.every((p) => HOME_SETTINGS.has(p.intent))) return changed(roomKind, ["name", "area", "floor", "domain", "device_class"]);
  const kind = F().kinds.find((k) => k.words.includes(core))?.slots;
  // "turn off the tv" … "and the lights": the lights of the room the tv is in.
  const rooms = new Set(previous.map((p) => (typeof p.slots.name === "string" ? contextOf(g, p.slots.name)?.area : p.slots.area)));
  const [room] = [...rooms];
  if (kind && onOff) return changed({ ...kind, ...(rooms.size === 1 && room !== undefined ? { area: room } : {}) }, ["name", "domain", "device_class"]);
  return undefined;
}

/** Home requests whose target a follow-up may move to another room's devices of a kind. */
const HOME_SETTINGS = new Set(["HassTurnOn", "HassTurnOff", "HassSetPosition", "HassLightSet", "LightAdjustBrightness", "HassOpenCover", "HassCloseCover"]);

/** Whether a request was about lights: a light named, or the light domain. */
function isLight(g: Grammar, p: IntentResult): boolean {
  if (!["HassTurnOn", "HassLightSet", "LightAdjustBrightness"].includes(p.intent)) return false;
  return p.slots.domain === "light" || (typeof p.slots.name === "string" && contextOf(g, p.slots.name)?.domain === "light");
}

/** The slots that say where or which: name, area, floor, domain. */
function pickPlace(p: IntentResult): Record<string, SlotValue> {
  return Object.fromEntries(Object.entries(p.slots).filter(([k]) => ["name", "area", "floor", "domain"].includes(k)));
}

/** "the bedroom curtains": a room, then a kind of device; undefined unless the words are exactly that. */
function areaAndKind(g: Grammar, words: readonly string[]): Record<string, SlotValue> | undefined {
  for (let i = 1; i < words.length; i++) {
    const area = listValue(g, "area", words.slice(0, i).join(" "));
    const kind = F().kinds.find((k) => k.words.includes(words.slice(i).join(" ")))?.slots;
    if (area !== undefined && kind) return { area, ...kind };
  }
  return undefined;
}

/** The context (area, domain …) of a device's name in the grammar's name list. */
function contextOf(g: Grammar, name: string): Record<string, SlotValue> | undefined {
  const l = g.lists.get("name");
  return l?.kind === "values" ? l.values.find((v) => v.out === name && v.context)?.context : undefined;
}

/** "lock the front door" … "and the back": the one other device of the previous one's kind whose name starts or ends with the words said. */
function sameKindName(g: Grammar, core: string, previous: readonly IntentResult[]): SlotValue | undefined {
  const domains = new Set(previous.map((p) => (typeof p.slots.name === "string" ? contextOf(g, p.slots.name)?.domain : undefined)));
  const [domain] = [...domains];
  if (domains.size !== 1 || domain === undefined) return undefined;
  // "the back" (door), "the cabinet lights" (under cabinet lights)
  return oneName(g, core, (v) => v.context?.domain === domain && !previous.some((p) => p.slots.name === v.out), { starts: true, longer: true });
}

/**
 * The one device whose name or alias ends (or, with `starts`, also starts) in the words of `core`, among
 * the name list's values `keep` allows; `longer`: the name must hold more words than were said.
 */
function oneName(g: Grammar, core: string, keep: (v: ListValue) => boolean, o: { starts?: boolean; longer?: boolean } = {}): SlotValue | undefined {
  const l = g.lists.get("name");
  if (l?.kind !== "values") return undefined;
  const want = core.split(" ");
  const found = new Set(
    l.values
      .filter(keep)
      .filter((v) => {
        const t = normalizeTokens(v.inText);
        if (t.length < want.length || (o.longer && t.length === want.length)) return false;
        return want.every((w, i) => t[t.length - want.length + i] === w) || (o.starts === true && want.every((w, i) => t[i] === w));
      })
      .map((v) => v.out),
  );
  return found.size === 1 ? [...found][0] : undefined;
}

/** "pause the music" … "ok play it again": the pause undone; undefined when the reading is anything else. */
export function resumeAfterPause(intents: readonly IntentResult[], previous: readonly IntentResult[] | undefined): IntentResult[] | undefined {
  if (!previous?.some((p) => p.intent === "HassMediaPause") || intents.length !== 1 || intents[0]!.intent !== "HassMediaSearchAndPlay") return undefined;
  const q = normalizeTokens(String(intents[0]!.slots.search_query ?? ""));
  if (!q.length || !q.every((w) => F().resumeWords.has(w))) return undefined;
  return [{ intent: "HassMediaUnpause", slots: {}, confidence: 1, source: "dialog", fromContext: [] }];
}

/** The slot of a car request that names a seat, window or zone; undefined when it has none. */
function carPlaceSlot(g: Grammar, p: IntentResult): SlotDef | undefined {
  return [...(g.intents.get(p.intent)?.slots.values() ?? [])].find((sl) => CAR_PLACES.has(sl.list ?? sl.name));
}

/** The previous requests' seat, window or zone slot with the place `core` names, when every one has such a slot. */
function carPlace(g: Grammar, core: string, previous: readonly IntentResult[]): Record<string, SlotValue> | undefined {
  const k = knowledgeOf(g);
  // "and the back seats", "same for the passenger window": the seat said with what it is of.
  const said = core.split(" ");
  while (said.length > 1 && F().placeNouns.has(said[said.length - 1]!)) said.pop();
  let out: Record<string, SlotValue> | undefined;
  for (const p of previous) {
    const slot = carPlaceSlot(g, p);
    if (!slot) return undefined;
    const list = g.lists.get(slot.list ?? slot.name);
    if (list?.kind !== "values") return undefined;
    const v = list.values.find((x) => k.formsOf(list, x.out).some((f) => (f[0] === "the" ? f.slice(1) : f).join(" ") === said.join(" ")));
    if (!v) return undefined;
    out = { ...out, [slot.name]: v.out };
  }
  return out;
}

/** The one device of the previous request's room whose name or alias ends in these words. */
function nameInArea(g: Grammar, core: string, previous: readonly IntentResult[]): SlotValue | undefined {
  // ("turn off the coffee maker" … "and the radio": the radio of the coffee maker's room)
  const areas = new Set(previous.map((p) => p.slots.area ?? (typeof p.slots.name === "string" ? contextOf(g, p.slots.name)?.area : undefined)));
  const [area] = [...areas];
  if (areas.size !== 1 || typeof area !== "string") return undefined;
  return oneName(g, core, (v) => String(v.context?.area ?? "").toLowerCase() === area.toLowerCase());
}

/**
 * "set my side to twenty" … "actually make it twenty one": the previous request with its one number
 * replaced by the number said alone. `amount` reads a number said in words ("a quarter" → 25);
 * undefined when the follow-up says anything but one number, or the previous request has not exactly one.
 */
export function newValue(
  text: string,
  previous: readonly IntentResult[] | undefined,
  amount: (tokens: readonly string[]) => number | undefined = () => undefined,
  fits: (intent: string, slot: string, word: string) => boolean = () => true,
): IntentResult[] | undefined {
  if (previous?.length !== 1) return undefined;
  const p = previous[0]!;
  const numeric = Object.entries(p.slots).filter(([, v]) => typeof v === "number");
  if (numeric.length !== 1) return undefined;
  const words = normalizeTokens(text);
  const digits = words.filter((w) => /^\d+(?:\.\d+)?$/.test(w));
  const rest = words.filter((w) => !/^\d/.test(w) && !F().valueFrame.has(w));
  const value = digits.length === 1 ? Number(digits[0]) : digits.length === 0 ? amount(words) : undefined;
  const amountWords = digits.length ? [] : rest;
  // Nothing but the frame and the number: "make it 21", "only a quarter", "21 degrees".
  if (value === undefined || (digits.length && rest.length) || (!digits.length && (!amountWords.length || amountWords.some((w) => !F().fractions.has(w))))) return undefined;
  const [slot] = numeric[0]!;
  // ("sorry, 21 percent" after a temperature: a unit the slot cannot take changes nothing)
  if (words.some((w) => !fits(p.intent, slot, w))) return undefined;
  return [{ ...p, slots: { ...p.slots, [slot]: value }, confidence: 1, source: "dialog", fromContext: [] }];
}

/** What a follow-up may start with and means nothing by ("and turn the volume up", "then close them", "oh and bread too"). */
export const followUpLead = (): RegExp => F().starts;

/** The follow-up with "there" replaced by the room the previous request was for; undefined without one. */
export function withPlace(text: string, previous: readonly IntentResult[] | undefined): string | undefined {
  const areas = new Set((previous ?? []).map((p) => p.slots.area));
  const [area] = [...areas];
  if (areas.size !== 1 || typeof area !== "string") return undefined;
  const said = normalizeTokens(text).join(" ").replace(F().starts, "");
  if (!F().there.test(said) || F().thereIsNot.test(said)) return undefined;
  return said.replace(F().there, `in the ${area.toLowerCase()}`);
}

/**
 * "and make it blue" after "turn on the bedside lamp": the follow-up with its pronoun replaced by what
 * the previous request named ("make the bedside lamp blue"), to be understood again; undefined when it
 * has no pronoun or the previous request named no one thing (a device, or a kind of device in a room).
 */
export function withReferent(text: string, previous: readonly IntentResult[] | undefined, g?: Grammar): string | undefined {
  if (!previous?.length) return undefined;
  const words = normalizeTokens(text);
  let a = 0;
  while (a < words.length && F().referentLead.has(words[a]!)) a++;
  // "open the patio curtains" … "now close the ones in the bedroom": the same kind of device, in another room.
  const ones = words.findIndex((w, i) => i >= a && i > 0 && (w === "ones" || w === "one") && words[i - 1] === "the" && (words[i + 1] === "in" || words[i + 1] === "on"));
  if (ones > 0 && g) {
    const kinds = new Set(previous.map((p) => kindOf(p, g)));
    const [kind] = [...kinds];
    if (kinds.size === 1 && kind !== undefined) return [...words.slice(a, ones), kind, ...words.slice(ones + 1)].join(" ");
  }
  const at = words.findIndex((w, i) => i >= a && F().pronouns.has(w));
  if (at < 0 || words.slice(at + 1).some((w) => F().pronouns.has(w))) return undefined;
  const referents = new Set(previous.map((p) => referent(p, g)));
  const [r] = [...referents];
  if (referents.size !== 1 || r === undefined) return undefined;
  // "close it again, it's cold", "ok close it now": what is said again is the request itself.
  return [...words.slice(a, at), ...r.split(" "), ...words.slice(at + 1).filter((w) => !F().referentTrail.has(w))].join(" ");
}

/** The plural word for the kind of device a request named ("curtains" for the Patio Curtains). */
function kindOf(p: IntentResult, g: Grammar): string | undefined {
  const slots = typeof p.slots.name === "string" ? contextOf(g, p.slots.name) : p.slots;
  if (!slots) return undefined;
  const kind = F().kinds.find(({ slots: k }) => Object.entries(k).every(([key, v]) => slots[key] === v) && (k.device_class !== undefined || slots.device_class === undefined || slots.domain === "light"));
  return kind?.plural;
}

function referent(p: IntentResult, g?: Grammar): string | undefined {
  if (typeof p.slots.name === "string") return `the ${p.slots.name.toLowerCase()}`;
  // "turn on the ac" … "actually, turn it off": the feature said the way the grammar says it.
  const feature = p.slots.feature;
  const list = g?.lists.get("feature");
  if (feature !== undefined && g && list?.kind === "values") {
    const form = knowledgeOf(g).formsOf(list, feature)[0];
    if (form) return `the ${form.join(" ")}`;
  }
  // "open my window" … "close it again": the window said by its seat.
  if (typeof p.slots.window === "string") return `the ${p.slots.window.replace(/_/g, " ")} window`;
  const kind = F().kinds.find(({ slots }) => Object.entries(slots).every(([k, v]) => p.slots[k] === v) && p.slots.device_class === slots.device_class);
  if (!kind || typeof p.slots.area !== "string") return undefined;
  return `the ${p.slots.area.toLowerCase()} ${kind.plural}`;
}
