// Questions about a grammar that several compilers ask: which slots an intent can fill, and from which lists.
import { walkExpr } from "./template.js";
import type { DataBlock, Expr, Grammar, IntentDef, Rule } from "./types.js";

/** Visit every node of a sentence with its rules expanded (each rule once per path). */
export function walkExpanded(grammar: Grammar, block: DataBlock, expr: Expr, visit: (e: Expr) => void, stack: string[] = []): void {
  walkExpr(expr, (e) => {
    visit(e);
    if (e.type === "rule" && !stack.includes(e.name)) {
      const rule: Rule | undefined = block.rules.get(e.name) ?? grammar.rules.get(e.name);
      if (rule) walkExpanded(grammar, block, rule.expr, visit, [...stack, e.name]);
    }
  });
}

/** slot name → list name (null for slots only ever fixed by a data block). Declared slots first, in order. */
export function intentSlots(grammar: Grammar, intent: IntentDef): Map<string, string | null> {
  const slots = new Map<string, string | null>();
  for (const s of intent.slots.values()) slots.set(s.name, s.list);
  for (const block of intent.data) {
    for (const s of block.sentences)
      walkExpanded(grammar, block, s.expr, (e) => {
        if (e.type === "slot" && !slots.get(e.slot)) slots.set(e.slot, e.list);
      });
    for (const name of Object.keys(block.slots)) if (!slots.has(name)) slots.set(name, null);
  }
  return slots;
}
