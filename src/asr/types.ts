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
  /**
   * How sure the engine is of what the text *means*, for accepted results (grammar ASR; see
   * docs/asr.md "Evidence"). Absent when the engine computes none or it was turned off.
   */
  evidence?: AsrEvidence;
}

/**
 * Evidence for an accepted hypothesis. Score units are the decoder's: log base 1.0001 shifted right
 * by 10 bits, ≈ 0.1 nat. "Competitor": the grammar sentence near the hypothesis (one span of words
 * replaced, dropped or added) whose understanding differs (another intent or slot value) and that
 * fits the audio best; a paraphrase with the same understanding is never a competitor.
 */
export interface AsrEvidence {
  /**
   * Acoustic margin of the hypothesis over the competitor, score units per 10 ms frame of the decoded
   * audio, language part (grammar probabilities, word insertion and filler penalties) removed. Large:
   * the audio clearly says the hypothesis; near 0 or negative: the competitor fits (nearly) as well
   * and lost on the grammar's probabilities. Absent when no competitor was found.
   */
  margin?: number;
  /** The same margin summed over the utterance (score units): grows with the length of what differs, not of the utterance. */
  marginTotal?: number;
  /**
   * The competitor's words, for asking back ("did you say … or …?"). With `beyondBeam`, the competitor
   * that sounds nearest (phone edit distance), since none was left to measure.
   */
  competitor?: string;
  /** What the competitor understands differently: "intent" and/or the names of the slots whose values differ. */
  differsIn?: string[];
  /**
   * Margin per slot (and "intent"): for each that some competitor changes, the margin (score units
   * per frame) to the best competitor changing it — which slot of the command is in doubt. From the
   * best competitor per edited stretch of words (≤ 16 checked); a slot missing here had no
   * competitor left in the search.
   */
  slots?: Record<string, number>;
  /** How many competitors were decoded (0: none in the grammar near the hypothesis). */
  competitors: number;
  /** Every competitor fell out of the decoder's beams: all fit far worse than the hypothesis (margin beyond measure). */
  beyondBeam?: boolean;
  /** The front end's SNR estimate of the input, dB (absent without a VAD). */
  snrDb?: number;
  /** Longest stretch of VAD speech the hypothesis left to silence/noise fillers, s. */
  unexplainedSeconds?: number;
  /** Mean acoustic score of the hypothesis per frame (as detail.score.acoustic). */
  acoustic?: number;
  /**
   * P(the understanding is right), 0..1: a logistic function of the evidence above, fitted on half of
   * the s2i-dev recordings (docs/asr.md). Absent when the margin is.
   */
  score?: number;
  /** Time spent on the evidence (competitors, understanding, contrast decode), ms; included in the result's `ms`. */
  ms: number;
}

export type SentenceEnding = "none" | "open" | "number" | "closed";

/** What the caller knows about the streamed audio that the engine cannot see in it alone. */
export interface StreamContext {
  /** SNR estimate of the input around the utterance, dB (the live endpointer's). */
  snrDb?: number;
  /** Speech runs the VAD found, seconds from the first sample given to the stream. */
  speech?: Array<[number, number]>;
}

/** Incremental decoding: feed audio as it arrives, read partial text, finish at end of speech. */
export interface RecognizerStream {
  accept(samples16k: Float32Array): void;
  /** Best hypothesis so far ("" if none). */
  partial(): string;
  /**
   * Where the best hypothesis so far stands in the grammar (grammar engines; absent where the engine
   * cannot tell): "none" = not a whole sentence; "open" = a whole sentence that can go on with more
   * content ("set the volume to thirty" … "five"); "closed" = a whole sentence after which only what
   * may follow any sentence (fillers, "please", a new request) can come; "number" = a whole sentence
   * ending in a number that can go on only with the number itself ("twenty" … "two", "point five",
   * "and a half") or its unit ("degrees", "percent"), which follow fluently, not after a pause. The
   * live endpointer waits the short silence after "closed", a slightly longer one after "number", a
   * medium one after "open", the long one otherwise.
   */
  ending?(): SentenceEnding;
  finish(context?: StreamContext): Promise<RecognitionResult>;
  /** Drop the utterance without a result (the caller decodes it another way). */
  abort?(): void;
}

export interface RecognizeOptions {
  /**
   * The audio around a segment cut by an endpointer (the segment inside it): where the front end measures
   * the noise. A segment cut at the VAD's edges has no quiet of its own, and its fading edges read as noise.
   */
  around?: Float32Array;
}

export interface Recognizer {
  readonly engine: string;
  /** Time it took to get ready (model load, grammar compile), ms. */
  readonly initMs: number;
  /** Decode one utterance (a whole file or one VAD segment). */
  recognize(samples16k: Float32Array, options?: RecognizeOptions): Promise<RecognitionResult>;
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
