// Elliptical follow-ups: in the follow-up window a request may only say what changes — "and the
// bedroom too", "also the kitchen", "now the blinds", "a bit more". The previous request supplies the
// rest. Only a room, a floor, a device or a kind of device can stand alone this way, and only
// relative changes repeat ("a bit more" after "turn up the volume"); anything else is a request of
// its own.
import { normalizeTokens } from "../grammar/normalize.js";
import type { Grammar, SlotValue } from "../grammar/types.js";
import type { IntentResult } from "../nlu/types.js";

const LEAD = new Set(["and", "also", "now", "then", "plus", "what", "how", "about", "same", "for", "in", "on", "the", "my", "our"]);
const TRAIL = new Set(["too", "as", "well", "also", "please", "again"]);
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
const RELATIVE = new Set(["CabinAdjustTemperature", "MediaAdjustVolume", "HassIncreaseTimer", "HassDecreaseTimer"]);

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
  // It must announce itself as a follow-up ("and …", "… too") or be nothing but the new value.
  const marked = a > 0 || b < all.length;
  if (!core) return undefined;
  const changed = (slots: Record<string, SlotValue>, drop: string[]): IntentResult[] =>
    previous.map((p) => {
      const kept = Object.fromEntries(Object.entries(p.slots).filter(([k]) => !drop.includes(k)));
      return { ...p, slots: { ...kept, ...slots }, confidence: Math.min(p.confidence, 1), source: p.source, fromContext: [] };
    });
  if (MORE.includes(core) || (marked && core === "more")) return previous.every((p) => RELATIVE.has(p.intent)) ? previous.map((p) => ({ ...p })) : undefined;
  const area = listValue(g, "area", core);
  if (area !== undefined && previous.every((p) => p.slots.domain !== undefined || p.slots.device_class !== undefined)) return changed({ area }, ["area", "floor", "name"]);
  const floor = listValue(g, "floor", core);
  if (floor !== undefined && previous.every((p) => p.slots.domain !== undefined)) return changed({ floor }, ["area", "floor", "name"]);
  if (!marked) return undefined;
  const name = listValue(g, "name", core);
  if (name !== undefined && previous.every((p) => p.slots.name !== undefined)) return changed({ name }, ["name", "area", "floor", "domain", "device_class"]);
  const kind = KINDS.find(([words]) => words.includes(core))?.[1];
  if (kind && previous.every((p) => p.intent === "HassTurnOn" || p.intent === "HassTurnOff")) return changed(kind, ["name", "domain", "device_class"]);
  return undefined;
}
