// Compiles a Grammar into the matcher's automaton: one nondeterministic word graph for all sentences
// (rules inlined, permutations expanded) plus one small graph per value list, shared by every {slot}
// that uses it. The result is plain JSON so it can be cached by content hash.
import { GrammarError, offsetLoc } from "../grammar/errors.js";
import { normalizeTokens } from "../grammar/normalize.js";
import type { ContextConstraint, Expr, Grammar, Rule, SlotValue, SourceLoc } from "../grammar/types.js";

export const GRAPH_VERSION = 1;

export interface GraphNode {
  /** word → target nodes */
  w?: Record<string, number[]>;
  /** epsilon targets */
  e?: number[];
  /** slot arcs: fill `slot` from list number `list`, then continue at `to` */
  s?: Array<{ slot: string; list: number; to: number }>;
  /** accepting: index into accepts (main graph) or into the list's values (list graph) */
  a?: number;
}

export interface AcceptInfo {
  intent: string;
  block: number;
  sentence: number;
  slots: Record<string, SlotValue>;
  requires: Record<string, ContextConstraint>;
  excludes: Record<string, ContextConstraint>;
  response?: string;
  /** The sentence's nodes are first..last (contiguous): slot values are checked against this accept's context early. */
  first: number;
  last: number;
}

export type CompiledList =
  | {
      kind: "values";
      name: string;
      multiple: boolean;
      nodes: GraphNode[];
      values: Array<{ out: SlotValue; context?: Record<string, SlotValue> }>;
    }
  | { kind: "range"; name: string; from: number; to: number; step: number; type: string; fractions?: string; multiplier?: number }
  | { kind: "wildcard"; name: string; maxWords: number };

export interface MatcherGraph {
  version: number;
  hash: string;
  language: string;
  nodes: GraphNode[];
  accepts: AcceptInfo[];
  lists: CompiledList[];
  /** Skip phrases, tokenized. */
  skip: string[][];
}

/** Permutations beyond this many items would explode the graph (n!). */
const MAX_PERMUTATION_ITEMS = 6;

class Builder {
  nodes: GraphNode[] = [];
  node(): number {
    this.nodes.push({});
    return this.nodes.length - 1;
  }
  word(from: number, word: string, to: number): void {
    const n = this.nodes[from]!;
    n.w ??= {};
    (n.w[word] ??= []).push(to);
  }
  eps(from: number, to: number): void {
    (this.nodes[from]!.e ??= []).push(to);
  }
}

export function compileGraph(grammar: Grammar): MatcherGraph {
  const lists: CompiledList[] = [];
  const listIndex = new Map<string, number>();
  for (const list of grammar.lists.values()) {
    listIndex.set(list.name, lists.length);
    if (list.kind === "values") {
      const b = new Builder();
      const start = b.node();
      list.values.forEach((v, i) => {
        const end = compileExpr(b, v.in, start, { rules: new Map(), global: grammar.rules, loc: v.loc, listIndex, stack: [] });
        const accept = b.node();
        b.eps(end, accept);
        b.nodes[accept]!.a = i;
      });
      lists.push({
        kind: "values",
        name: list.name,
        multiple: list.multiple,
        nodes: b.nodes,
        values: list.values.map((v) => (v.context ? { out: v.out, context: v.context } : { out: v.out })),
      });
    } else if (list.kind === "range") {
      lists.push({ kind: "range", name: list.name, from: list.from, to: list.to, step: list.step, type: list.type, fractions: list.fractions, multiplier: list.multiplier });
    } else {
      lists.push({ kind: "wildcard", name: list.name, maxWords: list.maxWords });
    }
  }

  const b = new Builder();
  const root = b.node();
  const accepts: AcceptInfo[] = [];
  for (const intent of grammar.intents.values()) {
    intent.data.forEach((block, bi) => {
      block.sentences.forEach((sentence, si) => {
        const start = b.node();
        b.eps(root, start);
        const end = compileExpr(b, sentence.expr, start, { rules: block.rules, global: grammar.rules, loc: sentence.loc, listIndex, stack: [] });
        const accept = b.node();
        b.eps(end, accept);
        b.nodes[accept]!.a = accepts.length;
        accepts.push({
          intent: intent.name,
          block: bi,
          sentence: si,
          slots: block.slots,
          requires: block.requiresContext,
          excludes: block.excludesContext,
          ...(block.response ? { response: block.response } : {}),
          first: start,
          last: accept,
        });
      });
    });
  }
  return {
    version: GRAPH_VERSION,
    hash: grammar.hash,
    language: grammar.language,
    nodes: b.nodes,
    accepts,
    lists,
    skip: grammar.skipWords.map((w) => normalizeTokens(w)).filter((t) => t.length > 0),
  };
}

interface Scope {
  rules: Map<string, Rule>;
  global: Map<string, Rule>;
  loc?: SourceLoc;
  listIndex: Map<string, number>;
  stack: string[];
}

/** Adds expr to the graph starting at `from`; returns the node where it ends. */
function compileExpr(b: Builder, expr: Expr, from: number, scope: Scope): number {
  switch (expr.type) {
    case "text": {
      let cur = from;
      for (const tok of normalizeTokens(expr.text)) {
        const next = b.node();
        b.word(cur, tok, next);
        cur = next;
      }
      return cur;
    }
    case "seq": {
      let cur = from;
      for (const item of expr.items) cur = compileExpr(b, item, cur, scope);
      return cur;
    }
    case "alt": {
      const end = b.node();
      for (const item of expr.items) {
        const start = b.node();
        b.eps(from, start);
        b.eps(compileExpr(b, item, start, scope), end);
      }
      if (expr.optional) b.eps(from, end);
      return end;
    }
    case "perm": {
      if (expr.items.length > MAX_PERMUTATION_ITEMS)
        throw new GrammarError(`permutation of ${expr.items.length} items is too large (max ${MAX_PERMUTATION_ITEMS})`, offsetLoc(scope.loc, expr.pos));
      const end = b.node();
      for (const order of permutations(expr.items)) {
        const start = b.node();
        b.eps(from, start);
        b.eps(compileExpr(b, { type: "seq", items: order, pos: expr.pos }, start, scope), end);
      }
      return end;
    }
    case "slot": {
      const list = scope.listIndex.get(expr.list);
      if (list === undefined) throw new GrammarError(`unknown list {${expr.list}}`, offsetLoc(scope.loc, expr.pos));
      const to = b.node();
      (b.nodes[from]!.s ??= []).push({ slot: expr.slot, list, to });
      return to;
    }
    case "rule": {
      const rule = scope.rules.get(expr.name) ?? scope.global.get(expr.name);
      if (!rule) throw new GrammarError(`unknown expansion rule <${expr.name}>`, offsetLoc(scope.loc, expr.pos));
      if (scope.stack.includes(expr.name)) throw new GrammarError(`expansion rule <${expr.name}> refers to itself`, offsetLoc(scope.loc, expr.pos));
      // Local rules stay visible inside global rules they call (hassil's behaviour).
      return compileExpr(b, rule.expr, from, { ...scope, loc: rule.loc, stack: [...scope.stack, expr.name] });
    }
  }
}

function* permutations<T>(items: T[]): Generator<T[]> {
  if (items.length <= 1) {
    yield items;
    return;
  }
  for (let i = 0; i < items.length; i++) {
    const rest = [...items.slice(0, i), ...items.slice(i + 1)];
    for (const p of permutations(rest)) yield [items[i]!, ...p];
  }
}
