// sherpa-onnx-node ASR engines (open-vocabulary; the matcher then maps text to intents):
//   - "zipformer": streaming transducer (OnlineRecognizer), partial results while audio arrives;
//   - "transducer", "whisper", "moonshine", "sense-voice", "paraformer": OfflineRecognizer per utterance.
// Contextual biasing: transducer models get the grammar's slot values as hotwords (modified beam
// search; only when the model folder has its bpe.vocab, which tokenizes them). Model files are the user's (nothing can be
// downloaded here): they come from the config (`model: {kind, dir}`), or models/manifest.yaml `asr:`
// entries (src/asr/manifest.ts), and are checked before the native addon is touched.
import { existsSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import type { Grammar } from "../grammar/types.js";
import { RecognizerUnavailableError, type RecognitionResult, type Recognizer, type RecognizerConfig, type RecognizerStream } from "./types.js";

export const SHERPA_KINDS = ["zipformer", "transducer", "whisper", "moonshine", "sense-voice", "paraformer"] as const;
export type SherpaKind = (typeof SHERPA_KINDS)[number];

export interface SherpaModelSpec {
  kind: SherpaKind;
  /** Folder holding the model files (names found by the usual sherpa-onnx release patterns). */
  dir?: string;
  /** Explicit files by role (encoder, decoder, joiner, tokens, model, preprocessor, uncachedDecoder, cachedDecoder, bpeVocab). */
  files?: Record<string, string>;
  /** Prefer *.int8.onnx files when both exist (default true: faster on CPU). */
  int8?: boolean;
  /** whisper / sense-voice language (default "en"). */
  language?: string;
}

export interface SherpaAsrOptions {
  model: SherpaModelSpec;
  grammar?: Grammar;
  /** Bias towards the grammar's slot values (transducers only; default true). */
  hotwords?: boolean;
  hotwordsScore?: number;
  numThreads?: number;
}

/** Roles each kind needs (beyond tokens.txt), with file-name patterns in release folders. */
const ROLES: Record<SherpaKind, Array<[role: string, pattern: RegExp]>> = {
  zipformer: [["encoder", /^encoder.*\.onnx$/], ["decoder", /^decoder.*\.onnx$/], ["joiner", /^joiner.*\.onnx$/]],
  transducer: [["encoder", /^encoder.*\.onnx$/], ["decoder", /^decoder.*\.onnx$/], ["joiner", /^joiner.*\.onnx$/]],
  whisper: [["encoder", /encoder.*\.onnx$/], ["decoder", /decoder.*\.onnx$/]],
  moonshine: [["preprocessor", /^preprocess.*\.onnx$/], ["encoder", /^encode.*\.onnx$/], ["uncachedDecoder", /^uncached_decode.*\.onnx$/], ["cachedDecoder", /^cached_decode.*\.onnx$/]],
  "sense-voice": [["model", /^model.*\.onnx$/]],
  paraformer: [["model", /^model.*\.onnx$/]],
};

function pick(names: string[], re: RegExp, int8: boolean): string | undefined {
  const hits = names.filter((n) => re.test(n)).sort();
  const q = hits.filter((n) => /int8/.test(n));
  const f = hits.filter((n) => !/int8/.test(n));
  return (int8 ? (q[0] ?? f[0]) : (f[0] ?? q[0]));
}

/** Resolve every file the model needs; `missing` lists what is not there (one entry per role). */
export function resolveSherpaFiles(spec: SherpaModelSpec): { files: Record<string, string>; missing: string[] } {
  if (!SHERPA_KINDS.includes(spec.kind)) throw new RecognizerUnavailableError(`unknown sherpa model kind "${spec.kind}" (known: ${SHERPA_KINDS.join(", ")})`);
  const names = spec.dir && existsSync(spec.dir) ? readdirSync(spec.dir) : [];
  const files: Record<string, string> = {};
  const missing: string[] = [];
  const want: Array<[string, RegExp]> = [...ROLES[spec.kind], ["tokens", /tokens\.txt$/]];
  for (const [role, re] of want) {
    const explicit = spec.files?.[role];
    const found = explicit ?? (spec.dir ? pick(names, re, spec.int8 ?? true) : undefined);
    const path = found && (explicit ? explicit : join(spec.dir!, found));
    if (path && existsSync(path)) files[role] = path;
    else missing.push(`${role} (${explicit ?? (spec.dir ? `${re.source} in ${spec.dir}` : "no dir given")})`);
  }
  const bpe = spec.files?.bpeVocab ?? (spec.dir && names.includes("bpe.vocab") ? join(spec.dir, "bpe.vocab") : undefined);
  if (bpe && existsSync(bpe)) files.bpeVocab = bpe;
  return { files, missing };
}

/** Spoken forms of the grammar's list values (device names, drinks, …): the hotwords. */
export function grammarHotwords(grammar: Grammar | undefined, max = 2000): string[] {
  if (!grammar) return [];
  const out = new Set<string>();
  for (const list of grammar.lists.values()) {
    if (list.kind !== "values") continue;
    for (const v of list.values) {
      const t = v.inText.toLowerCase().replace(/[()[\]{}|<>]/g, " ").replace(/\s+/g, " ").trim();
      if (t && /^[a-z' ]+$/.test(t) && out.size < max) out.add(t);
    }
  }
  return [...out];
}

/** The sherpa-onnx recognizer configuration for a spec (pure; exported for tests). */
export function buildSherpaAsrConfig(opts: SherpaAsrOptions, files: Record<string, string>): { online: boolean; config: Record<string, unknown>; hotwords?: string } {
  const k = opts.model.kind;
  const threads = opts.numThreads ?? 1;
  // Hotwords need the model's bpe.vocab to be tokenized (English zipformer releases ship it); without it, no biasing.
  const hot = opts.hotwords !== false && (k === "zipformer" || k === "transducer") && files.bpeVocab ? grammarHotwords(opts.grammar) : [];
  const hotwords = hot.length ? hot.map((h) => h.toUpperCase()).join("\n") : undefined;
  const featConfig = { sampleRate: 16000, featureDim: 80 };
  const biasing = hotwords
    ? { decodingMethod: "modified_beam_search", maxActivePaths: 4, hotwordsScore: opts.hotwordsScore ?? 1.5 }
    : { decodingMethod: "greedy_search" };
  if (k === "zipformer") {
    return {
      online: true,
      hotwords,
      config: {
        featConfig,
        modelConfig: { transducer: { encoder: files.encoder, decoder: files.decoder, joiner: files.joiner }, tokens: files.tokens, numThreads: threads, provider: "cpu", debug: 0, ...(hotwords && files.bpeVocab ? { modelingUnit: "bpe", bpeVocab: files.bpeVocab } : {}) },
        ...biasing,
        enableEndpoint: 1,
        rule1MinTrailingSilence: 2.4,
        rule2MinTrailingSilence: 0.8,
        rule3MinUtteranceLength: 20,
      },
    };
  }
  const lang = opts.model.language ?? "en";
  const model: Record<string, unknown> =
    k === "transducer"
      ? { transducer: { encoder: files.encoder, decoder: files.decoder, joiner: files.joiner } }
      : k === "whisper"
        ? { whisper: { encoder: files.encoder, decoder: files.decoder, language: lang, task: "transcribe" } }
        : k === "moonshine"
          ? { moonshine: { preprocessor: files.preprocessor, encoder: files.encoder, uncachedDecoder: files.uncachedDecoder, cachedDecoder: files.cachedDecoder } }
          : k === "sense-voice"
            ? { senseVoice: { model: files.model, language: lang, useInverseTextNormalization: 1 } }
            : { paraformer: { model: files.model } };
  return {
    online: false,
    hotwords,
    config: { featConfig, modelConfig: { ...model, tokens: files.tokens, numThreads: threads, provider: "cpu", debug: 0, ...(hotwords && files.bpeVocab ? { modelingUnit: "bpe", bpeVocab: files.bpeVocab } : {}) }, ...biasing },
  };
}

interface SherpaStream {
  acceptWaveform(w: { samples: Float32Array; sampleRate: number }): void;
  inputFinished?(): void;
}
interface SherpaOffline {
  createStream(hotwords?: string): SherpaStream;
  decode(s: SherpaStream): void;
  getResult(s: SherpaStream): { text: string };
}
interface SherpaOnline {
  createStream(): SherpaStream;
  isReady(s: SherpaStream): boolean;
  decode(s: SherpaStream): void;
  getResult(s: SherpaStream): { text: string };
}

/** Lower-case words only (models differ in case and punctuation). */
export function normalizeTranscript(t: string): string {
  return t.toLowerCase().replace(/[^a-z0-9' ]+/g, " ").replace(/\s+/g, " ").trim();
}

export class SherpaRecognizer implements Recognizer {
  readonly engine: string;
  private constructor(
    private readonly kind: SherpaKind,
    private readonly online: SherpaOnline | undefined,
    private readonly offline: SherpaOffline | undefined,
    private readonly hotwords: string | undefined,
    readonly initMs: number,
  ) {
    this.engine = `sherpa:${kind}`;
  }

  static create(opts: SherpaAsrOptions): SherpaRecognizer {
    const t0 = performance.now();
    const { files, missing } = resolveSherpaFiles(opts.model);
    if (missing.length)
      throw new RecognizerUnavailableError(`sherpa ${opts.model.kind} model files missing: ${missing.join("; ")} (install a sherpa-onnx ${opts.model.kind} model and point models/manifest.yaml asr.${opts.model.kind}.dir at it)`);
    const { online, config, hotwords } = buildSherpaAsrConfig(opts, files);
    let sherpa: { OnlineRecognizer: new (c: unknown) => SherpaOnline; OfflineRecognizer: new (c: unknown) => SherpaOffline };
    try {
      sherpa = createRequire(import.meta.url)("sherpa-onnx-node") as typeof sherpa;
    } catch (err) {
      throw new RecognizerUnavailableError(`cannot load sherpa-onnx-node: ${(err as Error).message.split("\n")[0]}`);
    }
    try {
      if (online) return new SherpaRecognizer(opts.model.kind, new sherpa.OnlineRecognizer(config), undefined, hotwords, performance.now() - t0);
      return new SherpaRecognizer(opts.model.kind, undefined, new sherpa.OfflineRecognizer(config), hotwords, performance.now() - t0);
    } catch (err) {
      throw new RecognizerUnavailableError(`sherpa ${opts.model.kind} model failed to load: ${(err as Error).message.split("\n")[0]}`);
    }
  }

  async recognize(samples16k: Float32Array): Promise<RecognitionResult> {
    const t0 = performance.now();
    if (this.online) {
      const s = this.stream();
      s.accept(samples16k);
      const r = await s.finish();
      return { ...r, ms: performance.now() - t0 };
    }
    const rec = this.offline!;
    const stream = this.hotwords ? rec.createStream(this.hotwords) : rec.createStream();
    stream.acceptWaveform({ samples: samples16k, sampleRate: 16000 });
    rec.decode(stream);
    const text = normalizeTranscript(rec.getResult(stream).text);
    return this.result(text, t0);
  }

  stream(): RecognizerStream {
    const rec = this.online;
    if (!rec) throw new Error(`${this.engine} has no streaming mode (use sherpa:zipformer)`);
    const t0 = performance.now();
    const s = rec.createStream();
    const drain = (): void => {
      while (rec.isReady(s)) rec.decode(s);
    };
    return {
      accept: (chunk) => {
        s.acceptWaveform({ samples: chunk, sampleRate: 16000 });
        drain();
      },
      partial: () => normalizeTranscript(rec.getResult(s).text),
      finish: async () => {
        s.acceptWaveform({ samples: new Float32Array(8000), sampleRate: 16000 }); // tail padding flushes the last frames
        s.inputFinished?.();
        drain();
        return this.result(normalizeTranscript(rec.getResult(s).text), t0);
      },
    };
  }

  private result(text: string, t0: number): RecognitionResult {
    const ms = performance.now() - t0;
    return text ? { text, confidence: 1, ms, detail: { kind: this.kind } } : { text: "", confidence: 0, ms, rejected: true, reason: "empty" };
  }

  close(): void {
    // The addon frees native memory when the objects are collected.
  }
}

/** Registry factory: config.model ({kind, dir, files}) or, by default, models/manifest.yaml's asr entry for `config.kind`. */
export async function createSherpaRecognizer(config: RecognizerConfig): Promise<Recognizer> {
  let model = config.model as SherpaModelSpec | undefined;
  if (!model) {
    const { asrManifestEntry } = await import("./manifest.js");
    const kind = (config.kind as SherpaKind | undefined) ?? "zipformer";
    const entry = asrManifestEntry(`sherpa-${kind}`);
    if (!entry?.dir && !entry?.files)
      throw new RecognizerUnavailableError(`no sherpa ${kind} model configured: install one and add asr: {sherpa-${kind}: {dir: …}} to models/manifest.yaml`);
    model = { kind, ...(entry.dir ? { dir: entry.dir } : {}), ...(entry.files ? { files: entry.files } : {}), ...(entry.language ? { language: entry.language } : {}) };
  }
  return SherpaRecognizer.create({ model, ...(config.grammar ? { grammar: config.grammar } : {}), ...(config.hotwords === false ? { hotwords: false } : {}) });
}
