// An export format, not loaded by hark: the grammar's sentences as JSGF for other grammar decoders
// (`hark grammar compile --jsgf`), spoken as words (numbers from ranges written out, free-text slots limited
// to their examples). hark's own recognizer decodes the same sentences as a minimal word DFA written as a
// Sphinx FSG (src/compile/fsg.ts), with skip words, dialog replies and trust words added: a JSGF decodes
// ~15× slower in PocketSphinx (docs/asr.md).
import { numberToWords } from "../grammar/numbers.js";
import { normalizeTokens } from "../grammar/normalize.js";
import type { Expr, Grammar, SlotList } from "../grammar/types.js";

/** JSGF rule names allow letters, digits and a few symbols; everything else becomes '_'. */
const ruleName = (kind: string, name: string) => `${kind}_${name.replace(/[^A-Za-z0-9_]/g, "_")}`;

/** Tokens as an ASR says them: digits back to words. */
function spoken(text: string): string {
  return normalizeTokens(text)
    .map((t) => (/^-?\d+(\.\d+)?$/.test(t) ? numberToWords(Number(t)) : t))
    .join(" ");
}

export function compileJsgf(grammar: Grammar): string {
  const rules = new Map<string, string>();
  const usedLists = new Set<string>();
  const usedRules = new Set<string>();
  const localRules = new Map<string, string>(); // jsgf name → body

  const expr = (e: Expr, local: Map<string, string>): string => {
    switch (e.type) {
      case "text":
        return spoken(e.text);
      case "seq":
        return e.items.map((i) => expr(i, local)).filter((s) => s.trim()).join(" ");
      case "alt": {
        const items = e.items.map((i) => expr(i, local)).filter((s) => s.trim());
        if (items.length === 0) return "";
        return e.optional ? `[ ${items.join(" | ")} ]` : `( ${items.join(" | ")} )`;
      }
      case "perm": {
        const parts = e.items.map((i) => expr(i, local));
        return `( ${permute(parts).map((p) => p.join(" ")).join(" | ")} )`;
      }
      case "slot":
        usedLists.add(e.list);
        return `<${ruleName("list", e.list)}>`;
      case "rule": {
        const l = local.get(e.name);
        if (l) return `<${l}>`;
        usedRules.add(e.name);
        return `<${ruleName("rule", e.name)}>`;
      }
    }
  };

  const commands: string[] = [];
  for (const intent of grammar.intents.values()) {
    intent.data.forEach((block, b) => {
      const local = new Map<string, string>();
      for (const r of block.rules.keys()) local.set(r, ruleName("local", `${intent.name}_${b}_${r}`));
      for (const [r, rule] of block.rules) localRules.set(local.get(r)!, expr(rule.expr, local));
      const alts = block.sentences.map((s) => expr(s.expr, local)).filter((s) => s.trim());
      if (alts.length === 0) return;
      const name = ruleName("intent", `${intent.name}_${b}`);
      rules.set(name, alts.join("\n    | "));
      commands.push(`<${name}>`);
    });
  }
  // Rules may use other rules and lists: expand the closure.
  const doneRules = new Set<string>();
  while ([...usedRules].some((r) => !doneRules.has(r))) {
    for (const r of [...usedRules]) {
      if (doneRules.has(r)) continue;
      doneRules.add(r);
      const rule = grammar.rules.get(r);
      if (rule) rules.set(ruleName("rule", r), expr(rule.expr, new Map()) || "<NULL>");
    }
  }
  for (const [n, body] of localRules) rules.set(n, body || "<NULL>");
  for (const l of usedLists) {
    const list = grammar.lists.get(l);
    if (list) rules.set(ruleName("list", l), listBody(list, (e) => expr(e, new Map())));
  }
  const lines = [`#JSGF V1.0;`, `grammar hark;`, ``, `public <command> = ${commands.join(" | ") || "<VOID>"};`, ``];
  for (const [n, body] of rules) lines.push(`<${n}> = ${body || "<VOID>"};`);
  return lines.join("\n") + "\n";
}

function listBody(list: SlotList, expr: (e: Expr) => string): string {
  if (list.kind === "values") {
    const alts = [...new Set(list.values.map((v) => expr(v.in)).filter((s) => s.trim()))];
    return alts.length ? `( ${alts.join(" | ")} )` : "<VOID>";
  }
  if (list.kind === "wildcard") {
    const alts = [...new Set(list.examples.map(spoken).filter((s) => s))];
    return alts.length ? `( ${alts.join(" | ")} )` : "<VOID>";
  }
  const alts: string[] = [];
  for (let v = list.from; v <= list.to + 1e-9; v += list.step) {
    alts.push(numberToWords(Math.round(v * 1e6) / 1e6));
    if (list.fractions === "halves" && v + 0.5 <= list.to) alts.push(numberToWords(v + 0.5));
  }
  if (list.type === "percentage") alts.push("half");
  return `( ${alts.join(" | ")} )`;
}

function permute<T>(items: T[]): T[][] {
  if (items.length <= 1) return [items];
  return items.flatMap((x, i) => permute([...items.slice(0, i), ...items.slice(i + 1)]).map((p) => [x, ...p]));
}
