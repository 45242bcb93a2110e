// What the Wyoming server asks of the assistant behind it, one method per Wyoming service. The server
// (server.ts) knows only this seam; hark.ts implements it on a running hark (HarkRuntime).
import type { HandleResult, Info, Recognized } from "./events.js";

export interface WyomingServices {
  /** The `info` answer to `describe`. */
  info(): Info;
  /** asr: 16 kHz mono audio → its words ("" when nothing in the grammar was heard). */
  transcribe(samples16k: Float32Array, o?: { language?: string }): Promise<{ text: string; language?: string }>;
  /**
   * asr, live: a transcription decoded as the audio arrives, when the recognizer can take one now;
   * undefined: transcribe the stream whole at audio-stop.
   */
  openTranscription?(): Promise<LiveTranscription | undefined>;
  /** intent: text → one intent with its entities, or not recognized with the reason. */
  recognize(text: string): Promise<Recognized>;
  /** handle: text → carried out (or asked back) with the spoken answer, or not handled with the reason. */
  handle(text: string): Promise<HandleResult>;
  /** tts: text → mono audio at the voice's own rate; `voice` is a voice name from `info`. */
  synthesize(text: string, voice?: string): Promise<{ samples: Float32Array; sampleRate: number }>;
  /** wake: absent when the assistant spots no wake phrase. */
  wake?: WakeService;
  /** Load and warm what the first request would otherwise wait for (the recognizer, the voice, the spotter). */
  warmUp?(): Promise<void>;
  /** Release what the services hold (not the assistant itself). */
  close(): Promise<void>;
}

export interface WakeService {
  /** The wake model's name in `info` (what `detect` names and `detection` reports). */
  readonly name: string;
  readonly phrase: string;
  /** A detector for one audio stream. */
  detector(): WakeDetector;
}

export interface WakeDetector {
  /** 16 kHz audio as it arrives → where the phrase ended, seconds from the stream's start, for each phrase heard. */
  accept(samples16k: Float32Array): Promise<number[]>;
  /** End of the stream: the phrases heard in what was still pending. */
  finish(): Promise<number[]>;
  close(): void;
}

export interface LiveTranscription {
  /** 16 kHz mono audio as it arrives. */
  accept(samples16k: Float32Array): Promise<void>;
  /** End of the audio: its words; undefined when the live decode was given up (the caller transcribes the stream whole). */
  finish(): Promise<{ text: string; language?: string } | undefined>;
  /** The stream ends without a transcript. */
  abort(): void;
}
