// Speech recognition: 16 kHz mono Float32 samples in, text out.
// Engines register under a name (src/asr/index.ts); configuration picks one.
import type { Grammar } from "../grammar/types.js";

export interface RecognitionResult {
  /** Recognized words, lowercase, space-separated; "" when nothing (or nothing in-grammar) was heard. */
  text: string;
  /** 0..1; 0 when rejected. Grammar ASR reports how clearly the best path won, not a calibrated probability. */
  confidence: number;
  /** Wall-clock decoding time in milliseconds (trimming + decoding). */
  ms: number;
  /** The audio was judged out of grammar (noise, chatter) rather than forced onto a sentence. */
  rejected?: boolean;
  /** Why it was rejected: "garbage" (phone loop won), "empty" (no hypothesis), "silence" (nothing to decode). */
  reason?: string;
  /** Engine-specific extras (e.g. trimmed duration). */
  detail?: Record<string, unknown>;
}

/** Incremental decoding: feed audio as it arrives, read partial text, finish at end of speech. */
export interface RecognizerStream {
  accept(samples16k: Float32Array): void;
  /** Best hypothesis so far ("" if none). */
  partial(): string;
  finish(): Promise<RecognitionResult>;
}

export interface Recognizer {
  readonly engine: string;
  /** Time it took to get ready (model load, grammar compile), ms. */
  readonly initMs: number;
  /** Decode one utterance (a whole file or one VAD segment). */
  recognize(samples16k: Float32Array): Promise<RecognitionResult>;
  /** Streaming variant, where the engine supports it. */
  stream?(): RecognizerStream;
  /** Release native/WASM memory. */
  close(): void;
}

/** What every engine factory receives; engines read the keys they know. */
export interface RecognizerConfig {
  /** The active grammar (required by grammar engines, used for hotwords by others). */
  grammar?: Grammar;
  /** Engine-specific options. */
  [key: string]: unknown;
}

export type RecognizerFactory = (config: RecognizerConfig) => Promise<Recognizer>;

export class RecognizerUnavailableError extends Error {
  override name = "RecognizerUnavailableError";
}
