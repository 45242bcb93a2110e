// Neural voices through sherpa-onnx-node's OfflineTts when the user supplies model files:
//   piper  — a Piper/VITS voice converted for sherpa-onnx: MODEL.onnx + tokens.txt + espeak-ng-data/
//   kokoro — a Kokoro bundle: model.onnx + voices.bin + tokens.txt + espeak-ng-data/ (+ lexicon)
//   matcha — acoustic model + vocoder + tokens.txt + espeak-ng-data/
// Every file is checked before the native addon sees it: a missing file becomes one clear line.
import { existsSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { basename, dirname, join } from "node:path";
import type { OfflineTts, OfflineTtsConfig } from "sherpa-onnx-node";
import { cleanText, SynthesisError, type SynthesizedAudio, type Synthesizer } from "./types.js";

export type SherpaVoiceKind = "piper" | "kokoro" | "matcha";

export interface SherpaTtsOptions {
  kind: SherpaVoiceKind;
  /** piper: the .onnx file (or its folder); kokoro: model.onnx or its folder; matcha: the acoustic model. */
  model: string;
  tokens?: string;
  dataDir?: string;
  /** kokoro: voices.bin */
  voices?: string;
  /** matcha: vocoder .onnx */
  vocoder?: string;
  lexicon?: string;
  /** Speaker id for multi-speaker voices (default 0). */
  speaker?: number;
  /** Speaking rate (default 1). */
  rate?: number;
  numThreads?: number;
}

function fileOr(dir: string, name: string, given?: string): string {
  return given ?? join(dir, name);
}

/** The config sherpa-onnx needs, with every path filled in; lists missing files instead of guessing. */
export function buildSherpaTtsConfig(opts: SherpaTtsOptions): { config: OfflineTtsConfig; missing: string[] } {
  let modelFile = opts.model;
  // A folder (or, when nothing is there yet, any path not ending in .onnx) names the voice bundle.
  const isDir = existsSync(modelFile) ? statSync(modelFile).isDirectory() : !/\.onnx$/i.test(modelFile);
  const dir = isDir ? modelFile : dirname(modelFile);
  if (isDir) modelFile = join(dir, opts.kind === "piper" ? `${basename(dir)}.onnx` : "model.onnx");
  const tokens = fileOr(dir, "tokens.txt", opts.tokens);
  const dataDir = fileOr(dir, "espeak-ng-data", opts.dataDir);
  const common = { numThreads: opts.numThreads ?? 1, debug: 0, provider: "cpu" };
  const lengthScale = 1 / (opts.rate ?? 1);
  let config: OfflineTtsConfig;
  let required: string[];
  switch (opts.kind) {
    case "piper":
      config = { model: { vits: { model: modelFile, tokens, dataDir, lengthScale }, ...common }, maxNumSentences: 1 };
      required = [modelFile, tokens, dataDir];
      break;
    case "kokoro": {
      const voices = fileOr(dir, "voices.bin", opts.voices);
      config = {
        model: { kokoro: { model: modelFile, voices, tokens, dataDir, lengthScale, ...(opts.lexicon ? { lexicon: opts.lexicon } : {}) }, ...common },
        maxNumSentences: 1,
      };
      required = [modelFile, voices, tokens, dataDir, ...(opts.lexicon ? [opts.lexicon] : [])];
      break;
    }
    case "matcha": {
      const vocoder = opts.vocoder ?? join(dir, "vocos-22khz-univ.onnx");
      config = {
        model: { matcha: { acousticModel: modelFile, vocoder, tokens, dataDir, lengthScale, ...(opts.lexicon ? { lexicon: opts.lexicon } : {}) }, ...common },
        maxNumSentences: 1,
      };
      required = [modelFile, vocoder, tokens, dataDir];
      break;
    }
    default:
      throw new SynthesisError(`unknown sherpa-onnx voice kind "${String((opts as { kind: unknown }).kind)}"`);
  }
  return { config, missing: required.filter((f) => !existsSync(f)) };
}

export class SherpaSynthesizer implements Synthesizer {
  readonly voice: string;
  private tts: Promise<OfflineTts> | undefined;
  private readonly config: OfflineTtsConfig;
  private readonly speaker: number;

  constructor(private readonly opts: SherpaTtsOptions) {
    const { config, missing } = buildSherpaTtsConfig(opts);
    if (missing.length) {
      throw new SynthesisError(`${opts.kind} voice unavailable: missing ${missing.join(", ")} (see docs/audio.md for where voice files go)`);
    }
    this.config = config;
    this.speaker = opts.speaker ?? 0;
    this.voice = `${opts.kind}:${opts.model}`;
  }

  private engine(): Promise<OfflineTts> {
    this.tts ??= (async () => {
      const require = createRequire(import.meta.url);
      let sherpa: typeof import("sherpa-onnx-node");
      try {
        sherpa = require("sherpa-onnx-node") as typeof import("sherpa-onnx-node");
      } catch (err) {
        throw new SynthesisError(`cannot load sherpa-onnx-node: ${(err as Error).message}`, { cause: err });
      }
      try {
        return await sherpa.OfflineTts.createAsync(this.config);
      } catch (err) {
        throw new SynthesisError(`${this.opts.kind} voice failed to load: ${(err as Error).message}`, { cause: err });
      }
    })();
    return this.tts;
  }

  async synthesize(text: string): Promise<SynthesizedAudio> {
    const clean = cleanText(text);
    const tts = await this.engine();
    if (!clean) return { samples: new Float32Array(0), sampleRate: tts.sampleRate };
    if (this.speaker < 0 || (tts.numSpeakers > 0 && this.speaker >= tts.numSpeakers)) {
      throw new SynthesisError(`speaker ${this.speaker} outside 0..${tts.numSpeakers - 1}`);
    }
    const audio = await tts.generateAsync({ text: clean, sid: this.speaker, speed: 1, enableExternalBuffer: false });
    return { samples: audio.samples, sampleRate: audio.sampleRate };
  }

  close(): void {
    this.tts = undefined;
  }
}
