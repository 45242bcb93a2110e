// Competitors of a hypothesis: grammar sentences a few words away from it (one span of the
// hypothesis replaced, dropped or extended), found by walking the ASR grammar's word DFA. The
// contrast decode (contrast.ts) then measures how much worse the best of them fits the audio.
//
// Local edits and not the whole grammar because the question is "which nearby reading did the
// decoder almost take": a slot value swapped ("soy milk" → "skim milk"), a flipped word
// ("on" → "off"), an optional phrase dropped or added ("… with milk").
import type { WordDfa } from "../../compile/fsg.js";

export interface CompetitorOptions {
  /** Longest span of the hypothesis replaced or dropped, words (default 5). */
  maxSpan?: number;
  /** Longest replacement, words (default 5). */
  maxInsert?: number;
  /** Largest edit, words removed + words inserted (default maxSpan + maxInsert). */
  maxEdit?: number;
  /** Stop after this many edits (default 2000; nearer edits come first). */
  maxSentences?: number;
  /** Stop after this many steps of the walk (default 200,000): a bound for grammars with wide fan-out. */
  maxSteps?: number;
}

/** One edit of the hypothesis: words [from, to) replaced by `insert` (either side may be empty). */
export interface Edit {
  from: number;
  to: number;
  insert: string[];
}

/** The hypothesis with the edit applied. */
export function applyEdit(words: readonly string[], e: Edit): string[] {
  return [...words.slice(0, e.from), ...e.insert, ...words.slice(e.to)];
}

/**
 * Every edit of `words` — a span [from, to) of at most `maxSpan` words (empty = an insertion point)
 * replaced by a word sequence of at most `maxInsert` words — that yields a sentence of `dfa`, in
 * order of growing size (removed + inserted words). Only minimal edits: a replacement that starts
 * or ends with the word it replaces is the same sentence as a smaller edit and is left out (two
 * edits may still give one sentence when a word repeats: callers dedupe by sentence). Undefined when
 * the hypothesis is not a sentence of the DFA.
 */
export function nearbyEdits(dfa: WordDfa, words: readonly string[], opts: CompetitorOptions = {}): Edit[] | undefined {
  const maxSpan = opts.maxSpan ?? 5;
  const maxInsert = opts.maxInsert ?? 5;
  const limit = opts.maxSentences ?? 2000;
  let steps = opts.maxSteps ?? 200_000;
  const n = words.length;
  // States along the hypothesis.
  const path: number[] = [0];
  for (const w of words) {
    const t = dfa.arcs[path[path.length - 1]!]?.get(w);
    if (t === undefined) return undefined;
    path.push(t);
  }
  if (!dfa.final[path[n]!]) return undefined;
  const states = dfa.arcs.length;
  // accepts[j]: states from which words[j..n) reaches a final state.
  const accepts: Uint8Array[] = new Array(n + 1);
  accepts[n] = Uint8Array.from(dfa.final, (f) => (f ? 1 : 0));
  for (let j = n - 1; j >= 0; j--) {
    const next = accepts[j + 1]!;
    const a = new Uint8Array(states);
    const w = words[j]!;
    for (let s = 0; s < states; s++) {
      const t = dfa.arcs[s]!.get(w);
      if (t !== undefined && next[t]) a[s] = 1;
    }
    accepts[j] = a;
  }
  const reverse = reverseArcs(dfa);
  const dists = accepts.map((a) => distanceTo(a, reverse, maxInsert));
  const out: Edit[] = [];
  // Edits in order of size, so the cap keeps the nearest ones.
  for (let size = 1; size <= (opts.maxEdit ?? maxSpan + maxInsert) && out.length < limit && steps > 0; size++) {
    for (let i = 0; i <= n && out.length < limit; i++) {
      for (let del = Math.min(maxSpan, n - i, size); del >= 0 && out.length < limit; del--) {
        const ins = size - del;
        if (ins > maxInsert) continue;
        const j = i + del;
        const target = accepts[j]!;
        const dist = dists[j]!;
        const u: string[] = [];
        const walk = (s: number, left: number): void => {
          if (out.length >= limit || --steps < 0) return;
          if (left === 0) {
            if (target[s]) out.push({ from: i, to: j, insert: [...u] });
            return;
          }
          for (const [w, t] of dfa.arcs[s]!) {
            // Minimal edits only: the replacement neither starts nor ends with the replaced word.
            if (del && ((u.length === 0 && w === words[i]) || (left === 1 && w === words[j - 1]))) continue;
            // Only words that can still end on the suffix in exactly `left - 1` more words.
            if (dist[t]! > left - 1) continue;
            u.push(w);
            walk(t, left - 1);
            u.pop();
          }
        };
        if (dist[path[i]!]! <= ins) walk(path[i]!, ins);
      }
    }
  }
  return out;
}

function reverseArcs(dfa: WordDfa): number[][] {
  const rev: number[][] = Array.from({ length: dfa.arcs.length }, () => []);
  dfa.arcs.forEach((m, s) => m.forEach((t) => rev[t]!.push(s)));
  return rev;
}

/** Fewest words from each state into `target` (only up to `max`; farther = Infinity). */
function distanceTo(target: Uint8Array, reverse: number[][], max: number): Float64Array {
  const d = new Float64Array(target.length).fill(Infinity);
  let frontier: number[] = [];
  target.forEach((x, s) => x && ((d[s] = 0), frontier.push(s)));
  for (let k = 1; k <= max && frontier.length; k++) {
    const next: number[] = [];
    for (const t of frontier) for (const s of reverse[t]!) if (d[s] === Infinity) ((d[s] = k), next.push(s));
    frontier = next;
  }
  return d;
}
