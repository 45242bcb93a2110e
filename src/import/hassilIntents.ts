// intents.yaml (descriptions, slot declarations, slot combinations) and responses/<lang>/<Intent>.yaml
// → the declaration part of a hark intent: description, domain, slots, responses.

import { existsSync } from "node:fs";
import path from "node:path";
import { convertResponse } from "./jinja.js";
import { isObject, readYaml, type JsonMap, type YamlSource } from "./yamlio.js";

export interface IntentsInfo {
  src?: YamlSource;
  data: Record<string, unknown>;
}

/** intents.yaml's `context_area` for <Intent>/<combination>: undefined when the combination is not declared. */
export function combinationOf(info: IntentsInfo, intent: string, combination: string): { name: string; contextArea: boolean } | undefined {
  const i = info.data[intent];
  const c = isObject(i) && isObject(i.slot_combinations) ? i.slot_combinations[combination] : undefined;
  return isObject(c) ? { name: combination, contextArea: c.context_area === true } : undefined;
}

export interface DeclareInput {
  intent: string;
  info: IntentsInfo;
  /** slot → lists that fill it in the imported sentences. */
  slotLists: Map<string, Set<string>> | undefined;
  listNames: Set<string>;
  /** Response keys the sentences use → where. */
  usedResponses: Map<string, string> | undefined;
  responsesDir?: string;
  lang: string;
  warnings: string[];
}

/** The declarations of one intent (everything but `data`). */
export async function declareIntent(x: DeclareInput): Promise<JsonMap> {
  const { intent, info, warnings } = x;
  const decl: JsonMap = {};
  const def = info.data[intent];
  if (isObject(def)) {
    if (typeof def.description === "string") decl.description = def.description;
    if (typeof def.domain === "string") decl.domain = def.domain;
    if (isObject(def.slots)) {
      const slots: JsonMap = {};
      for (const [sname, sdef] of Object.entries(def.slots)) {
        const s: JsonMap = {};
        const used = x.slotLists?.get(sname);
        // A slot no list fills (domain, device_class: fixed by data blocks) is declared without one.
        if (!x.listNames.has(sname) && used && used.size > 0) {
          s.list = [...used][0]!;
          if (used.size > 1) {
            const shown = [...used].slice(0, 3).join(", ") + (used.size > 3 ? `, … (${used.size} lists)` : "");
            warnings.push(`${info.src!.where(intent, "slots", sname)}: ${intent}.${sname} is filled from several lists (${shown}); declared with list ${s.list}`);
          }
        }
        s.required = isObject(sdef) && sdef.required === true;
        if (isObject(sdef) && typeof sdef.description === "string") s.description = sdef.description;
        slots[sname] = s;
      }
      if (Object.keys(slots).length) decl.slots = slots;
    }
  } else if (info.src) warnings.push(`${info.src.file}: intent ${intent} is not described in intents.yaml`);

  const read = x.responsesDir ? await readResponses(x.responsesDir, intent, warnings) : undefined;
  const used = x.usedResponses ?? new Map<string, string>();
  if (read || used.size) {
    const r: JsonMap = { ...(read?.responses ?? {}) };
    for (const [key, where] of used)
      if (r[key] === undefined && !read?.dropped.has(key)) // a dropped one is warned about already
        warnings.push(`${where}: ${intent}: response "${key}" is not in responses/${x.lang}/${intent}.yaml`);
    if (Object.keys(r).length) decl.responses = r;
  }
  return decl;
}

/** Read responses/<lang>/<Intent>.yaml → {key: hark template} and the keys dropped; undefined when there is no file. */
export async function readResponses(dir: string, intent: string, warnings: string[]): Promise<{ responses: JsonMap; dropped: Set<string> } | undefined> {
  const file = path.join(dir, `${intent}.yaml`);
  if (!existsSync(file)) return undefined;
  const src = await readYaml(file);
  const at = ["responses", "intents", intent];
  const d = src.data;
  const block = isObject(d) && isObject(d.responses) && isObject(d.responses.intents) ? d.responses.intents[intent] : undefined;
  if (!isObject(block)) {
    warnings.push(`${src.where()}: no responses.intents.${intent} mapping, skipped`);
    return undefined;
  }
  const out: JsonMap = {};
  const dropped = new Set<string>();
  for (const [key, text] of Object.entries(block)) {
    const where = src.where(...at, key);
    if (typeof text !== "string") {
      warnings.push(`${where}: response "${key}" is not a string, skipped`);
      dropped.add(key);
      continue;
    }
    const conv = convertResponse(text);
    if (conv.text === undefined) {
      warnings.push(`${where}: ${intent} response "${key}" cannot be expressed in hark (${conv.notes.join("; ")}), dropped`);
      dropped.add(key);
      continue;
    }
    if (conv.notes.length) warnings.push(`${where}: ${intent} response "${key}" simplified to "${conv.text}" (${conv.notes.join("; ")})`);
    out[key] = conv.text;
  }
  return { responses: out, dropped };
}
