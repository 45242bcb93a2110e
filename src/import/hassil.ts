// Importer for Home Assistant's intents repository (hassil sentence files).
//
// hark reads hassil's format nearly as is, so this is mostly a faithful copy of the structure:
//   - sentences/<lang>/*.yaml (and the newer sentences/<lang>/<Intent>/*.yaml) → one hark file each
//   - intents.yaml → intent `description`, `domain` and `slots:` declarations
//   - responses/<lang>/<Intent>.yaml → intent `responses` (Jinja reduced to hark's {slot} templates)
//   - the name/area/floor lists, which Home Assistant fills from the running home, become empty value
//     lists with `multiple: true` (hark fills them from devices/)
// Whatever hark cannot express is dropped and recorded as a warning in the report.
//
// This module also holds the small YAML helpers shared by the other importers.

import { existsSync, readdirSync, statSync } from "node:fs";
import { mkdir, readFile, readdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { Document, LineCounter, parseDocument, type Node } from "yaml";
import { CommandError } from "../cli/errors.js";
import { GrammarError } from "../grammar/errors.js";

export interface ImportReport {
  /** Files written (absolute or as given by outDir). */
  files: string[];
  intents: number;
  lists: number;
  sentences: number;
  warnings: string[];
}

// ───────────────────────────── shared YAML helpers ─────────────────────────────

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonMap = { [key: string]: Json };

/** A parsed YAML source file that can say where any of its nodes was written. */
export class YamlSource {
  constructor(
    readonly file: string,
    readonly doc: Document.Parsed,
    readonly lines: LineCounter,
    readonly data: unknown,
  ) {}

  /** "file:line:col" of the node at `keys` (or of the nearest ancestor that exists). */
  where(...keys: (string | number)[]): string {
    for (let n = keys.length; n >= 0; n--) {
      const node = (n === 0 ? this.doc.contents : this.doc.getIn(keys.slice(0, n), true)) as Node | null;
      const start = node?.range?.[0];
      if (start !== undefined) {
        const { line, col } = this.lines.linePos(start);
        return `${this.file}:${line}:${col}`;
      }
    }
    return this.file;
  }

  /** A GrammarError located at the node at `keys`. */
  error(message: string, ...keys: (string | number)[]): GrammarError {
    return new GrammarError(`${this.where(...keys)}: ${message}`);
  }
}

/** Read and parse a YAML file; syntax errors become one-line GrammarErrors with file:line:col. */
export async function readYaml(file: string): Promise<YamlSource> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (e) {
    throw new CommandError(`${file}: cannot read file (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: false });
  const err = doc.errors[0];
  if (err) {
    const pos = err.linePos?.[0] ?? (err.pos ? lines.linePos(err.pos[0]) : undefined);
    const where = pos ? `${file}:${pos.line}:${pos.col}` : file;
    throw new GrammarError(`${where}: invalid YAML: ${err.message.split("\n")[0]}`);
  }
  return new YamlSource(file, doc, lines, doc.toJS({ maxAliasCount: 10_000 }));
}

/** Write `data` as YAML (never folding long sentences), with an optional header comment. */
export async function writeYaml(file: string, data: unknown, header?: string): Promise<void> {
  const doc = new Document(data);
  if (header) doc.commentBefore = header;
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, doc.toString({ lineWidth: 0, minContentWidth: 0 }), "utf8");
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Fail with a CommandError unless `p` exists (and is a directory / a file when asked). */
export function requirePath(p: string, kind: "dir" | "file"): void {
  if (!existsSync(p)) throw new CommandError(`${p}: no such ${kind === "dir" ? "directory" : "file"}`);
  const st = statSync(p);
  if (kind === "dir" && !st.isDirectory()) throw new CommandError(`${p}: not a directory`);
  if (kind === "file" && !st.isFile()) throw new CommandError(`${p}: not a file`);
}

/** References made by a hassil template: lists ({list} / {list:slot}) and rules (<rule>). */
export function templateRefs(template: string): { lists: { list: string; slot: string }[]; rules: string[] } {
  const lists: { list: string; slot: string }[] = [];
  const rules: string[] = [];
  for (const m of template.matchAll(/\{([^{}:]+)(?::([^{}]+))?\}/g)) {
    const list = m[1]!.trim();
    lists.push({ list, slot: (m[2] ?? list).trim() });
  }
  for (const m of template.matchAll(/<([^<>]+)>/g)) rules.push(m[1]!.trim());
  return { lists, rules };
}

// ───────────────────────────── Jinja responses ─────────────────────────────

type JNode =
  | { t: "text"; text: string }
  | { t: "expr"; expr: string }
  | { t: "if"; branches: JNode[][] }
  | { t: "skip"; what: string }; // for / set / macro …: dropped

/** Parse the Jinja subset used by HA responses into a tree (text, {{ }}, if/elif/else, others skipped). */
function parseJinja(src: string): JNode[] {
  const tokens: { kind: "text" | "expr" | "stmt"; body: string }[] = [];
  const re = /\{\{-?([\s\S]*?)-?\}\}|\{%-?([\s\S]*?)-?%\}|\{#[\s\S]*?#\}/g;
  let last = 0;
  for (const m of src.matchAll(re)) {
    if (m.index! > last) tokens.push({ kind: "text", body: src.slice(last, m.index) });
    if (m[1] !== undefined) tokens.push({ kind: "expr", body: m[1].trim() });
    else if (m[2] !== undefined) tokens.push({ kind: "stmt", body: m[2].trim() });
    last = m.index! + m[0].length;
  }
  if (last < src.length) tokens.push({ kind: "text", body: src.slice(last) });

  let i = 0;
  // Parse until one of the `stops` statements; returns the nodes and the stop keyword met.
  const parse = (stops: string[]): { nodes: JNode[]; stop?: string } => {
    const nodes: JNode[] = [];
    while (i < tokens.length) {
      const tok = tokens[i++]!;
      if (tok.kind === "text") nodes.push({ t: "text", text: tok.body });
      else if (tok.kind === "expr") nodes.push({ t: "expr", expr: tok.body });
      else {
        const kw = tok.body.split(/[\s:(]/)[0] ?? "";
        if (stops.includes(kw)) return { nodes, stop: kw };
        if (kw === "if") {
          const branches: JNode[][] = [];
          for (;;) {
            const r = parse(["elif", "else", "endif"]);
            branches.push(r.nodes);
            if (r.stop !== "elif" && r.stop !== "else") break;
          }
          nodes.push({ t: "if", branches });
        } else if (kw === "for") {
          parse(["endfor"]);
          nodes.push({ t: "skip", what: "for" });
        } else if (kw === "macro" || kw === "call" || kw === "filter" || kw === "block") {
          parse([`end${kw}`]);
          nodes.push({ t: "skip", what: kw });
        } else nodes.push({ t: "skip", what: kw });
      }
    }
    return { nodes };
  };
  return parse([]).nodes;
}

/** Render a Jinja tree as a hark template: text, whether information was lost, and why. */
function renderJinja(nodes: JNode[], why: Set<string>): { text: string; lossy: boolean } {
  let text = "";
  let lossy = false;
  for (const n of nodes) {
    if (n.t === "text") text += n.text;
    else if (n.t === "expr") {
      const m = /^slots\s*(?:\.\s*([A-Za-z_]\w*)|\[\s*["']([A-Za-z_]\w*)["']\s*\])\s*(\|.*)?$/s.exec(n.expr);
      if (m) {
        text += `{${m[1] ?? m[2]}}`;
        if (m[3]) why.add(`filter "${m[3].slice(1).trim()}"`);
      } else {
        lossy = true;
        why.add(`expression "{{ ${n.expr} }}"`);
      }
    } else if (n.t === "skip") {
      if (n.what !== "set") lossy = true;
      why.add(`"{% ${n.what} %}"`);
    } else {
      why.add(`"{% if %}"`);
      const rendered = n.branches.map((b) => renderJinja(b, why)).map((r) => ({ ...r, text: tidy(r.text) }));
      const pick =
        rendered.find((r) => r.text && !r.lossy) ?? rendered.find((r) => r.text) ?? { text: "", lossy: true };
      text += ` ${pick.text} `;
      if (pick.lossy) lossy = true;
    }
  }
  return { text, lossy };
}

function tidy(s: string): string {
  return s
    .replace(/\s+/g, " ")
    .replace(/\s+([,.!?;:])/g, "$1")
    .replace(/([,;:])(?=[,.!?;:]|$)/g, "")
    .replace(/^[\s,;:.]+/, "")
    .trim();
}

/**
 * Convert a Home Assistant response template (Jinja) to a hark response template.
 * `{{ slots.x }}` becomes `{x}`; anything else (state, query, if/for, filters) is simplified and reported.
 */
export function convertResponse(jinja: string): { text: string; simplified: string[] } {
  const why = new Set<string>();
  const { text } = renderJinja(parseJinja(jinja), why);
  return { text: tidy(text), simplified: [...why] };
}

// ───────────────────────────── hassil import ─────────────────────────────

/** Lists that Home Assistant fills from the running home; hark fills them from devices/. */
const HOME_LISTS = ["name", "area", "floor"] as const;

const BLOCK_KEYS_KEPT = new Set(["sentences", "slots", "requires_context", "excludes_context", "response", "expansion_rules"]);

interface SourceFile {
  src: YamlSource;
  /** Output file name (flat: hark loads every .yaml of one folder). */
  outName: string;
  /** Intent implied by the folder (newer HA layout sentences/<lang>/<Intent>/<combination>.yaml). */
  folderIntent?: string;
}

/** Locate sentences/<lang>, intents.yaml and responses/<lang> from a repo root or a sentences/<lang> folder. */
function locate(srcDir: string, warnings: string[]): { sentencesDir: string; lang: string; root?: string } {
  requirePath(srcDir, "dir");
  const sentences = path.join(srcDir, "sentences");
  if (existsSync(sentences) && statSync(sentences).isDirectory()) {
    const langs = readdirSyncDirs(sentences);
    const lang = langs.includes("en") ? "en" : langs.length === 1 ? langs[0] : undefined;
    if (!lang)
      throw new CommandError(
        `${sentences}: several languages (${langs.join(", ") || "none"}); pass one folder, e.g. ${path.join(sentences, langs[0] ?? "en")}`,
      );
    if (langs.length > 1) warnings.push(`${sentences}: several languages found, importing "${lang}" only`);
    return { sentencesDir: path.join(sentences, lang), lang, root: srcDir };
  }
  // A sentences/<lang> folder (or any folder of sentence files).
  const lang = path.basename(path.resolve(srcDir));
  const root = path.resolve(srcDir, "..", "..");
  return {
    sentencesDir: srcDir,
    lang,
    root: path.basename(path.dirname(path.resolve(srcDir))) === "sentences" ? root : undefined,
  };
}

function readdirSyncDirs(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
}

async function listSentenceFiles(dir: string): Promise<{ file: string; outName: string; folderIntent?: string }[]> {
  const out: { file: string; outName: string; folderIntent?: string }[] = [];
  for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
    const full = path.join(dir, entry.name);
    if (entry.isFile() && /\.ya?ml$/.test(entry.name)) {
      out.push({ file: full, outName: entry.name.replace(/\.yml$/, ".yaml") });
    } else if (entry.isDirectory()) {
      for (const sub of (await readdir(full)).sort()) {
        if (/\.ya?ml$/.test(sub))
          out.push({
            file: path.join(full, sub),
            outName: `${entry.name}_${sub.replace(/\.ya?ml$/, "")}.yaml`,
            folderIntent: entry.name,
          });
      }
    }
  }
  return out;
}

/** Context constraint values hark accepts: a value, a list of values, or {slot: true}. */
function convertConstraint(v: unknown): Json | undefined {
  if (typeof v === "string" || typeof v === "number") return v;
  if (typeof v === "boolean") return String(v);
  if (Array.isArray(v) && v.every((x) => typeof x === "string" || typeof x === "number")) return v as Json;
  if (isObject(v) && v.slot === true) return { slot: true };
  return undefined;
}

export async function importHassil(srcDir: string, outDir: string): Promise<ImportReport> {
  const warnings: string[] = [];
  const { sentencesDir, lang, root } = locate(srcDir, warnings);

  // ── pass 1: read everything ──
  const files: SourceFile[] = [];
  for (const f of await listSentenceFiles(sentencesDir)) {
    const src = await readYaml(f.file);
    if (!isObject(src.data)) throw src.error("expected a mapping at the top of a sentence file");
    files.push({ src, outName: f.outName, folderIntent: f.folderIntent });
  }
  if (files.length === 0) throw new CommandError(`${sentencesDir}: no sentence files (*.yaml)`);

  let intentsInfo: Record<string, unknown> = {};
  let intentsInfoSrc: YamlSource | undefined;
  const intentsFile = root ? path.join(root, "intents.yaml") : undefined;
  if (intentsFile && existsSync(intentsFile)) {
    intentsInfoSrc = await readYaml(intentsFile);
    if (isObject(intentsInfoSrc.data)) intentsInfo = intentsInfoSrc.data;
  } else warnings.push(`${srcDir}: no intents.yaml found: intents get no description or slot declarations`);

  const responsesDir = root ? path.join(root, "responses", lang) : undefined;

  // Global lists and rules (one namespace across files).
  const globalLists = new Map<string, { src: YamlSource; value: unknown }>();
  const globalRules = new Map<string, { src: YamlSource; text: string }>();
  for (const { src } of files) {
    const d = src.data as Record<string, unknown>;
    if (isObject(d.lists))
      for (const [k, v] of Object.entries(d.lists)) {
        if (globalLists.has(k)) warnings.push(`${src.where("lists", k)}: list "${k}" defined twice; the first one is kept`);
        else globalLists.set(k, { src, value: v });
      }
    if (isObject(d.expansion_rules))
      for (const [k, v] of Object.entries(d.expansion_rules)) {
        if (typeof v !== "string") continue;
        if (globalRules.has(k)) warnings.push(`${src.where("expansion_rules", k)}: rule "${k}" defined twice; the first one is kept`);
        else globalRules.set(k, { src, text: v });
      }
  }
  const listNames = new Set([...globalLists.keys(), ...HOME_LISTS]);

  // Global rules that use rules defined only per data entry (hassil resolves <rule> where it is
  // expanded, e.g. <what_is_the_class_of_name> uses each block's own <class>) are "context rules":
  // hark resolves a global rule on its own, so such rules are copied into the data entries using them.
  const globalRuleText = new Map([...globalRules].map(([k, v]) => [k, v.text]));
  const contextRules = new Set<string>();
  for (let changed = true; changed; ) {
    changed = false;
    for (const [name, text] of globalRuleText) {
      if (contextRules.has(name)) continue;
      if (templateRefs(text).rules.some((r) => !globalRuleText.has(r) || contextRules.has(r))) {
        contextRules.add(name);
        changed = true;
      }
    }
  }
  const ruleNames = new Set([...globalRules.keys()].filter((k) => !contextRules.has(k)));
  const contextRuleUses = new Map<string, number>();

  // ── pass 2: convert ──
  const outFiles = new Map<string, JsonMap>(); // outName → hark document
  const intentFirstFile = new Map<string, string>(); // intent → outName holding its declarations
  const slotLists = new Map<string, Map<string, Set<string>>>(); // intent → slot → lists used
  const usedResponses = new Map<string, Map<string, string>>(); // intent → response key → where
  let sentenceCount = 0;
  const dropped = new Map<string, string[]>(); // "key" → where (aggregated warnings)
  const note = (key: string, where: string) => {
    const arr = dropped.get(key) ?? [];
    arr.push(where);
    dropped.set(key, arr);
  };

  for (const { src, outName, folderIntent } of files) {
    const d = src.data as Record<string, unknown>;
    const out: JsonMap = { language: typeof d.language === "string" ? d.language : lang };

    // Intents: either `intents: {Name: {data: [...]}}` or (folder layout) a top-level `data: [...]`.
    const intentEntries: [string, unknown, (string | number)[]][] = [];
    if (isObject(d.intents))
      for (const [name, def] of Object.entries(d.intents)) intentEntries.push([name, def, ["intents", name]]);
    else if (d.intents !== undefined) throw src.error("`intents` must be a mapping", "intents");
    if (d.data !== undefined) {
      if (!folderIntent) throw src.error("top-level `data` outside an intent folder (sentences/<lang>/<Intent>/)", "data");
      intentEntries.push([folderIntent, { data: d.data }, []]);
    }

    const intentsOut: JsonMap = {};
    for (const [name, def, at] of intentEntries) {
      if (!isObject(def)) throw src.error(`intent ${name}: expected a mapping`, ...at);
      if (!Array.isArray(def.data)) throw src.error(`intent ${name}: \`data\` must be a list`, ...at, "data");
      for (const k of Object.keys(def))
        if (k !== "data") warnings.push(`${src.where(...at, k)}: intent ${name}: "${k}" is not supported by hark, dropped`);
      const blocksOut: Json[] = [];
      def.data.forEach((block: unknown, bi: number) => {
        const bat = [...at, "data", bi];
        if (!isObject(block)) throw src.error(`intent ${name}: data entry must be a mapping`, ...bat);
        const b: JsonMap = {};
        const localRules = new Set<string>();
        if (isObject(block.expansion_rules)) {
          const rules: JsonMap = {};
          for (const [k, v] of Object.entries(block.expansion_rules))
            if (typeof v === "string") {
              rules[k] = v;
              localRules.add(k);
            } else warnings.push(`${src.where(...bat, "expansion_rules", k)}: rule <${k}> is not a string, dropped`);
          if (Object.keys(rules).length) b.expansion_rules = rules;
        }
        const local = (b.expansion_rules as JsonMap | undefined) ?? {};
        const sentences: string[] = [];
        const droppedFor = new Map<string, string[]>();
        if (!Array.isArray(block.sentences)) throw src.error(`intent ${name}: data entry without \`sentences\` list`, ...bat);
        block.sentences.forEach((s: unknown, si: number) => {
          if (typeof s !== "string") {
            warnings.push(`${src.where(...bat, "sentences", si)}: sentence is not a string, dropped`);
            return;
          }
          const r = resolveRefs(s, local as Record<string, string>, globalRuleText, contextRules, listNames);
          if (r.unknown.size) {
            const why = `unknown ${[...r.unknown].join(", ")}`;
            droppedFor.set(why, [...(droppedFor.get(why) ?? []), src.where(...bat, "sentences", si)]);
            return;
          }
          for (const c of r.copies) {
            if (local[c] === undefined) {
              local[c] = globalRuleText.get(c)!;
              contextRuleUses.set(c, (contextRuleUses.get(c) ?? 0) + 1);
            }
          }
          sentences.push(s);
          for (const [slot, lists] of r.slots) {
            const m = slotLists.get(name) ?? new Map<string, Set<string>>();
            slotLists.set(name, m);
            const set = m.get(slot) ?? new Set<string>();
            for (const l of lists) set.add(l);
            m.set(slot, set);
          }
        });
        for (const [why, wheres] of droppedFor) for (const w of wheres) note(`sentence dropped: ${why}`, w);
        if (Object.keys(local).length) b.expansion_rules = local;
        if (sentences.length === 0) return; // every sentence dropped (noted above)
        b.sentences = sentences;
        sentenceCount += sentences.length;

        const slots: JsonMap = {};
        if (isObject(block.slots))
          for (const [k, v] of Object.entries(block.slots)) {
            if (typeof v === "string" || typeof v === "number") slots[k] = v;
            else if (typeof v === "boolean") slots[k] = String(v);
            else if (Array.isArray(v) && v.length > 0 && (typeof v[0] === "string" || typeof v[0] === "number")) {
              slots[k] = v[0];
              warnings.push(`${src.where(...bat, "slots", k)}: slot ${k}: several fixed values, only "${v[0]}" kept`);
            } else warnings.push(`${src.where(...bat, "slots", k)}: slot ${k}: unsupported fixed value, dropped`);
          }
        if (typeof block.inferred_domain === "string") slots.domain ??= block.inferred_domain;
        if (Object.keys(slots).length) b.slots = slots;

        for (const key of ["requires_context", "excludes_context"] as const) {
          const ctx = block[key];
          if (ctx === undefined) continue;
          if (!isObject(ctx)) {
            warnings.push(`${src.where(...bat, key)}: ${key} must be a mapping, dropped`);
            continue;
          }
          const c: JsonMap = {};
          for (const [k, v] of Object.entries(ctx)) {
            const cv = convertConstraint(v);
            if (cv === undefined) warnings.push(`${src.where(...bat, key, k)}: ${key}.${k}: unsupported constraint, dropped`);
            else c[k] = cv;
          }
          if (Object.keys(c).length) b[key] = c;
        }
        if (Array.isArray(block.name_domains)) {
          const domains = block.name_domains.filter((x): x is string => typeof x === "string");
          const rc = (b.requires_context as JsonMap | undefined) ?? {};
          if (rc.domain === undefined && domains.length) {
            rc.domain = domains.length === 1 ? domains[0]! : domains;
            b.requires_context = rc;
          }
        }
        if (typeof block.response === "string") {
          b.response = block.response;
          const m = usedResponses.get(name) ?? new Map<string, string>();
          if (!m.has(block.response)) m.set(block.response, src.where(...bat, "response"));
          usedResponses.set(name, m);
        }
        for (const k of Object.keys(block))
          if (!BLOCK_KEYS_KEPT.has(k) && k !== "inferred_domain" && k !== "name_domains")
            note(`data entry key "${k}" is not supported by hark, dropped`, src.where(...bat, k));

        // hark orders keys: sentences first reads best
        blocksOut.push(orderKeys(b, ["sentences", "slots", "requires_context", "excludes_context", "response", "expansion_rules"]));
      });
      if (blocksOut.length === 0) continue;
      const existing = intentsOut[name] as JsonMap | undefined;
      if (existing) (existing.data as Json[]).push(...blocksOut);
      else intentsOut[name] = { data: blocksOut };
      if (!intentFirstFile.has(name)) intentFirstFile.set(name, outName);
    }
    if (Object.keys(intentsOut).length) out.intents = intentsOut;

    // Lists
    if (isObject(d.lists)) {
      const listsOut: JsonMap = {};
      for (const [lname, def] of Object.entries(d.lists)) {
        if (globalLists.get(lname)?.src !== src) continue; // duplicate, warned above
        const conv = convertList(src, lname, def, warnings);
        if (conv) listsOut[lname] = conv;
      }
      if (Object.keys(listsOut).length) out.lists = listsOut;
    }
    if (isObject(d.expansion_rules)) {
      const rules: JsonMap = {};
      for (const [k, v] of Object.entries(d.expansion_rules))
        if (typeof v === "string" && ruleNames.has(k) && globalRules.get(k)?.src === src) rules[k] = v;
      if (Object.keys(rules).length) out.expansion_rules = rules;
    }
    if (d.skip_words !== undefined) {
      if (Array.isArray(d.skip_words)) out.skip_words = d.skip_words.filter((w): w is string => typeof w === "string");
      else warnings.push(`${src.where("skip_words")}: skip_words must be a list, dropped`);
    }
    if (d.responses !== undefined)
      warnings.push(
        `${src.where("responses")}: file-level responses (error messages) are not part of hark grammars, dropped`,
      );
    for (const k of Object.keys(d))
      if (!["language", "intents", "data", "lists", "expansion_rules", "skip_words", "responses"].includes(k))
        warnings.push(`${src.where(k)}: "${k}" is not supported by hark, dropped`);

    outFiles.set(outName, out);
  }

  for (const [rule, n] of contextRuleUses)
    warnings.push(
      `${globalRules.get(rule)!.src.where("expansion_rules", rule)}: rule <${rule}> uses rules defined per data entry; copied into the ${n} data entries that use it`,
    );
  for (const [msg, wheres] of dropped)
    warnings.push(`${wheres[0]}: ${msg}${wheres.length > 1 ? ` (${wheres.length} places)` : ""}`);

  // ── home lists: name/area/floor as empty value lists ──
  const commonName = "_common.yaml";
  const common: JsonMap = outFiles.get(commonName) ?? { language: lang };
  const commonLists = (common.lists as JsonMap | undefined) ?? {};
  for (const l of HOME_LISTS) {
    if (globalLists.has(l)) {
      const g = globalLists.get(l)!;
      warnings.push(`${g.src.where("lists", l)}: list "${l}" is filled from devices/ in hark; the definition was replaced`);
      for (const o of outFiles.values()) if (o !== common && isObject(o.lists)) delete (o.lists as JsonMap)[l];
    }
    commonLists[l] = { values: [], multiple: true };
  }
  common.lists = commonLists;
  outFiles.set(commonName, common);

  // ── intents.yaml declarations and responses ──
  const listless: string[] = [];
  for (const [intent, outName] of intentFirstFile) {
    const doc = outFiles.get(outName)!;
    const def = (doc.intents as JsonMap)[intent] as JsonMap;
    const info = intentsInfo[intent];
    const decl: JsonMap = {};
    if (isObject(info)) {
      if (typeof info.description === "string") decl.description = info.description;
      if (typeof info.domain === "string") decl.domain = info.domain;
      if (isObject(info.slots)) {
        const slots: JsonMap = {};
        for (const [sname, sdef] of Object.entries(info.slots)) {
          const s: JsonMap = {};
          const used = slotLists.get(intent)?.get(sname);
          if (!listNames.has(sname)) {
            if (!used || used.size === 0) {
              listless.push(`${intent}.${sname}`);
              continue; // filled by fixed slot values (domain, device_class…) or not at all: hark needs a list
            }
            s.list = [...used][0]!;
            if (used.size > 1) {
              const shown = [...used].slice(0, 3).join(", ") + (used.size > 3 ? `, … (${used.size} lists)` : "");
              warnings.push(
                `${intentsInfoSrc!.where(intent, "slots", sname)}: ${intent}.${sname} is filled from several lists (${shown}); declared with list ${s.list}`,
              );
            }
          }
          s.required = isObject(sdef) && sdef.required === true;
          if (isObject(sdef) && typeof sdef.description === "string") s.description = sdef.description;
          slots[sname] = s;
        }
        if (Object.keys(slots).length) decl.slots = slots;
      }
    } else if (intentsInfoSrc) warnings.push(`${intentsInfoSrc.file}: intent ${intent} is not described in intents.yaml`);

    const responses = responsesDir ? await readResponses(responsesDir, intent, warnings) : undefined;
    const used = usedResponses.get(intent) ?? new Map<string, string>();
    if (responses || used.size) {
      const r: JsonMap = { ...(responses ?? {}) };
      for (const [key, where] of used)
        if (r[key] === undefined)
          warnings.push(`${where}: ${intent}: response "${key}" has no usable text in responses/${lang}/${intent}.yaml`);
      if (Object.keys(r).length) decl.responses = r;
    }
    (doc.intents as JsonMap)[intent] = { ...decl, ...def };
  }
  if (listless.length)
    warnings.push(
      `${intentsInfoSrc?.file ?? "intents.yaml"}: slots filled by no list are not declared (hark slot declarations name a list): ${listless.join(", ")}`,
    );

  // ── write ──
  await mkdir(outDir, { recursive: true });
  const written: string[] = [];
  const header = ` Imported from Home Assistant intents (${path.resolve(srcDir)}) by \`hark grammar import --from hassil\`.`;
  const listsTotal = new Set<string>();
  for (const [name, doc] of outFiles) {
    const ordered = orderKeys(doc, ["language", "intents", "lists", "expansion_rules", "skip_words"]);
    if (isObject(ordered.lists)) for (const l of Object.keys(ordered.lists)) listsTotal.add(l);
    const file = path.join(outDir, name);
    await writeYaml(file, ordered, header);
    written.push(file);
  }
  return {
    files: written,
    intents: intentFirstFile.size,
    lists: listsTotal.size,
    sentences: sentenceCount,
    warnings,
  };
}

/**
 * Follow a template's references the way hassil expands it: a rule resolves to the data entry's own
 * rule first, then to a global one. Returns unknown references, the context rules that must be copied
 * into the entry, and which lists fill which slots.
 */
function resolveRefs(
  template: string,
  local: Record<string, string>,
  globals: Map<string, string>,
  contextRules: Set<string>,
  lists: Set<string>,
): { unknown: Set<string>; copies: Set<string>; slots: Map<string, Set<string>> } {
  const unknown = new Set<string>();
  const copies = new Set<string>();
  const slots = new Map<string, Set<string>>();
  const seen = new Set<string>();
  const walk = (text: string) => {
    const refs = templateRefs(text);
    for (const { list, slot } of refs.lists) {
      if (!lists.has(list)) unknown.add(`{${list}}`);
      const set = slots.get(slot) ?? new Set<string>();
      set.add(list);
      slots.set(slot, set);
    }
    for (const r of refs.rules) {
      if (seen.has(r)) continue;
      seen.add(r);
      const body = local[r] ?? globals.get(r);
      if (body === undefined) {
        unknown.add(`<${r}>`);
        continue;
      }
      if (local[r] === undefined && contextRules.has(r)) copies.add(r);
      walk(body);
    }
  };
  walk(template);
  return { unknown, copies, slots };
}

function orderKeys(obj: JsonMap, first: string[]): JsonMap {
  const out: JsonMap = {};
  for (const k of first) if (obj[k] !== undefined) out[k] = obj[k]!;
  for (const [k, v] of Object.entries(obj)) if (!(k in out)) out[k] = v;
  return out;
}

const RANGE_TYPES = new Set(["number", "percentage", "temperature"]);

/** Convert one hassil list definition; undefined when nothing usable remains. */
function convertList(src: YamlSource, name: string, def: unknown, warnings: string[]): Json | undefined {
  const at = ["lists", name];
  if (!isObject(def)) {
    warnings.push(`${src.where(...at)}: list "${name}" must be a mapping, dropped`);
    return undefined;
  }
  const out: JsonMap = {};
  if (def.values !== undefined) {
    if (!Array.isArray(def.values)) {
      warnings.push(`${src.where(...at, "values")}: list "${name}": values must be a list, dropped`);
      return undefined;
    }
    const values: Json[] = [];
    def.values.forEach((v: unknown, i: number) => {
      const w = src.where(...at, "values", i);
      if (typeof v === "string" || typeof v === "number") {
        if (typeof v === "string" && /[{}]/.test(v)) {
          warnings.push(`${w}: list "${name}": value "${v}" uses a {slot} template, not allowed in hark lists; dropped`);
          return;
        }
        values.push(v);
        return;
      }
      if (!isObject(v) || (typeof v.in !== "string" && typeof v.in !== "number")) {
        warnings.push(`${w}: list "${name}": value without a string "in", dropped`);
        return;
      }
      const inText = String(v.in);
      if (/[{}]/.test(inText)) {
        warnings.push(`${w}: list "${name}": value "${inText}" uses a {slot} template, not allowed in hark lists; dropped`);
        return;
      }
      const item: JsonMap = { in: inText };
      if (v.out === undefined || v.out === null) item.out = inText;
      else if (typeof v.out === "string" || typeof v.out === "number") item.out = v.out;
      else if (typeof v.out === "boolean") item.out = String(v.out);
      else {
        warnings.push(`${w}: list "${name}": value "${inText}" has a non-scalar "out", dropped`);
        return;
      }
      if (v.context !== undefined) {
        if (isObject(v.context)) {
          const ctx: JsonMap = {};
          for (const [k, c] of Object.entries(v.context))
            if (typeof c === "string" || typeof c === "number") ctx[k] = c;
            else if (typeof c === "boolean") ctx[k] = String(c);
            else warnings.push(`${src.where(...at, "values", i, "context", k)}: context "${k}" is not a scalar, dropped`);
          if (Object.keys(ctx).length) item.context = ctx;
        } else warnings.push(`${src.where(...at, "values", i, "context")}: context must be a mapping, dropped`);
      }
      for (const k of Object.keys(v))
        if (!["in", "out", "context"].includes(k))
          warnings.push(`${src.where(...at, "values", i, k)}: list "${name}": value key "${k}" not supported, dropped`);
      values.push(item);
    });
    out.values = values;
    if (def.multiple === true) out.multiple = true;
  } else if (def.range !== undefined) {
    const r = def.range;
    if (!isObject(r) || typeof r.from !== "number" || typeof r.to !== "number") {
      warnings.push(`${src.where(...at, "range")}: list "${name}": range needs numeric from and to, dropped`);
      return undefined;
    }
    const range: JsonMap = { from: r.from, to: r.to };
    if (r.step !== undefined) {
      if (typeof r.step === "number" && r.step > 0) range.step = r.step;
      else warnings.push(`${src.where(...at, "range", "step")}: list "${name}": step must be a positive number, dropped`);
    }
    if (r.type !== undefined) {
      if (typeof r.type === "string" && RANGE_TYPES.has(r.type)) range.type = r.type;
      else warnings.push(`${src.where(...at, "range", "type")}: list "${name}": range type "${String(r.type)}" not supported (number is used)`);
    }
    if (r.fractions !== undefined && r.fractions !== null && r.fractions !== false) {
      if (r.fractions === "halves" || r.fractions === "tenths") range.fractions = r.fractions;
      else warnings.push(`${src.where(...at, "range", "fractions")}: list "${name}": fractions "${String(r.fractions)}" not supported, dropped`);
    }
    if (r.multiplier !== undefined) {
      if (typeof r.multiplier === "number") range.multiplier = r.multiplier;
      else warnings.push(`${src.where(...at, "range", "multiplier")}: list "${name}": multiplier must be a number, dropped`);
    }
    for (const k of ["digits", "words"] as const)
      if (r[k] !== undefined) {
        if (typeof r[k] === "boolean") range[k] = r[k];
        else warnings.push(`${src.where(...at, "range", k)}: list "${name}": ${k} must be true or false, dropped`);
      }
    for (const k of Object.keys(r))
      if (!["from", "to", "step", "type", "fractions", "multiplier", "digits", "words"].includes(k))
        warnings.push(`${src.where(...at, "range", k)}: list "${name}": range key "${k}" not supported, dropped`);
    out.range = range;
  } else if (def.wildcard === true) {
    out.wildcard = true;
    if (typeof def.max_words === "number") out.max_words = def.max_words;
    if (Array.isArray(def.examples)) out.examples = def.examples.filter((x): x is string => typeof x === "string");
  } else {
    warnings.push(`${src.where(...at)}: list "${name}": neither values, range nor wildcard; dropped`);
    return undefined;
  }
  for (const k of Object.keys(def))
    if (!["values", "range", "wildcard", "multiple", "max_words", "examples"].includes(k))
      warnings.push(`${src.where(...at, k)}: list "${name}": "${k}" is not supported by hark, dropped`);
  return out;
}

/** Read responses/<lang>/<Intent>.yaml → {key: hark template}; undefined when there is no file. */
async function readResponses(dir: string, intent: string, warnings: string[]): Promise<JsonMap | undefined> {
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
  for (const [key, text] of Object.entries(block)) {
    if (typeof text !== "string") {
      warnings.push(`${src.where(...at, key)}: response "${key}" is not a string, skipped`);
      continue;
    }
    const conv = convertResponse(text);
    const t = conv.text;
    if (!t) {
      warnings.push(`${src.where(...at, key)}: ${intent} response "${key}" has no text left without Jinja (${conv.simplified.join(", ")}), dropped`);
      continue;
    }
    if (conv.simplified.length)
      warnings.push(`${src.where(...at, key)}: ${intent} response "${key}" simplified to "${t}" (${conv.simplified.join(", ")})`);
    out[key] = t;
  }
  return out;
}
