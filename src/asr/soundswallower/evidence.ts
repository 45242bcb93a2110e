// Evidence for one accepted hypothesis: how much better it fits the audio than the best nearby
// sentence of the grammar that would be understood differently (the "competitor"), measured by a
// contrast decode of the same front-end audio (contrast.ts) over competitors (competitors.ts).
//
// Steps per utterance:
//   1. sentences a small edit away from the hypothesis (DFA walk), ranked by how alike the edited
//      words sound (phone edit distance: the confusable ones first);
//   2. keep the first `maxCompetitors` whose understanding (intent, slots) differs from the
//      hypothesis' (paraphrases such as "can i get" / "can i have" are dropped);
//   3. decode the audio against exactly those; margin = hypothesis' acoustic score − competitor's,
//      both with the language part (grammar probabilities, word insertion and filler penalties) removed.
import type { AsrEvidence } from "../types.js";
import type { WordDfa } from "../fsg.js";
import { nearbySentences, type CompetitorOptions } from "./competitors.js";
import type { ContrastDecoder } from "./contrast.js";

/** A reading of a sentence: a key that is equal exactly when two sentences mean the same, and its parts. */
export interface Reading {
  key: string;
  intents: ReadonlyArray<{ intent: string; slots: Readonly<Record<string, unknown>> }>;
}

/** Sentence → its reading (undefined: not understood). */
export type ReadingOf = (text: string) => Reading | undefined;

export interface EvidenceOptions extends CompetitorOptions {
  /** Competitors with a different reading decoded per utterance (default 48, the most confusable first). */
  maxCompetitors?: number;
  /** Readings checked per utterance at most (default 3 × maxCompetitors): bounds the understanding cost. */
  maxReadings?: number;
  /** Decode only where the competitors differ, with a word of context (default true; needs word times). */
  window?: boolean;
  /** Audio kept around that stretch, s (default 0.15). */
  windowPadSeconds?: number;
  /** PocketSphinx settings for the contrast decoder only (e.g. {"ds": 2}); applied after the main decoder's. */
  decoderConfig?: Record<string, string | number | boolean>;
}

/** Decoder penalties that are not acoustics (PocketSphinx configuration values). */
export interface Penalties {
  lw: number;
  wip: number;
  silprob: number;
  fillprob: number;
}

/** Log-probability units of the decoder's path scores: log base 1.0001, shifted right by 10 bits. */
const SCORE_UNIT_NATS = 1024 / 10000.5;

export class EvidenceEngine {
  private readonly readings = new Map<string, Reading | undefined>();

  constructor(
    private readonly contrast: ContrastDecoder,
    private readonly dfa: WordDfa,
    private readonly prons: ReadonlyMap<string, readonly string[]>,
    private readonly alternates: ReadonlyMap<string, readonly string[]>,
    private readonly readingOf: ReadingOf,
    private readonly penalties: Penalties,
    private readonly opts: EvidenceOptions = {},
  ) {}

  /**
   * Evidence for the hypothesis `words` decoded from `audio`. With `times` (each word's [start, end]
   * in seconds of `audio`, from the main decode), only the stretch where the competitors differ is
   * decoded again, with one word of context on each side.
   */
  compute(audio: Float32Array, hyp: { words: string[]; times?: ReadonlyArray<readonly [number, number]> }): AsrEvidence {
    const t0 = performance.now();
    const own_ = this.reading(hyp.words.join(" "));
    const ranked = this.ranked(hyp.words);
    const maxCompetitors = this.opts.maxCompetitors ?? 48;
    let budget = this.opts.maxReadings ?? 3 * maxCompetitors;
    const picked: Array<{ words: string[]; reading: Reading | undefined }> = [];
    for (const c of ranked) {
      if (picked.length >= maxCompetitors || budget-- <= 0) break;
      const r = this.reading(c.join(" "));
      if (!r) continue; // not understood at all: nothing to ask back with
      if (own_ && r.key === own_.key) continue; // a paraphrase
      picked.push({ words: c, reading: r });
    }
    const done = (e: Omit<AsrEvidence, "ms">): AsrEvidence => ({ ...e, ms: round(performance.now() - t0, 2) });
    const w = this.opts.window === false ? undefined : contrastWindow(hyp.words, picked.map((p) => p.words), hyp.times, audio.length / 16000, this.opts.windowPadSeconds ?? 0.15);
    const clip = w ? audio.subarray(Math.floor(w.start * 16000), Math.ceil(w.end * 16000)) : audio;
    const cut = (ws: readonly string[]): string[] => (w ? ws.slice(w.from, ws.length - (hyp.words.length - w.to)) : [...ws]);
    const c = this.contrast.contrast(clip, cut(hyp.words), picked.map((p) => cut(p.words)), this.alternates);
    if (!c?.hypothesis) return done({ competitors: picked.length });
    const frames = Math.max(1, clip.length / 160);
    const own = c.hypothesis.score - this.contrastLanguage(c.hypothesis);
    if (!c.competitor) return done({ competitors: picked.length, ...(picked.length ? { beyondBeam: true } : {}) });
    const winner = picked.find((p) => cut(p.words).join(" ") === c.competitor!.words.join(" "));
    const text = winner ? winner.words.join(" ") : c.competitor.words.join(" ");
    const other = c.competitor.score - this.contrastLanguage(c.competitor);
    return done({
      competitors: picked.length,
      margin: round((own - other) / frames, 3),
      marginTotal: round(own - other, 1),
      competitor: text,
      ...(own_ && winner?.reading ? { differsIn: differences(own_, winner.reading) } : {}),
    });
  }

  close(): void {
    this.contrast.close();
  }

  private contrastLanguage(p: { words: string[]; segs: Array<{ t: string }> }): number {
    const { lw, wip, silprob, fillprob } = this.penalties;
    const nSil = p.segs.filter((g) => g.t === "<sil>").length;
    const nNoise = p.segs.filter((g) => /^\[(NOISE|SPEECH)\]$/.test(g.t)).length;
    return (lw * (p.words.length * Math.log(wip) + nSil * Math.log(silprob) + nNoise * Math.log(fillprob))) / SCORE_UNIT_NATS;
  }

  private reading(text: string): Reading | undefined {
    if (this.readings.has(text)) return this.readings.get(text);
    const r = this.readingOf(text);
    // Bounded: the same commands recur, the rest is forgotten oldest first.
    if (this.readings.size >= 20000) this.readings.delete(this.readings.keys().next().value as string);
    this.readings.set(text, r);
    return r;
  }

  /** Nearby sentences, most confusable first: phone edit distance of the edited words, then fewer words edited. */
  private ranked(words: string[]): string[][] {
    const near = nearbySentences(this.dfa, words, { maxSpan: 4, maxInsert: 4, maxEdit: 6, maxSentences: 4000, ...this.opts }) ?? [];
    const phones = (ws: readonly string[]): string[] => ws.flatMap((w) => (this.prons.get(w)?.[0] ?? w).split(" "));
    const scored = near.map((c) => {
      let p = 0;
      while (p < c.length && p < words.length && c[p] === words[p]) p++;
      let s = 0;
      while (s < c.length - p && s < words.length - p && c[c.length - 1 - s] === words[words.length - 1 - s]) s++;
      const a = words.slice(p, words.length - s);
      const b = c.slice(p, c.length - s);
      return { c, d: editDistance(phones(a), phones(b)), n: a.length + b.length };
    });
    scored.sort((x, y) => x.d - y.d || x.n - y.n);
    return scored.map((x) => x.c);
  }
}

/**
 * The stretch of the hypothesis that any competitor changes, widened by one word on each side: word
 * range [from, to) of the hypothesis and its time span (seconds, padded, within [0, duration]).
 * Every competitor shares the hypothesis' words before `from` and after `to`. Undefined without
 * word times.
 */
export function contrastWindow(
  words: readonly string[],
  competitors: ReadonlyArray<readonly string[]>,
  times: ReadonlyArray<readonly [number, number]> | undefined,
  duration: number,
  pad: number,
): { from: number; to: number; start: number; end: number } | undefined {
  const n = words.length;
  if (!times || times.length !== n || !competitors.length) return undefined;
  let a = n;
  let b = 0;
  for (const c of competitors) {
    let p = 0;
    while (p < c.length && p < n && c[p] === words[p]) p++;
    let s = 0;
    while (s < c.length - p && s < n - p && c[c.length - 1 - s] === words[n - 1 - s]) s++;
    a = Math.min(a, p);
    b = Math.max(b, n - s);
  }
  const from = Math.max(0, a - 1);
  const to = Math.min(n, Math.max(b, a) + 1);
  const start = from === 0 ? 0 : Math.max(0, times[from]![0] - pad);
  const end = to === n ? duration : Math.min(duration, times[to - 1]![1] + pad);
  return { from, to, start, end };
}

/** What `b` understands differently from `a`: "intent" or the names of slots whose values differ. */
export function differences(a: Reading, b: Reading): string[] {
  const out = new Set<string>();
  const n = Math.max(a.intents.length, b.intents.length);
  for (let i = 0; i < n; i++) {
    const x = a.intents[i], y = b.intents[i];
    if (!x || !y || x.intent !== y.intent) {
      out.add("intent");
      continue;
    }
    for (const k of new Set([...Object.keys(x.slots), ...Object.keys(y.slots)])) if (JSON.stringify(x.slots[k]) !== JSON.stringify(y.slots[k])) out.add(k);
  }
  return [...out];
}

function editDistance(a: readonly string[], b: readonly string[]): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}

const round = (x: number, d: number): number => Math.round(x * 10 ** d) / 10 ** d;
