// Evidence for one accepted hypothesis: how much better it fits the audio than the best nearby
// sentence of the grammar that would be understood differently (the "competitor"), measured by a
// contrast decode of the same front-end audio (contrast.ts) over competitors (competitors.ts).
//
// Steps per utterance:
//   1. sentences a small edit away from the hypothesis (DFA walk), ranked by how alike the edited
//      words sound (phone edit distance: the confusable ones first);
//   2. keep the first `maxCompetitors` whose understanding (intent, slots) differs from the
//      hypothesis' (paraphrases such as "can i get" / "can i have" are dropped): an edit of a value
//      word ("soy" → "skim") counts as different at once, any other is checked with the matcher;
//   3. decode the stretch of audio where they differ against the hypothesis and those competitors
//      in one search that scores each of them (contrast.ts); margin = hypothesis' acoustic score −
//      a competitor's, both without word insertion and filler penalties (the contrast grammar has
//      no probabilities);
//   4. the best-scoring competitor whose understanding differs (checked now, for the value-word
//      ones) gives the margin; per slot, the best one changing that slot.
import type { AsrEvidence } from "../types.js";
import type { WordDfa } from "../../compile/fsg.js";
import { applyEdit, nearbyEdits, type CompetitorOptions } from "./competitors.js";
import type { ContrastDecoder } from "./contrast.js";

/** A reading of a sentence: a key that is equal exactly when two sentences mean the same, and its parts. */
export interface Reading {
  key: string;
  intents: ReadonlyArray<{ intent: string; slots: Readonly<Record<string, unknown>> }>;
}

/** Sentence → its reading (undefined: not understood). */
export type ReadingOf = (text: string) => Reading | undefined;

/** How readings are judged: the reading of a sentence, and (optionally) words whose edit always changes the reading. */
export interface Understanding {
  readingOf: ReadingOf;
  valueWords?: ReadonlySet<string>;
}

export interface EvidenceOptions extends CompetitorOptions {
  /** Competitors with a different reading decoded per utterance (default 48, the most confusable first). */
  maxCompetitors?: number;
  /** Readings checked per utterance at most (default 3 × maxCompetitors): bounds the understanding cost. */
  maxReadings?: number;
  /** Readings checked per utterance, past the best competitor's, for the per-slot margins (default 16). */
  maxSlotReadings?: number;
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
    private readonly understanding: Understanding,
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
    const H = hyp.words;
    const ownReading = this.reading(H.join(" "));
    const valueWords = this.understanding.valueWords;
    const maxCompetitors = this.opts.maxCompetitors ?? 48;
    let budget = this.opts.maxReadings ?? 3 * maxCompetitors;
    const picked: Candidate[] = [];
    for (const c of this.ranked(H)) {
      if (picked.length >= maxCompetitors || budget <= 0) break;
      if (valueWords && c.changed.some((w) => valueWords.has(w))) {
        picked.push(c);
        continue;
      }
      budget--;
      const r = this.reading(c.text);
      if (r && !(ownReading && r.key === ownReading.key)) picked.push(c); // unknown or paraphrase: no use for asking back
    }
    const done = (e: Omit<AsrEvidence, "ms">): AsrEvidence => ({ ...e, ms: round(performance.now() - t0, 2) });
    const count = picked.length;
    const w = this.opts.window === false ? undefined : contrastWindow(H, picked.map((p) => p.words), hyp.times, audio.length / 16000, this.opts.windowPadSeconds ?? 0.15);
    const clip = w ? audio.subarray(Math.floor(w.start * 16000), Math.ceil(w.end * 16000)) : audio;
    const cut = (ws: readonly string[]): string[] => (w ? ws.slice(w.from, ws.length - (H.length - w.to)) : [...ws]);
    const c = this.contrast.contrast(clip, cut(H), picked.map((p) => cut(p.words)), this.alternates);
    if (!c?.hypothesis) return done({ competitors: count });
    const frames = Math.max(1, clip.length / 160);
    const own = c.hypothesis.score - this.penalty(c.hypothesis);
    // Competitors that stayed in the search, best first: margins from the hypothesis' acoustic score.
    const scored = picked
      .map((p, i) => ({ p, path: c.competitors[i] }))
      .filter((x): x is { p: Candidate; path: NonNullable<typeof x.path> } => !!x.path)
      .map((x) => ({ p: x.p, margin: own - (x.path.score - this.penalty(x.path)) }))
      .sort((a, b) => a.margin - b.margin);
    // The best one understood differently (a value word swapped for a synonym is not), and per slot
    // the best one changing it: past the first, one reading per edited stretch of the hypothesis
    // (competitors editing the same words change the same slot), at most `maxSlotReadings`.
    let best: { p: Candidate; margin: number; r: Reading } | undefined;
    const perSlot: Record<string, number> = {};
    const spans = new Set<string>();
    let extra = this.opts.maxSlotReadings ?? 16;
    for (const x of scored) {
      if (best && extra <= 0) break;
      if (best && (spans.has(x.p.span) || extra-- <= 0)) continue;
      const r = this.reading(x.p.text);
      if (!r || (ownReading && r.key === ownReading.key)) continue;
      spans.add(x.p.span);
      best ??= { ...x, r };
      if (ownReading) for (const k of differences(ownReading, r)) if (!(k in perSlot)) perSlot[k] = round(x.margin / frames, 3);
    }
    if (!best) {
      // Every competitor fell far behind: name the one that sounds nearest, for asking back all the same.
      for (const p of picked) {
        const r = this.reading(p.text);
        if (r && !(ownReading && r.key === ownReading.key)) return done({ competitors: count, beyondBeam: true, competitor: p.text, ...(ownReading ? { differsIn: differences(ownReading, r) } : {}) });
      }
      // None of them means something else after all (value words swapped for synonyms): as if none were near.
      return done({ competitors: 0 });
    }
    return done({
      competitors: count,
      margin: round(best.margin / frames, 3),
      marginTotal: round(best.margin, 1),
      competitor: best.p.text,
      ...(ownReading ? { differsIn: differences(ownReading, best.r), slots: perSlot } : {}),
    });
  }

  close(): void {
    this.contrast.close();
  }

  /** The non-acoustic part of a contrast path's score: word insertion and filler penalties (score units). */
  private penalty(p: { words: string[]; segs: Array<{ t: string }> }): number {
    const { lw, wip, silprob, fillprob } = this.penalties;
    const nSil = p.segs.filter((g) => g.t === "<sil>").length;
    const nNoise = p.segs.filter((g) => /^\[(NOISE|SPEECH)\]$/.test(g.t)).length;
    return (lw * (p.words.length * Math.log(wip) + nSil * Math.log(silprob) + nNoise * Math.log(fillprob))) / SCORE_UNIT_NATS;
  }

  private reading(text: string): Reading | undefined {
    if (this.readings.has(text)) return this.readings.get(text);
    const r = this.understanding.readingOf(text);
    // Bounded: the same commands recur, the rest is forgotten oldest first.
    if (this.readings.size >= 20000) this.readings.delete(this.readings.keys().next().value as string);
    this.readings.set(text, r);
    return r;
  }

  /** Nearby sentences, most confusable first: phone edit distance of the edited words, then fewer words edited. */
  private *ranked(words: string[]): Generator<Candidate> {
    const edits = nearbyEdits(this.dfa, words, { maxSpan: 4, maxInsert: 4, maxEdit: 5, maxSentences: 2000, ...this.opts }) ?? [];
    // The same edit recurs at several places of the sentence: its distance is computed once.
    const distances = new Map<string, number>();
    const scored = edits.map((e) => {
      const removed = words.slice(e.from, e.to);
      const key = `${removed.join(" ")} → ${e.insert.join(" ")}`;
      let d = distances.get(key);
      if (d === undefined) distances.set(key, (d = editDistance(this.phonesOf(removed), this.phonesOf(e.insert))));
      return { e, key, d, n: removed.length + e.insert.length };
    });
    scored.sort((x, y) => x.d - y.d || x.n - y.n);
    const seen = new Set<string>([words.join(" ")]);
    // Sentences are built lazily: the caller reads only the first few dozen.
    for (const x of scored) {
      const c = applyEdit(words, x.e);
      const k = c.join(" ");
      if (seen.has(k)) continue;
      seen.add(k);
      yield { words: c, text: k, span: `${x.e.from}-${x.e.to}`, changed: changedWords(words.slice(x.e.from, x.e.to), x.e.insert) };
    }
  }

  private readonly phoneIds = new Map<string, number>();
  private readonly wordPhones = new Map<string, number[]>();

  /** The words' primary pronunciations as one sequence of phone ids. */
  private phonesOf(ws: readonly string[]): number[] {
    const out: number[] = [];
    for (const w of ws) {
      let ph = this.wordPhones.get(w);
      if (!ph) {
        ph = (this.prons.get(w)?.[0] ?? w).split(" ").map((x) => this.phoneIds.get(x) ?? (this.phoneIds.set(x, this.phoneIds.size), this.phoneIds.size - 1));
        this.wordPhones.set(w, ph);
      }
      out.push(...ph);
    }
    return out;
  }
}

/** A competitor candidate: its words, where it edits the hypothesis and the words that edit adds or drops. */
interface Candidate {
  words: string[];
  text: string;
  /** The hypothesis' words it replaces, "from-to". */
  span: string;
  changed: string[];
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
  let from = Math.max(0, a - 1);
  let to = Math.min(n, Math.max(b, a) + 1);
  // Parts of one compound word ("warm+is") share its span: the window takes all of it or none.
  const same = (i: number, j: number): boolean => times[i]![0] === times[j]![0] && times[i]![1] === times[j]![1];
  while (from > 0 && same(from - 1, from)) from--;
  while (to < n && same(to, to - 1)) to++;
  const start = from === 0 ? 0 : Math.max(0, times[from]![0] - pad);
  const end = to === n ? duration : Math.min(duration, times[to - 1]![1] + pad);
  return { from, to, start, end };
}

/** Words removed or added by an edit, as multisets: "nursery" → "the nursery hmm" changes "the" and "hmm" only. */
function changedWords(removed: readonly string[], inserted: readonly string[]): string[] {
  const count = new Map<string, number>();
  for (const w of removed) count.set(w, (count.get(w) ?? 0) + 1);
  for (const w of inserted) count.set(w, (count.get(w) ?? 0) - 1);
  return [...count].filter(([, n]) => n !== 0).map(([w]) => w);
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

function editDistance(a: readonly number[], b: readonly number[]): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}

const round = (x: number, d: number): number => Math.round(x * 10 ** d) / 10 ** d;
