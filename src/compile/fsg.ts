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
// numbering → search graph (uniform probabilities; phrases around sentences, compound words,
// factoring: `searchGraph`) → FSG text (`graphToFsg`). An optional phone-loop "garbage" branch lets
// out-of-grammar audio escape.
//
// The decoder's side (src/asr/soundswallower): the pronunciation dictionary restricted to the graph's
// words, the phone set of the garbage branch, the default options, and caching the written files
// (`prepareGrammar`, `grammarFiles`). `hark grammar compile` writes the same files (src/compile/artifacts.ts).
import { createHash } from "node:crypto";
import { numberToWords } from "../grammar/numbers.js";
import type { DataBlock, Expr, Grammar, RangeList, Rule, SlotList, SlotValue } from "../grammar/types.js";
import type { AsrReplies } from "./replies.js";
import { spokenWords } from "./spokenWords.js";
import { contextAllows } from "../grammar/context.js";

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
   * with the same optional skip words around them; see src/compile/replies.ts (`dialogReplies`).
   */
  replies?: AsrReplies;
  /**
   * Extra spoken forms of value lists (the trust words, src/trust/spoken.ts: "the dining room" is
   * heard as a room the home lacks, not forced onto one it has). Phrases heard around whole
   * sentences are not part of the DFA: see `aroundGraph`.
   */
  listExtras?: Readonly<Record<string, readonly string[]>>;
  /**
   * Number ranges heard wider than the grammar accepts, per range type (e.g. temperature: [0, 100]):
   * "set the thermostat to fifty" is heard as fifty and refused as out of range, not heard as fifteen.
   */
  widenRanges?: Readonly<Partial<Record<RangeList["type"], readonly [number, number]>>>;
  /**
   * A sentence may stop where a number should come, and before its "to" / "at" (default true): "set
   * the thermostat" … silence is heard as said (and asked about), never completed with an invented
   * "to eight". Without it the recognizer must end on a value and picks the one that fits the silence.
   */
  valueStops?: boolean;
}

/** Words that lead into a number ("set the thermostat [to] twenty"): the sentence may stop before them. */
const VALUE_LEADS = new Set(["to", "at", "by", "on"]);

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
  /** First words of the numbers it hears (where a value stop waits for a value: `valueExpected`). */
  numberStarts?: string[];
}

/**
 * Whether the sentence so far (ending in state `s` with `lastWord`) is whole only by a value stop: it
 * waits for a number ("set the temperature to", "set the main thermostat"). An endpointer gives such a
 * sentence the long silence, not the short one of a whole request.
 */
export function valueExpected(dfa: WordDfa, s: number, lastWord: string | undefined, numberStarts: ReadonlySet<string>): boolean {
  if (lastWord !== undefined && VALUE_LEADS.has(lastWord) && numberNext(dfa.arcs[s], numberStarts)) return true;
  return leadsToNumber(dfa.arcs, s, numberStarts);
}

/** A number may be said next from these arcs. */
function numberNext(arcs: ReadonlyMap<string, number> | undefined, numberStarts: ReadonlySet<string>): boolean {
  for (const w of arcs?.keys() ?? []) if (numberStarts.has(w)) return true;
  return false;
}

/** State `s` has a "to" / "at" / "by" / "on" into a state a number may follow. */
function leadsToNumber(arcs: ReadonlyArray<ReadonlyMap<string, number>>, s: number, numberStarts: ReadonlySet<string>): boolean {
  for (const [w, t] of arcs[s] ?? []) if (VALUE_LEADS.has(w) && numberNext(arcs[t], numberStarts)) return true;
  return false;
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
  opts: Required<Omit<AsrGrammarOptions, "intents" | "replies" | "listExtras" | "widenRanges" | "valueStops">>;
  /** First words of every number heard (collected while building: where a value may be missing). */
  numberStarts: Set<string>;
  widenRanges: NonNullable<AsrGrammarOptions["widenRanges"]>;
  listExtras: Readonly<Record<string, readonly string[]>>;
  warnings: Set<string>;
  /** Spoken forms of a list, computed once (per context constraint). */
  listForms: Map<string, string[][]>;
  /** The block's context constraints: only the list values its sentences accept are heard. */
  requires?: DataBlock["requiresContext"];
  excludes?: DataBlock["excludesContext"];
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
      for (const words of listForms(e.list, ctx, e.slot)) nfa.add(nfa.chain(from, words), end, null);
      return end;
    }
  }
}

/** Every spoken form of a list as word sequences (deduplicated). */
function listForms(name: string, ctx: BuildCtx, slot?: string): string[][] {
  // A sentence for lights hears only light names, as the matcher only accepts them (requires_context):
  // fewer arcs, fewer confusions (a sensor's name can never be heard where a lamp is asked for).
  const constrained = slot !== undefined && (Object.keys(ctx.requires ?? {}).length > 0 || Object.keys(ctx.excludes ?? {}).length > 0);
  const key = constrained ? `${name}\0${slot}\0${JSON.stringify(ctx.requires)}\0${JSON.stringify(ctx.excludes)}` : name;
  const cached = ctx.listForms.get(key);
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
      for (const v of list.values) {
        if (constrained && !contextAllows(ctx.requires ?? {}, ctx.excludes ?? {}, slot!, v.out, v.context)) continue;
        for (const s of expandSmall(v.in, ctx)) push(s);
      }
      break;
    case "range": {
      const wide = ctx.widenRanges[list.type];
      const heard = wide ? { ...list, from: Math.min(list.from, wide[0]), to: Math.max(list.to, wide[1]) } : list;
      for (const s of rangeForms(heard, ctx.opts.maxRangeValues)) (push(s), s[0] && ctx.numberStarts.add(s[0]));
      break;
    }
    case "wildcard":
      for (const ex of list.examples) push(spokenWords(ex).slice(0, list.maxWords));
      break;
  }
  // Extra forms stand for things the home lacks; a device the home lacks is heard where a switchable
  // device may stand ("turn off the oven"), never in a sentence for media players or sensors.
  const extraContext: Record<string, SlotValue> | undefined = name === "name" ? { domain: "switch" } : undefined;
  for (const extra of ctx.listExtras[name] ?? []) {
    if (constrained && !contextAllows(ctx.requires ?? {}, ctx.excludes ?? {}, slot!, extra, extraContext)) continue;
    push(spokenWords(extra));
  }
  if (!forms.length && !constrained) ctx.warnings.add(`list {${name}} has no spoken forms: sentences using it cannot be recognized`);
  ctx.listForms.set(key, forms);
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

/**
 * A state a number may follow, reached by "to" / "at" / "by" / "on", becomes final, and so does the
 * state before that word (options.valueStops). Only there: after "for" a number is a duration, and
 * ending there would let a trust phrase take its place ("start a timer for | in an hour").
 */
function markValueStops(d: { final: boolean[]; arcs: Array<Map<string, number>> }, numberStarts: ReadonlySet<string>): void {
  d.arcs.forEach((m, s) => {
    if (!leadsToNumber(d.arcs, s, numberStarts)) return;
    d.final[s] = true;
    for (const [w, t] of m) if (VALUE_LEADS.has(w) && numberNext(d.arcs[t], numberStarts)) d.final[t] = true;
  });
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
  const listExtras = options.listExtras ?? {};
  const widenRanges = options.widenRanges ?? {};
  const warnings = new Set<string>();
  const listFormsCache = new Map<string, string[][]>();
  const numberStarts = new Set<string>();
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
        listExtras,
        widenRanges,
        numberStarts,
        warnings,
        listForms: block.rules.size ? new Map() : listFormsCache,
        requires: block.requiresContext,
        excludes: block.excludesContext,
      };
      for (const s of block.sentences) {
        nfa.add(buildExpr(nfa, s.expr, body, ctx), end, null);
        sentences++;
      }
    }
  }
  if (!sentences) throw new AsrGrammarError("the grammar has no sentences to recognize");
  if (options.replies) {
    const ctx: BuildCtx = { grammar, localRules: undefined, ruleStack: [], opts, listExtras, widenRanges, numberStarts, warnings, listForms: listFormsCache };
    for (const phrase of options.replies.phrases ?? []) {
      const w = spokenWords(phrase);
      if (w.length) nfa.add(nfa.chain(body, w), end, null);
    }
    // "kitchen" and "the kitchen"; "the passenger side" and "passenger side".
    const valueForms = (name: string, from: number, to: number): void => {
      for (const words of listForms(name, ctx)) {
        const bare = words[0] === "the" ? words.slice(1) : words;
        if (bare.length) nfa.add(nfa.chain(from, bare), to, null);
        nfa.add(nfa.chain(from, ["the", ...bare]), to, null);
      }
    };
    for (const name of options.replies.lists ?? []) if (grammar.lists.has(name)) valueForms(name, body, end);
    // Follow-ups: "and the bedroom too", "same for the passenger", "and make it blue" (the lead, then the value, then a trail).
    const f = options.replies.followUps;
    if (f && f.leads.length) {
      const leads = f.leads.map(spokenWords).filter((w) => w.length);
      const trails = [[], ...f.trails.map(spokenWords).filter((w) => w.length)];
      const after = nfa.state();
      for (const t of trails) nfa.add(nfa.chain(after, t), end, null);
      for (const name of f.lists) {
        if (!grammar.lists.has(name)) continue;
        const valueStart = nfa.state();
        valueForms(name, valueStart, after);
        for (const l of leads) nfa.add(nfa.chain(body, l), valueStart, null);
        // "and make it blue"
        if (name === "color") for (const l of [[], ...leads]) nfa.add(nfa.chain(body, [...l, "make", "it"]), valueStart, null);
        // "the bedroom too" (a colour said alone is too short a word to hear safely)
        if (name !== "color") nfa.add(body, valueStart, null);
      }
    }
    // "actually make it twenty one", "no, only forty percent": a new number, never one said alone.
    const nv = options.replies.newValues;
    if (nv && grammar.lists.get(nv.list)?.kind === "range") {
      const valueStart = nfa.state();
      const after = nfa.state();
      for (const words of listForms(nv.list, ctx)) nfa.add(nfa.chain(valueStart, words), after, null);
      for (const l of nv.leads.map(spokenWords)) if (l.length) nfa.add(nfa.chain(body, l), valueStart, null);
      nfa.add(after, end, null);
      for (const t of nv.trails.map(spokenWords)) if (t.length) nfa.add(nfa.chain(after, t), end, null);
    }
  }
  const det = determinize(nfa, start);
  // Sentences with an unheard word are left out: their arcs go, and trim drops what no longer ends.
  const unheard = new Set((grammar.unheardWords ?? []).flatMap((w) => spokenWords(w)));
  if (unheard.size) for (const m of det.arcs) for (const w of [...m.keys()]) if (unheard.has(w)) m.delete(w);
  trim(det);
  if (options.valueStops ?? true) markValueStops(det, numberStarts);
  const dfa = minimize(det);
  if (!dfa.arcs.some((m) => m.size)) throw new AsrGrammarError("the grammar's sentences contain no speakable words");
  const words = new Set<string>();
  let arcs = 0;
  for (const m of dfa.arcs) for (const w of m.keys()) (words.add(w), arcs++);
  const canon = dfaToFsg(dfa, { name: "hark", factor: false });
  return {
    dfa,
    words: [...words].sort(),
    hash: createHash("sha256").update(canon).digest("hex").slice(0, 16),
    stats: { nfaStates: nfa.arcs.length, dfaStates: det.final.length, minStates: dfa.final.length, arcs, ms: performance.now() - t0 },
    warnings: [...warnings],
    numberStarts: [...numberStarts].sort(),
  };
}

export interface FsgOptions {
  name?: string;
  /** Phone-loop garbage branch: words that each stand for one phone, and the probability of taking it. */
  garbage?: {
    words: string[];
    entryProb: number;
    exitProb?: number;
    phoneProb?: number;
    /** Whole words heard alone and rejected ("four" said alone is no "cooler"), with the probability of that branch. */
    whole?: { words: string[]; entryProb: number };
  };
  /**
   * Share common arc sets through null transitions (default true; see `factorGraph`). The language
   * and the path probabilities are unchanged; the decoder's lextree gets smaller.
   */
  factor?: boolean;
  /**
   * Merge chains of words into compound words (default false here; see `compoundGraph`): fewer FSG
   * states and word boundaries, a faster search. Compound words are written joined by
   * `COMPOUND_JOINER` and need dictionary entries (`compoundPronunciations`).
   */
  compound?: false | { maxWords?: number };
  /**
   * Alternative pronunciations written as explicit arcs ("the" → also "the(2)"), so the decoder
   * needs no `fsgusealtpron` pass over the whole FSG at start-up (which is slow for large FSGs).
   */
  alternates?: ReadonlyMap<string, readonly string[]>;
}

/** Joins the words of a compound word ("living+room"). */
export const COMPOUND_JOINER = "+";

/** The FSG as a graph: arcs carry word sequences (one word unless compounded) and probabilities. */
export interface SearchGraph {
  /** State 0 is the start. */
  states: number;
  /** Probability of ending in each state (0 = not final). */
  final: number[];
  arcs: Array<{ from: number; to: number; words: string[]; p: number }>;
  /** Null transitions (from factoring). */
  nulls: Array<{ from: number; to: number; p: number }>;
}

/** Phrases heard around whole sentences ("don't …", "… in ten minutes"), in words. */
export interface AroundPhrases {
  before: readonly (readonly string[])[];
  after: readonly (readonly string[])[];
}

/**
 * The search graph with phrases around its sentences, each side taking `share` of the probability at
 * the point where it branches off: the start state's arcs for the phrases before, the ending of a
 * sentence for the phrases after. A sentence's own continuations ("a latte … with milk") keep their
 * probability; put into the DFA instead, dozens of phrase words at every sentence end took most of it
 * (s2i-dev at 6 dB: 93 → 76 commands right). Each side is a trie shared by all sentences; a phrase
 * before ends in a state with the start state's arcs.
 */
export function aroundGraph(g: SearchGraph, around: AroundPhrases, share = 0.05): SearchGraph {
  const arcs = [...g.arcs];
  const final = [...g.final];
  let states = g.states;
  const fresh = (): number => {
    final.push(0);
    return states++;
  };
  interface Trie {
    next: Map<string, Trie>;
    end: boolean;
    state?: number;
  }
  const trieOf = (phrases: AroundPhrases["before"]): Trie => {
    const root: Trie = { next: new Map(), end: false };
    for (const p of phrases) {
      let t = root;
      for (const w of p) {
        let n = t.next.get(w);
        if (!n) t.next.set(w, (n = { next: new Map(), end: false }));
        t = n;
      }
      if (t !== root) t.end = true;
    }
    return root;
  };
  // Below the root: uniform over the next words and ending; `onEnd` says where an ended phrase goes.
  const build = (t: Trie, onEnd: (s: number, p: number) => void): number => {
    t.state ??= fresh();
    const k = t.next.size + (t.end ? 1 : 0);
    for (const [w, n] of t.next) {
      const to = build(n, onEnd);
      arcs.push({ from: t.state, to, words: [w], p: 1 / k });
    }
    if (t.end) onEnd(t.state, 1 / k);
    return t.state;
  };
  const before = trieOf(around.before);
  if (before.next.size) {
    const first = g.arcs.filter((a) => a.from === 0);
    // The start state's own arcs keep 1 − share; the phrases before take the rest.
    for (let i = 0; i < arcs.length; i++) if (arcs[i]!.from === 0) arcs[i] = { ...arcs[i]!, p: arcs[i]!.p * (1 - share) };
    const ends: Array<[number, number]> = [];
    for (const [w, n] of before.next) arcs.push({ from: 0, to: build(n, (s, p) => ends.push([s, p])), words: [w], p: share / before.next.size });
    // Where a phrase ends, the sentence starts: the start state's arcs, at their own probabilities.
    for (const [s, p] of ends) for (const a of first) arcs.push({ from: s, to: a.to, words: a.words, p: p * a.p });
  }
  const afterTrie = trieOf(around.after);
  if (afterTrie.next.size) {
    const ends: Array<[number, number]> = [];
    const firstStates = [...afterTrie.next].map(([w, n]) => [w, build(n, (s, p) => ends.push([s, p]))] as const);
    for (const [s, p] of ends) final[s] = p;
    g.final.forEach((f, s) => {
      if (f <= 0) return;
      final[s] = f * (1 - share);
      for (const [w, to] of firstStates) arcs.push({ from: s, to, words: [w], p: (f * share) / firstStates.length });
    });
  }
  return { states, final, arcs, nulls: [...g.nulls] };
}

/** How the decoder's search graph is made from the DFA (src/asr/soundswallower `grammarFiles` chooses them). */
export interface SearchGraphOptions {
  /** Phrases heard around whole sentences (see `aroundGraph`). */
  around?: AroundPhrases;
  /** Merge chains of words into compound words (see `compoundGraph`). */
  compound?: false | { maxWords?: number };
  /** Share common arc sets through null transitions (see `factorGraph`). */
  factor?: boolean;
}

/** The DFA as the decoder's search graph: uniform probabilities, then phrases around, compounds, factoring, in that order. */
export function searchGraph(dfa: WordDfa, opts: SearchGraphOptions = {}): SearchGraph {
  let graph = dfaGraph(dfa);
  if (opts.around) graph = aroundGraph(graph, opts.around);
  if (opts.compound) graph = compoundGraph(graph, opts.compound);
  if (opts.factor) graph = factorGraph(graph);
  return graph;
}

/** The words on a search graph's arcs (compound words joined by COMPOUND_JOINER), sorted: what its dictionary must pronounce. */
export function graphWords(g: SearchGraph): string[] {
  return [...new Set(g.arcs.map((a) => a.words.join(COMPOUND_JOINER)))].sort();
}

/**
 * Of arcs between the same two states that sound the same (equal primary pronunciations), keep the
 * one with the most words: a compound "never+mind" and the grammar's own "nevermind" would
 * otherwise tie, and the decoder's choice between them is arbitrary. Keeping the spaced form gives
 * the same text as without compounding.
 */
export function dropHomophones(g: SearchGraph, prons: ReadonlyMap<string, readonly string[]>): SearchGraph {
  const best = new Map<string, SearchGraph["arcs"][number]>();
  const rank = (a: SearchGraph["arcs"][number]): [number, string] => [a.words.length, a.words.join(" ")];
  for (const a of g.arcs) {
    const pron = prons.get(a.words.join(COMPOUND_JOINER))?.[0] ?? a.words.join(COMPOUND_JOINER);
    const k = `${a.from} ${a.to} ${pron}`;
    const b = best.get(k);
    if (!b) best.set(k, a);
    else {
      const [na, ta] = rank(a), [nb, tb] = rank(b);
      if (na > nb || (na === nb && ta < tb)) best.set(k, a);
    }
  }
  const keep = new Set(best.values());
  return { ...g, arcs: g.arcs.filter((a) => keep.has(a)) };
}

/** The DFA as a search graph with uniform outgoing probabilities per state (ending counts as one choice). */
export function dfaGraph(dfa: WordDfa): SearchGraph {
  const arcs: SearchGraph["arcs"] = [];
  const final: number[] = [];
  dfa.arcs.forEach((m, s) => {
    const k = m.size + (dfa.final[s] ? 1 : 0);
    final.push(dfa.final[s] ? 1 / k : 0);
    for (const [w, t] of m) arcs.push({ from: s, to: t, words: [w], p: 1 / k });
  });
  return { states: dfa.arcs.length, final, arcs, nulls: [] };
}

/**
 * Compound words: a state that is neither start nor final, has no self-loop, and whose in-degree ×
 * out-degree is at most in-degree + out-degree (one way in or one way out, or 2 × 2) is removed;
 * every in-arc/out-arc pair becomes one arc carrying both word sequences (probabilities multiply,
 * so every sentence keeps its probability). Compounds stay within `maxWords` words (default 4).
 * The decoder then has fewer states to visit every frame and fewer word boundaries to fan out at.
 */
export function compoundGraph(g: SearchGraph, opts: { maxWords?: number } = {}): SearchGraph {
  const maxWords = opts.maxWords ?? 4;
  type Arc = SearchGraph["arcs"][number];
  const arcs: Array<Arc | undefined> = g.arcs.map((a) => ({ ...a, words: [...a.words] }));
  const out = Array.from({ length: g.states }, () => new Set<number>());
  const inn = Array.from({ length: g.states }, () => new Set<number>());
  arcs.forEach((a, i) => (out[(a as Arc).from]!.add(i), inn[(a as Arc).to]!.add(i)));
  const alive = new Array<boolean>(g.states).fill(true);
  for (let changed = true; changed; ) {
    changed = false;
    for (let s = 1; s < g.states; s++) {
      if (!alive[s] || g.final[s]) continue;
      const I = [...inn[s]!], O = [...out[s]!];
      if (!I.length || !O.length) continue;
      if (I.length * O.length > I.length + O.length) continue;
      if (I.some((i) => (arcs[i] as Arc).from === s)) continue;
      if (I.some((i) => O.some((o) => (arcs[i] as Arc).words.length + (arcs[o] as Arc).words.length > maxWords))) continue;
      for (const i of I) {
        const a = arcs[i] as Arc;
        for (const o of O) {
          const b = arcs[o] as Arc;
          arcs.push({ from: a.from, to: b.to, words: [...a.words, ...b.words], p: a.p * b.p });
          out[a.from]!.add(arcs.length - 1);
          inn[b.to]!.add(arcs.length - 1);
        }
      }
      for (const i of I) (out[(arcs[i] as Arc).from]!.delete(i), (arcs[i] = undefined));
      for (const o of O) (inn[(arcs[o] as Arc).to]!.delete(o), (arcs[o] = undefined));
      alive[s] = false;
      changed = true;
    }
  }
  const id = new Array<number>(g.states).fill(-1);
  let n = 0;
  for (let s = 0; s < g.states; s++) if (alive[s]) id[s] = n++;
  return {
    states: n,
    final: g.final.filter((_, s) => alive[s]),
    arcs: arcs.filter((a): a is Arc => !!a).map((a) => ({ ...a, from: id[a.from] as number, to: id[a.to] as number })),
    nulls: g.nulls.map((x) => ({ ...x, from: id[x.from] as number, to: id[x.to] as number })),
  };
}

/**
 * Arc-set factoring: for every state X, the state T with the most arcs (≥ 2) such that every arc
 * of T — same words, same target — is also an arc of X, with one common probability ratio r
 * (p_X = r · p_T), and T is final only if X is. X then keeps its other arcs and reaches T's by a
 * null transition of probability r; T's arcs may in turn be factored (chains). No cycles: T has
 * fewer arcs than X, or the same arcs and X is final where T is not. Typical T: the "optional
 * trailing skip word, then end" state shared by every point where a sentence may end, and a list
 * ("kitchen|bedroom|…") reached with the same continuation from several places.
 */
export function factorGraph(g: SearchGraph): SearchGraph {
  const key = (a: SearchGraph["arcs"][number]): string => `${a.words.join(" ")}\0${a.to}`;
  const byState: Array<Map<string, number>> = Array.from({ length: g.states }, () => new Map());
  g.arcs.forEach((a) => byState[a.from]!.set(key(a), a.p));
  const posting = new Map<string, number[]>();
  byState.forEach((m, s) => m.forEach((_, k) => (posting.get(k) ?? posting.set(k, []).get(k)!).push(s)));
  const best = new Array<number>(g.states).fill(-1);
  const ratio = new Array<number>(g.states).fill(0);
  for (let t = 0; t < g.states; t++) {
    const m = byState[t]!;
    if (m.size < 2) continue;
    const lists = [...m.keys()].map((k) => posting.get(k) as number[]).sort((a, b) => a.length - b.length);
    if ((lists[0] as number[]).length < 2) continue;
    let cand = lists[0] as number[];
    for (let i = 1; i < lists.length && cand.length > 1; i++) {
      const other = new Set(lists[i]);
      cand = cand.filter((x) => other.has(x));
    }
    for (const x of cand) {
      if (x === t || (g.final[t] && !g.final[x])) continue;
      const mx = byState[x]!;
      if (mx.size === m.size && !(g.final[x] && !g.final[t])) continue;
      let r = -1;
      let same = true;
      for (const [k, pt] of m) {
        const q = (mx.get(k) as number) / pt;
        if (r < 0) r = q;
        else if (Math.abs(q - r) > 1e-9 * r) (same = false);
      }
      if (!same) continue;
      const b = best[x] as number;
      if (b < 0 || byState[b]!.size < m.size) (best[x] = t), (ratio[x] = r);
    }
  }
  const arcs = g.arcs.filter((a) => {
    const t = best[a.from] as number;
    return t < 0 || !byState[t]!.has(key(a));
  });
  const nulls = [...g.nulls];
  best.forEach((t, x) => t >= 0 && nulls.push({ from: x, to: t, p: ratio[x] as number }));
  return { states: g.states, final: g.final, arcs, nulls };
}

/**
 * Sphinx FSG text. One final state (null arcs lead into it from every accepting state); each
 * state's outgoing probabilities are uniform in the word DFA. With `garbage`, the start state also
 * branches into a loop of single-phone words: out-of-grammar audio ends up there instead of on the
 * nearest sentence. With `compound`, `factor` (default) and `alternates`, see FsgOptions.
 */
export function dfaToFsg(dfa: WordDfa, opts: FsgOptions = {}): string {
  let g = dfaGraph(dfa);
  if (opts.compound) g = compoundGraph(g, opts.compound);
  if (opts.factor !== false) g = factorGraph(g);
  return graphToFsg(g, opts);
}

/** Write a search graph as Sphinx FSG text (see dfaToFsg). */
export function graphToFsg(g: SearchGraph, opts: FsgOptions = {}): string {
  const n = g.states;
  const finalState = n;
  const gb = opts.garbage;
  const whole = gb?.whole?.words.length ? gb.whole : undefined;
  const numStates = gb ? n + 3 + (whole ? 1 : 0) : n + 1;
  const lines = [`FSG_BEGIN ${opts.name ?? "hark"}`, `NUM_STATES ${numStates}`, `START_STATE 0`, `FINAL_STATE ${finalState}`];
  const p = (x: number): string => (x === 1 ? "1" : x.toPrecision(6));
  const scale = (s: number): number => (s === 0 && gb ? 1 - gb.entryProb - (whole?.entryProb ?? 0) : 1);
  // Arcs grouped by state, in graph order, then null transitions, then the final transition.
  const byState: string[][] = Array.from({ length: n }, () => []);
  for (const a of g.arcs) {
    const w = a.words.join(COMPOUND_JOINER);
    const pr = p(a.p * scale(a.from));
    byState[a.from]!.push(`TRANSITION ${a.from} ${a.to} ${pr} ${w}`);
    for (const alt of opts.alternates?.get(w) ?? []) byState[a.from]!.push(`TRANSITION ${a.from} ${a.to} ${pr} ${alt}`);
  }
  for (const x of g.nulls) byState[x.from]!.push(`TRANSITION ${x.from} ${x.to} ${p(x.p * scale(x.from))}`);
  g.final.forEach((f, s) => f > 0 && byState[s]!.push(`TRANSITION ${s} ${finalState} ${p(f * scale(s))}`));
  for (const l of byState) lines.push(...l);
  if (gb) {
    const g1 = n + 1;
    const g2 = n + 2;
    const exit = gb.exitProb ?? 0.5;
    lines.push(`TRANSITION 0 ${g1} ${p(gb.entryProb)}`);
    const first = gb.phoneProb ?? 1 / gb.words.length;
    const loop = gb.phoneProb ?? (1 - exit) / gb.words.length;
    for (const w of gb.words) lines.push(`TRANSITION ${g1} ${g2} ${p(first)} ${w}`);
    for (const w of gb.words) lines.push(`TRANSITION ${g2} ${g2} ${p(loop)} ${w}`);
    lines.push(`TRANSITION ${g2} ${finalState} ${p(exit)}`);
    if (whole) {
      const g3 = n + 3;
      lines.push(`TRANSITION 0 ${g3} ${p(whole.entryProb)}`);
      for (const w of whole.words) lines.push(`TRANSITION ${g3} ${finalState} ${p(1 / whole.words.length)} ${w}`);
    }
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
