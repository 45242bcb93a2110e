// Token-level constraint on top of the output language (src/compile/slmLanguage.ts): which vocabulary tokens
// may come next (their text must keep the output a prefix of some sentence of the language).
import type { OutputLanguage } from "../../compile/slmLanguage.js";

/** Token-level view of the language for one vocabulary: allowed next tokens per NFA state set (cached). */
export class TokenConstraint {
  readonly trie: TrieNode;
  private readonly cache = new Map<string, number[]>();

  constructor(
    readonly lang: OutputLanguage,
    readonly pieces: ReadonlyArray<string | null>,
    readonly eos: number,
    trie?: TrieNode,
  ) {
    this.trie = trie ?? { children: new Map(), tokens: [] };
    if (!trie) pieces.forEach((p, t) => {
      if (!p || t === eos) return;
      let node = this.trie;
      for (const ch of p) {
        let next = node.children.get(ch);
        if (!next) node.children.set(ch, (next = { children: new Map(), tokens: [] }));
        node = next;
      }
      node.tokens.push(t);
    });
  }

  /** Tokens allowed after the output so far (state set); includes eos when the output may end here. */
  allowed(states: readonly number[]): number[] {
    const key = states.join(",");
    let hit = this.cache.get(key);
    if (hit) return hit;
    const out: number[] = [];
    const walk = (node: TrieNode, st: readonly number[]) => {
      for (const [ch, child] of node.children) {
        const next = this.lang.step(st, ch);
        if (!next.length) continue;
        out.push(...child.tokens);
        walk(child, next);
      }
    };
    walk(this.trie, states);
    if (this.lang.accepts(states) && this.eos >= 0) out.push(this.eos);
    hit = out.sort((a, b) => a - b);
    if (this.cache.size > 50_000) this.cache.clear();
    this.cache.set(key, hit);
    return hit;
  }

  advance(states: readonly number[], token: number): number[] {
    return this.lang.advance(states, this.pieces[token] ?? "");
  }
}

export interface TrieNode {
  children: Map<string, TrieNode>;
  tokens: number[];
}
