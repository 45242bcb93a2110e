// Importer for Home Assistant's intents repository (hassil sentence files).
//
// hark reads hassil's format nearly as is, so this is mostly a faithful copy of the structure:
//   - sentences/<lang>/*.yaml (and the newer sentences/<lang>/<Intent>/<combination>.yaml) → one hark
//     file each; the newer layout's `context_area: true` (intents.yaml) becomes requires_context
//     {area: {slot: true}}, `inferred_domain` a fixed domain slot, `name_domains` a domain requirement
//   - intents.yaml → intent `description`, `domain` and `slots:` declarations
//   - responses/<lang>/<Intent>.yaml → intent `responses` (Jinja reduced to hark's {slot} templates)
//   - the name/area/floor lists, which Home Assistant fills from the running home, become empty value
//     lists with `multiple: true` (hark fills them from devices/)
// Whatever hark cannot express is dropped and recorded as a warning in the report.

import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { CommandError } from "../platform/errors.js";
import { convertBlock, type BlockEnv } from "./hassilBlock.js";
import { combinationOf, declareIntent, type IntentsInfo } from "./hassilIntents.js";
import { convertList } from "./hassilLists.js";
import { contextRules } from "./hassilRefs.js";
import { listSentenceFiles, locate } from "./hassilSource.js";
import { isObject, readYaml, WarningSink, writeYaml, type Json, type JsonMap, type YamlSource } from "./yamlio.js";

// The shared helpers used to live here; other importers and tests import them from this module.
export { isObject, readYaml, requirePath, writeYaml, YamlSource, type ImportReport } from "./yamlio.js";
export { convertResponse } from "./jinja.js";
export { templateRefs } from "./hassilRefs.js";
import type { ImportReport } from "./yamlio.js";

/** Lists that Home Assistant fills from the running home; hark fills them from devices/. */
const HOME_LISTS = ["name", "area", "floor"] as const;
const FILE_KEYS = ["language", "intents", "data", "lists", "expansion_rules", "skip_words", "responses"];

interface SourceFile {
  src: YamlSource;
  outName: string;
  folderIntent?: string;
  combination?: string;
}

export async function importHassil(srcDir: string, outDir: string): Promise<ImportReport> {
  const warnings = new WarningSink();
  const { sentencesDir, lang, root } = locate(srcDir, warnings.lines);

  // ── pass 1: read everything ──
  const files: SourceFile[] = [];
  for (const f of await listSentenceFiles(sentencesDir)) {
    const src = await readYaml(f.file);
    if (!isObject(src.data)) throw src.error("expected a mapping at the top of a sentence file");
    files.push({ src, outName: f.outName, folderIntent: f.folderIntent, combination: f.combination });
  }
  if (files.length === 0) throw new CommandError(`${sentencesDir}: no sentence files (*.yaml)`);

  const info: IntentsInfo = { data: {} };
  const intentsFile = root ? path.join(root, "intents.yaml") : undefined;
  if (intentsFile && existsSync(intentsFile)) {
    info.src = await readYaml(intentsFile);
    if (isObject(info.src.data)) info.data = info.src.data;
  } else warnings.add(`${srcDir}: no intents.yaml found: intents get no description, slot declarations or slot combinations`);
  const responsesDir = root ? path.join(root, "responses", lang) : undefined;

  // Global lists and rules: one namespace across files, the first definition wins (hark: duplicates are errors).
  const globalLists = new Map<string, YamlSource>();
  const globalRules = new Map<string, { src: YamlSource; text: string }>();
  for (const { src } of files) {
    const d = src.data as Record<string, unknown>;
    if (isObject(d.lists))
      for (const k of Object.keys(d.lists)) {
        if (globalLists.has(k)) warnings.add(`${src.where("lists", k)}: list "${k}" defined twice; the first one is kept`);
        else globalLists.set(k, src);
      }
    if (isObject(d.expansion_rules))
      for (const [k, v] of Object.entries(d.expansion_rules)) {
        if (typeof v !== "string") continue;
        if (globalRules.has(k)) warnings.add(`${src.where("expansion_rules", k)}: rule "${k}" defined twice; the first one is kept`);
        else globalRules.set(k, { src, text: v });
      }
  }
  const listNames = new Set<string>([...globalLists.keys(), ...HOME_LISTS]);
  const globalRuleText = new Map([...globalRules].map(([k, v]) => [k, v.text]));
  const ctxRules = contextRules(globalRuleText, listNames);

  // ── pass 2: convert ──
  const outFiles = new Map<string, JsonMap>(); // outName → hark document
  const intentFirstFile = new Map<string, string>(); // intent → outName holding its declarations
  const slotLists = new Map<string, Map<string, Set<string>>>(); // intent → slot → lists used
  const usedResponses = new Map<string, Map<string, string>>(); // intent → response key → where
  const hoistedNames = new Set<string>(listNames);
  let sentenceCount = 0;

  for (const { src, outName, folderIntent, combination } of files) {
    const d = src.data as Record<string, unknown>;
    const out: JsonMap = { language: typeof d.language === "string" ? d.language : lang };
    const hoisted: JsonMap = {};

    // Intents: either `intents: {Name: {data: [...]}}` or (folder layout) a top-level `data: [...]`.
    const entries: [string, unknown, (string | number)[]][] = [];
    if (isObject(d.intents)) for (const [name, def] of Object.entries(d.intents)) entries.push([name, def, ["intents", name]]);
    else if (d.intents !== undefined) throw src.error("`intents` must be a mapping", "intents");
    if (d.data !== undefined) {
      if (!folderIntent) throw src.error("top-level `data` outside an intent folder (sentences/<lang>/<Intent>/)", "data");
      entries.push([folderIntent, { data: d.data }, []]);
    }
    const combo = folderIntent && combination ? combinationOf(info, folderIntent, combination) : undefined;
    if (folderIntent && combination && !combo && info.src)
      warnings.add(`${src.file}: ${folderIntent} has no slot combination "${combination}" in intents.yaml (its context_area is unknown)`);

    const intentsOut: JsonMap = {};
    for (const [name, def, at] of entries) {
      if (!isObject(def)) throw src.error(`intent ${name}: expected a mapping`, ...at);
      if (!Array.isArray(def.data)) throw src.error(`intent ${name}: \`data\` must be a list`, ...at, "data");
      for (const k of Object.keys(def))
        if (k !== "data" && k !== "metadata") warnings.add(`${src.where(...at, k)}: intent ${name}: "${k}" is not supported by hark, dropped`);
      const env: BlockEnv = {
        src,
        intent: name,
        globalRules: globalRuleText,
        contextRules: ctxRules,
        lists: listNames,
        warnings,
        combination: combo,
        hoist: (list, ldef, lat) => {
          const conv = convertList(src, list, ldef, warnings.lines, lat);
          if (conv === undefined) return undefined;
          let to = `${name}_${list}`;
          for (let n = 2; hoistedNames.has(to); n++) to = `${name}_${list}_${n}`;
          hoistedNames.add(to);
          hoisted[to] = conv;
          warnings.group(`lists of a data entry have no place in hark; hoisted to global lists named <Intent>_<list>`, src.where(...lat));
          return to;
        },
      };
      const blocks: Json[] = [];
      def.data.forEach((block: unknown, bi: number) => {
        const r = convertBlock(env, block, [...at, "data", bi]);
        if (!r) return;
        blocks.push(r.block);
        sentenceCount += r.sentences;
        const m = slotLists.get(name) ?? new Map<string, Set<string>>();
        slotLists.set(name, m);
        for (const [slot, lists] of r.slots) m.set(slot, new Set([...(m.get(slot) ?? []), ...lists]));
        if (r.response !== undefined) {
          const u = usedResponses.get(name) ?? new Map<string, string>();
          if (!u.has(r.response)) u.set(r.response, src.where(...at, "data", bi, "response"));
          usedResponses.set(name, u);
        }
      });
      if (blocks.length === 0) continue;
      const existing = intentsOut[name] as JsonMap | undefined;
      if (existing) (existing.data as Json[]).push(...blocks);
      else intentsOut[name] = { data: blocks };
      if (!intentFirstFile.has(name)) intentFirstFile.set(name, outName);
    }
    if (Object.keys(intentsOut).length) out.intents = intentsOut;

    const listsOut: JsonMap = { ...hoisted };
    if (isObject(d.lists))
      for (const [lname, def] of Object.entries(d.lists)) {
        if (globalLists.get(lname) !== src) continue; // duplicate, warned above
        const conv = convertList(src, lname, def, warnings.lines);
        if (conv) listsOut[lname] = conv;
      }
    if (Object.keys(listsOut).length) out.lists = listsOut;
    if (isObject(d.expansion_rules)) {
      const rules: JsonMap = {};
      for (const [k, v] of Object.entries(d.expansion_rules))
        if (typeof v === "string" && !ctxRules.has(k) && globalRules.get(k)?.src === src) rules[k] = v;
      if (Object.keys(rules).length) out.expansion_rules = rules;
    }
    if (d.skip_words !== undefined) {
      if (Array.isArray(d.skip_words)) out.skip_words = d.skip_words.filter((w): w is string => typeof w === "string");
      else warnings.add(`${src.where("skip_words")}: skip_words must be a list, dropped`);
    }
    if (d.responses !== undefined)
      warnings.add(`${src.where("responses")}: file-level responses (error messages) are not part of hark grammars, dropped`);
    for (const k of Object.keys(d))
      if (!FILE_KEYS.includes(k) && k !== "metadata") warnings.add(`${src.where(k)}: "${k}" is not supported by hark, dropped`);
    outFiles.set(outName, out);
  }

  // ── home lists: name/area/floor as empty value lists ──
  const commonName = "_common.yaml";
  const common: JsonMap = outFiles.get(commonName) ?? { language: lang };
  const commonLists = (common.lists as JsonMap | undefined) ?? {};
  for (const l of HOME_LISTS) {
    const g = globalLists.get(l);
    if (g) {
      warnings.add(`${g.where("lists", l)}: list "${l}" is filled from devices/ in hark; the definition was replaced`);
      for (const o of outFiles.values()) if (o !== common && isObject(o.lists)) delete (o.lists as JsonMap)[l];
    }
    commonLists[l] = { values: [], multiple: true };
  }
  common.lists = commonLists;
  outFiles.set(commonName, common);

  // ── intents.yaml declarations and responses ──
  for (const [intent, outName] of intentFirstFile) {
    const doc = outFiles.get(outName)!;
    const def = (doc.intents as JsonMap)[intent] as JsonMap;
    const decl = await declareIntent({
      intent,
      info,
      slotLists: slotLists.get(intent),
      listNames: hoistedNames,
      usedResponses: usedResponses.get(intent),
      responsesDir,
      lang,
      warnings: warnings.lines,
    });
    (doc.intents as JsonMap)[intent] = { ...decl, ...def };
  }

  // ── write ──
  await mkdir(outDir, { recursive: true });
  const written: string[] = [];
  const header = ` Imported from Home Assistant intents (${path.resolve(srcDir)}) by \`hark grammar import --from hassil\`.`;
  const listsTotal = new Set<string>();
  for (const [name, doc] of outFiles) {
    const ordered: JsonMap = {};
    for (const k of ["language", "intents", "lists", "expansion_rules", "skip_words"]) if (doc[k] !== undefined) ordered[k] = doc[k]!;
    if (isObject(ordered.lists)) for (const l of Object.keys(ordered.lists)) listsTotal.add(l);
    const file = path.join(outDir, name);
    await writeYaml(file, ordered, header);
    written.push(file);
  }
  return { files: written, intents: intentFirstFile.size, lists: listsTotal.size, sentences: sentenceCount, warnings: warnings.flush() };
}
