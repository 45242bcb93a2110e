// Wake phrase spotting ("hey hark") with no model of its own: the ASR's acoustic model and a decoder
// of its own whose grammar (FSG) lets every utterance be either anything (a free loop of phones) or
// the wake phrase with anything after it. A free phone loop fits any audio at least as
// well as the phrase's fixed phones, so the phrase wins only where the audio is close to it and the
// loop pays its per-phone price over the phrase's stretch: that price is the sensitivity.
//
// It implements the Recognizer seam, so the live listener (src/run/listen.ts) endpoints and streams
// it like any grammar: a detection is a result whose text is the phrase, with where it ended.
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { RecognitionResult, Recognizer, RecognizerStream, SentenceEnding } from "../asr/types.js";
import { GARBAGE_WORDS, newSoundSwallower, type SsDecoder } from "../asr/soundswallower/index.js";
import { Denoiser } from "../audio/denoise.js";
import { DEFAULT_DENOISE_BELOW_DB, DEFAULT_DRY } from "../asr/frontend.js";
import { DEFAULT_WAKE_SENSITIVITY, phonePrice } from "./sensitivity.js";
import { cacheDir, findEnUs16k, hash, loadDictionary, restrictDictionary } from "../asr/soundswallower/model.js";

export interface SpotterOptions {
  /** The wake phrase, words the dictionary knows or can guess (default "hey hark"). */
  phrase?: string;
  /**
   * 0..1 (default DEFAULT_WAKE_SENSITIVITY): higher wakes on less clear audio, and falsely more
   * often. Sets the price the phone loop pays per phone (sensitivity.ts `phonePrice`).
   */
  sensitivity?: number;
  /** Model folder (as the grammar ASR's `modelDir`). */
  modelDir?: string;
  cacheDir?: string;
}

/** Where in an utterance the phrase was heard, seconds from the utterance's first sample. */
export interface WakeDetail {
  wakeStart: number;
  wakeEnd: number;
  /** Seconds of words (phones) the spotter heard after the phrase: a request said in the same breath. */
  after: number;
}

/** Shortest time per phone of the phrase, s (fast speech runs ≈ 70–90 ms a phone). */
const MIN_PHONE_SECONDS = 0.06;

const FILLER = /^(<sil>|<s>|<\/s>|\[NOISE\]|\[SPEECH\])$/;

/**
 * The spotter's FSG text: W L* | L+, where L is one phone at `phoneP` and W the phrase's words in a
 * row. The phrase must open the utterance (silence and noise before it are the decoder's fillers):
 * people say it first, after a pause, and a phrase allowed anywhere woke on the middle of ordinary
 * sentences ("the sun heats the oceans": 16 false wakes in half an hour, docs/benchmarks.md).
 */
export function wakeFsg(words: readonly string[], phoneP: number): string {
  // 0 start · 1 the loop of an utterance without the phrase · 2..(2+n−1) after each phrase word · A loop after · F final.
  const n = words.length;
  const A = 2 + n;
  const F = A + 1;
  const p = (x: number): string => (x === 1 ? "1" : x.toPrecision(6));
  const lines = [`FSG_BEGIN wake`, `NUM_STATES ${F + 1}`, `START_STATE 0`, `FINAL_STATE ${F}`];
  const phones = GARBAGE_WORDS.map(([w]) => w);
  for (const w of phones) lines.push(`TRANSITION 0 1 ${p(phoneP)} ${w}`, `TRANSITION 1 1 ${p(phoneP)} ${w}`);
  lines.push(`TRANSITION 1 ${F} 1`);
  // The phrase only from the start.
  lines.push(`TRANSITION 0 2 1 ${words[0]}`);
  for (let i = 1; i < n; i++) lines.push(`TRANSITION ${1 + i} ${2 + i} 1 ${words[i]}`);
  const end = 1 + n;
  lines.push(`TRANSITION ${end} ${F} 1`);
  for (const w of phones) lines.push(`TRANSITION ${end} ${A} ${p(phoneP)} ${w}`, `TRANSITION ${A} ${A} ${p(phoneP)} ${w}`);
  lines.push(`TRANSITION ${A} ${F} 1`, "FSG_END", "");
  return lines.join("\n");
}

export class WakeSpotter implements Recognizer {
  readonly engine = "wake";
  private constructor(
    private decoder: SsDecoder | undefined,
    readonly initMs: number,
    /** The phrase's words as the decoder writes them. */
    readonly words: readonly string[],
    /** Shortest the phrase may take, s: a stretch shorter than natural speech allows is a near miss of the loop. */
    private readonly minSeconds: number,
    private readonly make: () => Promise<SsDecoder>,
  ) {}

  /** Faults inside the decoder survived (the utterance was dropped, the decoder made again). */
  faults = 0;

  get phrase(): string {
    return this.words.join(" ");
  }

  static async create(o: SpotterOptions = {}): Promise<WakeSpotter> {
    const t0 = performance.now();
    const words = (o.phrase ?? "hey hark").toLowerCase().replace(/[^a-z' ]+/g, " ").split(/\s+/).filter(Boolean);
    if (!words.length) throw new Error("the wake phrase has no words");
    const model = findEnUs16k(o.modelDir, o.cacheDir ?? cacheDir());
    const fsg = wakeFsg(words, phonePrice(o.sensitivity ?? DEFAULT_WAKE_SENSITIVITY));
    const dict = restrictDictionary(loadDictionary(model.dict), [...new Set(words)], GARBAGE_WORDS);
    // Alternative pronunciations as arcs: the phrase's words get every entry ("hey(2)" …).
    const withAlts = dict.alternates.size ? addAlternates(fsg, dict.alternates) : fsg;
    const dir = join(o.cacheDir ?? cacheDir(), "wake");
    const key = hash(withAlts + dict.text).slice(0, 16);
    const fsgPath = join(dir, `${key}.fsg`);
    const dictPath = join(dir, `${key}.dict`);
    if (!existsSync(fsgPath) || !existsSync(dictPath)) {
      mkdirSync(dir, { recursive: true });
      writeFileSync(dictPath, dict.text);
      writeFileSync(fsgPath, withAlts);
    }
    const config = {
      hmm: model.dir,
      featparams: model.featParams,
      dict: dictPath,
      fdict: model.fdict,
      fsg: fsgPath,
      samprate: model.sampleRate,
      beam: 1e-60,
      wbeam: 1e-40,
      pbeam: 1e-60,
      fsgusealtpron: false,
    };
    // A soundswallower instance of its own; made again after a fault inside it.
    const make = async (): Promise<SsDecoder> => {
      const ss = await newSoundSwallower();
      const decoder = new ss.Decoder(config);
      try {
        await decoder.initialize();
      } catch (err) {
        decoder.delete();
        throw new Error(`the wake spotter failed to start: ${err instanceof Error ? err.message : String(err)}`);
      }
      return decoder;
    };
    const decoder = await make();
    const phones = words.reduce((n, w) => n + (dict.prons.get(w)?.[0]?.split(/\s+/).length ?? 3), 0);
    return new WakeSpotter(decoder, performance.now() - t0, words, phones * MIN_PHONE_SECONDS, make);
  }

  /** Spot the phrase in one whole utterance. */
  async recognize(samples16k: Float32Array): Promise<RecognitionResult> {
    return samples16k.length ? this.spot(samples16k) : { text: "", confidence: 0, ms: 0, rejected: true, reason: "silence" };
  }

  /**
   * The phrase is looked for once the utterance has ended, on all of it at once (its own cepstral
   * mean: a running mean is still settling over a short phrase). So the stream only gathers audio,
   * and its ending is never "closed": the listener ends a wake utterance after its long silence, and
   * a request said straight after the phrase is part of the same utterance.
   */
  stream(): RecognizerStream {
    const chunks: Float32Array[] = [];
    return {
      accept: (chunk) => void chunks.push(chunk.slice()),
      partial: () => "",
      ending: (): SentenceEnding => "none",
      finish: async (ctx = {}) => {
        if (!chunks.length) return { text: "", confidence: 0, ms: 0, rejected: true, reason: "silence" };
        const all = new Float32Array(chunks.reduce((n, c) => n + c.length, 0));
        let off = 0;
        for (const c of chunks.splice(0)) (all.set(c, off), (off += c.length));
        return this.spot(all, ctx.snrDb);
      },
      abort: () => void (chunks.length = 0),
    };
  }

  /** Spot the phrase in one utterance; `snrDb`: the caller's SNR estimate (below 35 dB it is denoised first). */
  private async spot(input: Float32Array, snrDb?: number): Promise<RecognitionResult> {
    const t0 = performance.now();
    const ms = (): number => performance.now() - t0;
    const all = snrDb !== undefined && snrDb < DEFAULT_DENOISE_BELOW_DB ? await this.denoise(input) : input;
    const d = this.live();
    let r: string[];
    let segs: Array<{ t: string; b: number; d: number }> = [];
    try {
      d.start();
      d.process_audio(all, false, true);
      d.stop();
      r = d.get_text().split(/\s+/).filter(Boolean);
      if (this.heard(r) >= 0) segs = (d.get_alignment().w ?? []).filter((g) => !FILLER.test(g.t));
    } catch (err) {
      // A fault inside the WebAssembly decoder (seen once in hours of audio: an out-of-bounds access
      // in soundswallower) must not end listening: drop this utterance and start a fresh instance.
      this.faults++;
      const old = this.decoder;
      this.decoder = undefined;
      try {
        old?.delete();
      } catch {
        // its memory is in an unknown state; the instance goes with it
      }
      this.decoder = await this.make();
      return { text: "", confidence: 0, ms: ms(), rejected: true, reason: `spotter fault (${err instanceof Error ? err.message : String(err)})` };
    }
    if (this.heard(r) < 0) return { text: "", confidence: 0, ms: ms(), rejected: true, reason: "no wake phrase" };
    const i = segs.findIndex((_, k) => this.words.every((w, j) => segs[k + j]?.t.replace(/\(\d+\)$/, "") === w));
    const first = segs[i];
    const last = segs[i + this.words.length - 1];
    const afterSegs = i >= 0 ? segs.slice(i + this.words.length) : [];
    const after = afterSegs.length ? afterSegs[afterSegs.length - 1]!.b + afterSegs[afterSegs.length - 1]!.d - afterSegs[0]!.b : 0;
    const detail: WakeDetail = { wakeStart: first?.b ?? 0, wakeEnd: last ? last.b + last.d : 0, after: Math.round(after * 100) / 100 };
    if (first && detail.wakeEnd - detail.wakeStart < this.minSeconds) return { text: "", confidence: 0, ms: ms(), rejected: true, reason: "wake phrase too short", detail: { ...detail } };
    return { text: this.phrase, confidence: 1, ms: ms(), detail: { ...detail } };
  }

  /**
   * RNNoise over the utterance, 20 % of the original mixed back (as the ASR front end): in kitchen
   * noise at 12 dB it found 13 of 15 phrases against 8 of 15 without (docs/benchmarks.md "Wake word").
   */
  private async denoise(x: Float32Array): Promise<Float32Array> {
    this.denoiser ??= await Denoiser.create();
    this.denoiser.reset();
    const y = this.denoiser.denoise(x).samples;
    return y.map((v, i) => (1 - DEFAULT_DRY) * v + DEFAULT_DRY * x[i]!);
  }

  private denoiser: Denoiser | undefined;

  /** Index of the phrase in decoder words (fillers dropped), or −1. */
  private heard(raw: readonly string[]): number {
    const w = raw.filter((x) => !FILLER.test(x)).map((x) => x.replace(/\(\d+\)$/, ""));
    for (let i = 0; i + this.words.length <= w.length; i++) if (this.words.every((x, j) => w[i + j] === x)) return i;
    return -1;
  }

  close(): void {
    this.denoiser?.close();
    this.denoiser = undefined;
    this.decoder?.delete();
    this.decoder = undefined;
  }

  private live(): SsDecoder {
    if (!this.decoder) throw new Error("the wake spotter was closed");
    return this.decoder;
  }
}

/** Every arc on a word with alternative pronunciations repeated for each alternative. */
function addAlternates(fsg: string, alternates: ReadonlyMap<string, readonly string[]>): string {
  return fsg
    .split("\n")
    .flatMap((l) => {
      const m = /^TRANSITION (\d+) (\d+) (\S+) (\S+)$/.exec(l);
      const alts = m ? alternates.get(m[4]!) : undefined;
      return alts ? [l, ...alts.map((a) => `TRANSITION ${m![1]} ${m![2]} ${m![3]} ${a}`)] : [l];
    })
    .join("\n");
}

