// What the grammar and the devices know, in the shape the trust checks need: the spoken forms of
// every slot value, the known place and device names, and every word the grammar uses.
import { walkExpanded } from "../grammar/introspect.js";
import { normalizeTokens } from "../grammar/normalize.js";
import type { Expr, Grammar, SlotList, SlotValue } from "../grammar/types.js";
import type { IntentResult } from "../nlu/types.js";
import { PhraseSet } from "./phrases.js";

export type EntityKind = "area" | "floor" | "name";

/** A known name in the words: what it names, and what the devices file says about it (a device's area, an area's floor). */
export interface EntityTag {
  kind: EntityKind;
  value: string;
  context?: Record<string, SlotValue>;
}

export interface Knowledge {
  grammar: Grammar;
  /** Names and aliases of areas, floors and devices. */
  entities: PhraseSet<EntityTag>;
  /** Every word of every sentence, rule and list value. */
  vocabulary: ReadonlySet<string>;
  /** Words only devices' names hold ("staircase", "pendant"): no sentence, rule or other list has them. */
  nameOnly: ReadonlySet<string>;
  /** Every word of the names and aliases of areas ("area"), floors ("floor") and devices (by domain). */
  entityWords: ReadonlyMap<string, ReadonlySet<string>>;
  /** A device's domain by its name ("Back Door" → lock). */
  domainOf(name: string): string | undefined;
  /** A device's area by its name ("Floor Lamp" → Living Room). */
  areaOf(name: string): string | undefined;
  /** The areas and floors a word is part of a name or alias of ("kids" → Kids Room, "lounge" → Living Room). */
  placesOfWord(word: string): ReadonlySet<string>;
  /** The lists that fill a slot of an intent (a slot may be filled by several: {onoff:state}). */
  listsOf(intent: string, slot: string): SlotList[];
  /** The spoken forms (token sequences) of a value of a values list. */
  formsOf(list: SlotList, value: SlotValue): string[][];
  /** The slots an intent's sentences can fill. */
  slotsOf(intent: string): string[];
}

const MAX_FORMS = 256;

/** The spoken forms of an expression (bounded; slots and rules inside a list value are rare). */
function forms(e: Expr, g: Grammar, depth = 0): string[][] {
  switch (e.type) {
    case "text":
      return [normalizeTokens(e.text)];
    case "slot":
      return [[]];
    case "rule": {
      const r = g.rules.get(e.name);
      return r && depth < 8 ? forms(r.expr, g, depth + 1) : [[]];
    }
    case "alt": {
      const out = e.items.flatMap((i) => forms(i, g, depth));
      if (e.optional) out.push([]);
      return out.slice(0, MAX_FORMS);
    }
    case "seq":
    case "perm": {
      let acc: string[][] = [[]];
      for (const item of e.items) {
        const next: string[][] = [];
        for (const a of acc) for (const b of forms(item, g, depth)) if (next.length < MAX_FORMS) next.push([...a, ...b]);
        acc = next;
      }
      return acc;
    }
  }
}

function walk(e: Expr, visit: (e: Expr) => void): void {
  visit(e);
  if (e.type === "seq" || e.type === "alt" || e.type === "perm") for (const i of e.items) walk(i, visit);
}

const built = new WeakMap<Grammar, Knowledge>();

export function knowledgeOf(grammar: Grammar): Knowledge {
  const hit = built.get(grammar);
  if (hit) return hit;
  const entities = new PhraseSet<EntityTag>();
  const entityWords = new Map<string, Set<string>>();
  const domains = new Map<string, string>();
  const areas = new Map<string, string>();
  const placeWords = new Map<string, Set<string>>();
  for (const kind of ["area", "floor", "name"] as const) {
    const list = grammar.lists.get(kind);
    if (list?.kind !== "values") continue;
    for (const v of list.values)
      for (const f of forms(v.in, grammar)) {
        if (!f.length) continue;
        entities.addWords(f.join(" "), { kind, value: String(v.out), ...(v.context ? { context: v.context } : {}) });
        if (kind === "name" && v.context?.domain !== undefined) domains.set(String(v.out), String(v.context.domain));
        if (kind === "name" && v.context?.area !== undefined) areas.set(String(v.out), String(v.context.area));
        if (kind !== "name") for (const w of f) placeWords.set(w, (placeWords.get(w) ?? new Set()).add(String(v.out)));
        const key = kind === "name" ? String(v.context?.domain ?? "") : kind;
        const words = entityWords.get(key) ?? new Set<string>();
        for (const w of f) words.add(w);
        entityWords.set(key, words);
      }
  }
  const vocabulary = new Set<string>();
  // Words of sentences, rules and lists other than device names: what a name's word is not only.
  const generic = new Set<string>();
  const textInto = (...sets: Set<string>[]) => (e: Expr) => {
    if (e.type === "text") for (const t of normalizeTokens(e.text)) for (const set of sets) set.add(t);
  };
  const addText = textInto(vocabulary, generic);
  const slotLists = new Map<string, Map<string, Set<string>>>();
  for (const intent of grammar.intents.values()) {
    const perSlot = new Map<string, Set<string>>();
    for (const [name, def] of intent.slots) if (def.list) perSlot.set(name, new Set([def.list]));
    // Slots inside expansion rules count too ("<open_amount>" fills percent from "all the way").
    for (const block of intent.data)
      for (const s of block.sentences)
        walkExpanded(grammar, block, s.expr, (e) => {
          addText(e);
          if (e.type === "slot") {
            const set = perSlot.get(e.slot) ?? new Set<string>();
            set.add(e.list);
            perSlot.set(e.slot, set);
          }
        });
    slotLists.set(intent.name, perSlot);
  }
  for (const r of grammar.rules.values()) walk(r.expr, addText);
  for (const [name, list] of grammar.lists) if (list.kind === "values") for (const v of list.values) walk(v.in, name === "name" ? textInto(vocabulary) : addText);
  const nameOnly = new Set([...vocabulary].filter((t) => !generic.has(t)));

  const formCache = new Map<SlotList, Map<string, string[][]>>();
  const k: Knowledge = {
    grammar,
    entities,
    vocabulary,
    nameOnly,
    entityWords,
    domainOf: (name) => domains.get(name),
    areaOf: (name) => areas.get(name),
    placesOfWord: (word) => placeWords.get(word) ?? new Set(),
    listsOf(intent, slot) {
      const names = slotLists.get(intent)?.get(slot) ?? new Set([slot]);
      return [...names].map((n) => grammar.lists.get(n)).filter((l): l is SlotList => l !== undefined);
    },
    slotsOf(intent) {
      return [...(slotLists.get(intent)?.keys() ?? [])];
    },
    formsOf(list, value) {
      if (list.kind !== "values") return [];
      let byValue = formCache.get(list);
      if (!byValue) {
        byValue = new Map();
        for (const v of list.values) {
          const key = String(v.out);
          byValue.set(key, [...(byValue.get(key) ?? []), ...forms(v.in, grammar).filter((f) => f.length)]);
        }
        formCache.set(list, byValue);
      }
      return byValue.get(String(value)) ?? [];
    },
  };
  built.set(grammar, k);
  return k;
}

/** The intent's free-text values (slots filled by a wildcard list): the user's own words. */
export function freeText(i: IntentResult, grammar: Grammar): Array<[string, string]> {
  return Object.entries(i.slots).flatMap(([slot, v]) => (typeof v === "string" && grammar.lists.get(slot)?.kind === "wildcard" ? [[slot, v] as [string, string]] : []));
}
