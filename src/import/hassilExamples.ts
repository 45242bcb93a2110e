// Home Assistant's own example sentences (intents.yaml: `example:` of every slot combination) with
// the intent and slots they must give: a yardstick for an imported grammar.

import { isObject } from "./yamlio.js";

export interface HassilExample {
  id: string;
  intent: string;
  combination: string;
  text: string;
  /** Slots the combination fills (intents.yaml `slots:`). */
  slots: string[];
  /** The satellite's area fills {area} (intents.yaml `context_area: true`). */
  contextArea: boolean;
}

/** Every example of every slot combination of every supported intent in a parsed intents.yaml. */
export function hassilExamples(intents: unknown): HassilExample[] {
  const out: HassilExample[] = [];
  if (!isObject(intents)) return out;
  for (const [intent, info] of Object.entries(intents)) {
    if (!isObject(info) || info.supported === false || !isObject(info.slot_combinations)) continue;
    for (const [combination, c] of Object.entries(info.slot_combinations)) {
      if (!isObject(c)) continue;
      const texts = ([] as unknown[]).concat(c.example ?? []).filter((t): t is string => typeof t === "string");
      const slots = Array.isArray(c.slots) ? c.slots.filter((s): s is string => typeof s === "string") : [];
      texts.forEach((text, i) => out.push({ id: `${intent}/${combination}/${i}`, intent, combination, text, slots, contextArea: c.context_area === true }));
    }
  }
  return out;
}

export type ExampleVerdict = "ok" | "ok-tolerant" | "missing-slots" | "wrong-intent" | "none";

/**
 * How an understanding of an example compares with what it must give: the intent, and every slot of
 * its combination (plus {area} for context-area examples when the satellite's area was given).
 * "ok-tolerant": right, but only by the matcher's tolerant pass (words skipped or changed).
 */
export function judgeExample(
  ex: HassilExample,
  intents: Array<{ intent: string; slots: Record<string, unknown>; evidence?: unknown }>,
  withArea = false,
): { verdict: ExampleVerdict; missing: string[] } {
  const need = [...ex.slots, ...(ex.contextArea && withArea && !ex.slots.includes("area") ? ["area"] : [])];
  if (intents.length === 0) return { verdict: "none", missing: need };
  const hit = intents.find((i) => i.intent === ex.intent);
  if (!hit) return { verdict: "wrong-intent", missing: need };
  const missing = need.filter((s) => hit.slots[s] === undefined);
  if (missing.length) return { verdict: "missing-slots", missing };
  return { verdict: hit.evidence === undefined ? "ok" : "ok-tolerant", missing };
}
