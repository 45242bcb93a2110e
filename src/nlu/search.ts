// Token-synchronous search over the compiled automaton. Exact mode follows the grammar word for word
// (skipping filler phrases); tolerant mode also allows edits (a dropped article, a misheard word, an
// extra word) at a cost, keeping only the cheapest states per position (beam).
import type { CompiledList, MatcherGraph } from "../compile/graph.js";
import { contextAllows } from "../grammar/context.js";
import type { SlotValue } from "../grammar/types.js";
import { parseNumberToken } from "../grammar/numbers.js";
import { Automaton } from "./automaton.js";
import { deleteCost, insertCost, substituteCost } from "./editCosts.js";

export interface Capture {
  slot: string;
  value: SlotValue | SlotValue[];
  start: number;
  end: number;
  prev: Capture | null;
  /** Free text (a wildcard): the caller gives it back in the words as said. */
  free?: true;
}

export interface Parse {
  accept: number;
  captures: Capture | null;
  cost: number;
}

interface State {
  kind: 0 | 1 | 2; // main, list, wildcard
  node: number;
  list: number;
  ret: number;
  slot: string;
  start: number;
  multi: SlotValue[] | null;
  cost: number;
  caps: Capture | null;
}

/** Costs of exact-mode choices: prefer templates that spell words out over fillers and free text. */
const SKIP_COST = 0.02;
const WILDCARD_COST = 0.1;
const BEAM = 400;
const ARTICLES = new Set(["the", "my", "our", "a", "an"]);
const PERCENT_WORDS: Record<string, number> = { half: 50, quarter: 25 };

export class Searcher {
  readonly main: Automaton;
  readonly listAutos: Array<Automaton | null>;
  /** For every main node, the accept (sentence) it belongs to. */
  private readonly nodeAccept: Int32Array;
  private readonly skipByFirst = new Map<string, string[][]>();

  constructor(readonly graph: MatcherGraph) {
    this.main = new Automaton(graph.nodes);
    this.listAutos = graph.lists.map((l) => (l.kind === "values" ? new Automaton(l.nodes) : null));
    this.nodeAccept = new Int32Array(graph.nodes.length).fill(-1);
    graph.accepts.forEach((a, i) => this.nodeAccept.fill(i, a.first, a.last + 1));
    for (const phrase of graph.skip) {
      const arr = this.skipByFirst.get(phrase[0]!) ?? [];
      arr.push(phrase);
      this.skipByFirst.set(phrase[0]!, arr);
    }
  }

  private sentenceWords: Array<Set<string>> | undefined;

  /** Tolerant search only explores the sentences sharing the most words with the input: without this,
   *  dropping any first word of any sentence would fan out over the whole grammar. */
  candidateStarts(tokens: string[], limit = 64): number[] {
    this.sentenceWords ??= this.graph.accepts.map((a) => {
      const words = new Set<string>();
      for (let n = a.first; n <= a.last; n++) for (const w of Object.keys(this.graph.nodes[n]!.w ?? {})) words.add(w);
      return words;
    });
    const distinct = [...new Set(tokens)];
    const scored: Array<[number, number]> = [];
    this.sentenceWords.forEach((words, i) => {
      let overlap = 0;
      for (const t of distinct) if (words.has(t)) overlap++;
      if (overlap > 0) scored.push([overlap / Math.max(1, words.size) + overlap, i]);
    });
    scored.sort((a, b) => b[0] - a[0] || a[1] - b[1]);
    return scored.slice(0, limit).map(([, i]) => this.graph.accepts[i]!.first);
  }

  /** All complete parses of the tokens, cheapest first. */
  search(tokens: string[], fuzzy: boolean, maxCost = Infinity, starts: number[] = [0]): Parse[] {
    const n = tokens.length;
    const agendas: Array<Map<string, State>> = [];
    for (let i = 0; i <= n; i++) agendas.push(new Map());
    const finals: Parse[] = [];
    let work: State[] = [];
    let pos = 0;

    const push = (st: State, at: number): void => {
      if (st.cost > maxCost || at > n) return;
      const key =
        st.kind === 0 ? `m${st.node}` : st.kind === 1 ? `l${st.list}:${st.node}:${st.ret}:${st.slot}:${st.multi?.length ?? 0}` : `w${st.ret}:${st.slot}:${st.start}`;
      const agenda = agendas[at]!;
      const old = agenda.get(key);
      if (old && old.cost <= st.cost + 1e-9) return;
      agenda.set(key, st);
      if (at === pos) work.push(st);
    };
    const main = (node: number, cost: number, caps: Capture | null): State => ({
      kind: 0, node, list: -1, ret: -1, slot: "", start: -1, multi: null, cost, caps,
    });

    for (const s of starts) push(main(s, 0, null), 0);
    for (pos = 0; pos <= n; pos++) {
      const agenda = agendas[pos]!;
      let states = [...agenda.values()];
      if (fuzzy && states.length > BEAM) {
        states.sort((a, b) => a.cost - b.cost);
        states = states.slice(0, BEAM);
      }
      work = states;
      const tok = pos < n ? tokens[pos]! : undefined;
      const subCache = new Map<string, number>();
      const sub = (w: string): number => {
        if (tok === undefined || w === tok) return Infinity;
        let c = subCache.get(w);
        if (c === undefined) subCache.set(w, (c = substituteCost(w, tok)));
        return c;
      };
      while (work.length) {
        const st = work.pop()!;
        if (agendas[pos]!.get(this.key(st)) !== st) continue; // superseded by a cheaper twin

        // Fillers may stand anywhere; an extra word costs something in tolerant mode.
        if (tok !== undefined) {
          for (const phrase of this.skipByFirst.get(tok) ?? [])
            if (phrase.every((w, k) => tokens[pos + k] === w)) push({ ...st, cost: st.cost + SKIP_COST }, pos + phrase.length);
          if (fuzzy) push({ ...st, cost: st.cost + insertCost(tok) }, pos + 1);
        }

        if (st.kind === 0) {
          const idx = this.main.at(st.node);
          if (tok === undefined) for (const a of idx.accepts) finals.push({ accept: a, captures: st.caps, cost: st.cost });
          if (tok !== undefined) for (const t of idx.words.get(tok) ?? []) push(main(t, st.cost, st.caps), pos + 1);
          for (const arc of idx.slots) {
            const list = this.graph.lists[arc.list]!;
            if (list.kind === "values") {
              push({ kind: 1, node: 0, list: arc.list, ret: arc.to, slot: arc.slot, start: pos, multi: null, cost: st.cost, caps: st.caps }, pos);
            } else if (tok !== undefined && list.kind === "range") {
              const v = rangeValue(list, tok);
              if (v !== undefined) push(main(arc.to, st.cost, capture(st.caps, arc.slot, v, pos, pos + 1)), pos + 1);
              // "21 and a half" for ranges with halves
              const half = list.fractions === "halves" && tokens[pos + 1] === "and" && (tokens[pos + 2] === "a" || tokens[pos + 2] === "one") && tokens[pos + 3] === "half";
              const hv = half ? rangeValue(list, String(Number(tok) + 0.5)) : undefined;
              if (hv !== undefined) push(main(arc.to, st.cost, capture(st.caps, arc.slot, hv, pos, pos + 4)), pos + 4);
            } else if (tok !== undefined && list.kind === "wildcard" && !fuzzy) {
              // Free text only where the template's words are all there: with edits allowed a wildcard
              // swallows anything ("lift the shutters in this room" as "play lift the shutters").
              push({ kind: 2, node: -1, list: arc.list, ret: arc.to, slot: arc.slot, start: pos, multi: null, cost: st.cost + WILDCARD_COST, caps: st.caps }, pos + 1);
            }
          }
          if (fuzzy)
            for (const [w, targets] of idx.words) {
              const del = deleteCost(w);
              const sc = sub(w);
              for (const t of targets) {
                push(main(t, st.cost + del, st.caps), pos);
                if (sc < Infinity) push(main(t, st.cost + sc, st.caps), pos + 1);
              }
            }
        } else if (st.kind === 1) {
          const list = this.graph.lists[st.list] as Extract<CompiledList, { kind: "values" }>;
          const idx = this.listAutos[st.list]!.at(st.node);
          const accept = this.graph.accepts[this.nodeAccept[st.ret]!];
          for (const a of idx.accepts) {
            const value = list.values[a]!;
            if (accept && !contextAllows(accept.requires, accept.excludes, st.slot, value.out, value.context)) continue;
            const values = st.multi ? [...st.multi, value.out] : null;
            push(main(st.ret, st.cost, capture(st.caps, st.slot, values ?? value.out, st.start, pos)), pos);
            if (list.multiple && tok === "and") {
              const more = { ...st, node: 0, multi: values ?? [value.out] };
              push(more, pos + 1);
              if (ARTICLES.has(tokens[pos + 1] ?? "")) push(more, pos + 2);
            }
          }
          if (tok !== undefined) for (const t of idx.words.get(tok) ?? []) push({ ...st, node: t }, pos + 1);
          if (fuzzy)
            for (const [w, targets] of idx.words) {
              const del = deleteCost(w);
              const sc = sub(w);
              for (const t of targets) {
                push({ ...st, node: t, cost: st.cost + del }, pos);
                if (sc < Infinity) push({ ...st, node: t, cost: st.cost + sc }, pos + 1);
              }
            }
        } else {
          const list = this.graph.lists[st.list] as Extract<CompiledList, { kind: "wildcard" }>;
          const text = tokens.slice(st.start, pos).join(" ");
          push(main(st.ret, st.cost, { ...capture(st.caps, st.slot, text, st.start, pos), free: true }), pos);
          if (tok !== undefined && pos - st.start < list.maxWords) push({ ...st, cost: st.cost + WILDCARD_COST }, pos + 1);
        }
      }
    }
    // Ties: a parse naming a device beats one reading the same words as area + kind ("the bedroom lamp"),
    // as hassil prefers; then the earlier sentence.
    finals.sort((a, b) => a.cost - b.cost || namesDevice(b.captures) - namesDevice(a.captures) || a.accept - b.accept);
    return finals;
  }

  private key(st: State): string {
    return st.kind === 0 ? `m${st.node}` : st.kind === 1 ? `l${st.list}:${st.node}:${st.ret}:${st.slot}:${st.multi?.length ?? 0}` : `w${st.ret}:${st.slot}:${st.start}`;
  }
}

function namesDevice(c: Capture | null): number {
  for (; c; c = c.prev) if (c.slot === "name") return 1;
  return 0;
}

function capture(prev: Capture | null, slot: string, value: SlotValue | SlotValue[], start: number, end: number): Capture {
  return { slot, value, start, end, prev };
}

/** A number token (or "half" in a percentage) inside the range, scaled by its multiplier. */
export function rangeValue(list: Extract<CompiledList, { kind: "range" }>, tok: string): number | undefined {
  let v = parseNumberToken(tok);
  if (v === undefined && list.type === "percentage") v = PERCENT_WORDS[tok];
  if (v === undefined || v < list.from || v > list.to) return undefined;
  if (!Number.isInteger(v)) {
    const scale = list.fractions === "halves" ? 2 : list.fractions === "tenths" ? 10 : 0;
    if (!scale || !Number.isInteger(Math.round(v * scale * 1e6) / 1e6)) return undefined;
  } else if (list.step !== 1 && Math.abs(((v - list.from) / list.step) % 1) > 1e-9) return undefined;
  return list.multiplier ? v * list.multiplier : v;
}
