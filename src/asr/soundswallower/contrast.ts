// Contrast decoding: the same front-end audio decoded again, against a small grammar made of the
// hypothesis and its competitors (competitors.ts), to learn how well the best competitor fits
// compared with the hypothesis.
//
// A decoder of its own, in its own soundswallower instance: the main decoder is never touched (its
// results stay byte-identical), and its large lextree is not rebuilt per utterance. This decoder has
// no grammar until the first utterance; each utterance gets a fresh FSG through the C API
// (fsg_model_init/…/decoder_set_fsg), whose lextree of a few hundred nodes builds in well under a ms.
// Transitions carry no language probability (log 1): paths compete on their acoustics (word
// insertion and filler penalties aside, which the caller subtracts).
import { hypScore } from "./hypScore.js";

/** What the contrast decoder needs of a soundswallower instance (soundswallower 0.6.3 exports). */
export interface ContrastModule {
  Decoder: new (config: Record<string, string | number | boolean>) => ContrastSsDecoder;
  HEAP32: Int32Array;
  HEAPU8: Uint8Array;
  _malloc(n: number): number;
  _free(p: number): void;
  _decoder_hyp(d: number, outScore: number): number;
  _decoder_logmath(d: number): number;
  _fsg_model_init(name: number, logmath: number, lw: number, nState: number): number;
  _fsg_model_word_add(fsg: number, word: number): number;
  _fsg_model_trans_add(fsg: number, from: number, to: number, logp: number, wid: number): void;
  _fsg_model_null_trans_add(fsg: number, from: number, to: number, logp: number): number;
  _fsg_set_states(fsg: number, start: number, final: number): void;
  _fsg_model_free(fsg: number): void;
  _decoder_set_fsg(d: number, fsg: number): number;
}

export interface ContrastSsDecoder {
  cdecoder: number;
  get_config(key: string): string | number | boolean | null;
  initialize(): Promise<unknown>;
  start(): void;
  stop(): void;
  process_audio(pcm: Float32Array, noSearch?: boolean, fullUtt?: boolean): number;
  get_text(): string;
  get_alignment(opts?: { start?: number; align_level?: number }): { w?: Array<{ t: string; b: number; d: number }> };
  delete(): void;
}

/** A path of the contrast decode: its words (alternate pronunciations folded), path score and segmentation. */
export interface ContrastPath {
  words: string[];
  /** The decoder's path score (log base 1.0001 >> 10), with no grammar probability in it. */
  score: number;
  /** Words of the path as the decoder wrote them (alternates "the(2)", fillers "<sil>", "[NOISE]"). */
  segs: Array<{ t: string; b: number; d: number }>;
}

/**
 * Why one search for all: PocketSphinx normalizes each frame's senone scores by the best *active*
 * senone, so a path's score depends on everything else the grammar keeps active. The hypothesis
 * decoded alone and its competitors decoded alone are on different scales (measured: the same
 * sentence scores ≈ −5,200 alone and ≈ −7,500 inside the whole coffee grammar). Here the hypothesis
 * is a chain of its own and the competitors a word trie, side by side in one FSG, every sentence
 * ending in a state of its own; after the search the FSG's final state is pointed at each end in
 * turn and the best path into it is read back: one search, a score for every sentence that stayed
 * within the beams (an N-best list over exactly these sentences).
 */
export class ContrastDecoder {
  private constructor(
    private ss: ContrastModule | undefined,
    private decoder: ContrastSsDecoder | undefined,
    private readonly lw: number,
    /** Start-up time, ms (0 when restored from a snapshot). */
    readonly initMs: number,
  ) {}

  /**
   * A decoder with the main decoder's acoustic model and settings and a dictionary of every word
   * of the grammar (plain words: competitors are written without compound words).
   */
  static async create(ss: ContrastModule, config: Record<string, string | number | boolean>): Promise<ContrastDecoder> {
    const t0 = performance.now();
    const { fsg: _fsg, jsgf: _jsgf, ...rest } = config;
    const d = new ss.Decoder(rest);
    try {
      await d.initialize();
    } catch (err) {
      d.delete();
      throw new Error(`contrast decoder failed to start: ${err instanceof Error ? err.message : String(err)}`);
    }
    const lw = Number(d.get_config("lw"));
    return new ContrastDecoder(ss, d, Number.isFinite(lw) && lw > 0 ? lw : 6.5, performance.now() - t0);
  }

  /**
   * Decode `audio` (16 kHz, the samples the main decoder saw) against the hypothesis and its
   * competitors at once. `hypothesis`: the best path through the hypothesis' own words;
   * `competitors[i]`: the best path through competitor i, undefined when it fell out of the beams
   * (it fit far worse than the best path). Alternate pronunciations (`alternates`: word →
   * "word(2)" …) are parallel arcs. Undefined when there is nothing to decode.
   */
  contrast(
    audio: Float32Array,
    hypothesis: readonly string[],
    competitors: ReadonlyArray<readonly string[]>,
    alternates: ReadonlyMap<string, readonly string[]>,
  ): { hypothesis: ContrastPath | undefined; competitors: Array<ContrastPath | undefined> } | undefined {
    const ss = this.ss;
    const d = this.decoder;
    if (!ss || !d) throw new Error("the contrast decoder was closed");
    if (!hypothesis.length || audio.length < 1600) return undefined;
    const g = this.setGrammar(ss, d, hypothesis, competitors, alternates);
    if (!g) return undefined;
    d.start();
    d.process_audio(audio, false, true);
    d.stop();
    // The FSG belongs to the search now, which lives until the next setGrammar: pointing its final
    // state elsewhere only changes which history entries the read-back takes as final. A sentence
    // with no path into its end reads back as some other partial path: not its own words, so none.
    const read = (end: number, words: readonly string[]): ContrastPath | undefined => {
      ss._fsg_set_states(g.fsg, 0, end);
      const p = this.path(ss, d);
      return p && p.words.join(" ") === words.join(" ") ? p : undefined;
    };
    return { hypothesis: read(g.endH, hypothesis), competitors: competitors.map((c, i) => read(g.ends[i]!, c)) };
  }

  /**
   * The contrast decoder restored from a snapshot into `ss` at address `ptr` (snapshot.ts), checked
   * against its configuration; undefined when it does not read back as built for `config`.
   */
  static restored(ss: ContrastModule, ptr: number, config: Record<string, string | number | boolean>): ContrastDecoder | undefined {
    const d = Object.create(ss.Decoder.prototype) as ContrastSsDecoder & { initialized: boolean };
    d.cdecoder = ptr;
    d.initialized = true;
    try {
      if (d.get_config("dict") !== config.dict || Number(d.get_config("samprate")) !== Number(config.samprate) || Number(d.get_config("ds")) !== Number(config.ds ?? 1)) return undefined;
      const lw = Number(d.get_config("lw"));
      return new ContrastDecoder(ss, d, Number.isFinite(lw) && lw > 0 ? lw : 6.5, 0);
    } catch {
      return undefined; // unreadable: build instead
    }
  }

  /** The C decoder's address (for a snapshot of a freshly built decoder). */
  get cdecoder(): number {
    if (!this.decoder) throw new Error("the contrast decoder was closed");
    return this.decoder.cdecoder;
  }

  close(): void {
    this.decoder?.delete();
    this.decoder = undefined;
    this.ss = undefined;
  }

  private path(ss: ContrastModule, d: ContrastSsDecoder): ContrastPath | undefined {
    const raw = d.get_text().split(/\s+/).filter(Boolean);
    if (!raw.length) return undefined;
    const score = hypScore(ss, d.cdecoder);
    let segs: ContrastPath["segs"] = [];
    try {
      segs = d.get_alignment().w ?? [];
    } catch {
      // no segmentation: callers count no fillers
    }
    return { words: raw.map((w) => w.replace(/\(\d+\)$/, "")), score, segs };
  }

  /**
   * Replace the decoder's search: from the start state, the hypothesis as a chain of its own states
   * into `endH`, and the competitors as a word trie (shared beginnings) with an end state per
   * sentence. No grammar probabilities (log 1 everywhere).
   */
  private setGrammar(
    ss: ContrastModule,
    d: ContrastSsDecoder,
    hypothesis: readonly string[],
    competitors: ReadonlyArray<readonly string[]>,
    alternates: ReadonlyMap<string, readonly string[]>,
  ): { fsg: number; endH: number; ends: number[] } | undefined {
    const t = wordTrie(competitors);
    // States: 0 start; the trie's 1..t.states-1 (its 0 is ours); the hypothesis chain; its end; one end per competitor.
    const chain0 = t.states;
    const endH = chain0 + hypothesis.length - 1;
    const ends = competitors.map((_, i) => endH + 1 + i);
    const name = cString(ss, "contrast");
    const fsg = ss._fsg_model_init(name, ss._decoder_logmath(d.cdecoder), this.lw, endH + 1 + competitors.length);
    ss._free(name);
    if (!fsg) return undefined;
    const wids = new Map<string, number>();
    const wid = (w: string): number => {
      let id = wids.get(w);
      if (id === undefined) {
        const p = cString(ss, w);
        id = ss._fsg_model_word_add(fsg, p);
        ss._free(p);
        wids.set(w, id);
      }
      return id;
    };
    const arc = (from: number, w: string, to: number): void => {
      for (const v of [w, ...(alternates.get(w) ?? [])]) ss._fsg_model_trans_add(fsg, from, to, 0, wid(v));
    };
    for (const [from, w, to] of t.arcs) arc(from, w, to);
    t.end.forEach((s, i) => ss._fsg_model_null_trans_add(fsg, s, ends[i]!, 0));
    hypothesis.forEach((w, i) => arc(i === 0 ? 0 : chain0 + i - 1, w, i === hypothesis.length - 1 ? endH : chain0 + i));
    ss._fsg_set_states(fsg, 0, endH);
    // On success the new search owns the FSG (soundswallower 0.6.3's fsg_search_init takes it
    // without a reference of its own, as decoder_init_grammar relies on) and frees it with the search.
    if (ss._decoder_set_fsg(d.cdecoder, fsg) >= 0) return { fsg, endH, ends };
    ss._fsg_model_free(fsg);
    return undefined;
  }
}

function cString(ss: Pick<ContrastModule, "_malloc" | "HEAPU8">, s: string): number {
  const bytes = Buffer.from(s, "utf8");
  const p = ss._malloc(bytes.length + 1);
  ss.HEAPU8.set(bytes, p);
  ss.HEAPU8[p + bytes.length] = 0;
  return p;
}

/**
 * The sentences as a word trie: state 0 the root, shared beginnings shared, `end[i]` the state where
 * sentence i ends (distinct per distinct sentence; it may have arcs onward when a longer sentence
 * continues it). Shared endings are not merged: every sentence keeps a path of its own to be scored.
 */
export function wordTrie(sentences: ReadonlyArray<readonly string[]>): { states: number; arcs: Array<[number, string, number]>; end: number[] } {
  const next: Array<Map<string, number>> = [new Map()];
  const arcs: Array<[number, string, number]> = [];
  const end = sentences.map((s) => {
    let q = 0;
    for (const w of s) {
      let t = next[q]!.get(w);
      if (t === undefined) {
        t = next.length;
        next.push(new Map());
        next[q]!.set(w, t);
        arcs.push([q, w, t]);
      }
      q = t;
    }
    return q;
  });
  return { states: next.length, arcs, end };
}
