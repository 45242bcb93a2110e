// Elliptical follow-ups: in the follow-up window a request may only say what changes — "and the
// bedroom too", "also the kitchen", "now the blinds", "a bit more". The previous request supplies the
// rest. Only a room, a floor, a device or a kind of device can stand alone this way, and only
// relative changes repeat ("a bit more" after "turn up the volume"); anything else is a request of
// its own.
import { normalizeTokens } from "../grammar/normalize.js";
import type { Grammar, ListValue, SlotDef, SlotValue } from "../grammar/types.js";
import type { IntentResult } from "../nlu/types.js";
import { knowledgeOf } from "../trust/knowledge.js";

/** Hesitations a follow-up may start with ("oh, and the bedroom too"). */
const FILLERS = ["oh", "um", "uh", "er", "erm", "ok", "okay"];
const LEAD = new Set(["and", "also", "now", "then", "plus", "what", "how", "about", "same", "for", "in", "on", "the", "my", "our", ...FILLERS]);
const TRAIL = new Set(["too", "as", "well", "also", "please", "again", "one", "1", "ones", "side"]);
/** Lists naming a seat, window or climate zone of the car ("same for the passenger"). */
const CAR_PLACES = new Set(["side", "zone"]);
/** Intents that add an item to a list: "and butter" adds another. */
const ADD_ITEM = new Set(["HassShoppingListAddItem", "HassListAddItem"]);
/** Kind-of-device words a follow-up may name: domain and device class. */
const KINDS: Array<[string[], Record<string, SlotValue>]> = [
  [["light", "lights", "lamp", "lamps"], { domain: "light" }],
  [["fan", "fans"], { domain: "fan" }],
  [["blind", "blinds"], { domain: "cover", device_class: "blind" }],
  [["curtain", "curtains", "drapes"], { domain: "cover", device_class: "curtain" }],
  [["shade", "shades"], { domain: "cover", device_class: "shade" }],
  [["shutter", "shutters"], { domain: "cover", device_class: "shutter" }],
];
const MORE = ["more", "a bit more", "a little more", "bit more", "little more", "once more", "some more", "even more"];
/** Intents that change something relative to now: saying "more" repeats them. */
const RELATIVE = new Set(["CabinAdjustTemperature", "MediaAdjustVolume", "LightAdjustBrightness", "HassIncreaseTimer", "HassDecreaseTimer"]);

function listValue(g: Grammar, list: string, words: string): SlotValue | undefined {
  const l = g.lists.get(list);
  if (l?.kind !== "values") return undefined;
  return l.values.find((v) => normalizeTokens(v.inText).join(" ") === words)?.out;
}

/** The previous request, changed the way an elliptical follow-up says; undefined when it is not one. */
export function followUp(text: string, previous: readonly IntentResult[] | undefined, g: Grammar): IntentResult[] | undefined {
  if (!previous?.length) return undefined;
  const all = normalizeTokens(text);
  let a = 0;
  let b = all.length;
  while (a < b && LEAD.has(all[a]!)) a++;
  while (b > a && TRAIL.has(all[b - 1]!)) b--;
  const core = all.slice(a, b).join(" ");
  /** The previous requests with `drop` removed and `slots` put in; `fromContext`: the slots where the request is said fills. */
  const changed = (slots: Record<string, SlotValue>, drop: string[], fromContext: string[] = []): IntentResult[] =>
    previous.map((p) => {
      const kept = Object.fromEntries(Object.entries(p.slots).filter(([k]) => !drop.includes(k)));
      return { ...p, slots: { ...kept, ...slots }, confidence: 1, source: "dialog", fromContext };
    });
  // "open the passenger window" … "and mine too": the same for the speaker's own seat, filled in from where it is said.
  if (MINE.test(all.join(" "))) {
    const slots = previous.map((p) => carPlaceSlot(g, p)?.name);
    if (!slots.every((x): x is string => x !== undefined)) return undefined;
    const own = [...new Set(slots)];
    return changed({}, own, own);
  }
  // It must announce itself as a follow-up ("and …", "… too") or be nothing but the new value.
  const marked = a > 0 || b < all.length;
  if (!core) return undefined;
  if (MORE.includes(core) || (marked && core === "more")) return previous.every((p) => RELATIVE.has(p.intent)) ? previous.map((p) => ({ ...p })) : undefined;
  // "set the pendants to 50 percent" … "brighter": a step for the same lights.
  const step = LIGHT_STEPS[core];
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
  // "turn on my seat heating" … "same for the passenger": the seat, window or zone said instead.
  const place = carPlace(g, core, previous);
  if (place) return changed(place, Object.keys(place));
  // "add eggs to the shopping list" … "and butter": another item.
  if (previous.every((p) => ADD_ITEM.has(p.intent) && p.slots.item !== undefined) && !all.slice(a, b).some((w) => PRONOUN_WORDS.has(w)))
    return changed({ item: all.slice(a, b).join(" ") }, ["item"]);
  // "turn on the lights" … "and the radio": a device of that room called so (the Kitchen Radio).
  const local = onOff ? nameInArea(g, core, previous) : undefined;
  if (local !== undefined) return changed({ name: local }, ["name", "domain", "device_class"]);
  // "set the patio curtains to 40" … "and the bedroom curtains too": that kind in that room.
  const roomKind = areaAndKind(g, all.slice(a, b));
  if (roomKind && previous.every((p) => HOME_SETTINGS.has(p.intent))) return changed(roomKind, ["name", "area", "floor", "domain", "device_class"]);
  const kind = KINDS.find(([words]) => words.includes(core))?.[1];
  // "turn off the tv" … "and the lights": the lights of the room the tv is in.
  const rooms = new Set(previous.map((p) => (typeof p.slots.name === "string" ? contextOf(g, p.slots.name)?.area : p.slots.area)));
  const [room] = [...rooms];
  if (kind && onOff) return changed({ ...kind, ...(rooms.size === 1 && room !== undefined ? { area: room } : {}) }, ["name", "domain", "device_class"]);
  return undefined;
}

/** Home requests whose target a follow-up may move to another room's devices of a kind. */
const HOME_SETTINGS = new Set(["HassTurnOn", "HassTurnOff", "HassSetPosition", "HassLightSet", "LightAdjustBrightness", "HassOpenCover", "HassCloseCover"]);
/** A step for lights said alone after a request for them. */
const LIGHT_STEPS: Record<string, string> = {
  brighter: "brighter", "a bit brighter": "brighter", "a little brighter": "brighter", "bit brighter": "brighter",
  dimmer: "dimmer", "a bit dimmer": "dimmer", "a little dimmer": "dimmer", "bit dimmer": "dimmer", darker: "dimmer", "a bit darker": "dimmer",
};

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
    const kind = KINDS.find(([k]) => k.includes(words.slice(i).join(" ")))?.[1];
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

/** What "play it again" means after a pause: carry on, not a search for "it again". */
const RESUME_WORDS = new Set(["it", "that", "this", "again", "back", "the", "music", "song", "track", "on"]);

/** "pause the music" … "ok play it again": the pause undone; undefined when the reading is anything else. */
export function resumeAfterPause(intents: readonly IntentResult[], previous: readonly IntentResult[] | undefined): IntentResult[] | undefined {
  if (!previous?.some((p) => p.intent === "HassMediaPause") || intents.length !== 1 || intents[0]!.intent !== "HassMediaSearchAndPlay") return undefined;
  const q = normalizeTokens(String(intents[0]!.slots.search_query ?? ""));
  if (!q.length || !q.every((w) => RESUME_WORDS.has(w))) return undefined;
  return [{ intent: "HassMediaUnpause", slots: {}, confidence: 1, source: "dialog", fromContext: [] }];
}

const PRONOUN_WORDS = new Set(["it", "them", "that", "this", "those", "these", "one", "something", "stuff"]);

/** What a seat, window or zone said in a follow-up is of ("the back seats"). */
const PLACE_NOUNS = new Set(["seat", "seats", "window", "windows", "zone", "zones"]);

/** The speaker's own seat said alone: "and mine too", "for me as well", "my side too". */
const MINE = /^(?:(?:and|also|now|then|same|what|about|how) )*(?:for )?(?:mine|me|myself|my (?:side|seat|window|one))(?: (?:too|as well|also|please))*$/;

/** The slot of a car request that names a seat, window or zone; undefined when it has none. */
function carPlaceSlot(g: Grammar, p: IntentResult): SlotDef | undefined {
  return [...(g.intents.get(p.intent)?.slots.values() ?? [])].find((sl) => CAR_PLACES.has(sl.list ?? sl.name));
}

/** The previous requests' seat, window or zone slot with the place `core` names, when every one has such a slot. */
function carPlace(g: Grammar, core: string, previous: readonly IntentResult[]): Record<string, SlotValue> | undefined {
  const k = knowledgeOf(g);
  // "and the back seats", "same for the passenger window": the seat said with what it is of.
  const said = core.split(" ");
  while (said.length > 1 && PLACE_NOUNS.has(said[said.length - 1]!)) said.pop();
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

const PRONOUNS = new Set(["it", "them", "that"]);
/** Words in front of a follow-up with a pronoun ("no, close it", "ok turn it off"). */
const REFERENT_LEAD = new Set(["and", "now", "also", "then", "no", "actually", "ok", "okay", "oh"]);

/** Amounts said in words that may stand alone as a new value ("only a quarter"; never "off", which is a request). */
const FRACTIONS = new Set(["quarter", "quarters", "half", "halfway", "three", "third", "thirds", "all", "fully", "completely"]);
/** Words around a new value said alone ("actually make it twenty one", "no, only a quarter"). */
const VALUE_FRAME = new Set(["actually", "no", "oh", "sorry", "make", "it", "that", "set", "to", "change", "instead", "rather", "only", "just", "please", "then", "and", "now", "degrees", "degree", "percent", "level", "a", "little", "bit", "less", "more", "lower", "higher", "of", "the", "way"]);

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
  const rest = words.filter((w) => !/^\d/.test(w) && !VALUE_FRAME.has(w));
  const value = digits.length === 1 ? Number(digits[0]) : digits.length === 0 ? amount(words) : undefined;
  const amountWords = digits.length ? [] : rest;
  // Nothing but the frame and the number: "make it 21", "only a quarter", "21 degrees".
  if (value === undefined || (digits.length && rest.length) || (!digits.length && (!amountWords.length || amountWords.some((w) => !FRACTIONS.has(w))))) return undefined;
  const [slot] = numeric[0]!;
  // ("sorry, 21 percent" after a temperature: a unit the slot cannot take changes nothing)
  if (words.some((w) => !fits(p.intent, slot, w))) return undefined;
  return [{ ...p, slots: { ...p.slots, [slot]: value }, confidence: 1, source: "dialog", fromContext: [] }];
}

/** What a follow-up may start with and means nothing by ("and turn the volume up", "then close them", "oh and bread too"). */
export const FOLLOW_UP_LEAD = new RegExp(`^\\s*(?:(?:${FILLERS.join("|")})\\b[\\s,]*)*(and then|and now|and|also|then|now)\\b[\\s,]*`, "i");

/** "and open the curtains in there": the previous request's one room for "there". */
const THERE = /\b(?:in there|over there|in that room|in the same room|there)\b/;

/** The follow-up with "there" replaced by the room the previous request was for; undefined without one. */
export function withPlace(text: string, previous: readonly IntentResult[] | undefined): string | undefined {
  const areas = new Set((previous ?? []).map((p) => p.slots.area));
  const [area] = [...areas];
  if (areas.size !== 1 || typeof area !== "string") return undefined;
  const said = normalizeTokens(text).join(" ").replace(FOLLOW_UP_LEAD, "");
  if (!THERE.test(said) || /^there (?:is|are|was|were)\b/.test(said)) return undefined;
  return said.replace(THERE, `in the ${area.toLowerCase()}`);
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
  while (a < words.length && REFERENT_LEAD.has(words[a]!)) a++;
  // "open the patio curtains" … "now close the ones in the bedroom": the same kind of device, in another room.
  const ones = words.findIndex((w, i) => i >= a && i > 0 && (w === "ones" || w === "one") && words[i - 1] === "the" && (words[i + 1] === "in" || words[i + 1] === "on"));
  if (ones > 0 && g) {
    const kinds = new Set(previous.map((p) => kindOf(p, g)));
    const [kind] = [...kinds];
    if (kinds.size === 1 && kind !== undefined) return [...words.slice(a, ones), kind, ...words.slice(ones + 1)].join(" ");
  }
  const at = words.findIndex((w, i) => i >= a && PRONOUNS.has(w));
  if (at < 0 || words.slice(at + 1).some((w) => PRONOUNS.has(w))) return undefined;
  const referents = new Set(previous.map((p) => referent(p, g)));
  const [r] = [...referents];
  if (referents.size !== 1 || r === undefined) return undefined;
  // "close it again": what is said again is the request itself.
  let b = words.length;
  while (b > at + 1 && (words[b - 1] === "again" || words[b - 1] === "please")) b--;
  return [...words.slice(a, at), ...r.split(" "), ...words.slice(at + 1, b)].join(" ");
}

/** The plural word for the kind of device a request named ("curtains" for the Patio Curtains). */
function kindOf(p: IntentResult, g: Grammar): string | undefined {
  const slots = typeof p.slots.name === "string" ? contextOf(g, p.slots.name) : p.slots;
  if (!slots) return undefined;
  const kind = KINDS.find(([, k]) => Object.entries(k).every(([key, v]) => slots[key] === v) && (k.device_class !== undefined || slots.device_class === undefined || slots.domain === "light"));
  return kind?.[0][1];
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
  const kind = KINDS.find(([, slots]) => Object.entries(slots).every(([k, v]) => p.slots[k] === v) && p.slots.device_class === slots.device_class);
  if (!kind || typeof p.slots.area !== "string") return undefined;
  return `the ${p.slots.area.toLowerCase()} ${kind[0][1]}`;
}
