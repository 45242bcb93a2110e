// Phrase patterns over normalized tokens: templates in hassil syntax expanded into token sequences
// once, then found in an utterance by a first-token index. Placeholders: {n} a number, {w} any word,
// {ed} / {ing} a word with that ending, {name} a word the caller blocked (one word of a device, area
// or floor name: a cue may name a place without being found inside one). Used for the trust cues and the lexicon (src/trust/cues.ts).
import { normalizeTokens } from "../grammar/normalize.js";
import { parseTemplate } from "../grammar/template.js";
import type { Expr } from "../grammar/types.js";

/** One token of a pattern: a literal word or a placeholder. */
type Tok = string;
const PLACEHOLDERS = new Set(["{n}", "{w}", "{ed}", "{ing}", "{name}"]);

/** Expansions per template beyond this are a mistake in the data, not a useful pattern. */
const MAX_EXPANSIONS = 4096;

/** Every token sequence a template stands for. */
export function expandTemplate(template: string): Tok[][] {
  const out = expand(parseTemplate(template)).map((words) => words.flatMap((w) => (PLACEHOLDERS.has(w) ? [w] : normalizeTokens(w))));
  if (out.length > MAX_EXPANSIONS) throw new Error(`"${template}" expands to ${out.length} phrases (at most ${MAX_EXPANSIONS})`);
  return out.filter((p) => p.length > 0);
}

function expand(e: Expr): string[][] {
  switch (e.type) {
    case "text":
      return [e.text.split(/\s+/).filter(Boolean)];
    case "slot":
      return [[`{${e.list}}`]];
    case "rule":
      throw new Error(`<${e.name}>: expansion rules are not used in trust phrases`);
    case "alt": {
      const out = e.items.flatMap(expand);
      if (e.optional) out.push([]);
      return out;
    }
    case "seq":
    case "perm": {
      let acc: string[][] = [[]];
      for (const item of e.items) {
        const next: string[][] = [];
        for (const a of acc) for (const b of expand(item)) next.push([...a, ...b]);
        acc = next;
      }
      return acc;
    }
  }
}

function tokenMatches(pattern: Tok, token: string): boolean {
  switch (pattern) {
    case "{n}":
      return /^-?\d+(?:\.\d+)?$/.test(token);
    case "{w}":
      return true;
    case "{ed}":
      return token.length > 3 && token.endsWith("ed");
    case "{ing}":
      return token.length > 4 && token.endsWith("ing");
    default:
      return pattern === token;
  }
}

export interface PhraseHit<T> {
  /** Token range [start, end). */
  start: number;
  end: number;
  tag: T;
}

/** A set of phrases, each tagged, found in token sequences. */
export class PhraseSet<T> {
  private readonly byFirst = new Map<string, Array<{ toks: Tok[]; tag: T }>>();
  private readonly wild: Array<{ toks: Tok[]; tag: T }> = [];

  add(template: string, tag: T): this {
    for (const toks of expandTemplate(template)) {
      const entry = { toks, tag };
      const first = toks[0]!;
      if (PLACEHOLDERS.has(first)) this.wild.push(entry);
      else {
        const list = this.byFirst.get(first) ?? [];
        list.push(entry);
        this.byFirst.set(first, list);
      }
    }
    return this;
  }

  /** How many phrases it holds. */
  get size(): number {
    let n = this.wild.length;
    for (const l of this.byFirst.values()) n += l.length;
    return n;
  }

  /** Add literal phrases (no template syntax), e.g. lexicon entries. */
  addWords(phrase: string, tag: T): this {
    const toks = normalizeTokens(phrase);
    if (!toks.length) return this;
    const list = this.byFirst.get(toks[0]!) ?? [];
    list.push({ toks, tag });
    this.byFirst.set(toks[0]!, list);
    return this;
  }

  /** The longest phrase starting at `i` (undefined when none), skipping blocked tokens. */
  at(tokens: readonly string[], i: number, blocked?: ReadonlySet<number>): PhraseHit<T> | undefined {
    let best: PhraseHit<T> | undefined;
    const candidates = [...(this.byFirst.get(tokens[i]!) ?? []), ...this.wild];
    for (const c of candidates) {
      if (i + c.toks.length > tokens.length) continue;
      let ok = true;
      for (let k = 0; k < c.toks.length && ok; k++) ok = c.toks[k] === "{name}" ? !!blocked?.has(i + k) : !blocked?.has(i + k) && tokenMatches(c.toks[k]!, tokens[i + k]!);
      if (ok && (!best || c.toks.length > best.end - best.start)) best = { start: i, end: i + c.toks.length, tag: c.tag };
    }
    return best;
  }

  /** Every longest, non-overlapping hit, left to right. */
  find(tokens: readonly string[], blocked?: ReadonlySet<number>): Array<PhraseHit<T>> {
    const out: Array<PhraseHit<T>> = [];
    for (let i = 0; i < tokens.length; ) {
      const hit = blocked?.has(i) ? undefined : this.at(tokens, i, blocked);
      if (hit) {
        out.push(hit);
        i = hit.end;
      } else i++;
    }
    return out;
  }

  /** A hit at the very start (after the tokens in `skip`, e.g. fillers). */
  atStart(tokens: readonly string[], skip: ReadonlySet<string> = new Set()): PhraseHit<T> | undefined {
    let i = 0;
    while (i < tokens.length && skip.has(tokens[i]!)) i++;
    return i < tokens.length ? this.at(tokens, i) : undefined;
  }
}

/** Token ranges as a set of indexes. */
export function covered(hits: ReadonlyArray<{ start: number; end: number }>): Set<number> {
  const s = new Set<number>();
  for (const h of hits) for (let i = h.start; i < h.end; i++) s.add(i);
  return s;
}
