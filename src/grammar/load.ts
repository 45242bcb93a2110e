// Loads grammars/<lang>/*.yaml and devices/*.yaml into one validated Grammar model.
import { createHash } from "node:crypto";
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { GrammarError, offsetLoc } from "./errors.js";
import { grammarFileSchema, type ListSpec } from "./schema.js";
import { walkExpr } from "./template.js";
import { devicesToLists } from "./devices.js";
import { DeviceCatalog } from "../devices/catalog.js";
import { readDeviceFiles } from "../devices/load.js";
import { contextOf, parseAt, textValue } from "./values.js";
import { unglue } from "./glue.js";
import type {
  ContextConstraint,
  DataBlock,
  Expr,
  Grammar,
  IntentDef,
  ListValue,
  Rule,
  SlotList,
  SourceLoc,
} from "./types.js";
import { YamlSource } from "./yamlSource.js";

export interface LoadOptions {
  /** Grammar folder(s) or file(s). */
  grammar: string | string[];
  /** Device folder(s) or file(s); none when omitted. */
  devices?: string | string[];
}

export interface LoadedGrammar extends Grammar {
  /** The devices as loaded (no built-in timer service: that is the runtime's, src/devices/catalog.ts). */
  devices: DeviceCatalog;
}

/** The YAML files a path names: the file itself, or every *.yaml / *.yml in the folder, sorted. */
export async function yamlFiles(paths: string | string[] | undefined): Promise<string[]> {
  const out: string[] = [];
  for (const p of typeof paths === "string" ? [paths] : (paths ?? [])) {
    let info;
    try {
      info = await stat(p);
    } catch {
      throw new GrammarError(`${p}: no such file or folder`);
    }
    if (info.isDirectory()) {
      const names = (await readdir(p)).filter((n) => /\.ya?ml$/i.test(n)).sort();
      out.push(...names.map((n) => join(p, n)));
    } else out.push(p);
  }
  return out;
}

/** sha256 over the names and contents of every source file: the key for compiled-artifact caches. */
export function hashSources(sources: YamlSource[]): string {
  const h = createHash("sha256");
  for (const s of sources) h.update(s.file).update("\0").update(s.text).update("\0");
  return h.digest("hex");
}

export async function loadGrammar(options: LoadOptions): Promise<LoadedGrammar> {
  const grammarFiles = await yamlFiles(options.grammar);
  if (grammarFiles.length === 0) throw new GrammarError(`${String(options.grammar)}: no grammar files (*.yaml)`);
  const deviceFiles = await yamlFiles(options.devices);
  const grammarSources = await Promise.all(grammarFiles.map((f) => YamlSource.read(f)));
  const deviceSources = await Promise.all(deviceFiles.map((f) => YamlSource.read(f)));
  return buildGrammar(grammarSources, deviceSources);
}

export function buildGrammar(grammarSources: YamlSource[], deviceSources: YamlSource[]): LoadedGrammar {
  const g: LoadedGrammar = {
    language: "",
    intents: new Map(),
    lists: new Map(),
    rules: new Map(),
    skipWords: [],
    hash: hashSources([...grammarSources, ...deviceSources]),
    files: [...grammarSources, ...deviceSources].map((s) => s.file),
    devices: new DeviceCatalog([]),
  };
  for (const src of grammarSources) addGrammarFile(g, src);

  // Devices fill the name/area/floor lists and extend any value list they name.
  const deviceFiles = readDeviceFiles(deviceSources);
  g.devices = new DeviceCatalog(deviceFiles, { timers: false });
  const lists = devicesToLists(deviceFiles, deviceSources);
  for (const [name, values] of lists) {
    const existing = g.lists.get(name);
    if (existing && existing.kind !== "values")
      throw new GrammarError(`list '${name}' is a ${existing.kind} list; devices can only add values to value lists`, values[0]?.loc);
    if (!existing) {
      if (name === "name" || name === "area" || name === "floor") {
        g.lists.set(name, { kind: "values", name, values: [], multiple: true });
      } else throw new GrammarError(`devices add values to list '${name}', which no grammar declares`, values[0]?.loc);
    }
    (g.lists.get(name) as Extract<SlotList, { kind: "values" }>).values.push(...values);
  }
  validateReferences(g);
  ungluedTemplates(g);
  return g;
}

/** Expand glued text ("minute[s]") everywhere, once, so every compiler sees whole words. */
function ungluedTemplates(g: Grammar): void {
  const global = (name: string) => g.rules.get(name);
  for (const rule of g.rules.values()) rule.expr = unglue(rule.expr, global);
  for (const list of g.lists.values())
    if (list.kind === "values") for (const v of list.values) v.in = unglue(v.in, global);
  for (const intent of g.intents.values())
    for (const block of intent.data) {
      const lookup = (name: string) => block.rules.get(name) ?? g.rules.get(name);
      for (const rule of block.rules.values()) rule.expr = unglue(rule.expr, lookup);
      for (const s of block.sentences) s.expr = unglue(s.expr, lookup);
    }
}

function addGrammarFile(g: LoadedGrammar, src: YamlSource): void {
  const file = src.validate(grammarFileSchema);
  if (g.language && file.language !== g.language)
    throw new GrammarError(`language '${file.language}' differs from '${g.language}' of the other files`, src.loc(["language"]));
  g.language = file.language;
  for (const w of file.skip_words ?? []) if (!g.skipWords.includes(w)) g.skipWords.push(w);
  for (const w of file.unheard_words ?? []) if (!(g.unheardWords ??= []).includes(w)) g.unheardWords.push(w);

  for (const [name, text] of Object.entries(file.expansion_rules ?? {})) {
    const dup = g.rules.get(name);
    if (dup) throw new GrammarError(`duplicate expansion rule '${name}' (first defined at ${fmt(dup.loc)})`, src.loc(["expansion_rules", name]));
    g.rules.set(name, parseRule(src, name, text, ["expansion_rules", name]));
  }

  for (const [name, spec] of Object.entries(file.lists ?? {})) {
    const dup = g.lists.get(name);
    if (dup) throw new GrammarError(`duplicate list '${name}' (first defined at ${fmt(dup.loc)})`, src.loc(["lists", name]));
    g.lists.set(name, buildList(src, name, spec));
  }

  for (const [name, spec] of Object.entries(file.intents ?? {})) {
    let intent = g.intents.get(name);
    if (!intent) {
      intent = { name, slots: new Map(), data: [], responses: {}, loc: src.loc(["intents", name]) };
      g.intents.set(name, intent);
    }
    if (spec.description) intent.description = spec.description;
    if (spec.domain) intent.domain = spec.domain;
    if (spec.confirm !== undefined) intent.confirm = spec.confirm;
    Object.assign(intent.responses, spec.responses ?? {});
    for (const [slot, decl] of Object.entries(spec.slots ?? {})) {
      intent.slots.set(slot, {
        name: slot,
        list: decl?.list ?? null, // resolved once every file is loaded
        required: decl?.required ?? false,
        description: decl?.description,
        prompt: decl?.prompt,
      });
    }
    (spec.data ?? []).forEach((block, b) => {
      const base = ["intents", name, "data", b];
      const rules = new Map<string, Rule>();
      for (const [rn, text] of Object.entries(block.expansion_rules ?? {}))
        rules.set(rn, parseRule(src, rn, text, [...base, "expansion_rules", rn]));
      const data: DataBlock = {
        sentences: block.sentences.map((text, i) => {
          const loc = src.loc([...base, "sentences", i]);
          return { text, expr: parseAt(text, loc), loc };
        }),
        slots: contextOf(block.slots) ?? {},
        requiresContext: (block.requires_context ?? {}) as Record<string, ContextConstraint>,
        excludesContext: (block.excludes_context ?? {}) as Record<string, ContextConstraint>,
        response: block.response,
        rules,
      };
      intent!.data.push(data);
    });
  }
}

function parseRule(src: YamlSource, name: string, text: string, path: (string | number)[]): Rule {
  const loc = src.loc(path);
  return { name, text, expr: parseAt(text, loc), loc };
}

function buildList(src: YamlSource, name: string, spec: ListSpec): SlotList {
  const loc = src.loc(["lists", name]);
  if ("values" in spec) {
    const values: ListValue[] = spec.values.map((v, i) => {
      const vloc = src.loc(["lists", name, "values", i]);
      if (typeof v === "string" || typeof v === "number") return textValue(String(v), v, vloc);
      const inText = String(v.in);
      const out = v.out === undefined ? inText : typeof v.out === "boolean" ? String(v.out) : v.out;
      return { ...textValue(inText, out, src.loc(["lists", name, "values", i, "in"])), context: contextOf(v.context) };
    });
    return { kind: "values", name, values, multiple: spec.multiple ?? false, loc };
  }
  if ("range" in spec) {
    const r = spec.range;
    if (r.to < r.from) throw new GrammarError(`range 'to' (${r.to}) is below 'from' (${r.from})`, src.loc(["lists", name, "range", "to"]));
    return {
      kind: "range",
      name,
      from: r.from,
      to: r.to,
      step: r.step ?? 1,
      type: r.type ?? "number",
      fractions: r.fractions,
      multiplier: r.multiplier,
      loc,
    };
  }
  return { kind: "wildcard", name, maxWords: spec.max_words ?? 8, examples: spec.examples ?? [], loc };
}

/** Every {list} and <rule> a sentence uses must exist; rules must not expand into themselves. */
function validateReferences(g: Grammar): void {
  const checkExpr = (expr: Expr, loc: SourceLoc | undefined, local: Map<string, Rule>, stack: string[]): void => {
    walkExpr(expr, (e) => {
      if (e.type === "slot" && !g.lists.has(e.list)) throw new GrammarError(`unknown list {${e.list}}`, offsetLoc(loc, e.pos));
      if (e.type === "rule") {
        const rule = local.get(e.name) ?? g.rules.get(e.name);
        if (!rule) throw new GrammarError(`unknown expansion rule <${e.name}>`, offsetLoc(loc, e.pos));
        if (stack.includes(e.name)) throw new GrammarError(`expansion rule <${e.name}> refers to itself (${[...stack, e.name].join(" → ")})`, offsetLoc(loc, e.pos));
        checkExpr(rule.expr, rule.loc, local, [...stack, e.name]);
      }
    });
  };
  for (const rule of g.rules.values()) checkExpr(rule.expr, rule.loc, new Map(), [rule.name]);
  for (const intent of g.intents.values()) {
    for (const slot of intent.slots.values()) {
      if (slot.list === null) slot.list = g.lists.has(slot.name) ? slot.name : null;
      else if (!g.lists.has(slot.list)) throw new GrammarError(`intent ${intent.name}: slot '${slot.name}' uses unknown list '${slot.list}'`, intent.loc);
    }
    for (const block of intent.data) for (const s of block.sentences) checkExpr(s.expr, s.loc, block.rules, []);
  }
}

function fmt(loc: SourceLoc | undefined): string {
  return loc ? `${loc.file}:${loc.line}:${loc.col}` : "?";
}
