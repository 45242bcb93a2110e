/** Audio produced by a synthesizer: mono float32 in [-1, 1] at the voice's own rate. */
export interface SynthesizedAudio {
  samples: Float32Array;
  sampleRate: number;
}

/** Text in, speech out. Implementations: flite (default, WASM), espeak-ng (text2wav), sherpa-onnx OfflineTts. */
export interface Synthesizer {
  /** Voice spec that selects this synthesizer again, e.g. "flite:slt". */
  readonly voice: string;
  /** Empty or whitespace-only text gives empty audio. */
  synthesize(text: string): Promise<SynthesizedAudio>;
  /** Release resources (temp files, native handles). Safe to call more than once. */
  close(): void;
}

/** A synthesizer could not be created or failed on a text: one-line reason. */
export class SynthesisError extends Error {
  override name = "SynthesisError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message.split("\n")[0], options);
  }
}

/** Strip control characters and collapse whitespace; engines choke on neither, but logs stay readable. */
export function cleanText(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f]+/g, " ").replace(/\s+/g, " ").trim();
}
