// Wyoming audio (rhasspy/wyoming audio.py): audio-start / audio-chunk carry {rate, width, channels}
// and raw little-endian PCM; hark hears 16 kHz mono float32. Any declared format within the limits
// below is converted here: integer PCM of 1 (unsigned), 2, 3 or 4 bytes, channels averaged to mono,
// rate changed with hark's own resampler (src/audio/resample.ts), chunk by chunk.
import { Resampler } from "../audio/resample.js";
import { WyomingError } from "./events.js";

export const HEARING_RATE = 16000;

export interface AudioFormat {
  rate: number;
  width: number;
  channels: number;
}

export const MIN_RATE = 4000;
export const MAX_RATE = 192000;
export const MAX_CHANNELS = 8;

/** The format an audio-start or audio-chunk declares, or an `audio-format` error saying what is wrong. */
export function audioFormat(data: Record<string, unknown>, what: string): AudioFormat {
  const { rate, width, channels } = data;
  const int = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v);
  if (!int(rate) || rate < MIN_RATE || rate > MAX_RATE) throw new WyomingError("audio-format", `${what}: rate must be a whole number of Hz from ${MIN_RATE} to ${MAX_RATE}, got ${JSON.stringify(rate)}`);
  if (!int(width) || width < 1 || width > 4) throw new WyomingError("audio-format", `${what}: width must be 1, 2, 3 or 4 bytes per sample, got ${JSON.stringify(width)}`);
  if (!int(channels) || channels < 1 || channels > MAX_CHANNELS) throw new WyomingError("audio-format", `${what}: channels must be 1 to ${MAX_CHANNELS}, got ${JSON.stringify(channels)}`);
  return { rate, width, channels };
}

export function sameFormat(a: AudioFormat, b: AudioFormat): boolean {
  return a.rate === b.rate && a.width === b.width && a.channels === b.channels;
}

/** PCM bytes → mono float32 in [-1, 1) at the same rate. `bytes.length` must be whole frames. */
export function pcmToMono(bytes: Buffer, f: AudioFormat): Float32Array {
  const frame = f.width * f.channels;
  const n = Math.floor(bytes.length / frame);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let c = 0; c < f.channels; c++) {
      const at = i * frame + c * f.width;
      switch (f.width) {
        case 1:
          sum += (bytes[at]! - 128) / 128;
          break;
        case 2:
          sum += bytes.readInt16LE(at) / 32768;
          break;
        case 3:
          sum += bytes.readIntLE(at, 3) / 8388608;
          break;
        default:
          sum += bytes.readInt32LE(at) / 2147483648;
      }
    }
    out[i] = sum / f.channels;
  }
  return out;
}

/** float32 → 16-bit little-endian PCM (what hark sends: the voices' own rate, mono). */
export function floatToPcm16(samples: Float32Array): Buffer {
  const out = Buffer.alloc(samples.length * 2);
  for (let i = 0; i < samples.length; i++) {
    const v = Math.max(-1, Math.min(1, samples[i]!));
    out.writeInt16LE(Math.round(v < 0 ? v * 32768 : v * 32767), i * 2);
  }
  return out;
}

/**
 * One incoming audio stream (audio-start … audio-stop) converted to 16 kHz mono as it arrives. Bytes
 * that do not fill a whole frame wait for the next chunk; every chunk must keep the stream's format.
 */
export class AudioIn {
  private readonly resampler: Resampler | undefined;
  private rest: Buffer = Buffer.alloc(0);
  /** Input seconds so far. */
  seconds = 0;

  constructor(readonly format: AudioFormat) {
    this.resampler = format.rate === HEARING_RATE ? undefined : new Resampler(format.rate, HEARING_RATE);
  }

  /** A chunk's PCM → its 16 kHz mono samples. */
  accept(pcm: Buffer): Float32Array {
    const frame = this.format.width * this.format.channels;
    const bytes = this.rest.length ? Buffer.concat([this.rest, pcm]) : pcm;
    const whole = bytes.length - (bytes.length % frame);
    this.rest = Buffer.from(bytes.subarray(whole));
    const mono = pcmToMono(bytes.subarray(0, whole), this.format);
    this.seconds += mono.length / this.format.rate;
    return this.resampler ? this.resampler.process(mono) : mono;
  }

  /** End of the stream: the resampler's tail. */
  finish(): Float32Array {
    return this.resampler ? this.resampler.flush() : new Float32Array(0);
  }
}

/** Float32 pieces joined into one signal. */
export function concat(parts: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) (out.set(p, at), (at += p.length));
  return out;
}
