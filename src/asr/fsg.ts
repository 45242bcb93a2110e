// The ASR grammar: every sentence of a Grammar as one minimal word DFA, written as a Sphinx FSG.
//
// Why not JSGF: PocketSphinx turns a JSGF into an FSG with one branch per alternative and a null
// transition at every `[ ]`; 80 Rhino expressions decoded at RTF 0.39. The same language as a
// minimal deterministic word graph decodes at RTF 0.014–0.03 with identical results (see
// ../shared/notes/asr.md), because the search then never holds two copies of the same word at the
// same point of the graph.
//
// Pipeline: Expr trees (+ lists, rules, ranges spoken as words, wildcard examples) → word NFA with
// null arcs → subset construction → dead-state trim → partition refinement (Moore) → canonical
// numbering → FSG text. An optional phone-loop "garbage" branch lets out-of-grammar audio escape.
import { createHash } from "node:crypto";
import { numberToWords } from "../grammar/numbers.js";
import type { DataBlock, Expr, Grammar, RangeList, Rule, SlotList } from "../grammar/types.js";
import type { AsrReplies } from "./replies.js";
import { spokenWords } from "./words.js";

export interface AsrGrammarOptions {
  /** Only these intents (default: all). */
  intents?: string[];
  /** Accept one optional skip word ("please", "uh") before and after a sentence. Default true. */
  skipWords?: boolean;
  /** A range with more values than this is an error (the graph would explode). Default 5000. */
  maxRangeValues?: number;
  /** Permutations with more items than this are an error (n! orders). Default 6. */
  maxPermutationItems?: number;
  /**
   * Dialog replies accepted as extra top-level alternatives ("yes", "never mind", "the kitchen"),
   * with the same optional skip words around them; see src/asr/replies.ts (`dialogReplies`).
   */
  replies?: AsrReplies;
}

/** A deterministic word automaton: state 0 is the start; arcs[s] maps a word to the next state. */
export interface WordDfa {
  start: 0;
  final: boolean[];
  arcs: Array<Map<string, number>>;
}

export interface AsrGrammar {
  dfa: WordDfa;
  /** Every word the grammar can produce, sorted. */
  words: string[];
  /** Content hash of the language (canonical DFA). */
  hash: string;
  stats: { nfaStates: number; dfaStates: number; minStates: number; arcs: number; ms: number };
  /** Problems that did not stop compilation (empty lists, wildcards without examples). */
  warnings: string[];
}

export class AsrGrammarError extends Error {
  override name = "AsrGrammarError";
}

// ---------------------------------------------------------------------------------------------
// Word NFA

interface NfaArc {
  to: number;
  word: string | null;
}

class Nfa {
  readonly arcs: NfaArc[][] = [];
  readonly finals = new Set<number>();
  state(): number {
    this.arcs.push([]);
    return this.arcs.length - 1;
  }
  add(from: number, to: number, word: string | null): void {
    (this.arcs[from] as NfaArc[]).push({ to, word });
  }
  /** Words in a row from `from`; returns the state after the last word. */
  chain(from: number, words: readonly string[]): number {
    let s = from;
    for (const w of words) {
      const t = this.state();
      this.add(s, t, w);
      s = t;
    }
    return s;
  }
}

interface BuildCtx {
  grammar: Grammar;
  localRules: Map<string, Rule> | undefined;
  ruleStack: string[];
  opts: Required<Omit<AsrGrammarOptions, "intents" | "replies">>;
  warnings: Set<string>;
  /** Spoken forms of a list, computed once. */
  listForms: Map<string, string[][]>;
}

function buildExpr(nfa: Nfa, e: Expr, from: number, ctx: BuildCtx): number {
  switch (e.type) {
    case "text":
      return nfa.chain(from, spokenWords(e.text));
    case "seq": {
      let s = from;
      for (const it of e.items) s = buildExpr(nfa, it, s, ctx);
      return s;
    }
    case "alt": {
      const end = nfa.state();
      for (const it of e.items) nfa.add(buildExpr(nfa, it, from, ctx), end, null);
      if (e.optional) nfa.add(from, end, null);
      return end;
    }
    case "perm": {
      if (e.items.length > ctx.opts.maxPermutationItems)
        throw new AsrGrammarError(`permutation of ${e.items.length} items is too large for the ASR grammar (max ${ctx.opts.maxPermutationItems})`);
      const end = nfa.state();
      for (const order of permutations(e.items.length)) {
        let s = from;
        for (const i of order) s = buildExpr(nfa, e.items[i] as Expr, s, ctx);
        nfa.add(s, end, null);
      }
      return end;
    }
    case "rule": {
      const rule = ctx.localRules?.get(e.name) ?? ctx.grammar.rules.get(e.name);
      if (!rule) throw new AsrGrammarError(`unknown expansion rule <${e.name}>`);
      if (ctx.ruleStack.includes(e.name)) throw new AsrGrammarError(`expansion rule <${e.name}> refers to itself`);
      ctx.ruleStack.push(e.name);
      try {
        return buildExpr(nfa, rule.expr, from, ctx);
      } finally {
        ctx.ruleStack.pop();
      }
    }
    case "slot": {
      const end = nfa.state();
      for (const words of listForms(e.list, ctx)) nfa.add(nfa.chain(from, words), end, null);
      return end;
    }
  }
}

/** Every spoken form of a list as word sequences (deduplicated). */
function listForms(name: string, ctx: BuildCtx): string[][] {
  const cached = ctx.listForms.get(name);
  if (cached) return cached;
  const list: SlotList | undefined = ctx.grammar.lists.get(name);
  if (!list) throw new AsrGrammarError(`unknown list {${name}}`);
  const seen = new Set<string>();
  const forms: string[][] = [];
  const push = (words: string[]): void => {
    const key = words.join(" ");
    if (!words.length || seen.has(key)) return;
    seen.add(key);
    forms.push(words);
  };
  switch (list.kind) {
    case "values":
      for (const v of list.values) for (const s of expandSmall(v.in, ctx)) push(s);
      break;
    case "range":
      for (const s of rangeForms(list, ctx.opts.maxRangeValues)) push(s);
      break;
    case "wildcard":
      for (const ex of list.examples) push(spokenWords(ex).slice(0, list.maxWords));
      break;
  }
  if (!forms.length) ctx.warnings.add(`list {${name}} has no spoken forms: sentences using it cannot be recognized`);
  ctx.listForms.set(name, forms);
  return forms;
}

/** A list value's spoken forms (small templates: alternatives/optionals, no slots). */
function expandSmall(e: Expr, ctx: BuildCtx, limit = 10_000): string[][] {
  const go = (x: Expr): string[][] => {
    switch (x.type) {
      case "text":
        return [spokenWords(x.text)];
      case "seq": {
        let acc: string[][] = [[]];
        for (const it of x.items) {
          const next: string[][] = [];
          for (const a of acc) for (const b of go(it)) next.push([...a, ...b]);
          if (next.length > limit) throw new AsrGrammarError("list value expands to too many forms");
          acc = next;
        }
        return acc;
      }
      case "alt": {
        const out = x.items.flatMap(go);
        if (x.optional) out.push([]);
        return out;
      }
      case "perm":
        return permutations(x.items.length).flatMap((order) => go({ type: "seq", items: order.map((i) => x.items[i] as Expr), pos: x.pos }));
      case "rule": {
        const rule = ctx.localRules?.get(x.name) ?? ctx.grammar.rules.get(x.name);
        if (!rule) throw new AsrGrammarError(`unknown expansion rule <${x.name}>`);
        if (ctx.ruleStack.includes(x.name)) throw new AsrGrammarError(`expansion rule <${x.name}> refers to itself`);
        ctx.ruleStack.push(x.name);
        try {
          return go(rule.expr);
        } finally {
          ctx.ruleStack.pop();
        }
      }
      case "slot":
        return listForms(x.list, ctx);
    }
  };
  return go(e);
}

/** Spoken forms of a number range: "twenty one"; with halves also "twenty one point five" and "twenty one and a half". */
export function rangeForms(r: RangeList, maxValues = 5000): string[][] {
  const step = r.step > 0 ? r.step : 1;
  const count = Math.floor((r.to - r.from) / step + 1e-9) + 1;
  if (count > maxValues) throw new AsrGrammarError(`range {${r.name}} has ${count} values, more than the ASR grammar allows (${maxValues})`);
  const out: string[][] = [];
  for (let k = 0; k < count; k++) {
    const v = Number((r.from + k * step).toFixed(6));
    out.push(numberToWords(v).split(" "));
    if (r.fractions && Number.isInteger(v) && v < r.to) {
      if (r.fractions === "halves") {
        out.push(numberToWords(v + 0.5).split(" "));
        out.push([...numberToWords(v).split(" "), "and", "a", "half"]);
      } else {
        for (let d = 1; d <= 9; d++) out.push(numberToWords(Number((v + d / 10).toFixed(1))).split(" "));
      }
    }
  }
  return out;
}

function permutations(n: number): number[][] {
  if (n === 0) return [[]];
  const out: number[][] = [];
  for (const rest of permutations(n - 1)) for (let i = 0; i <= rest.length; i++) out.push([...rest.slice(0, i), n - 1, ...rest.slice(i)]);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Determinize, trim, minimize

function determinize(nfa: Nfa, start: number): { final: boolean[]; arcs: Array<Map<string, number>> } {
  const closureMemo = new Map<number, number[]>();
  const closure1 = (s: number): number[] => {
    let c = closureMemo.get(s);
    if (c) return c;
    const seen = new Set<number>([s]);
    const stack = [s];
    while (stack.length) {
      const x = stack.pop() as number;
      for (const a of nfa.arcs[x] as NfaArc[]) if (a.word === null && !seen.has(a.to)) (seen.add(a.to), stack.push(a.to));
    }
    c = [...seen].sort((a, b) => a - b);
    closureMemo.set(s, c);
    return c;
  };
  const closure = (states: Iterable<number>): number[] => {
    const set = new Set<number>();
    for (const s of states) for (const t of closure1(s)) set.add(t);
    return [...set].sort((a, b) => a - b);
  };
  const ids = new Map<string, number>();
  const sets: number[][] = [];
  const final: boolean[] = [];
  const arcs: Array<Map<string, number>> = [];
  const intern = (set: number[]): number => {
    const key = set.join(",");
    let id = ids.get(key);
    if (id === undefined) {
      id = sets.length;
      ids.set(key, id);
      sets.push(set);
      final.push(set.some((s) => nfa.finals.has(s)));
      arcs.push(new Map());
    }
    return id;
  };
  intern(closure([start]));
  for (let i = 0; i < sets.length; i++) {
    const byWord = new Map<string, number[]>();
    for (const s of sets[i] as number[])
      for (const a of nfa.arcs[s] as NfaArc[]) {
        if (a.word === null) continue;
        const l = byWord.get(a.word);
        if (l) l.push(a.to);
        else byWord.set(a.word, [a.to]);
      }
    for (const [w, targets] of byWord) (arcs[i] as Map<string, number>).set(w, intern(closure(targets)));
  }
  return { final, arcs };
}

/** Drop states from which no final state is reachable (lists with no values leave such stubs). */
function trim(d: { final: boolean[]; arcs: Array<Map<string, number>> }): void {
  const n = d.final.length;
  const rev: number[][] = Array.from({ length: n }, () => []);
  d.arcs.forEach((m, s) => m.forEach((t) => (rev[t] as number[]).push(s)));
  const live = new Array<boolean>(n).fill(false);
  const stack: number[] = [];
  d.final.forEach((f, s) => f && (live[s] = true, stack.push(s)));
  while (stack.length) for (const p of rev[stack.pop() as number] as number[]) if (!live[p]) (live[p] = true, stack.push(p));
  d.arcs.forEach((m) => m.forEach((t, w) => live[t] || m.delete(w)));
}

/** Moore partition refinement, then renumbering in breadth-first order from the start with words sorted. */
function minimize(d: { final: boolean[]; arcs: Array<Map<string, number>> }): WordDfa {
  const n = d.final.length;
  let cls: number[] = d.final.map((f) => (f ? 1 : 0));
  let count = new Set(cls).size;
  for (;;) {
    const sigIds = new Map<string, number>();
    const next = new Array<number>(n);
    for (let s = 0; s < n; s++) {
      const parts = [...(d.arcs[s] as Map<string, number>)].map(([w, t]) => `${w}:${cls[t]}`).sort();
      const sig = `${cls[s]}|${parts.join(" ")}`;
      let id = sigIds.get(sig);
      if (id === undefined) sigIds.set(sig, (id = sigIds.size));
      next[s] = id;
    }
    cls = next;
    if (sigIds.size === count) break;
    count = sigIds.size;
  }
  // Canonical numbering: BFS from the start class, words in sorted order.
  const order = new Map<number, number>([[cls[0] as number, 0]]);
  const rep = new Map<number, number>(); // class → a member state
  cls.forEach((c, s) => rep.has(c) || rep.set(c, s));
  const queue = [cls[0] as number];
  const final: boolean[] = [];
  const arcs: Array<Map<string, number>> = [];
  while (queue.length) {
    const c = queue.shift() as number;
    const s = rep.get(c) as number;
    final[order.get(c) as number] = d.final[s] as boolean;
    const m = new Map<string, number>();
    for (const [w, t] of [...(d.arcs[s] as Map<string, number>)].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const tc = cls[t] as number;
      if (!order.has(tc)) (order.set(tc, order.size), queue.push(tc));
      m.set(w, order.get(tc) as number);
    }
    arcs[order.get(c) as number] = m;
  }
  return { start: 0, final, arcs };
}

// ---------------------------------------------------------------------------------------------
// Public API

/** Compile the sentences of a grammar into a minimal word DFA. */
export function compileAsrGrammar(grammar: Grammar, options: AsrGrammarOptions = {}): AsrGrammar {
  const t0 = performance.now();
  const opts = {
    skipWords: options.skipWords ?? true,
    maxRangeValues: options.maxRangeValues ?? 5000,
    maxPermutationItems: options.maxPermutationItems ?? 6,
  };
  const nfa = new Nfa();
  const start = nfa.state();
  const body = nfa.state();
  const end = nfa.state();
  const accept = nfa.state();
  nfa.finals.add(accept);
  nfa.add(start, body, null);
  nfa.add(end, accept, null);
  const skip = opts.skipWords ? [...new Set(grammar.skipWords.map((w) => spokenWords(w).join(" ")).filter(Boolean))] : [];
  for (const phrase of skip) {
    nfa.add(nfa.chain(start, phrase.split(" ")), body, null);
    nfa.add(nfa.chain(end, phrase.split(" ")), accept, null);
  }
  const warnings = new Set<string>();
  const listFormsCache = new Map<string, string[][]>();
  const wanted = options.intents ? new Set(options.intents) : undefined;
  let sentences = 0;
  for (const intent of grammar.intents.values()) {
    if (wanted && !wanted.has(intent.name)) continue;
    for (const block of intent.data as DataBlock[]) {
      // Lists are shared across blocks; rules may be local, so list forms computed under a block's
      // local rules are only reused when the block has none.
      const ctx: BuildCtx = {
        grammar,
        localRules: block.rules.size ? block.rules : undefined,
        ruleStack: [],
        opts,
        warnings,
        listForms: block.rules.size ? new Map() : listFormsCache,
      };
      for (const s of block.sentences) {
        nfa.add(buildExpr(nfa, s.expr, body, ctx), end, null);
        sentences++;
      }
    }
  }
  if (!sentences) throw new AsrGrammarError("the grammar has no sentences to recognize");
  if (options.replies) {
    const ctx: BuildCtx = { grammar, localRules: undefined, ruleStack: [], opts, warnings, listForms: listFormsCache };
    for (const phrase of options.replies.phrases ?? []) {
      const w = spokenWords(phrase);
      if (w.length) nfa.add(nfa.chain(body, w), end, null);
    }
    for (const name of options.replies.lists ?? []) {
      if (!grammar.lists.has(name)) continue;
      // "kitchen" and "the kitchen"; "the passenger side" and "passenger side".
      for (const words of listForms(name, ctx)) {
        const bare = words[0] === "the" ? words.slice(1) : words;
        if (bare.length) nfa.add(nfa.chain(body, bare), end, null);
        nfa.add(nfa.chain(body, ["the", ...bare]), end, null);
      }
    }
  }
  const det = determinize(nfa, start);
  trim(det);
  const dfa = minimize(det);
  if (!dfa.arcs.some((m) => m.size)) throw new AsrGrammarError("the grammar's sentences contain no speakable words");
  const words = new Set<string>();
  let arcs = 0;
  for (const m of dfa.arcs) for (const w of m.keys()) (words.add(w), arcs++);
  const canon = dfaToFsg(dfa, { name: "hark" });
  return {
    dfa,
    words: [...words].sort(),
    hash: createHash("sha256").update(canon).digest("hex").slice(0, 16),
    stats: { nfaStates: nfa.arcs.length, dfaStates: det.final.length, minStates: dfa.final.length, arcs, ms: performance.now() - t0 },
    warnings: [...warnings],
  };
}

export interface FsgOptions {
  name?: string;
  /** Phone-loop garbage branch: words that each stand for one phone, and the probability of taking it. */
  garbage?: { words: string[]; entryProb: number; exitProb?: number };
}

/**
 * Sphinx FSG text. One final state (null arcs lead into it from every accepting state); each
 * state's outgoing probabilities are uniform. With `garbage`, the start state also branches into a
 * loop of single-phone words: out-of-grammar audio ends up there instead of on the nearest sentence.
 */
export function dfaToFsg(dfa: WordDfa, opts: FsgOptions = {}): string {
  const n = dfa.final.length;
  const finalState = n;
  const g = opts.garbage;
  const numStates = g ? n + 3 : n + 1;
  const lines = [`FSG_BEGIN ${opts.name ?? "hark"}`, `NUM_STATES ${numStates}`, `START_STATE 0`, `FINAL_STATE ${finalState}`];
  const p = (x: number): string => (x === 1 ? "1" : x.toPrecision(6));
  for (let s = 0; s < n; s++) {
    const m = dfa.arcs[s] as Map<string, number>;
    const k = m.size + (dfa.final[s] ? 1 : 0);
    const scale = s === 0 && g ? 1 - g.entryProb : 1;
    for (const [w, t] of m) lines.push(`TRANSITION ${s} ${t} ${p(scale / k)} ${w}`);
    if (dfa.final[s]) lines.push(`TRANSITION ${s} ${finalState} ${p(scale / k)}`);
  }
  if (g) {
    const g1 = n + 1;
    const g2 = n + 2;
    const exit = g.exitProb ?? 0.5;
    lines.push(`TRANSITION 0 ${g1} ${p(g.entryProb)}`);
    for (const w of g.words) lines.push(`TRANSITION ${g1} ${g2} ${p(1 / g.words.length)} ${w}`);
    for (const w of g.words) lines.push(`TRANSITION ${g2} ${g2} ${p((1 - exit) / g.words.length)} ${w}`);
    lines.push(`TRANSITION ${g2} ${finalState} ${p(exit)}`);
  }
  lines.push("FSG_END", "");
  return lines.join("\n");
}

/** Sentences of the DFA in length-then-alphabetical order, at most `limit` (for tests and `hark grammar`). */
export function enumerateDfa(dfa: WordDfa, limit = 100_000): string[] {
  const out: string[] = [];
  const walk = (s: number, prefix: string[], depth: number): void => {
    if (out.length > limit) throw new AsrGrammarError(`more than ${limit} sentences`);
    if (depth > 200) throw new AsrGrammarError("the grammar has a cycle");
    if (dfa.final[s]) out.push(prefix.join(" "));
    for (const [w, t] of dfa.arcs[s] as Map<string, number>) walk(t, [...prefix, w], depth + 1);
  };
  walk(0, [], 0);
  return out;
}

/** Does the DFA accept this word sequence? */
export function dfaAccepts(dfa: WordDfa, words: readonly string[]): boolean {
  let s: number | undefined = 0;
  for (const w of words) {
    s = dfa.arcs[s]?.get(w);
    if (s === undefined) return false;
  }
  return dfa.final[s] === true;
}
