// Template text at a source location: list values and sentences parsed with their errors located in
// the file. Shared by the grammar loader (load.ts) and the devices → lists conversion (devices.ts).
import { GrammarError, offsetLoc } from "./errors.js";
import { parseTemplate, TemplateSyntaxError, walkExpr } from "./template.js";
import type { Expr, ListValue, SourceLoc } from "./types.js";

/** Parse a template; a syntax error becomes a GrammarError at its place in the file. */
export function parseAt(text: string, loc: SourceLoc): Expr {
  try {
    return parseTemplate(text);
  } catch (err) {
    if (err instanceof TemplateSyntaxError) throw new GrammarError(err.message, offsetLoc(loc, err.offset));
    throw err;
  }
}

/** A list value whose spoken form is a template (it may use (a|b) and [opt], but no slots). */
export function textValue(inText: string, out: string | number, loc?: SourceLoc): ListValue {
  const expr = loc ? parseAt(inText, loc) : parseTemplate(inText);
  walkExpr(expr, (e) => {
    if (e.type === "slot") throw new GrammarError(`list values cannot contain slots ({${e.list}})`, offsetLoc(loc, e.pos));
  });
  return { in: expr, inText, out, loc };
}

/** Context values are compared as slot values: booleans become "true"/"false". */
export function contextOf(c: Record<string, string | number | boolean> | undefined): Record<string, string | number> | undefined {
  if (!c) return undefined;
  return Object.fromEntries(Object.entries(c).map(([k, v]) => [k, typeof v === "boolean" ? String(v) : v]));
}
