// WAV container: an incremental header parser (so files and pipes stream), a PCM sample decoder
// with downmix to mono, and a 16-bit writer. Writing goes through wavefile; exotic encodings that
// the streaming decoder does not handle (a-law, mu-law, IMA ADPCM) are decoded by wavefile whole.
import wavefile from "wavefile";
import { AudioError } from "./errors.js";

const { WaveFile } = wavefile;

export type SampleEncoding = "uint8" | "int16" | "int24" | "int32" | "float32" | "float64";

export interface PcmFormat {
  sampleRate: number;
  channels: number;
  encoding: SampleEncoding;
}

export interface WavHeader {
  format: PcmFormat;
  /** WAVE format tag after resolving WAVE_FORMAT_EXTENSIBLE (1 = PCM, 3 = IEEE float, 6 = a-law …). */
  formatTag: number;
  bitsPerSample: number;
  /** Byte offset of the first sample. */
  dataOffset: number;
  /** Declared size of the data chunk; undefined when unknown (streamed WAVs declare 0 or 0xFFFFFFFF). */
  dataBytes: number | undefined;
}

/** Encodings this module decodes while streaming. */
export const STREAMABLE_TAGS = new Set([1, 3]);
/** Encodings left to wavefile (whole-file decode). */
export const WAVEFILE_TAGS = new Map<number, string>([
  [6, "a-law"],
  [7, "mu-law"],
  [0x11, "IMA ADPCM"],
]);

export const MIN_RATE = 4000;
export const MAX_RATE = 192000;
/** Largest header region (chunks before `data`, e.g. LIST/bext) we are willing to buffer. */
export const MAX_HEADER_BYTES = 1 << 20;

export function bytesPerSample(encoding: SampleEncoding): number {
  switch (encoding) {
    case "uint8":
      return 1;
    case "int16":
      return 2;
    case "int24":
      return 3;
    case "int32":
    case "float32":
      return 4;
    case "float64":
      return 8;
  }
}

/** Guess what a non-WAV file is, for the error message. */
function sniff(b: Uint8Array): string {
  const ascii = (o: number, n: number) => String.fromCharCode(...b.subarray(o, o + n));
  if (ascii(0, 3) === "ID3" || (b[0] === 0xff && ((b[1] ?? 0) & 0xe0) === 0xe0)) return "looks like MP3";
  if (ascii(0, 4) === "OggS") return "looks like Ogg";
  if (ascii(0, 4) === "fLaC") return "looks like FLAC";
  if (ascii(0, 4) === "RIFX") return "big-endian RIFX WAV is not supported";
  if (ascii(4, 4) === "ftyp") return "looks like MP4/M4A";
  const printable = [...b.subarray(0, 4)].every((c) => c >= 0x20 && c < 0x7f);
  return printable ? `starts with "${ascii(0, 4)}"` : "no RIFF header";
}

/**
 * Parse a WAV header from the first bytes of a file or stream.
 * Returns null when more bytes are needed (and `final` is false); throws AudioError for anything
 * that is not a WAV hark can read. `name` is used in messages.
 */
export function parseWavHeader(buf: Uint8Array, name: string, final: boolean): WavHeader | null {
  if (buf.length === 0 && final) throw new AudioError(`${name}: empty file (0 bytes)`);
  if (buf.length < 12) {
    if (!final) return null;
    throw new AudioError(`${name}: not a WAV file (truncated header: ${buf.length} bytes)`);
  }
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const id = (o: number) => String.fromCharCode(buf[o]!, buf[o + 1]!, buf[o + 2]!, buf[o + 3]!);
  const riff = id(0);
  if ((riff !== "RIFF" && riff !== "RF64") || id(8) !== "WAVE") {
    throw new AudioError(`${name}: not a WAV file (${sniff(buf)})`);
  }
  let rf64DataBytes: number | undefined;
  let fmt: Omit<WavHeader, "dataOffset" | "dataBytes"> | undefined;
  let off = 12;
  for (;;) {
    if (off + 8 > buf.length) {
      if (!final) return null;
      throw new AudioError(`${name}: truncated WAV header (no data chunk in ${buf.length} bytes)`);
    }
    const chunk = id(off);
    const size = view.getUint32(off + 4, true);
    const body = off + 8;
    if (chunk === "data") {
      if (!fmt) throw new AudioError(`${name}: malformed WAV (data chunk before fmt chunk)`);
      let dataBytes: number | undefined = size;
      if (riff === "RF64" && size === 0xffffffff) dataBytes = rf64DataBytes;
      // Streaming writers (pipes) cannot know the size: they declare 0 or a maximum. Read to EOF then.
      else if (size === 0xffffffff || size === 0x7fffffff || size === 0) dataBytes = undefined;
      return { ...fmt, dataOffset: body, dataBytes };
    }
    // Every other chunk must be entirely in the buffer before we can skip past it.
    if (body + size > buf.length) {
      if (!final) {
        if (body + size > MAX_HEADER_BYTES) {
          throw new AudioError(`${name}: malformed WAV (chunk "${chunk}" of ${size} bytes before the data)`);
        }
        return null;
      }
      throw new AudioError(`${name}: truncated WAV header (chunk "${chunk}" cut short)`);
    }
    if (chunk === "fmt ") fmt = parseFmt(view, body, size, name);
    else if (chunk === "ds64" && size >= 16) {
      rf64DataBytes = view.getUint32(body + 8, true) + view.getUint32(body + 12, true) * 2 ** 32;
    }
    off = body + size + (size & 1); // chunks are word aligned
  }
}

function parseFmt(view: DataView, o: number, size: number, name: string): Omit<WavHeader, "dataOffset" | "dataBytes"> {
  if (size < 16) throw new AudioError(`${name}: malformed WAV (fmt chunk of ${size} bytes)`);
  let tag = view.getUint16(o, true);
  const channels = view.getUint16(o + 2, true);
  const sampleRate = view.getUint32(o + 4, true);
  const blockAlign = view.getUint16(o + 12, true);
  const bits = view.getUint16(o + 14, true);
  if (tag === 0xfffe && size >= 26) tag = view.getUint16(o + 24, true); // sub-format GUID starts with the tag
  if (channels < 1) throw new AudioError(`${name}: malformed WAV (0 channels)`);
  if (sampleRate < MIN_RATE || sampleRate > MAX_RATE) {
    throw new AudioError(`${name}: unsupported sample rate ${sampleRate} Hz (hark reads ${MIN_RATE}–${MAX_RATE} Hz)`);
  }
  const base = { formatTag: tag, bitsPerSample: bits };
  if (WAVEFILE_TAGS.has(tag)) return { ...base, format: { sampleRate, channels, encoding: "int16" } };
  let encoding: SampleEncoding | undefined;
  if (tag === 1) encoding = ({ 8: "uint8", 16: "int16", 24: "int24", 32: "int32" } as const)[bits as 8 | 16 | 24 | 32];
  else if (tag === 3) encoding = ({ 32: "float32", 64: "float64" } as const)[bits as 32 | 64];
  else throw new AudioError(`${name}: unsupported WAV encoding (format tag 0x${tag.toString(16)}); convert to PCM`);
  if (!encoding) throw new AudioError(`${name}: unsupported WAV sample size (${bits}-bit ${tag === 3 ? "float" : "integer"})`);
  if (blockAlign !== channels * bytesPerSample(encoding)) {
    throw new AudioError(`${name}: malformed WAV (block align ${blockAlign} for ${channels} × ${bits}-bit)`);
  }
  return { ...base, format: { sampleRate, channels, encoding } };
}

/**
 * Decodes interleaved PCM bytes into mono float samples at the source rate, chunk by chunk.
 * Partial sample frames at a chunk boundary are kept for the next call.
 */
export class PcmDecoder {
  private carry: Uint8Array = new Uint8Array(0);
  private readonly frameBytes: number;
  private readonly sampleBytes: number;
  constructor(readonly format: PcmFormat) {
    this.sampleBytes = bytesPerSample(format.encoding);
    this.frameBytes = this.sampleBytes * format.channels;
  }

  decode(chunk: Uint8Array): Float32Array {
    let bytes = chunk;
    if (this.carry.length) {
      bytes = new Uint8Array(this.carry.length + chunk.length);
      bytes.set(this.carry);
      bytes.set(chunk, this.carry.length);
    }
    const frames = Math.floor(bytes.length / this.frameBytes);
    const used = frames * this.frameBytes;
    this.carry = bytes.slice(used);
    return decodeInterleaved(bytes.subarray(0, used), this.format);
  }

  /** Bytes of an incomplete last sample frame (dropped at end of stream). */
  get pendingBytes(): number {
    return this.carry.length;
  }
}

/** Decode whole sample frames of interleaved PCM into mono float32 (channels averaged). */
export function decodeInterleaved(bytes: Uint8Array, format: PcmFormat): Float32Array {
  const { channels, encoding } = format;
  const sb = bytesPerSample(encoding);
  const n = Math.floor(bytes.length / (sb * channels));
  const out = new Float32Array(n);
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const scale = 1 / channels;
  let o = 0;
  for (let i = 0; i < n; i++) {
    let acc = 0;
    for (let c = 0; c < channels; c++, o += sb) {
      switch (encoding) {
        case "int16":
          acc += v.getInt16(o, true) / 32768;
          break;
        case "uint8":
          acc += (v.getUint8(o) - 128) / 128;
          break;
        case "int24": {
          const x = v.getUint8(o) | (v.getUint8(o + 1) << 8) | (v.getInt8(o + 2) << 16);
          acc += x / 8388608;
          break;
        }
        case "int32":
          acc += v.getInt32(o, true) / 2147483648;
          break;
        case "float32":
          acc += v.getFloat32(o, true);
          break;
        case "float64":
          acc += v.getFloat64(o, true);
          break;
      }
    }
    const x = acc * scale;
    out[i] = Number.isFinite(x) ? x : 0; // NaN/Inf in float WAVs would poison every later stage
  }
  return out;
}

/**
 * Decode a whole WAV with wavefile (used for a-law, mu-law and IMA ADPCM). Returns mono float32
 * at the file's own rate.
 */
export function decodeWithWavefile(file: Uint8Array, name: string): { samples: Float32Array; sampleRate: number } {
  try {
    const wav = new WaveFile();
    wav.fromBuffer(file);
    // Copy the fields: wavefile resets the old fmt object when it converts.
    const fmt = { ...(wav.fmt as { audioFormat: number; numChannels: number; sampleRate: number }) };
    if (fmt.numChannels < 1) throw new AudioError(`${name}: malformed WAV (0 channels)`);
    if (fmt.audioFormat === 6) wav.fromALaw();
    else if (fmt.audioFormat === 7) wav.fromMuLaw();
    else if (fmt.audioFormat === 0x11) wav.fromIMAADPCM();
    wav.toBitDepth("32f");
    const inter = wav.getSamples(true, Float32Array) as unknown as Float32Array;
    const ch = fmt.numChannels;
    const out = new Float32Array(Math.floor(inter.length / ch));
    for (let i = 0; i < out.length; i++) {
      let acc = 0;
      for (let c = 0; c < ch; c++) acc += inter[i * ch + c]!;
      out[i] = acc / ch;
    }
    return { samples: out, sampleRate: fmt.sampleRate };
  } catch (err) {
    if (err instanceof AudioError) throw err;
    throw new AudioError(`${name}: cannot decode WAV (${err instanceof Error ? err.message : String(err)})`, { cause: err });
  }
}

/** Encode mono float samples as a 16-bit PCM WAV (clipped to [-1, 1]). */
export function encodeWav16(samples: Float32Array, sampleRate: number): Uint8Array {
  const pcm = new Int16Array(samples.length);
  for (let i = 0; i < samples.length; i++) {
    const x = Math.max(-1, Math.min(1, samples[i]!));
    pcm[i] = Math.round(x < 0 ? x * 32768 : x * 32767);
  }
  const wav = new WaveFile();
  wav.fromScratch(1, sampleRate, "16", pcm);
  return wav.toBuffer();
}
