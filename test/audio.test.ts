// Audio input: real WAV files of many formats written with wavefile, raw PCM streams, bad audio,
// bounded memory on 10 minutes of silence, resampling quality, benchmark-style noise mixing,
// fixtures.
import { mkdtempSync, openSync, rmSync, writeFileSync, writeSync, closeSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import v8 from "node:v8";
import { runInNewContext } from "node:vm";
import wavefile from "wavefile";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AudioError,
  EnergyEndpointer,
  fileSource,
  findCaptureTool,
  frameEnergySnr,
  listFixtures,
  maxFrameEnergy,
  micSource,
  mixNoise,
  pcmSource,
  readAll,
  readAudioFile,
  readFixture,
  resample,
  Resampler,
  seededRandom,
  segmentStream,
  writeFixture,
  encodeWav16,
  play,
} from "../src/audio/index.js";

const { WaveFile } = wavefile;
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "hark-audio-test-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function sine(freq: number, rate: number, seconds: number, amp = 0.5): Float64Array {
  const n = Math.round(rate * seconds);
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) x[i] = amp * Math.sin((2 * Math.PI * freq * i) / rate);
  return x;
}

/** Integer/float sample values for a wavefile bit depth code from [-1, 1] floats. */
function quantise(x: Float64Array, code: string): number[] {
  if (code === "32f" || code === "64") return [...x];
  const bits = Number(code);
  if (bits === 8) return [...x].map((v) => Math.round(v * 127 + 128));
  const max = 2 ** (bits - 1) - 1;
  return [...x].map((v) => Math.round(v * max));
}

function writeWav(name: string, rate: number, channels: number, code: string, mono: Float64Array): string {
  const wav = new WaveFile();
  const q = quantise(mono, code);
  wav.fromScratch(channels, rate, code, channels === 1 ? q : Array.from({ length: channels }, () => q));
  const path = join(dir, name);
  writeFileSync(path, wav.toBuffer());
  return path;
}

function rms(x: Float32Array, from = 0, to = x.length): number {
  let s = 0;
  for (let i = from; i < to; i++) s += x[i]! * x[i]!;
  return Math.sqrt(s / Math.max(1, to - from));
}

function zeroCrossings(x: Float32Array, from: number, to: number): number {
  let n = 0;
  for (let i = from + 1; i < to; i++) if ((x[i - 1]! < 0) !== (x[i]! < 0)) n++;
  return n;
}

describe("reading WAV files", () => {
  const formats: Array<[number, number, string]> = [
    [16000, 1, "16"],
    [8000, 1, "16"],
    [11025, 1, "8"],
    [22050, 1, "32"],
    [44100, 2, "16"],
    [48000, 2, "24"],
    [32000, 2, "32f"],
    [24000, 1, "64"],
  ];
  for (const [rate, channels, code] of formats) {
    it(`${rate} Hz, ${channels} ch, ${code}-bit → 16 kHz mono`, async () => {
      const path = writeWav(`s-${rate}-${channels}-${code}.wav`, rate, channels, code, sine(440, rate, 1));
      const { samples, stats } = await readAudioFile(path);
      expect(Math.abs(samples.length - 16000)).toBeLessThanOrEqual(1);
      expect(stats.sourceRate).toBe(rate);
      expect(stats.channels).toBe(channels);
      expect(stats.truncated).toBe(false);
      // Amplitude 0.5 sine → RMS 0.354 away from the edges; 440 Hz → 880 crossings per second.
      expect(rms(samples, 1600, 14400)).toBeCloseTo(0.3536, 2);
      expect(zeroCrossings(samples, 1600, 14400)).toBeGreaterThanOrEqual(700);
      expect(zeroCrossings(samples, 1600, 14400)).toBeLessThanOrEqual(710);
    });
  }

  it("streams fixed-size frames (last one may be short)", async () => {
    const path = writeWav("frames.wav", 16000, 1, "16", sine(300, 16000, 0.5));
    const src = fileSource(path, { frameSamples: 480 });
    const sizes: number[] = [];
    for await (const f of src) sizes.push(f.length);
    expect(sizes.slice(0, -1).every((s) => s === 480)).toBe(true);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(8000);
    expect(src.stats().seconds).toBeCloseTo(0.5, 3);
  });

  it("decodes mu-law through wavefile", async () => {
    const wav = new WaveFile();
    wav.fromScratch(1, 8000, "16", quantise(sine(440, 8000, 1), "16"));
    wav.toMuLaw();
    const path = join(dir, "mulaw.wav");
    writeFileSync(path, wav.toBuffer());
    const { samples, stats } = await readAudioFile(path);
    expect(stats.sourceRate).toBe(8000);
    expect(Math.abs(samples.length - 16000)).toBeLessThanOrEqual(1);
    expect(rms(samples, 1600, 14400)).toBeCloseTo(0.3536, 1);
  });
});

describe("raw PCM and stdin-style streams", () => {
  function s16(x: Float64Array): Buffer {
    const b = Buffer.alloc(x.length * 2);
    x.forEach((v, i) => b.writeInt16LE(Math.round(v * 32767), 2 * i));
    return b;
  }
  /** Split a buffer into awkward chunk sizes (odd byte counts split samples). */
  function chunks(b: Buffer): Buffer[] {
    const out: Buffer[] = [];
    for (let i = 0, k = 1; i < b.length; k = (k * 7 + 3) % 1001 + 1) {
      out.push(b.subarray(i, i + k));
      i += k;
    }
    return out;
  }

  it("raw s16le at 16 kHz, split at odd byte boundaries", async () => {
    const x = sine(500, 16000, 1);
    const { samples, stats } = await readAll(pcmSource(Readable.from(chunks(s16(x)))));
    expect(samples.length).toBe(16000);
    expect(stats.input).toContain("raw int16 16000 Hz mono");
    for (let i = 0; i < 100; i++) expect(samples[i]!).toBeCloseTo(x[i]!, 3);
  });

  it("raw s16le stereo at 48 kHz", async () => {
    const mono = sine(500, 48000, 1);
    const inter = new Float64Array(mono.length * 2);
    mono.forEach((v, i) => {
      inter[2 * i] = v;
      inter[2 * i + 1] = v;
    });
    const { samples } = await readAll(pcmSource(Readable.from(chunks(s16(inter))), { sampleRate: 48000, channels: 2 }));
    expect(samples.length).toBe(16000);
    expect(rms(samples, 1600, 14400)).toBeCloseTo(0.3536, 2);
  });

  it("recognises a WAV piped on stdin", async () => {
    const wav = new WaveFile();
    wav.fromScratch(1, 22050, "16", quantise(sine(440, 22050, 1), "16"));
    const { samples, stats } = await readAll(pcmSource(Readable.from(chunks(Buffer.from(wav.toBuffer())))));
    expect(stats.input).toContain("wav int16 22050 Hz");
    expect(Math.abs(samples.length - 16000)).toBeLessThanOrEqual(1);
  });

  it("empty stdin is an empty result, not an error", async () => {
    const { samples } = await readAll(pcmSource(Readable.from([])));
    expect(samples.length).toBe(0);
  });
});

describe("bad audio", () => {
  const good = () => {
    const wav = new WaveFile();
    wav.fromScratch(1, 16000, "16", quantise(sine(440, 16000, 0.5), "16"));
    return Buffer.from(wav.toBuffer());
  };
  const put = (name: string, bytes: Uint8Array | string) => {
    const p = join(dir, name);
    writeFileSync(p, bytes);
    return p;
  };
  const fails = async (path: string, re: RegExp) => {
    const err = await readAudioFile(path).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AudioError);
    expect((err as Error).message).toMatch(re);
    expect((err as Error).message).not.toContain("\n");
  };

  it("zero-length file", () => fails(put("empty.wav", ""), /empty file/));
  it("truncated header", () => fails(put("trunc-head.wav", good().subarray(0, 20)), /truncated WAV header/));
  it("header only a few bytes", () => fails(put("trunc-6.wav", good().subarray(0, 6)), /truncated header/));
  it("not a WAV (text)", () => fails(put("text.wav", "hello, this is not audio at all"), /not a WAV file/));
  it("not a WAV (MP3)", () => fails(put("song.wav", Buffer.from([0x49, 0x44, 0x33, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])), /MP3/));
  it("missing file", () => fails(join(dir, "nope.wav"), /no such file/));
  it("directory", () => fails(dir, /directory/));
  it("unsupported encoding", () => {
    const b = good();
    b.writeUInt16LE(0x55, 20); // MPEG layer 3 inside RIFF
    return fails(put("mp3inwav.wav", b), /unsupported WAV encoding/);
  });
  it("absurd sample rate", () => {
    const b = good();
    b.writeUInt32LE(1000000, 24);
    return fails(put("rate.wav", b), /unsupported sample rate/);
  });

  it("data cut mid-sample: reads what is there and flags it", async () => {
    const b = good();
    const { samples, stats } = await readAudioFile(put("trunc-data.wav", b.subarray(0, 44 + 4001)));
    expect(samples.length).toBe(2000); // 4001 data bytes: 2000 whole samples and a stray byte
    expect(stats.truncated).toBe(true);
  });

  it("WAV with an empty data chunk → empty result", async () => {
    const wav = new WaveFile();
    wav.fromScratch(1, 16000, "16", []);
    const { samples } = await readAudioFile(put("nodata.wav", wav.toBuffer()));
    expect(samples.length).toBe(0);
  });

  it("clipping is measured, not fatal", async () => {
    const x = sine(200, 16000, 1, 3).map((v) => Math.max(-1, Math.min(1, v)));
    const { samples, stats } = await readAudioFile(writeWav("clipped.wav", 16000, 1, "16", x));
    expect(samples.length).toBe(16000);
    expect(stats.clipped).toBeGreaterThan(0.5);
    expect(stats.peak).toBeGreaterThan(0.99);
  });

  it("NaN and infinity in float WAVs become silence", async () => {
    const x = sine(200, 16000, 0.1);
    x[10] = Number.NaN;
    x[20] = Number.POSITIVE_INFINITY;
    const { samples } = await readAudioFile(writeWav("nan.wav", 16000, 1, "32f", x));
    expect(samples.every((v) => Number.isFinite(v))).toBe(true);
  });

  it("10 minutes of silence: streamed in bounded memory, no speech found", async () => {
    // Write the file in pieces so the test itself never holds it either.
    const path = join(dir, "silence-10min.wav");
    const seconds = 600;
    const dataBytes = seconds * 16000 * 2;
    const header = Buffer.from(encodeWav16(new Float32Array(0), 16000));
    header.writeUInt32LE(36 + dataBytes, 4);
    header.writeUInt32LE(dataBytes, 40);
    const fd = openSync(path, "w");
    writeSync(fd, header);
    const block = Buffer.alloc(16000 * 2 * 10);
    for (let i = 0; i < seconds / 10; i++) writeSync(fd, block);
    closeSync(fd);

    // Measure retained memory, not garbage awaiting collection: force a GC before each sample.
    v8.setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    gc();
    const before = process.memoryUsage();
    const samples: number[] = [];
    const src = fileSource(path);
    const ep = new EnergyEndpointer();
    let segments = 0;
    let frames = 0;
    for await (const frame of src) {
      segments += ep.accept(frame).length;
      if (++frames % 2000 === 0) {
        gc();
        const m = process.memoryUsage();
        samples.push(m.heapUsed + m.arrayBuffers - before.heapUsed - before.arrayBuffers);
      }
    }
    segments += ep.flush().length;
    expect(segments).toBe(0);
    expect(src.stats().seconds).toBeCloseTo(600, 1);
    // Holding the audio as float32 would take 38 MB by the end (plus the 19 MB file). Streaming stays
    // flat; V8 frees array buffers lazily, so up to ~21 MB of already-dropped chunks were seen counted.
    expect(samples.length).toBeGreaterThan(6);
    expect(Math.max(...samples)).toBeLessThan(32 * 1024 * 1024);
    // readAll refuses to buffer more than it is allowed to.
    await expect(readAll(fileSource(path), 60)).rejects.toThrow(/longer than 60 s/);
  }, 60_000);
});

describe("resampling", () => {
  it("keeps in-band tones and removes what would alias", () => {
    const keep = resample(Float32Array.from(sine(3000, 48000, 1)), 48000, 16000);
    const alias = resample(Float32Array.from(sine(12000, 48000, 1)), 48000, 16000);
    expect(rms(keep, 800, 15200)).toBeCloseTo(0.3536, 2);
    expect(rms(alias, 800, 15200)).toBeLessThan(0.01); // a 12 kHz tone would fold to 4 kHz
    const up = resample(Float32Array.from(sine(1000, 8000, 1)), 8000, 16000);
    expect(up.length).toBe(16000);
    expect(rms(up, 800, 15200)).toBeCloseTo(0.3536, 2);
  });

  it("streaming in odd chunks equals one pass", () => {
    const x = Float32Array.from(sine(700, 44100, 0.5));
    const whole = resample(x, 44100, 16000);
    const r = new Resampler(44100, 16000);
    const parts: Float32Array[] = [];
    for (let i = 0, k = 1; i < x.length; i += k, k = (k * 5 + 1) % 997 + 1) parts.push(r.process(x.subarray(i, i + k)));
    parts.push(r.flush());
    const joined = new Float32Array(parts.reduce((a, p) => a + p.length, 0));
    let o = 0;
    for (const p of parts) {
      joined.set(p, o);
      o += p.length;
    }
    expect(joined.length).toBe(whole.length);
    expect(joined.length).toBe(Math.ceil((x.length * 16000) / 44100));
    for (let i = 0; i < whole.length; i += 97) expect(joined[i]!).toBeCloseTo(whole[i]!, 5);
  });
});

describe("noise mixing (speech-to-intent benchmark method)", () => {
  const speech = Float32Array.from(sine(300, 16000, 1, 0.3));
  const noise = new Float32Array(16000 * 3);
  const rnd = seededRandom(7);
  for (let i = 0; i < noise.length; i++) noise[i] = (rnd() * 2 - 1) * 0.2;

  it("hits the SNR on max 2048-frame energy and peak-normalises to 0.5", () => {
    for (const snr of [24, 12, 6]) {
      const mixed = mixNoise(speech, noise, snr, { offset: 1000 });
      const peak = mixed.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      expect(peak).toBeCloseTo(0.5, 6);
      // Rebuild the mix by hand: the noise gain puts max-frame-energy SNR exactly at `snr`.
      const ex = noise.subarray(1000, 1000 + speech.length);
      const g = Math.sqrt(maxFrameEnergy(speech) / (maxFrameEnergy(ex) * 10 ** (snr / 10)));
      expect(frameEnergySnr(speech, ex.map((v) => v * g))).toBeCloseTo(snr, 4);
      const raw = speech.map((v, i) => v + g * ex[i]!);
      const rawPeak = raw.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      for (let i = 0; i < raw.length; i += 101) expect(mixed[i]!).toBeCloseTo(raw[i]! / (2 * rawPeak), 6);
    }
  });

  it("random offsets are repeatable with a seed; errors are clear", () => {
    const a = mixNoise(speech, noise, 12, { random: seededRandom(1) });
    const b = mixNoise(speech, noise, 12, { random: seededRandom(1) });
    expect(a).toEqual(b);
    expect(() => mixNoise(noise, speech, 12)).toThrow(/shorter than the speech/);
    expect(() => mixNoise(speech, noise, Number.NaN)).toThrow(/finite/);
    expect(maxFrameEnergy(new Float32Array(100))).toBe(0);
    expect(mixNoise(new Float32Array(4096), noise, 6).every((v) => v === 0 || Number.isFinite(v))).toBe(true);
  });
});

describe("microphone and playback tools", () => {
  it("says clearly when neither arecord nor sox exists", () => {
    const empty = join(dir, "empty-path");
    mkdirSync(empty, { recursive: true });
    expect(findCaptureTool(empty)).toBeUndefined();
    const saved = process.env.PATH;
    process.env.PATH = empty;
    try {
      expect(() => micSource()).toThrow(/install alsa-utils \(arecord\) or sox/);
    } finally {
      process.env.PATH = saved;
    }
  });

  it("reports a capture tool that fails (no sound device) as one line", async () => {
    // A fake "arecord" that fails like the real one without a device.
    const bin = join(dir, "fakebin");
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, "arecord"), "#!/bin/sh\necho 'arecord: main:831: audio open error: No such file or directory' >&2\nexit 1\n", { mode: 0o755 });
    const saved = process.env.PATH;
    process.env.PATH = `${bin}:${saved}`;
    try {
      await expect(readAll(micSource({ tool: "arecord" }))).rejects.toThrow(/arecord could not capture audio: arecord: main:831: audio open error/);
    } finally {
      process.env.PATH = saved;
    }
  });

  it("streams a capture tool's raw output", async () => {
    const bin = join(dir, "fakebin2");
    mkdirSync(bin, { recursive: true });
    // 0.5 s of 16 kHz s16le silence with a 1 kHz-ish square burst, from a shell script.
    writeFileSync(join(bin, "arecord"), "#!/bin/sh\nhead -c 16000 /dev/zero\n", { mode: 0o755 });
    const saved = process.env.PATH;
    process.env.PATH = `${bin}:${saved}`;
    try {
      const { samples } = await readAll(micSource({ tool: "arecord" }));
      expect(samples.length).toBe(8000);
    } finally {
      process.env.PATH = saved;
    }
  });

  it("playback without a player is a clear error", async () => {
    await expect(play(new Float32Array(160), 16000, { player: "hark-no-such-player" })).rejects.toThrow(/not found .*-o OUT.wav/);
  });
});

describe("fixtures", () => {
  it("write, read and list WAV + sidecar JSON pairs", async () => {
    const fdir = join(dir, "fixtures");
    const audio = { samples: Float32Array.from(sine(440, 16000, 0.2)), sampleRate: 16000 };
    const label = { text: "turn on the kitchen light", intents: [{ intent: "HassTurnOn", slots: { name: "kitchen light" } }], voice: "flite:slt" };
    const fx = writeFixture(fdir, "0001-turn-on", audio, label);
    writeFixture(fdir, "0002-noise", audio, { text: "", intents: [] });
    writeFileSync(join(fdir, "orphan.wav"), encodeWav16(audio.samples, 16000));
    const back = readFixture(fx.wav);
    expect(back.label).toEqual(label);
    const { fixtures, unlabelled } = listFixtures(fdir);
    expect(fixtures.map((f) => f.id)).toEqual(["0001-turn-on", "0002-noise"]);
    expect(unlabelled).toHaveLength(1);
    const { samples } = await readAudioFile(fx.wav);
    expect(samples.length).toBe(3200);
  });

  it("rejects bad labels with the file and the field", () => {
    const fdir = join(dir, "badfx");
    mkdirSync(fdir, { recursive: true });
    writeFileSync(join(fdir, "a.wav"), encodeWav16(new Float32Array(10), 16000));
    writeFileSync(join(fdir, "a.json"), JSON.stringify({ text: "x", intents: [{ slots: {} }] }));
    expect(() => readFixture(join(fdir, "a.wav"))).toThrow(/a\.json: bad fixture label at intents\.0\.intent/);
    writeFileSync(join(fdir, "a.json"), "{not json");
    expect(() => readFixture(join(fdir, "a.wav"))).toThrow(/not valid JSON/);
    expect(() => writeFixture(fdir, "../evil", { samples: new Float32Array(1), sampleRate: 16000 }, { text: "", intents: [] })).toThrow(/bad fixture id/);
  });
});

describe("segmentStream", () => {
  it("finds a burst of noise-like sound in a stream with the energy endpointer", async () => {
    const rate = 16000;
    const x = new Float32Array(rate * 3);
    const rnd = seededRandom(3);
    for (let i = rate; i < rate * 2; i++) x[i] = (rnd() * 2 - 1) * 0.3;
    const path = join(dir, "burst.wav");
    writeFileSync(path, encodeWav16(x, rate));
    const segs = [];
    for await (const s of segmentStream(fileSource(path), new EnergyEndpointer({ padMs: 0 }))) segs.push(s);
    expect(segs).toHaveLength(1);
    expect(segs[0]!.start).toBeCloseTo(1, 1);
    expect(segs[0]!.end).toBeCloseTo(2, 1);
  });
});
