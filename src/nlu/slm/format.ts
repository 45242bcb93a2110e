// The SLM's output language: "Intent slot: value slot: value", intents joined by " ; ", or "none".
// ("slot: value" rather than "slot=value": with a space before the value, a value's tokens are
// the same SentencePiece pieces as in the utterance.) Slots appear in the grammar's declared order
// (intentSlots). Device, area and floor names are placeholders of the delexicalized utterance
// ("name: @light1", src/nlu/slm/delex.ts) that the parser maps back to canonical names; other lists
// output their canonical value; numbers as digits; free text normalized.
import { contextAllows } from "../../grammar/context.js";
import { intentSlots, walkExpanded } from "../../grammar/introspect.js";
import { normalizeText } from "../../grammar/normalize.js";
import type { Expr, Grammar, IntentDef, SlotValue } from "../../grammar/types.js";
import { GENERIC_PREFIX, placeholdersOf, type Delexed } from "./delex.js";
import type { OutputSpec } from "./types.js";

export type { OutputSpec } from "./types.js";

/** Lists whose values are placeholders in the model's input and output (src/nlu/slm/delex.ts). */
export const SPOKEN_LISTS = new Set(["name", "area", "floor"]);
/**
 * Lists whose values name a place in the car without being devices' names (seats, windows, zones): the
 * model may output only those the utterance says, and those a sentence sets by itself.
 */
export const SAID_LISTS = new Set(["side", "zone"]);
export const NONE = "none";
export const INTENT_SEP = " ; ";

export interface OutputIntent {
  intent: string;
  slots: Record<string, SlotValue>;
}

/** Every spoken expansion of a value template (bounded). */
export function expansions(expr: Expr, limit = 64): string[] {
  switch (expr.type) {
    case "text":
      return [expr.text];
    case "seq": {
      let acc = [""];
      for (const item of expr.items) {
        const next: string[] = [];
        for (const a of acc) for (const b of expansions(item, limit)) if (next.length < limit) next.push(a + b);
        acc = next;
      }
      return acc;
    }
    case "alt": {
      const out = expr.items.flatMap((i) => expansions(i, limit));
      if (expr.optional) out.push("");
      return out.slice(0, limit);
    }
    case "perm":
      return expansions({ type: "seq", items: expr.items.flatMap((i, k) => (k ? [{ type: "text", text: " ", pos: 0 } as Expr, i] : [i])), pos: 0 }, limit);
    default:
      return [""];
  }
}

export function outputSpec(grammar: Grammar): OutputSpec {
  const spoken = new Map<string, Map<string, SlotValue>>();
  const values: OutputSpec["values"] = new Map();
  const domains = new Map<string, string>();
  const actionable = new Set<string>();
  const names = grammar.lists.get("name");
  if (names?.kind === "values") for (const v of names.values) if (v.context?.domain !== undefined) domains.set(String(v.out), String(v.context.domain));
  const intents: OutputSpec["intents"] = [];
  const said: OutputSpec["said"] = new Map();
  for (const intent of grammar.intents.values()) {
    if (!intent.data.length) continue;
    // A slot can be filled from several lists ({onoff:state}, {lock_state:state}): collect them all.
    const lists = new Map<string, Set<string>>();
    for (const block of intent.data) {
      const used = new Map<string, string>();
      for (const sen of block.sentences)
        walkExpanded(grammar, block, sen.expr, (e) => {
          if (e.type !== "slot") return;
          (lists.get(e.slot) ?? lists.set(e.slot, new Set()).get(e.slot)!).add(e.list);
          if (SPOKEN_LISTS.has(e.list)) used.set(e.list, e.slot);
        });
      // Which names, areas and floors some sentence can act on (its context constraints admit them).
      for (const [listName, slot] of used) {
        const list = grammar.lists.get(listName);
        if (list?.kind === "values")
          for (const v of list.values) if (contextAllows(block.requiresContext, block.excludesContext, slot, v.out, v.context)) actionable.add(`${listName}\u0000${v.out}`);
      }
    }
    const slots = [...intentSlots(grammar, intent)].map(([slot, list]) => {
      const all = [...new Set([...(list ? [list] : []), ...(lists.get(slot) ?? [])])].filter((l) => grammar.lists.has(l));
      return {
        slot,
        list: all[0] ?? null,
        lists: all,
        fixed: [...new Set(intent.data.flatMap((b) => (b.slots[slot] === undefined ? [] : [String(b.slots[slot])])))],
      };
    });
    intents.push({ name: intent.name, slots });
    for (const s of slots) for (const l of s.lists) if (!values.has(l)) addList(grammar, l, values, spoken);
    for (const s of slots) for (const l of s.lists) if (SAID_LISTS.has(l)) for (const f of s.fixed) saidList(grammar, l, said)?.fixed.add(f);
  }
  // Names, areas and floors are placeholders; per utterance the language keeps only the ones it has.
  const prefixes = (list: string) => (list === "name" ? [...new Set(domains.values()), GENERIC_PREFIX] : [list]);
  for (const list of spoken.keys()) values.set(list, { kind: "enum", values: prefixes(list).flatMap(placeholdersOf) });
  return { intents, spoken, values, domains, actionable, said };
}

/** The spoken forms of a place list's values (made once per list). */
function saidList(grammar: Grammar, name: string, said: OutputSpec["said"]): { forms: Map<string, string[]>; fixed: Set<string> } | undefined {
  const hit = said.get(name);
  if (hit) return hit;
  const list = grammar.lists.get(name);
  if (list?.kind !== "values") return undefined;
  const forms = new Map<string, string[]>();
  for (const v of list.values)
    for (const e of expansions(v.in)) {
      const f = normalizeText(e).replace(/^the /, "");
      if (f) forms.set(String(v.out), [...(forms.get(String(v.out)) ?? []), f]);
    }
  const entry = { forms, fixed: new Set<string>() };
  said.set(name, entry);
  return entry;
}

function addList(grammar: Grammar, name: string, values: OutputSpec["values"], spoken: OutputSpec["spoken"]) {
  const list = grammar.lists.get(name);
  if (!list) return;
  if (list.kind === "range") values.set(name, { kind: "number", from: list.from, to: list.to, per: list.fractions === "tenths" ? 10 : list.fractions === "halves" ? 2 : 1 });
  else if (list.kind === "wildcard") values.set(name, { kind: "text", maxWords: list.maxWords });
  else if (SPOKEN_LISTS.has(name)) {
    const m = new Map<string, SlotValue>();
    for (const v of list.values)
      for (const e of expansions(v.in)) {
        const s = normalizeText(e);
        if (s && !m.has(s)) m.set(s, v.out);
      }
    spoken.set(name, m);
    values.set(name, { kind: "enum", values: [...m.keys()] });
  } else values.set(name, { kind: "enum", values: [...new Set(list.values.map((v) => String(v.out)))] });
}

/** Slot order per intent, from the grammar. */
export function slotOrder(grammar: Grammar, intent: IntentDef): string[] {
  return [...intentSlots(grammar, intent).keys()];
}

/**
 * The target output for intents understood from a delexicalized utterance: names, areas and floors as the
 * placeholders that stand for them. null when one of them has no placeholder (the utterance does not
 * name it: no target the model could produce).
 */
export function renderOutput(spec: OutputSpec, intents: OutputIntent[], delex: Delexed): string | null {
  if (!intents.length) return NONE;
  const placeholder = new Map([...delex.slots].map(([ph, v]) => [`${v.list}\u0000${v.value}`, ph]));
  const parts: string[] = [];
  for (const it of intents) {
    const def = spec.intents.find((i) => i.name === it.intent);
    const order = def?.slots.map((s) => s.slot) ?? Object.keys(it.slots);
    const keys = [...order.filter((k) => it.slots[k] !== undefined), ...Object.keys(it.slots).filter((k) => !order.includes(k))];
    const words = [it.intent];
    for (const k of keys) {
      const v = it.slots[k]!;
      const lists = def?.slots.find((s) => s.slot === k)?.lists ?? [];
      const spokenList = lists.find((l) => SPOKEN_LISTS.has(l));
      let out = String(v);
      if (spokenList) {
        const ph = lists.filter((l) => SPOKEN_LISTS.has(l)).map((l) => placeholder.get(`${l}\u0000${v}`)).find((x) => x !== undefined);
        if (ph === undefined) return null;
        out = ph;
      }
      words.push(`${k}: ${out}`);
    }
    parts.push(words.join(" "));
  }
  return parts.join(INTENT_SEP);
}

/** Parse model output back into intents with canonical values; null when it is not in the language. */
export function parseOutput(spec: OutputSpec, output: string, delex: Delexed): OutputIntent[] | null {
  const s = output.trim();
  if (s === NONE || s === "") return [];
  const result: OutputIntent[] = [];
  for (const part of s.split(INTENT_SEP)) {
    const m = /^(\S+)((?: [a-z_][a-z0-9_]*: .*)?)$/.exec(part);
    if (!m) return null;
    const def = spec.intents.find((i) => i.name === m[1]);
    if (!def) return null;
    const slots: Record<string, SlotValue> = {};
    const re = / ([a-z_][a-z0-9_]*): /g;
    const keys: Array<{ key: string; start: number; end: number }> = [];
    for (let k: RegExpExecArray | null; (k = re.exec(m[2] ?? "")); ) {
      if (def.slots.some((d) => d.slot === k![1])) keys.push({ key: k[1]!, start: k.index, end: k.index + k[0].length });
    }
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i]!;
      const raw = (m[2] ?? "").slice(k.end, i + 1 < keys.length ? keys[i + 1]!.start : undefined);
      const slot = def.slots.find((d) => d.slot === k.key)!;
      let v: SlotValue = raw;
      if (slot.lists.some((l) => SPOKEN_LISTS.has(l))) {
        const named = delex.slots.get(raw);
        if (named && slot.lists.includes(named.list)) v = named.value;
        else if (!slot.lists.some((l) => !SPOKEN_LISTS.has(l))) return null;
      }
      if (v === raw && /^-?\d+(\.\d+)?$/.test(raw)) v = Number(raw);
      slots[k.key] = v;
    }
    result.push({ intent: def.name, slots });
  }
  return result;
}

/** Every word the grammar can say (templates with rules expanded, list values, free-text examples, skip words). */
export function grammarWords(grammar: Grammar): Set<string> {
  const words = new Set<string>();
  const add = (t: string) => normalizeText(t).split(" ").forEach((w) => w && words.add(w));
  const visit = (e: Expr) => {
    if (e.type === "text") add(e.text);
  };
  for (const intent of grammar.intents.values())
    for (const block of intent.data) for (const s of block.sentences) walkExpanded(grammar, block, s.expr, visit);
  for (const list of grammar.lists.values()) {
    if (list.kind === "values") for (const v of list.values) for (const x of expansions(v.in)) add(x);
    else if (list.kind === "wildcard") list.examples.forEach(add);
  }
  grammar.skipWords.forEach(add);
  return words;
}
