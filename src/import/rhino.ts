// Importer for Picovoice Rhino context YAML → a hark grammar file.
//
//   context:
//     expressions: { <intent>: ["[brew, make me] (a) $size:size $coffeeDrink:drink", …] }
//     slots:       { <slot type>: [values] }
//     macros:      { <macro>: [phrases] }            (optional)
//
// Rhino syntax → hassil syntax:
//   [a, b, c]   choose exactly one  → (a|b|c)
//   (x), (a, b) optional            → [x], [a|b]
//   $type:name  slot of a slot type → {type} when type = name, else {type:name}
//   @macro      macro reference     → <macro> (an expansion rule)
// Slot values are kept exactly as the context writes them (canonical value = spoken text).

import path from "node:path";
import { GrammarError } from "../grammar/errors.js";
import { isObject, readYaml, requirePath, writeYaml, type ImportReport, type YamlSource } from "./yamlio.js";

/** Rhino's built-in slot types (pv.*) as hark lists. */
const BUILTIN_SLOTS: Record<string, { list: string; def: Record<string, unknown>; note?: string }> = {
  "pv.SingleDigitInteger": { list: "pv_single_digit_integer", def: { range: { from: 0, to: 9 } } },
  "pv.TwoDigitInteger": { list: "pv_two_digit_integer", def: { range: { from: 0, to: 99 } } },
  "pv.Percent": { list: "pv_percent", def: { range: { from: 0, to: 100, type: "percentage" } } },
  "pv.SingleDigitOrdinal": {
    list: "pv_single_digit_ordinal",
    def: { range: { from: 1, to: 9 } },
    note: "ordinals are imported as a number range (\"3\", not \"third\")",
  },
  "pv.TwoDigitOrdinal": {
    list: "pv_two_digit_ordinal",
    def: { range: { from: 1, to: 99 } },
    note: "ordinals are imported as a number range (\"21\", not \"twenty first\")",
  },
  "pv.Alphabetic": { list: "pv_alphabetic", def: { wildcard: true, max_words: 8 }, note: "imported as free text" },
  "pv.Alphanumeric": { list: "pv_alphanumeric", def: { wildcard: true, max_words: 8 }, note: "imported as free text" },
};

type Node =
  | { t: "word"; text: string }
  | { t: "choice"; alts: Node[][]; optional: boolean }
  | { t: "slot"; type: string; name: string }
  | { t: "macro"; name: string };

/** Parse one Rhino expression. Errors carry the character offset. */
export function parseRhino(text: string): Node[] {
  let i = 0;
  const fail = (msg: string, at = i): never => {
    throw Object.assign(new Error(msg), { offset: at });
  };
  const skipSpace = () => {
    while (i < text.length && /\s/.test(text[i]!)) i++;
  };
  const parseSeq = (): Node[] => {
    const seq: Node[] = [];
    for (;;) {
      skipSpace();
      const c = text[i];
      if (c === undefined || c === "]" || c === ")" || c === ",") return seq;
      if (c === "[" || c === "(") {
        const open = i++;
        const alts: Node[][] = [parseSeq()];
        while (text[i] === ",") {
          i++;
          alts.push(parseSeq());
        }
        const close = c === "[" ? "]" : ")";
        if (text[i] !== close) fail(`'${c}' is not closed by '${close}'`, open);
        i++;
        if (alts.some((a) => a.length === 0)) fail(`empty alternative in '${c}…${close}'`, open);
        seq.push({ t: "choice", alts, optional: c === "(" });
      } else if (c === "$") {
        const m = /^\$([\w.]+)(?::(\w+))?/.exec(text.slice(i));
        if (!m) fail("'$' must be followed by a slot type, e.g. $size:size");
        seq.push({ t: "slot", type: m![1]!, name: m![2] ?? m![1]!.replace(/^pv\./, "") });
        i += m![0].length;
      } else if (c === "@") {
        const m = /^@(\w+)/.exec(text.slice(i));
        if (!m) fail("'@' must be followed by a macro name");
        seq.push({ t: "macro", name: m![1]! });
        i += m![0].length;
      } else {
        const m = /^[^\s[\](),$@]+/.exec(text.slice(i))!;
        seq.push({ t: "word", text: m[0] });
        i += m[0].length;
      }
    }
  };
  const seq = parseSeq();
  if (i < text.length) fail(`unexpected '${text[i]}'`);
  return seq;
}

/** Render parsed Rhino nodes in hassil template syntax. */
function toHassil(nodes: Node[], slotList: (type: string) => string, onWord: (w: string) => string): string {
  return nodes
    .map((n) => {
      switch (n.t) {
        case "word":
          return onWord(n.text);
        case "slot": {
          const list = slotList(n.type);
          return list === n.name ? `{${list}}` : `{${list}:${n.name}}`;
        }
        case "macro":
          return `<${n.name}>`;
        case "choice": {
          const alts = n.alts.map((a) => toHassil(a, slotList, onWord)).join("|");
          return n.optional ? `[${alts}]` : `(${alts})`;
        }
      }
    })
    .join(" ");
}

/** Characters that mean something in hassil templates and cannot appear in plain words. */
const HASSIL_SPECIAL = /[|;{}<>[\]()]/g;

export async function importRhino(contextFile: string, outDir: string): Promise<ImportReport> {
  requirePath(contextFile, "file");
  const src: YamlSource = await readYaml(contextFile);
  const warnings: string[] = [];
  const root = src.data;
  if (!isObject(root) || !isObject(root.context)) throw src.error("expected a Rhino context: a `context:` mapping");
  const ctx = root.context;
  if (!isObject(ctx.expressions)) throw src.error("`context.expressions` must map intents to expression lists", "context");
  const slotTypes = ctx.slots === undefined || ctx.slots === null ? {} : ctx.slots;
  if (!isObject(slotTypes)) throw src.error("`context.slots` must map slot types to value lists", "context", "slots");
  const macros = ctx.macros === undefined || ctx.macros === null ? {} : ctx.macros;
  if (!isObject(macros)) throw src.error("`context.macros` must map macro names to phrase lists", "context", "macros");

  const lists: Record<string, unknown> = {};
  const usedBuiltins = new Set<string>();
  const slotList = (type: string): string => {
    const b = BUILTIN_SLOTS[type];
    if (b) {
      usedBuiltins.add(type);
      return b.list;
    }
    return type;
  };
  const cleanWord = (where: string) => (w: string) => {
    const clean = w.replace(HASSIL_SPECIAL, "");
    if (clean !== w) warnings.push(`${where}: "${w}": characters special to hark templates removed`);
    return clean;
  };

  // Convert a list of Rhino phrases located at `at`; parse errors become located GrammarErrors.
  const convert = (text: unknown, at: (string | number)[]): { template: string; nodes: Node[] } => {
    if (typeof text !== "string") throw src.error("expected a string", ...at);
    let nodes: Node[];
    try {
      nodes = parseRhino(text);
    } catch (e) {
      const where = src.where(...at);
      const offset = (e as { offset?: number }).offset ?? 0;
      // where is file:line:col of the scalar; a quoted scalar's text starts one column later
      const node = src.doc.getIn(at, true) as { type?: string } | undefined;
      const quoted = node?.type === "QUOTE_DOUBLE" || node?.type === "QUOTE_SINGLE" ? 1 : 0;
      const m = /^(.*):(\d+):(\d+)$/.exec(where);
      const loc = m ? `${m[1]}:${m[2]}:${Number(m[3]) + offset + quoted}` : where;
      throw new GrammarError(`${loc}: ${(e as Error).message} in "${text}"`);
    }
    return { template: toHassil(nodes, slotList, cleanWord(src.where(...at))), nodes };
  };

  // Slot types → value lists.
  for (const [type, values] of Object.entries(slotTypes)) {
    if (!Array.isArray(values)) throw src.error(`slot type ${type}: expected a list of values`, "context", "slots", type);
    const out: unknown[] = [];
    values.forEach((v, i) => {
      if (typeof v !== "string" && typeof v !== "number")
        throw src.error(`slot type ${type}: values must be strings`, "context", "slots", type, i);
      const text = String(v);
      const spoken = text.replace(HASSIL_SPECIAL, " ").replace(/\s+/g, " ").trim();
      if (spoken !== text) {
        warnings.push(`${src.where("context", "slots", type, i)}: value "${text}": spoken as "${spoken}"`);
        out.push({ in: spoken, out: text });
      } else out.push(text);
    });
    lists[type] = { values: out };
  }

  // Macros → expansion rules.
  const rules: Record<string, string> = {};
  for (const [name, phrases] of Object.entries(macros)) {
    const arr = Array.isArray(phrases) ? phrases : [phrases];
    const alts = arr.map((p, i) => convert(p, Array.isArray(phrases) ? ["context", "macros", name, i] : ["context", "macros", name]).template);
    rules[name] = alts.length === 1 ? alts[0]! : `(${alts.join("|")})`;
  }

  // Expressions → intents.
  const intents: Record<string, unknown> = {};
  let sentences = 0;
  const macroUse = new Set<string>();
  for (const [intent, exprs] of Object.entries(ctx.expressions)) {
    if (!Array.isArray(exprs)) throw src.error(`intent ${intent}: expected a list of expressions`, "context", "expressions", intent);
    const slots = new Map<string, string>(); // slot name → list
    const templates: string[] = [];
    exprs.forEach((e, i) => {
      const at = ["context", "expressions", intent, i];
      const { template, nodes } = convert(e, at);
      const walk = (ns: Node[]) => {
        for (const n of ns) {
          if (n.t === "slot") {
            const list = slotList(n.type);
            if (!BUILTIN_SLOTS[n.type] && !(n.type in slotTypes))
              throw src.error(`intent ${intent}: unknown slot type $${n.type}`, ...at);
            const prev = slots.get(n.name);
            if (prev && prev !== list)
              warnings.push(`${src.where(...at)}: intent ${intent}: slot ${n.name} is filled from ${prev} and ${list}`);
            else slots.set(n.name, list);
          } else if (n.t === "macro") {
            if (!(n.name in macros)) throw src.error(`intent ${intent}: unknown macro @${n.name}`, ...at);
            macroUse.add(n.name);
          } else if (n.t === "choice") n.alts.forEach(walk);
        }
      };
      walk(nodes);
      if (!templates.includes(template)) templates.push(template);
    });
    if (templates.length === 0) {
      warnings.push(`${src.where("context", "expressions", intent)}: intent ${intent} has no expressions, skipped`);
      continue;
    }
    sentences += templates.length;
    const decl: Record<string, unknown> = {};
    for (const [name, list] of slots) decl[name] = list === name ? { required: false } : { list, required: false };
    intents[intent] = { ...(slots.size ? { slots: decl } : {}), data: [{ sentences: templates }] };
  }

  for (const type of usedBuiltins) {
    const b = BUILTIN_SLOTS[type]!;
    lists[b.list] = b.def;
    if (b.note) warnings.push(`${contextFile}: built-in slot $${type}: ${b.note}`);
  }
  for (const type of Object.keys(slotTypes))
    if (![...Object.values(intents)].some((i) => JSON.stringify(i).includes(`{${type}`)))
      warnings.push(`${src.where("context", "slots", type)}: slot type ${type} is used by no expression`);
  for (const m of Object.keys(macros))
    if (!macroUse.has(m) && !Object.values(rules).some((r) => r.includes(`<${m}>`)))
      warnings.push(`${src.where("context", "macros", m)}: macro @${m} is used by no expression`);

  const doc: Record<string, unknown> = { language: "en", intents };
  if (Object.keys(lists).length) doc.lists = lists;
  if (Object.keys(rules).length) doc.expansion_rules = rules;
  const file = path.join(outDir, `${path.basename(contextFile).replace(/\.ya?ml$/i, "")}.yaml`);
  await writeYaml(
    file,
    doc,
    ` Imported from the Rhino context ${path.resolve(contextFile)} by \`hark grammar import --from rhino\`.`,
  );
  return { files: [file], intents: Object.keys(intents).length, lists: Object.keys(lists).length, sentences, warnings };
}
