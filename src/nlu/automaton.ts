// Runtime view of a compiled graph: epsilon closures and per-closure arc indexes, computed lazily
// and memoized, so that matching a token at a node with a thousand sentence starts is one Map lookup.
import type { GraphNode } from "../compile/graph.js";

export interface SlotArc {
  slot: string;
  list: number;
  to: number;
}

export interface ClosureIndex {
  /** word → targets, over every node in the epsilon closure */
  words: Map<string, number[]>;
  slots: SlotArc[];
  /** accept indexes reachable without input */
  accepts: number[];
}

export class Automaton {
  private readonly index: Array<ClosureIndex | undefined>;

  constructor(readonly nodes: GraphNode[]) {
    this.index = new Array(nodes.length);
  }

  at(node: number): ClosureIndex {
    let idx = this.index[node];
    if (!idx) {
      idx = this.build(node);
      this.index[node] = idx;
    }
    return idx;
  }

  private build(start: number): ClosureIndex {
    const words = new Map<string, number[]>();
    const slots: SlotArc[] = [];
    const accepts: number[] = [];
    const seen = new Set<number>([start]);
    const stack = [start];
    while (stack.length) {
      const n = this.nodes[stack.pop()!]!;
      if (n.a !== undefined) accepts.push(n.a);
      if (n.w)
        for (const [w, targets] of Object.entries(n.w)) {
          const arr = words.get(w);
          if (arr) arr.push(...targets);
          else words.set(w, [...targets]);
        }
      if (n.s) slots.push(...n.s);
      for (const e of n.e ?? [])
        if (!seen.has(e)) {
          seen.add(e);
          stack.push(e);
        }
    }
    for (const [w, arr] of words) words.set(w, [...new Set(arr)]);
    return { words, slots, accepts };
  }
}
