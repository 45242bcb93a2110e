// hassil joins text that touches without a space: "minute[s]" is "minute" or "minutes", "light(s|)" likewise.
// Word-level compilers (matcher, ASR grammar) see tokens, so glued runs are expanded here into
// alternatives of whole strings. Runs that contain a slot stay as they are: the normalizer splits "'s"
// off words, so "{name}['s]" still works token by token.
import type { Expr, Rule } from "./types.js";

/** A glued run expands into at most this many strings; beyond it, the run stays token by token. */
const MAX_STRINGS = 256;

export type RuleLookup = (name: string) => Rule | undefined;

export function unglue(expr: Expr, rules: RuleLookup): Expr {
  switch (expr.type) {
    case "text":
    case "slot":
    case "rule":
      return expr;
    case "alt":
    case "perm":
      return { ...expr, items: expr.items.map((i) => unglue(i, rules)) };
    case "seq": {
      const items = expr.items.map((i) => unglue(i, rules));
      const out: Expr[] = [];
      let run: Expr[] = [];
      const flush = () => {
        if (run.length > 1) {
          const strings = stringsOfRun(run, rules);
          if (strings) out.push({ type: "alt", items: strings.map((text) => ({ type: "text", text, pos: run[0]!.pos })), optional: false, pos: run[0]!.pos });
          else out.push(...run);
        } else out.push(...run);
        run = [];
      };
      for (let i = 0; i < items.length; i++) {
        const item = items[i]!;
        const prev = items[i - 1];
        if (prev && !glued(prev, item)) flush();
        run.push(item);
      }
      flush();
      return out.length === 1 ? out[0]! : { ...expr, items: out };
    }
  }
}

/** Two neighbours are glued when no whitespace separates them. */
function glued(a: Expr, b: Expr): boolean {
  const aEnds = a.type === "text" ? !/\s$/.test(a.text) : true;
  const bStarts = b.type === "text" ? !/^\s/.test(b.text) : true;
  return aEnds && bStarts && (a.type !== "text" || b.type !== "text");
}

function stringsOfRun(run: Expr[], rules: RuleLookup): string[] | null {
  let acc = [""];
  for (const item of run) {
    const s = stringsOf(item, rules, []);
    if (!s || acc.length * s.length > MAX_STRINGS) return null;
    acc = acc.flatMap((a) => s.map((x) => a + x));
  }
  return [...new Set(acc)];
}

/** Every string an expression can produce, or null if it has slots or too many strings. */
function stringsOf(e: Expr, rules: RuleLookup, stack: string[]): string[] | null {
  switch (e.type) {
    case "text":
      return [e.text];
    case "slot":
      return null;
    case "rule": {
      const r = rules(e.name);
      if (!r || stack.includes(e.name)) return null;
      return stringsOf(r.expr, rules, [...stack, e.name]);
    }
    case "alt": {
      const all: string[] = e.optional ? [""] : [];
      for (const i of e.items) {
        const s = stringsOf(i, rules, stack);
        if (!s) return null;
        all.push(...s);
        if (all.length > MAX_STRINGS) return null;
      }
      return all;
    }
    case "seq": {
      let acc = [""];
      for (const i of e.items) {
        const s = stringsOf(i, rules, stack);
        if (!s || acc.length * s.length > MAX_STRINGS) return null;
        acc = acc.flatMap((a) => s.map((x) => a + x));
      }
      return acc;
    }
    case "perm":
      return null;
  }
}
