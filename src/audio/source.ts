// Audio sources: WAV files, raw PCM (stdin or any byte stream), the microphone (arecord / sox),
// and in-memory samples. Every source yields 16 kHz mono float32 frames and holds at most a few
// frames of audio at a time, so a 10-minute file costs no more memory than a 1-second one.
import { spawn, type ChildProcessByStdio } from "node:child_process";
import { accessSync, constants, createReadStream, statSync } from "node:fs";
import { open } from "node:fs/promises";
import { delimiter, join } from "node:path";
import type { Readable } from "node:stream";
import { AudioError } from "./errors.js";
import { Resampler } from "./resample.js";
import {
  decodeWithWavefile,
  MAX_HEADER_BYTES,
  parseWavHeader,
  PcmDecoder,
  STREAMABLE_TAGS,
  type PcmFormat,
  type WavHeader,
} from "./wav.js";

export const SAMPLE_RATE = 16000;
/** 32 ms: the window silero VAD consumes at 16 kHz. */
export const DEFAULT_FRAME_SAMPLES = 512;
/** |x| at or above this counts as clipped. */
export const CLIP_LEVEL = 0.999;
/** Largest file decoded whole by wavefile (a-law, mu-law, ADPCM only). */
const MAX_WHOLE_FILE_BYTES = 256 * 1024 * 1024;

export interface AudioStats {
  /** What the input was: "wav int16 44100 Hz stereo", "raw s16le 16000 Hz mono", … */
  input: string;
  sourceRate: number;
  channels: number;
  /** 16 kHz samples delivered so far. */
  samples: number;
  seconds: number;
  peak: number;
  /** Fraction of delivered samples at or above CLIP_LEVEL (0–1). */
  clipped: number;
  /** The file ended before its declared data size, or mid-sample. */
  truncated: boolean;
}

/**
 * A stream of 16 kHz mono float32 frames. Every frame has `frameSamples` samples except possibly the
 * last. Iterate once; `stats()` is live and final after the iteration ends.
 */
export interface AudioSource extends AsyncIterable<Float32Array> {
  readonly name: string;
  readonly sampleRate: typeof SAMPLE_RATE;
  readonly frameSamples: number;
  stats(): AudioStats;
  /** Stop early (kills a capture process, closes a file). Safe to call more than once. */
  close(): void;
}

export interface SourceOptions {
  /** Samples per frame at 16 kHz (default 512 = 32 ms). */
  frameSamples?: number;
}

export interface RawOptions extends SourceOptions {
  /** Rate of the raw input (default 16000). */
  sampleRate?: number;
  /** Interleaved channels (default 1). */
  channels?: number;
}

type ByteStream = AsyncIterable<Uint8Array | Buffer | string>;

/** Frames, stats and the conversion chain shared by every source. */
class Pipeline {
  readonly stats: AudioStats = {
    input: "",
    sourceRate: SAMPLE_RATE,
    channels: 1,
    samples: 0,
    seconds: 0,
    peak: 0,
    clipped: 0,
    truncated: false,
  };
  private clippedCount = 0;
  private frame: Float32Array;
  private fill = 0;
  private resampler: Resampler | undefined;

  constructor(readonly frameSamples: number) {
    this.frame = new Float32Array(frameSamples);
  }

  setFormat(input: string, rate: number, channels: number): void {
    this.stats.input = input;
    this.stats.sourceRate = rate;
    this.stats.channels = channels;
    this.resampler = new Resampler(rate, SAMPLE_RATE);
  }

  /** Mono samples at the source rate in, complete 16 kHz frames out. */
  *push(mono: Float32Array): Generator<Float32Array> {
    const x = this.resampler!.process(mono);
    yield* this.reframe(x);
  }

  *end(): Generator<Float32Array> {
    if (this.resampler) yield* this.reframe(this.resampler.flush());
    if (this.fill > 0) {
      const last = this.frame.slice(0, this.fill);
      this.fill = 0;
      yield last;
    }
  }

  private *reframe(x: Float32Array): Generator<Float32Array> {
    const s = this.stats;
    for (let i = 0; i < x.length; i++) {
      const a = Math.abs(x[i]!);
      if (a > s.peak) s.peak = a;
      if (a >= CLIP_LEVEL) this.clippedCount++;
    }
    s.samples += x.length;
    s.seconds = s.samples / SAMPLE_RATE;
    s.clipped = s.samples ? this.clippedCount / s.samples : 0;
    let i = 0;
    while (i < x.length) {
      const n = Math.min(this.frameSamples - this.fill, x.length - i);
      this.frame.set(x.subarray(i, i + n), this.fill);
      this.fill += n;
      i += n;
      if (this.fill === this.frameSamples) {
        yield this.frame;
        this.frame = new Float32Array(this.frameSamples);
        this.fill = 0;
      }
    }
  }
}

function describe(kind: string, f: PcmFormat): string {
  const ch = f.channels === 1 ? "mono" : f.channels === 2 ? "stereo" : `${f.channels} channels`;
  return `${kind} ${f.encoding} ${f.sampleRate} Hz ${ch}`;
}

function toBytes(chunk: Uint8Array | Buffer | string): Uint8Array {
  return typeof chunk === "string" ? Buffer.from(chunk, "binary") : chunk;
}

/**
 * Decode a byte stream that is either a WAV (detected by its RIFF header when `raw` allows
 * sniffing) or raw PCM, pushing frames through the pipeline.
 */
async function* decodeStream(
  bytes: ByteStream,
  name: string,
  p: Pipeline,
  mode: { wav: "require" | "sniff"; raw?: PcmFormat; wholeFile?: () => Promise<Uint8Array> },
): AsyncGenerator<Float32Array> {
  let head: Uint8Array = new Uint8Array(0);
  let header: WavHeader | undefined;
  let decoder: PcmDecoder | undefined;
  let remaining = Infinity;

  const startRaw = (f: PcmFormat) => {
    decoder = new PcmDecoder(f);
    p.setFormat(describe("raw", f), f.sampleRate, f.channels);
  };

  for await (const raw of bytes) {
    let chunk = toBytes(raw);
    if (!decoder) {
      const merged = new Uint8Array(head.length + chunk.length);
      merged.set(head);
      merged.set(chunk, head.length);
      head = merged;
      if (mode.wav === "sniff" && head.length >= 4) {
        const isRiff = head[0] === 0x52 && head[1] === 0x49 && head[2] === 0x46 && head[3] === 0x46;
        if (!isRiff) {
          startRaw(mode.raw!);
          chunk = head;
          head = new Uint8Array(0);
        }
      }
      if (!decoder) {
        if (mode.wav === "sniff" && head.length < 4) continue;
        const h = parseWavHeader(head, name, false);
        if (!h) {
          if (head.length > MAX_HEADER_BYTES) throw new AudioError(`${name}: malformed WAV (no data chunk in the first MiB)`);
          continue;
        }
        header = h;
        if (!STREAMABLE_TAGS.has(h.formatTag)) {
          if (!mode.wholeFile) throw new AudioError(`${name}: this WAV encoding (tag ${h.formatTag}) can only be read from a file`);
          const whole = decodeWithWavefile(await mode.wholeFile(), name);
          p.setFormat(`wav tag ${h.formatTag} ${whole.sampleRate} Hz`, whole.sampleRate, h.format.channels);
          yield* p.push(whole.samples);
          yield* p.end();
          return;
        }
        decoder = new PcmDecoder(h.format);
        p.setFormat(describe("wav", h.format), h.format.sampleRate, h.format.channels);
        remaining = h.dataBytes ?? Infinity;
        chunk = head.subarray(h.dataOffset);
        head = new Uint8Array(0);
      }
    }
    if (remaining <= 0) break;
    if (chunk.length > remaining) chunk = chunk.subarray(0, remaining);
    remaining -= chunk.length;
    yield* p.push(decoder.decode(chunk));
    if (remaining <= 0) break;
  }
  if (!decoder) {
    if (mode.wav === "sniff" && head.length > 0 && head.length < 4) {
      // A few stray bytes of raw PCM: not even one sample frame worth decoding meaningfully.
      startRaw(mode.raw!);
      yield* p.push(decoder!.decode(head));
    } else if (mode.wav === "sniff" && head.length === 0) {
      startRaw(mode.raw!);
    } else {
      parseWavHeader(head, name, true); // throws the precise reason
      throw new AudioError(`${name}: truncated WAV header`);
    }
  }
  if (decoder!.pendingBytes > 0) p.stats.truncated = true;
  if (header && header.dataBytes !== undefined && remaining > 0 && remaining !== Infinity) p.stats.truncated = true;
  yield* p.end();
}

abstract class BaseSource implements AudioSource {
  readonly sampleRate = SAMPLE_RATE;
  readonly frameSamples: number;
  protected readonly pipeline: Pipeline;
  private used = false;
  protected closed = false;

  constructor(readonly name: string, opts: SourceOptions) {
    this.frameSamples = opts.frameSamples ?? DEFAULT_FRAME_SAMPLES;
    if (!Number.isInteger(this.frameSamples) || this.frameSamples < 1) throw new RangeError(`bad frameSamples ${this.frameSamples}`);
    this.pipeline = new Pipeline(this.frameSamples);
  }

  stats(): AudioStats {
    return { ...this.pipeline.stats };
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Float32Array> {
    if (this.used) throw new Error(`${this.name}: an AudioSource can be iterated only once`);
    this.used = true;
    try {
      for await (const f of this.frames()) {
        if (this.closed) break;
        yield f;
      }
    } finally {
      this.close();
    }
  }

  protected abstract frames(): AsyncGenerator<Float32Array>;
  abstract close(): void;
}

class FileSource extends BaseSource {
  private stream: ReturnType<typeof createReadStream> | undefined;
  constructor(private readonly path: string, opts: SourceOptions) {
    super(path, opts);
  }
  protected async *frames(): AsyncGenerator<Float32Array> {
    let size: number;
    try {
      const st = statSync(this.path);
      if (st.isDirectory()) throw new AudioError(`${this.path}: is a directory, not a WAV file`);
      size = st.size;
    } catch (err) {
      if (err instanceof AudioError) throw err;
      const code = (err as NodeJS.ErrnoException).code;
      throw new AudioError(code === "ENOENT" ? `${this.path}: no such file` : `${this.path}: cannot read (${code ?? String(err)})`);
    }
    if (size === 0) throw new AudioError(`${this.path}: empty file (0 bytes)`);
    this.stream = createReadStream(this.path, { highWaterMark: 64 * 1024 });
    const path = this.path;
    yield* decodeStream(this.stream, path, this.pipeline, {
      wav: "require",
      wholeFile: async () => {
        if (size > MAX_WHOLE_FILE_BYTES) throw new AudioError(`${path}: compressed WAV too large (${size} bytes); convert to PCM`);
        const fh = await open(path, "r");
        try {
          return new Uint8Array(await fh.readFile());
        } finally {
          await fh.close();
        }
      },
    });
  }
  close(): void {
    this.closed = true;
    this.stream?.destroy();
  }
}

class StreamSource extends BaseSource {
  constructor(
    name: string,
    private readonly stream: ByteStream & Partial<Pick<Readable, "destroy">>,
    private readonly raw: PcmFormat,
    private readonly sniffWav: boolean,
    opts: SourceOptions,
  ) {
    super(name, opts);
  }
  protected async *frames(): AsyncGenerator<Float32Array> {
    yield* decodeStream(this.stream, this.name, this.pipeline, { wav: this.sniffWav ? "sniff" : "require", raw: this.raw });
  }
  close(): void {
    this.closed = true;
  }
}

class ArraySource extends BaseSource {
  constructor(private readonly samples: Float32Array, private readonly rate: number, opts: SourceOptions) {
    super("samples", opts);
  }
  protected async *frames(): AsyncGenerator<Float32Array> {
    this.pipeline.setFormat(`samples ${this.rate} Hz`, this.rate, 1);
    const step = 16384;
    for (let i = 0; i < this.samples.length; i += step) yield* this.pipeline.push(this.samples.subarray(i, i + step));
    yield* this.pipeline.end();
  }
  close(): void {
    this.closed = true;
  }
}

export type CaptureTool = "arecord" | "sox";

/** The most telling line of a tool's stderr: the last one not from ALSA's config chatter. */
export function stderrReason(stderr: string, fallback: string): string {
  const lines = stderr.split("\n").map((l) => l.trim()).filter(Boolean);
  const own = lines.filter((l) => !l.startsWith("ALSA lib"));
  return own[own.length - 1] ?? lines[lines.length - 1] ?? fallback;
}

/** Find an executable on PATH (no shell). */
export function which(cmd: string, path = process.env.PATH ?? ""): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const full = join(dir, cmd);
    try {
      accessSync(full, constants.X_OK);
      return full;
    } catch {
      // keep looking
    }
  }
  return undefined;
}

export function captureCommand(tool: CaptureTool): { cmd: string; args: string[] } {
  return tool === "arecord"
    ? { cmd: "arecord", args: ["-q", "-f", "S16_LE", "-r", String(SAMPLE_RATE), "-c", "1", "-t", "raw"] }
    : { cmd: "sox", args: ["-q", "-d", "-t", "raw", "-r", String(SAMPLE_RATE), "-e", "signed-integer", "-b", "16", "-c", "1", "-"] };
}

class MicSource extends BaseSource {
  private child: ChildProcessByStdio<null, Readable, Readable> | undefined;
  constructor(private readonly tool: CaptureTool, opts: SourceOptions) {
    super(`microphone (${tool})`, opts);
  }
  protected async *frames(): AsyncGenerator<Float32Array> {
    const { cmd, args } = captureCommand(this.tool);
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
    this.child = child;
    let stderr = "";
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (d: string) => {
      if (stderr.length < 4096) stderr += d;
    });
    const exited = new Promise<number | null>((resolve) => {
      child.on("error", (err) => {
        stderr ||= err.message;
        resolve(-1);
      });
      child.on("close", (code) => resolve(code));
    });
    const fmt: PcmFormat = { sampleRate: SAMPLE_RATE, channels: 1, encoding: "int16" };
    yield* decodeStream(child.stdout, this.name, this.pipeline, { wav: "sniff", raw: fmt });
    const code = await exited;
    if (!this.closed && code !== 0 && code !== null) {
      throw new AudioError(`${cmd} could not capture audio: ${stderrReason(stderr, `exit status ${code}`)}`);
    }
  }
  close(): void {
    this.closed = true;
    if (this.child && this.child.exitCode === null) this.child.kill("SIGTERM");
  }
}

/** Stream a WAV file (8–192 kHz; 8/16/24/32-bit int, 32/64-bit float, a-law, mu-law, IMA ADPCM). */
export function fileSource(path: string, opts: SourceOptions = {}): AudioSource {
  return new FileSource(path, opts);
}

/**
 * Raw PCM s16le (or a WAV, recognised by its RIFF header) from a byte stream such as
 * process.stdin. `sampleRate`/`channels` describe the raw input.
 */
export function pcmSource(stream: ByteStream, opts: RawOptions & { name?: string } = {}): AudioSource {
  const fmt: PcmFormat = { sampleRate: opts.sampleRate ?? SAMPLE_RATE, channels: opts.channels ?? 1, encoding: "int16" };
  if (!Number.isInteger(fmt.sampleRate) || fmt.sampleRate < 4000 || fmt.sampleRate > 192000) {
    throw new AudioError(`unsupported raw sample rate ${fmt.sampleRate} Hz`);
  }
  if (!Number.isInteger(fmt.channels) || fmt.channels < 1 || fmt.channels > 16) throw new AudioError(`unsupported channel count ${fmt.channels}`);
  return new StreamSource(opts.name ?? "stdin", stream, fmt, true, opts);
}

export function stdinSource(opts: RawOptions = {}): AudioSource {
  return pcmSource(process.stdin, { ...opts, name: "stdin" });
}

/** Samples already in memory (any rate) as a source. */
export function arraySource(samples: Float32Array, sampleRate = SAMPLE_RATE, opts: SourceOptions = {}): AudioSource {
  return new ArraySource(samples, sampleRate, opts);
}

/** Which capture tool is installed (arecord preferred), or undefined. */
export function findCaptureTool(path?: string): CaptureTool | undefined {
  if (which("arecord", path)) return "arecord";
  if (which("sox", path)) return "sox";
  return undefined;
}

/** The default microphone through `arecord` or `sox -d`; a clear AudioError when neither exists. */
export function micSource(opts: SourceOptions & { tool?: CaptureTool } = {}): AudioSource {
  const tool = opts.tool ?? findCaptureTool();
  if (!tool) {
    throw new AudioError("no microphone capture tool found: install alsa-utils (arecord) or sox, or pass a WAV file / raw PCM on stdin");
  }
  return new MicSource(tool, opts);
}

/** `-` → stdin, `mic` → microphone, anything else → a WAV file. */
export function openSource(spec: string, opts: RawOptions = {}): AudioSource {
  if (spec === "-") return stdinSource(opts);
  if (spec === "mic") return micSource(opts);
  return fileSource(spec, opts);
}

export interface ReadResult {
  samples: Float32Array;
  stats: AudioStats;
}

/**
 * Read a whole source into one 16 kHz buffer (for short utterances). The buffer grows by doubling
 * and is trimmed once at the end. `maxSeconds` (default 600) stops runaway inputs with an error.
 */
export async function readAll(source: AudioSource, maxSeconds = 600): Promise<ReadResult> {
  let buf = new Float32Array(SAMPLE_RATE * 4);
  let n = 0;
  const limit = maxSeconds * SAMPLE_RATE;
  for await (const f of source) {
    if (n + f.length > limit) {
      source.close();
      throw new AudioError(`${source.name}: longer than ${maxSeconds} s; stream it instead of reading it whole`);
    }
    if (n + f.length > buf.length) {
      const next = new Float32Array(Math.max(buf.length * 2, n + f.length));
      next.set(buf.subarray(0, n));
      buf = next;
    }
    buf.set(f, n);
    n += f.length;
  }
  return { samples: buf.slice(0, n), stats: source.stats() };
}

/** Read a WAV file into 16 kHz mono float32. */
export async function readAudioFile(path: string, maxSeconds?: number): Promise<ReadResult> {
  return readAll(fileSource(path), maxSeconds);
}
