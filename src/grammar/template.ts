// Parser for hassil's sentence template syntax: (a|b) alternatives, [a] optional, (a;b) permutation,
// {list} / {list:slot} slot references, <rule> expansion rules, everything else literal text.
import type { Expr } from "./types.js";

export class TemplateSyntaxError extends Error {
  constructor(
    message: string,
    /** 0-based offset into the template string. */
    readonly offset: number,
  ) {
    super(message);
  }
}

const SPECIAL = new Set(["(", ")", "[", "]", "{", "}", "<", ">", "|", ";"]);

export function parseTemplate(source: string): Expr {
  const parser = new Parser(source);
  const expr = parser.parseGroupBody(null);
  if (parser.pos < source.length) throw new TemplateSyntaxError(`unexpected '${source[parser.pos]}'`, parser.pos);
  return expr;
}

class Parser {
  pos = 0;
  constructor(private readonly src: string) {}

  /** Parses alternatives/permutation items until `close` (or end of input when close is null). */
  parseGroupBody(close: ")" | "]" | null): Expr {
    const start = this.pos;
    const items: Expr[] = [this.parseSeq()];
    let separator: "|" | ";" | null = null;
    while (this.pos < this.src.length) {
      const c = this.src[this.pos]!;
      if (c === "|" || c === ";") {
        if (close === null && c === ";") throw new TemplateSyntaxError("permutation ';' outside parentheses", this.pos);
        if (separator && separator !== c) throw new TemplateSyntaxError("cannot mix '|' and ';' in one group", this.pos);
        separator = c;
        this.pos++;
        items.push(this.parseSeq());
        continue;
      }
      break;
    }
    if (separator === ";") return { type: "perm", items, pos: start };
    if (items.length === 1 && close !== "]") return items[0]!;
    return { type: "alt", items, optional: false, pos: start };
  }

  parseSeq(): Expr {
    const start = this.pos;
    const items: Expr[] = [];
    while (this.pos < this.src.length) {
      const c = this.src[this.pos]!;
      if (c === "|" || c === ";" || c === ")" || c === "]") break;
      if (c === "(" || c === "[") {
        const open = this.pos++;
        const close = c === "(" ? ")" : "]";
        const body = this.parseGroupBody(close);
        if (this.src[this.pos] !== close) throw new TemplateSyntaxError(`unclosed '${c}'`, open);
        this.pos++;
        if (close === "]") {
          const alts = body.type === "alt" ? body.items : [body];
          items.push({ type: "alt", items: alts, optional: true, pos: open });
        } else {
          items.push(body);
        }
        continue;
      }
      if (c === "{") {
        const open = this.pos;
        const end = this.src.indexOf("}", open);
        if (end < 0) throw new TemplateSyntaxError("unclosed '{'", open);
        const inner = this.src.slice(open + 1, end).trim();
        const [list, slot] = inner.split(":").map((s) => s.trim());
        if (!list || !/^[\w.-]+$/.test(list) || (slot !== undefined && !/^[\w.-]+$/.test(slot)))
          throw new TemplateSyntaxError(`bad slot reference '{${inner}}'`, open);
        items.push({ type: "slot", list, slot: slot ?? list, pos: open });
        this.pos = end + 1;
        continue;
      }
      if (c === "<") {
        const open = this.pos;
        const end = this.src.indexOf(">", open);
        if (end < 0) throw new TemplateSyntaxError("unclosed '<'", open);
        const name = this.src.slice(open + 1, end).trim();
        if (!name || !/^[\w.-]+$/.test(name)) throw new TemplateSyntaxError(`bad rule reference '<${name}>'`, open);
        items.push({ type: "rule", name, pos: open });
        this.pos = end + 1;
        continue;
      }
      if (c === "}" || c === ">") throw new TemplateSyntaxError(`unexpected '${c}'`, this.pos);
      const textStart = this.pos;
      while (this.pos < this.src.length && !SPECIAL.has(this.src[this.pos]!)) this.pos++;
      items.push({ type: "text", text: this.src.slice(textStart, this.pos), pos: textStart });
    }
    if (items.length === 1) return items[0]!;
    return { type: "seq", items, pos: start };
  }
}

/** Visit every node of an expression tree. */
export function walkExpr(expr: Expr, visit: (e: Expr) => void): void {
  visit(expr);
  if (expr.type === "seq" || expr.type === "alt" || expr.type === "perm") for (const i of expr.items) walkExpr(i, visit);
}
