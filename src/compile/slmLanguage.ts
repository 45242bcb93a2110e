// The SLM's output language, compiled from the grammar + devices: "Intent slot: value …" (src/nlu/slm/format.ts
// `outputSpec` says which intents, slots and values) as a character NFA, which the engine's own decoder walks
// (src/nlu/slm/constraint.ts: which vocabulary tokens may come next), and the same language written as GBNF
// (toGbnf) for llama.cpp's own grammar sampler, so hark's decoder and node-llama-cpp's grammar mode admit
// exactly the same tokens (outputs are byte-identical). `hark grammar compile` writes the GBNF as slm.gbnf.
import type { Grammar } from "../grammar/types.js";
import { INTENT_SEP, NONE, outputSpec, type OutputSpec } from "../nlu/slm/format.js";

type Pred = (c: string) => boolean;
interface Edge {
  ch?: string;
  pred?: Pred;
  to: number;
}

const FREE_FIRST: Pred = (c) => c !== ":" && c !== ";" && c !== " " && c !== "\n";
const FREE_REST: Pred = (c) => c !== ":" && c !== ";" && c !== "\n";
const DIGIT: Pred = (c) => c >= "0" && c <= "9";

class Nfa {
  edges: Edge[][] = [];
  eps: number[][] = [];
  node(): number {
    this.edges.push([]);
    this.eps.push([]);
    return this.edges.length - 1;
  }
  /** Literal string from a to a new node; returns the end. */
  lit(a: number, s: string): number {
    let cur = a;
    for (const ch of s) {
      const n = this.node();
      this.edges[cur]!.push({ ch, to: n });
      cur = n;
    }
    return cur;
  }
  /** A trie of alternatives from a, all ending at one node. */
  alts(a: number, values: string[]): number {
    const end = this.node();
    const trie = new Map<string, number>();
    for (const v of values) {
      let cur = a;
      let key = "";
      for (const ch of v) {
        key += ch;
        let n = trie.get(key);
        if (n === undefined) {
          n = this.node();
          trie.set(key, n);
          this.edges[cur]!.push({ ch, to: n });
        }
        cur = n;
      }
      if (!this.eps[cur]!.includes(end)) this.eps[cur]!.push(end);
    }
    return end;
  }
  number(a: number): number {
    const s = this.node();
    this.eps[a]!.push(s);
    const sign = this.node();
    this.edges[s]!.push({ ch: "-", to: sign });
    this.eps[s]!.push(sign);
    const int = this.node();
    this.edges[sign]!.push({ pred: DIGIT, to: int });
    this.edges[int]!.push({ pred: DIGIT, to: int });
    const dot = this.node();
    this.edges[int]!.push({ ch: ".", to: dot });
    const frac = this.node();
    this.edges[dot]!.push({ pred: DIGIT, to: frac });
    this.edges[frac]!.push({ pred: DIGIT, to: frac });
    const end = this.node();
    this.eps[int]!.push(end);
    this.eps[frac]!.push(end);
    return end;
  }
  free(a: number): number {
    const first = this.node();
    this.edges[a]!.push({ pred: FREE_FIRST, to: first });
    this.edges[first]!.push({ pred: FREE_REST, to: first });
    return first;
  }
}

/** Values of one slot as an NFA fragment and as GBNF. */
function slotValues(spec: OutputSpec, slot: OutputSpec["intents"][number]["slots"][number]) {
  const enums = new Set(slot.fixed);
  let number = false;
  let free = false;
  for (const l of slot.lists) {
    const kind = spec.values.get(l);
    if (kind?.kind === "enum") kind.values.forEach((v) => enums.add(v));
    else if (kind?.kind === "number") number = true;
    else if (kind?.kind === "text") free = true;
  }
  if (!slot.lists.length && !enums.size) free = true;
  return { enums: [...enums].filter((v) => v.length > 0), number, free };
}

export class OutputLanguage {
  private readonly nfa = new Nfa();
  readonly start: number;
  readonly accept: number;
  readonly acceptNewline: number;
  private closureCache = new Map<number, number[]>();

  constructor(readonly spec: OutputSpec) {
    const n = this.nfa;
    const s0 = n.node();
    this.start = s0;
    const root = n.lit(s0, " ");
    this.accept = n.node();
    // An optional newline ends the answer too (instruct models end a few-shot line with one).
    this.acceptNewline = n.node();
    this.nfa.edges[this.accept]!.push({ ch: "\n", to: this.acceptNewline });
    const noneEnd = n.lit(root, NONE);
    n.eps[noneEnd]!.push(this.accept);
    const intentStart = n.node();
    n.eps[root]!.push(intentStart);
    const intentEnd = n.node();
    for (const intent of spec.intents) {
      let cur = n.lit(intentStart, intent.name);
      for (const slot of intent.slots) {
        const v = slotValues(spec, slot);
        if (!v.enums.length && !v.number && !v.free) continue; // nothing it could say (no such name here)
        const keyEnd = n.lit(cur, ` ${slot.slot}: `);
        const after = n.node();
        if (v.enums.length) n.eps[n.alts(keyEnd, v.enums)]!.push(after);
        if (v.number) n.eps[n.number(keyEnd)]!.push(after);
        if (v.free) n.eps[n.free(keyEnd)]!.push(after);
        n.eps[cur]!.push(after); // the slot is optional
        cur = after;
      }
      n.eps[cur]!.push(intentEnd);
    }
    n.eps[intentEnd]!.push(this.accept);
    const sepEnd = n.lit(intentEnd, INTENT_SEP);
    n.eps[sepEnd]!.push(intentStart);
  }

  private closure1(s: number): number[] {
    let c = this.closureCache.get(s);
    if (c) return c;
    const seen = new Set([s]);
    const stack = [s];
    while (stack.length) for (const t of this.nfa.eps[stack.pop()!]!) if (!seen.has(t)) (seen.add(t), stack.push(t));
    c = [...seen].sort((a, b) => a - b);
    this.closureCache.set(s, c);
    return c;
  }

  closure(states: Iterable<number>): number[] {
    const out = new Set<number>();
    for (const s of states) for (const t of this.closure1(s)) out.add(t);
    return [...out].sort((a, b) => a - b);
  }

  initial(): number[] {
    return this.closure([this.start]);
  }

  step(states: readonly number[], ch: string): number[] {
    const next: number[] = [];
    for (const s of states) for (const e of this.nfa.edges[s]!) if (e.ch !== undefined ? e.ch === ch : e.pred!(ch)) next.push(e.to);
    return next.length ? this.closure(next) : [];
  }

  advance(states: readonly number[], text: string): number[] {
    let cur = states as number[];
    for (const ch of text) {
      cur = this.step(cur, ch);
      if (!cur.length) return cur;
    }
    return cur;
  }

  accepts(states: readonly number[]): boolean {
    return states.includes(this.accept) || states.includes(this.acceptNewline);
  }

  /** The answer is complete (ended with a newline): nothing may follow. */
  finished(states: readonly number[]): boolean {
    return states.length === 1 && states[0] === this.acceptNewline;
  }

  /** The language written as GBNF (root starts with the space SentencePiece puts before the first piece). */
  toGbnf(): string {
    const q = (s: string) => JSON.stringify(s);
    const ident = (s: string) => s.replace(/[^A-Za-z0-9]/g, "-").toLowerCase();
    const lines = [`root ::= " " ("${NONE}" | intent (${q(INTENT_SEP)} intent)*) "\\n"?`];
    lines.push(`intent ::= ${this.spec.intents.map((i) => `i-${ident(i.name)}`).join(" | ")}`);
    for (const intent of this.spec.intents) {
      const parts = intent.slots.flatMap((slot) => {
        const v = slotValues(this.spec, slot);
        if (!v.enums.length && !v.number && !v.free) return [];
        const alts = [...v.enums.map(q), ...(v.number ? ["number"] : []), ...(v.free ? ["free"] : [])];
        return `(${q(` ${slot.slot}: `)} (${alts.join(" | ")}))?`;
      });
      lines.push(`i-${ident(intent.name)} ::= ${q(intent.name)}${parts.length ? " " + parts.join(" ") : ""}`);
    }
    lines.push(`number ::= "-"? [0-9]+ ("." [0-9]+)?`);
    lines.push(`free ::= [^:; \\n] [^:;\\n]*`);
    return lines.join("\n") + "\n";
  }
}

/**
 * The output language of a grammar, as the SLM engine builds it (src/nlu/slm/engine.ts `setGrammar`; per
 * utterance it narrows `spec` further, src/nlu/slm/narrow.ts) and `hark grammar compile` writes it.
 */
export function slmOutputLanguage(grammar: Grammar): OutputLanguage {
  return new OutputLanguage(outputSpec(grammar));
}
