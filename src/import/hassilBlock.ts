// One hassil data entry (sentences + slots + context + response + local rules and lists) → one hark
// data block. hark's block has the same keys except local lists, which are hoisted to global lists
// under a new name ({color} → {HassLightSet_color:color}) so the block keeps its own values.

import { renameLists, resolveRefs } from "./hassilRefs.js";
import { isObject, type Json, type JsonMap, type WarningSink, type YamlSource } from "./yamlio.js";

export interface BlockEnv {
  src: YamlSource;
  intent: string;
  /** Global rule name → text, and which of them must be copied into the entries using them. */
  globalRules: Map<string, string>;
  contextRules: Set<string>;
  /** Every global list name (including name/area/floor). */
  lists: Set<string>;
  warnings: WarningSink;
  /** Hoist an entry's own list to a global one; returns its new name (undefined when unusable). */
  hoist(name: string, def: unknown, at: (string | number)[]): string | undefined;
  /** From intents.yaml for the newer layout (sentences/<lang>/<Intent>/<combination>.yaml). */
  combination?: { name: string; contextArea: boolean };
}

export interface BlockResult {
  block: JsonMap;
  sentences: number;
  /** slot → lists that fill it (hoisted names). */
  slots: Map<string, Set<string>>;
  response?: string;
}

/** Keys of a hassil data entry hark has no use for; `metadata` is for Home Assistant only. */
const SILENT = new Set(["metadata"]);
const HANDLED = new Set(["sentences", "slots", "requires_context", "excludes_context", "response", "expansion_rules", "lists", "inferred_domain", "name_domains"]);
const ORDER = ["sentences", "slots", "requires_context", "excludes_context", "response", "expansion_rules"];

export function convertBlock(env: BlockEnv, block: unknown, at: (string | number)[]): BlockResult | undefined {
  const { src, intent, warnings } = env;
  if (!isObject(block)) throw src.error(`intent ${intent}: data entry must be a mapping`, ...at);
  if (!Array.isArray(block.sentences)) throw src.error(`intent ${intent}: data entry without \`sentences\` list`, ...at);

  // The entry's own lists: hoisted, and every reference in this entry renamed.
  const renames = new Map<string, string>();
  if (isObject(block.lists))
    for (const [name, def] of Object.entries(block.lists)) {
      const to = env.hoist(name, def, [...at, "lists", name]);
      if (to) renames.set(name, to);
    }
  else if (block.lists !== undefined) warnings.add(`${src.where(...at, "lists")}: lists must be a mapping, dropped`);
  const localLists = new Set(renames.keys());

  const local: Record<string, string> = {};
  if (isObject(block.expansion_rules))
    for (const [k, v] of Object.entries(block.expansion_rules))
      if (typeof v === "string") local[k] = v;
      else warnings.add(`${src.where(...at, "expansion_rules", k)}: rule <${k}> is not a string, dropped`);

  const sentences: string[] = [];
  const slots = new Map<string, Set<string>>();
  block.sentences.forEach((s: unknown, si: number) => {
    const where = src.where(...at, "sentences", si);
    if (typeof s !== "string") {
      warnings.add(`${where}: sentence is not a string, dropped`);
      return;
    }
    const r = resolveRefs(s, local, env.globalRules, env.contextRules, env.lists, localLists);
    if (r.unknown.size) {
      warnings.group(`sentence dropped: unknown ${[...r.unknown].join(", ")}`, where);
      return;
    }
    for (const c of r.copies)
      if (local[c] === undefined) {
        local[c] = env.globalRules.get(c)!;
        warnings.group(`rule <${c}> uses rules or lists defined per data entry; copied into the data entries using it`, where);
      }
    sentences.push(renameLists(s, renames));
    for (const [slot, lists] of r.slots) {
      const set = slots.get(slot) ?? new Set<string>();
      for (const l of lists) set.add(renames.get(l) ?? l);
      slots.set(slot, set);
    }
  });
  if (sentences.length === 0) return undefined; // every sentence dropped (warned above)

  const b: JsonMap = { sentences };
  if (Object.keys(local).length) b.expansion_rules = Object.fromEntries(Object.entries(local).map(([k, v]) => [k, renameLists(v, renames)]));

  const fixed = fixedSlots(env, block, at);
  if (typeof block.inferred_domain === "string") fixed.domain ??= block.inferred_domain;
  if (Object.keys(fixed).length) b.slots = fixed;

  for (const key of ["requires_context", "excludes_context"] as const) {
    const c = constraints(env, block[key], [...at, key], key);
    if (c && Object.keys(c).length) b[key] = c;
  }
  // name_domains: the domains a {name} may resolve to, i.e. a requirement on the name's context.
  if (Array.isArray(block.name_domains)) {
    const domains = block.name_domains.filter((x): x is string => typeof x === "string");
    const rc = (b.requires_context as JsonMap | undefined) ?? {};
    if (rc.domain === undefined && domains.length) b.requires_context = { ...rc, domain: domains.length === 1 ? domains[0]! : domains };
  }
  // intents.yaml `context_area: true`: the satellite's area must be known and fills {area}.
  if (env.combination?.contextArea) {
    const rc = (b.requires_context as JsonMap | undefined) ?? {};
    if (rc.area === undefined) b.requires_context = { ...rc, area: { slot: true } };
  }
  let response: string | undefined;
  if (typeof block.response === "string") b.response = response = block.response;

  for (const k of Object.keys(block)) {
    if (HANDLED.has(k) || SILENT.has(k)) continue;
    if (k === "required_keywords")
      warnings.group('"required_keywords" dropped (a hassil speed-up: the sentences contain the words anyway)', src.where(...at, k));
    else warnings.group(`data entry key "${k}" is not supported by hark, dropped`, src.where(...at, k));
  }
  const ordered: JsonMap = {};
  for (const k of ORDER) if (b[k] !== undefined) ordered[k] = b[k]!;
  return { block: ordered, sentences: sentences.length, slots, response };
}

function fixedSlots(env: BlockEnv, block: Record<string, unknown>, at: (string | number)[]): JsonMap {
  const out: JsonMap = {};
  if (block.slots === undefined) return out;
  if (!isObject(block.slots)) {
    env.warnings.add(`${env.src.where(...at, "slots")}: slots must be a mapping, dropped`);
    return out;
  }
  for (const [k, v] of Object.entries(block.slots)) {
    const where = env.src.where(...at, "slots", k);
    if (typeof v === "string" || typeof v === "number") out[k] = v;
    else if (typeof v === "boolean") out[k] = String(v);
    else if (Array.isArray(v) && v.length > 0 && (typeof v[0] === "string" || typeof v[0] === "number")) {
      out[k] = v[0];
      env.warnings.add(`${where}: slot ${k}: several fixed values (hark fixes one value per slot), only "${v[0]}" kept`);
    } else env.warnings.add(`${where}: slot ${k}: unsupported fixed value, dropped`);
  }
  return out;
}

/**
 * hassil constraints: a value, a list of values, or a mapping {value?, slot?}: `slot: true` copies the
 * context value (the satellite's area) into the key's own slot, `slot: "x"` into slot x. hark holds a
 * value, a list, or {slot: true}.
 */
function constraints(env: BlockEnv, ctx: unknown, at: (string | number)[], key: string): JsonMap | undefined {
  if (ctx === undefined) return undefined;
  const { src, warnings } = env;
  if (!isObject(ctx)) {
    warnings.add(`${src.where(...at)}: ${key} must be a mapping, dropped`);
    return undefined;
  }
  const out: JsonMap = {};
  for (const [k, v] of Object.entries(ctx)) {
    const where = src.where(...at, k);
    const c = constraint(v);
    if (c === undefined) warnings.add(`${where}: ${key}.${k}: unsupported constraint, dropped`);
    else {
      out[k] = c.value;
      if (c.note) warnings.add(`${where}: ${key}.${k}: ${c.note}`);
    }
  }
  return out;
}

function constraint(v: unknown): { value: Json; note?: string } | undefined {
  if (typeof v === "string" || typeof v === "number") return { value: v };
  if (typeof v === "boolean") return { value: String(v) };
  if (Array.isArray(v) && v.length && v.every((x) => typeof x === "string" || typeof x === "number")) return { value: v as Json };
  if (!isObject(v)) return undefined;
  const inner = v.value === undefined || v.value === null ? undefined : constraint(v.value);
  if (v.value !== undefined && v.value !== null && !inner) return undefined;
  const slot = v.slot;
  if (inner) {
    const note = slot ? `hark cannot both require "${JSON.stringify(v.value)}" and copy it into a slot; only the requirement is kept` : undefined;
    return { value: inner.value, ...(note ? { note } : {}) };
  }
  if (slot === true) return { value: { slot: true } };
  if (typeof slot === "string")
    return { value: { slot: true }, note: `hassil copies the value into slot "${slot}"; hark's {slot: true} only means the key's own slot` };
  return undefined;
}
