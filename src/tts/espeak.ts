// Optional voice: espeak-ng compiled to WebAssembly (npm `text2wav`, MIT wrapper; the espeak-ng
// program and voice data inside it are GPL-3). Used only when that package is installed; hark's
// default stays flite, which hark's own grammar ASR understands better.
import { createRequire } from "node:module";
import { decodeInterleaved, parseWavHeader } from "../audio/wav.js";
import { cleanText, SynthesisError, type SynthesizedAudio, type Synthesizer } from "./types.js";

export interface EspeakOptions {
  /** espeak-ng voice, e.g. "en-us", "en+f3" (default "en-us"). */
  voice?: string;
  /** Speaking rate: 1 = espeak's 175 words per minute. */
  rate?: number;
  /** Give up on one sentence after this many ms (text2wav never rejects on failure). */
  timeoutMs?: number;
  /** Module to load instead of "text2wav" (tests, vendored copies). */
  modulePath?: string;
}

type Text2Wav = (text: string, opts?: Record<string, string | number | boolean>) => Promise<Uint8Array>;

export function loadText2Wav(modulePath = "text2wav"): Text2Wav {
  const require = createRequire(import.meta.url);
  try {
    return require(modulePath) as Text2Wav;
  } catch {
    throw new SynthesisError("espeak voice unavailable: install the npm package text2wav (espeak-ng in WebAssembly, GPL-3 data)");
  }
}

/** text2wav's emscripten loader logs "wasm streaming compile failed … falling back" on every call under Node. */
function muteEmscriptenNoise(): () => void {
  const { warn, error } = console;
  const noisy = /wasm streaming compile failed|falling back to ArrayBuffer/;
  const filter =
    (f: (...a: unknown[]) => void) =>
    (...a: unknown[]) => {
      if (!noisy.test(String(a[0]))) f.apply(console, a);
    };
  console.warn = filter(warn);
  console.error = filter(error);
  return () => {
    console.warn = warn;
    console.error = error;
  };
}

export class EspeakSynthesizer implements Synthesizer {
  readonly voice: string;
  private readonly t2w: Text2Wav;
  private readonly espeakVoice: string;
  private readonly wpm: number;
  private readonly timeoutMs: number;

  constructor(opts: EspeakOptions = {}) {
    this.espeakVoice = opts.voice ?? "en-us";
    if (!/^[A-Za-z0-9_+\-/]+$/.test(this.espeakVoice)) throw new SynthesisError(`bad espeak voice name "${this.espeakVoice}"`);
    this.wpm = Math.round(175 * (opts.rate ?? 1));
    if (!(this.wpm >= 80 && this.wpm <= 500)) throw new SynthesisError(`speaking rate ${opts.rate} outside espeak's 80–500 wpm`);
    this.timeoutMs = opts.timeoutMs ?? 20_000;
    this.voice = `espeak:${this.espeakVoice}`;
    this.t2w = loadText2Wav(opts.modulePath);
  }

  async synthesize(text: string): Promise<SynthesizedAudio> {
    const clean = cleanText(text);
    if (!clean) return { samples: new Float32Array(0), sampleRate: 22050 };
    // A leading "-" would be read as an option by espeak's argument parser.
    const arg = clean.startsWith("-") ? ` ${clean}` : clean;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new SynthesisError(`espeak produced nothing within ${this.timeoutMs} ms`)), this.timeoutMs);
      timer.unref();
    });
    let bytes: Uint8Array;
    const restore = muteEmscriptenNoise();
    try {
      bytes = await Promise.race([this.t2w(arg, { voice: this.espeakVoice, speed: this.wpm }), timeout]);
    } catch (err) {
      if (err instanceof SynthesisError) throw err;
      throw new SynthesisError(`espeak failed: ${(err as Error).message}`, { cause: err });
    } finally {
      clearTimeout(timer);
      restore();
    }
    const header = parseWavHeader(bytes, "espeak output", true)!;
    const end = header.dataBytes === undefined ? bytes.length : Math.min(bytes.length, header.dataOffset + header.dataBytes);
    return { samples: decodeInterleaved(bytes.subarray(header.dataOffset, end), header.format), sampleRate: header.format.sampleRate };
  }

  close(): void {}
}
