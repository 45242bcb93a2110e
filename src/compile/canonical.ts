// The grammar's own way of saying an understood request: "turn on the Kitchen lights" for
// HassTurnOn {area: Kitchen, domain: light}. Used when hark asks back ("Did you mean …?") or names
// what it will not do. The shortest sentence of the intent that carries exactly its slots wins.
import type { ContextConstraint, Expr, Grammar, SlotValue } from "../grammar/types.js";
import type { IntentResult } from "../nlu/types.js";

const ARTICLES = new Set(["the", "a", "an", "my"]);

interface Rendered {
  words: string[];
  slots: Set<string>;
}

/** How a slot value is said: the first spoken form of the list value, or the value itself. */
function sayValue(g: Grammar, list: string, value: SlotValue): string | undefined {
  const l = g.lists.get(list);
  if (!l) return String(value);
  if (l.kind === "values") {
    const v = l.values.find((x) => String(x.out) === String(value));
    if (!v) return undefined;
    const first = firstForm(v.in, g);
    return first ?? String(value);
  }
  if (l.kind === "range") {
    if (typeof value !== "number") return String(value);
    const n = l.multiplier ? value / l.multiplier : value;
    return l.type === "percentage" ? `${n} percent` : l.type === "temperature" ? `${n} degrees` : String(n);
  }
  return String(value);
}

/** The first alternative of every choice, optional parts left out. */
function firstForm(e: Expr, g: Grammar, depth = 0): string | undefined {
  switch (e.type) {
    case "text":
      return e.text;
    case "slot":
      return undefined;
    case "rule": {
      const r = g.rules.get(e.name);
      return r && depth < 8 ? firstForm(r.expr, g, depth + 1) : undefined;
    }
    case "alt":
      return e.optional ? "" : firstForm(e.items[0]!, g, depth);
    case "seq":
    case "perm": {
      const parts = e.items.map((i) => firstForm(i, g, depth));
      return parts.some((p) => p === undefined) ? undefined : parts.join(" ").replace(/\s+/g, " ").trim();
    }
  }
}

function render(e: Expr, g: Grammar, slots: Record<string, SlotValue>, depth: number): Rendered | undefined {
  switch (e.type) {
    case "text":
      return { words: e.text.split(/\s+/).filter(Boolean), slots: new Set() };
    case "slot": {
      const v = slots[e.slot];
      if (v === undefined) return undefined;
      const said = sayValue(g, e.list, v);
      return said === undefined ? undefined : { words: said.split(/\s+/).filter(Boolean), slots: new Set([e.slot]) };
    }
    case "rule": {
      const r = g.rules.get(e.name);
      return r && depth < 8 ? render(r.expr, g, slots, depth + 1) : undefined;
    }
    case "alt": {
      // The alternative carrying the most of the wanted slots; the optional part only when it carries
      // one, or is an article ("[the]": "turn on the Kitchen light", not "turn on Kitchen light").
      const article = e.optional && e.items[0]?.type === "text" && ARTICLES.has(e.items[0].text);
      let best: Rendered | undefined = article ? { words: [(e.items[0] as { text: string }).text], slots: new Set() } : e.optional ? { words: [], slots: new Set() } : undefined;
      for (const item of e.items) {
        const r = render(item, g, slots, depth);
        if (r && (!best || r.slots.size > best.slots.size || (r.slots.size === best.slots.size && !e.optional && r.words.length < best.words.length))) best = r;
      }
      return best;
    }
    case "seq":
    case "perm": {
      const out: Rendered = { words: [], slots: new Set() };
      for (const item of e.items) {
        const r = render(item, g, slots, depth);
        if (!r) return undefined;
        out.words.push(...r.words);
        for (const s of r.slots) out.slots.add(s);
      }
      return out;
    }
  }
}

/** Slots a sentence often implies through its device rather than says ("lock the {name}"). */
const IMPLIED = ["domain", "device_class"];

/**
 * A sentence of the grammar that says this intent with these slot values (the first one written that
 * fits; failing that, one that leaves out what the device implies), or undefined.
 */
export function canonicalSentence(g: Grammar, intent: IntentResult): string | undefined {
  const exact = sentenceFor(g, intent);
  if (exact !== undefined) return exact;
  const slots = Object.fromEntries(Object.entries(intent.slots).filter(([k]) => !IMPLIED.includes(k)));
  return Object.keys(slots).length < Object.keys(intent.slots).length ? sentenceFor(g, { ...intent, slots }) : undefined;
}

function sentenceFor(g: Grammar, intent: IntentResult): string | undefined {
  const def = g.intents.get(intent.intent);
  if (!def) return undefined;
  const context = deviceContext(g, intent.slots.name);
  for (const block of def.data) {
    // A block for another kind of device ("lock the {name}" for locks) says it wrong for this one.
    if (context && !fitsContext(block.requiresContext, context)) continue;
    const fixed = Object.entries(block.slots);
    if (fixed.some(([k, v]) => intent.slots[k] !== undefined && String(intent.slots[k]) !== String(v))) continue;
    const wanted = Object.keys(intent.slots).filter((k) => block.slots[k] === undefined);
    for (const s of block.sentences) {
      const r = render(s.expr, g, intent.slots, 0);
      if (r && r.slots.size === wanted.length && wanted.every((w) => r.slots.has(w))) return r.words.join(" ").replace(/\b(percent|degrees)( \1)+\b/g, "$1");
    }
  }
  return undefined;
}

/** What the `name` list says about a named device (its domain, device_class, area). */
function deviceContext(g: Grammar, name: SlotValue | undefined): Record<string, SlotValue> | undefined {
  if (name === undefined) return undefined;
  const list = g.lists.get("name");
  return list?.kind === "values" ? list.values.find((v) => String(v.out) === String(name))?.context : undefined;
}

function fitsContext(required: Record<string, ContextConstraint>, context: Record<string, SlotValue>): boolean {
  return Object.entries(required).every(([k, want]) => {
    const have = context[k];
    if (have === undefined || (typeof want === "object" && !Array.isArray(want))) return true;
    return (Array.isArray(want) ? want : [want]).some((w) => String(w) === String(have));
  });
}

/** "turn on the Kitchen lights and lock the Front Door"; intents the grammar cannot say are named. */
export function sayIntents(g: Grammar, intents: IntentResult[]): string {
  return [...new Set(intents.map((i) => canonicalSentence(g, i) ?? i.intent))].join(" and ");
}
