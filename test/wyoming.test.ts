// hark as a Wyoming service (src/wyoming, docs/wyoming.md): a real TCP client on loopback against the
// real server on a running hark (embedded aedes broker, simulated home), every event type: describe,
// recognize, handle (the command seen on the broker), transcribe (spoken WAVs, also at 22050 Hz stereo),
// synthesize, detect (flite's "hey hark"), malformed input, five clients at once, idle clients.
// The client below is written from the protocol's description (rhasspy/wyoming event.py), not with the
// server's own encoder and parser, so a mistake in those cannot hide itself.
import { readFileSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import mqtt, { type MqttClient } from "mqtt";
import pino from "pino";
import { HarkRuntime } from "../src/run/runtime.js";
import { createSynthesizer } from "../src/tts/index.js";
import { resample } from "../src/audio/resample.js";
import { serveWyoming, WyomingServer, FrameParser, encodeEvent, type WyomingHandle, type WyomingServices } from "../src/wyoming/index.js";
import { pcmToMono } from "../src/wyoming/audio.js";
import { spawn } from "node:child_process";
import { hark, HARK } from "./helpers/cli.js";
import { matcherRuntime } from "./helpers/runtime.js";

interface Ev {
  type: string;
  data: Record<string, unknown>;
  payload?: Buffer;
  header: Record<string, unknown>;
}

/** A Wyoming client: writes events as rhasspy/wyoming does, reads them byte by byte as its reader does. */
class Client {
  private buf = Buffer.alloc(0);
  private readonly events: Ev[] = [];
  private waiters: Array<() => void> = [];
  ended = false;

  private constructor(readonly socket: Socket) {
    socket.on("data", (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.parse();
    });
    socket.on("close", () => {
      this.ended = true;
      this.wake();
    });
    socket.on("error", () => undefined);
  }

  static open(port: number): Promise<Client> {
    return new Promise((resolve, reject) => {
      const s = connect(port, "127.0.0.1", () => resolve(new Client(s)));
      s.once("error", reject);
    });
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  private parse(): void {
    for (;;) {
      const nl = this.buf.indexOf(10);
      if (nl < 0) return;
      const header = JSON.parse(this.buf.subarray(0, nl).toString("utf8")) as Record<string, unknown>;
      const dl = (header.data_length as number | undefined) ?? 0;
      const pl = (header.payload_length as number | undefined) ?? 0;
      if (this.buf.length < nl + 1 + dl + pl) return;
      let data = (header.data as Record<string, unknown> | undefined) ?? {};
      if (dl) data = { ...data, ...(JSON.parse(this.buf.subarray(nl + 1, nl + 1 + dl).toString("utf8")) as Record<string, unknown>) };
      const payload = pl ? Buffer.from(this.buf.subarray(nl + 1 + dl, nl + 1 + dl + pl)) : undefined;
      this.buf = this.buf.subarray(nl + 1 + dl + pl);
      this.events.push({ type: header.type as string, data, header, ...(payload ? { payload } : {}) });
      this.wake();
    }
  }

  /** One event, data in a data block (as the Python library writes it). */
  send(type: string, data: Record<string, unknown> = {}, payload?: Buffer): void {
    const header: Record<string, unknown> = { type, version: "1.5.4" };
    const d = Object.keys(data).length ? Buffer.from(JSON.stringify(data)) : undefined;
    if (d) header.data_length = d.length;
    if (payload?.length) header.payload_length = payload.length;
    this.socket.write(Buffer.concat([Buffer.from(`${JSON.stringify(header)}\n`), ...(d ? [d] : []), ...(payload?.length ? [payload] : [])]));
  }

  raw(bytes: string | Buffer): void {
    this.socket.write(bytes);
  }

  /** The next event (waits up to `ms`). */
  async next(ms = 30_000): Promise<Ev> {
    const until = Date.now() + ms;
    while (!this.events.length) {
      if (this.ended) throw new Error("connection closed");
      const left = until - Date.now();
      if (left <= 0) throw new Error("no event in time");
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => (clearTimeout(t), resolve()));
      });
    }
    return this.events.shift()!;
  }

  /** Events up to and including one of `types`. */
  async until(types: string[], ms = 60_000): Promise<Ev[]> {
    const out: Ev[] = [];
    for (;;) {
      const e = await this.next(ms);
      out.push(e);
      if (types.includes(e.type)) return out;
    }
  }

  /** Audio as the client declares it: audio-start, chunks of `chunkFrames`, audio-stop. */
  sendAudio(pcm: Buffer, format: { rate: number; width: number; channels: number }, chunkFrames = 1024, stop = true): void {
    this.send("audio-start", { ...format, timestamp: 0 });
    const step = chunkFrames * format.width * format.channels;
    let ms = 0;
    for (let i = 0; i < pcm.length; i += step) {
      const piece = pcm.subarray(i, i + step);
      this.send("audio-chunk", { ...format, timestamp: Math.round(ms) }, piece);
      ms += (piece.length / (format.width * format.channels) / format.rate) * 1000;
    }
    if (stop) this.send("audio-stop", { timestamp: Math.round(ms) });
  }

  close(): void {
    this.socket.destroy();
  }
}

/** 16-bit PCM of a 16 kHz mono WAV file's samples (the fixtures are canonical 44-byte-header WAVs). */
function wavPcm(path: string): { pcm: Buffer; rate: number; channels: number } {
  const b = readFileSync(path);
  const channels = b.readUInt16LE(22);
  const rate = b.readUInt32LE(24);
  let at = 12;
  while (at + 8 <= b.length) {
    const id = b.toString("ascii", at, at + 4);
    const size = b.readUInt32LE(at + 4);
    if (id === "data") return { pcm: b.subarray(at + 8, at + 8 + size), rate, channels };
    at += 8 + size + (size % 2);
  }
  throw new Error(`${path}: no data chunk`);
}

function int16(samples: Float32Array, channels = 1): Buffer {
  const out = Buffer.alloc(samples.length * 2 * channels);
  for (let i = 0; i < samples.length; i++) {
    const v = Math.round(Math.max(-1, Math.min(1, samples[i]!)) * 32767);
    for (let c = 0; c < channels; c++) out.writeInt16LE(c === 1 ? Math.round(v * 0.8) : v, (i * channels + c) * 2);
  }
  return out;
}

function floats(pcm16: Buffer): Float32Array {
  const out = new Float32Array(pcm16.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = pcm16.readInt16LE(i * 2) / 32768;
  return out;
}

/** Flite speech at 16 kHz with `gap` seconds of silence before and after. */
async function speak(text: string, gap = 0.8): Promise<Float32Array> {
  const synth = createSynthesizer("flite:slt");
  try {
    const a = await synth.synthesize(text);
    const x = a.sampleRate === 16000 ? a.samples : resample(a.samples, a.sampleRate, 16000);
    const out = new Float32Array(x.length + Math.round(2 * gap * 16000));
    out.set(x, Math.round(gap * 16000));
    return out;
  } finally {
    synth.close();
  }
}

const FIXTURES = "test/fixtures/audio/commands";

describe("hark wyoming: a real client over TCP", () => {
  let rt: HarkRuntime;
  let wy: WyomingHandle;
  let port: number;
  let mq: MqttClient;
  const commands: Array<{ topic: string; body: Record<string, unknown> }> = [];

  beforeAll(async () => {
    rt = await matcherRuntime();
    wy = await serveWyoming(rt, "tcp://127.0.0.1:0", { log: pino({ level: "silent" }) });
    port = wy.server.address.port;
    await wy.ready; // recognizer, voice and spotter loaded: the latencies below are a warm service's
    mq = await mqtt.connectAsync(rt.brokerUrl, { reconnectPeriod: 0 });
    mq.on("message", (topic, payload) => {
      try {
        commands.push({ topic, body: JSON.parse(payload.toString()) as Record<string, unknown> });
      } catch {
        commands.push({ topic, body: {} });
      }
    });
    await mq.subscribeAsync("hark/home/+/set", { qos: 1 });
  }, 120_000);

  afterAll(async () => {
    await mq?.endAsync(true);
    await wy?.stop();
    await rt?.stop();
  });

  it("describe → info: asr, intent, handle, tts and wake programs as rhasspy/wyoming's info.py has them", async () => {
    const c = await Client.open(port);
    try {
      c.send("describe");
      const e = await c.next();
      expect(e.type).toBe("info");
      expect(e.header.version).toBeTypeOf("string");
      const info = e.data as Record<string, Array<Record<string, unknown>>>;
      for (const kind of ["asr", "intent", "handle", "tts", "wake"]) {
        expect(info[kind], kind).toHaveLength(1);
        const p = info[kind]![0]!;
        expect(p).toMatchObject({ installed: true, attribution: { name: expect.any(String), url: expect.any(String) } });
        expect(Object.keys(p)).toEqual(expect.arrayContaining(["name", "attribution", "installed", "description", "version"]));
        const models = (kind === "tts" ? p.voices : p.models) as Array<Record<string, unknown>>;
        expect(models.length, kind).toBeGreaterThan(0);
        for (const m of models) expect(m).toMatchObject({ installed: true, languages: ["en"], name: expect.any(String) });
      }
      expect((info.wake![0]!.models as Array<Record<string, unknown>>)[0]).toMatchObject({ name: "hey_hark", phrase: "hey hark" });
      expect((info.tts![0]!.voices as Array<{ name: string }>).map((v) => v.name)).toContain("flite:slt");
    } finally {
      c.close();
    }
  });

  it("recognize → intent with entities, or not-recognized with the reason (negation, nonsense, two requests)", async () => {
    const c = await Client.open(port);
    try {
      const times: number[] = [];
      const ask = async (text: string) => {
        const t0 = performance.now();
        c.send("recognize", { text });
        const e = await c.next();
        times.push(performance.now() - t0);
        return e;
      };
      const on = await ask("turn on the kitchen lights");
      expect(on.type).toBe("intent");
      expect(on.data.name).toBe("HassTurnOn");
      expect(on.data.entities).toEqual(expect.arrayContaining([{ name: "area", value: "Kitchen" }, { name: "domain", value: "light" }]));
      expect(on.data.text).toBe("turn on the kitchen lights");

      const bright = await ask("set the kitchen lights to 50 percent");
      expect(bright).toMatchObject({ type: "intent", data: { name: "HassLightSet" } });
      expect(bright.data.entities).toEqual(expect.arrayContaining([{ name: "brightness", value: 50 }]));

      expect(await ask("never mind")).toMatchObject({ type: "intent", data: { name: "HassNevermind" } });
      expect(await ask("what time is it")).toMatchObject({ type: "intent", data: { name: "HassGetCurrentTime" } });

      const negated = await ask("don't turn on the kitchen lights");
      expect(negated.type).toBe("not-recognized");
      expect(negated.data.text).toMatch(/negation/);
      const window = await ask("don't open my window");
      expect(window.type).toBe("not-recognized");
      const nonsense = await ask("purple monkey dishwasher");
      expect(nonsense.type).toBe("not-recognized");
      const two = await ask("turn off the hallway and the living room lights");
      expect(two.type).toBe("not-recognized");
      expect(two.data.text).toMatch(/2 requests/);
      const sorted = [...times].sort((a, b) => a - b);
      console.log(`wyoming recognize: median ${sorted[Math.floor(sorted.length / 2)]!.toFixed(1)} ms, max ${sorted[sorted.length - 1]!.toFixed(1)} ms over ${times.length} requests`);
    } finally {
      c.close();
    }
  });

  it("handle → the command reaches the kitchen lights over MQTT and hark's answer comes back as handled", async () => {
    const c = await Client.open(port);
    try {
      commands.length = 0;
      c.send("handle", { text: "turn on the kitchen lights" });
      const e = await c.next();
      expect(e.type).toBe("handled");
      expect(e.data.text).toMatch(/Kitchen/);
      expect(commands.filter((m) => m.topic === "hark/home/light.kitchen_pendants/set").map((m) => m.body.action)).toEqual(["turn_on"]);

      c.send("handle", { text: "purple monkey dishwasher" });
      expect(await c.next()).toMatchObject({ type: "not-handled", data: { text: expect.stringMatching(/^Sorry/) } });
      commands.length = 0;
      c.send("handle", { text: "don't turn off the kitchen lights" });
      expect(await c.next()).toMatchObject({ type: "not-handled" });
      expect(commands).toEqual([]);

      // A question back is handled (its text is the question); the next handle answers it.
      commands.length = 0;
      c.send("handle", { text: "unlock the front door" });
      expect(await c.next()).toMatchObject({ type: "handled", data: { text: expect.stringMatching(/\?$/) } });
      expect(commands.filter((m) => m.topic === "hark/home/lock.front_door/set")).toEqual([]);
      c.send("handle", { text: "yes" });
      expect(await c.next()).toMatchObject({ type: "handled", data: { text: expect.stringMatching(/Unlocked/) } });
      expect(commands.filter((m) => m.topic === "hark/home/lock.front_door/set").map((m) => m.body.action)).toEqual(["unlock"]);

      // Home Assistant's conversation agent sends a transcript (with its conversation id) and reads handled back.
      commands.length = 0;
      c.send("transcript", { text: "turn off the kitchen lights", context: { conversation_id: "abc" } });
      const t = await c.next();
      expect(t).toMatchObject({ type: "handled", data: { context: { conversation_id: "abc" } } });
      expect(commands.filter((m) => m.topic === "hark/home/light.kitchen_pendants/set").map((m) => m.body.action)).toEqual(["turn_off"]);
    } finally {
      c.close();
    }
  }, 60_000);

  it("transcribe + audio → transcript: spoken WAVs at 16 kHz mono, and converted from 22050 Hz stereo", async () => {
    const c = await Client.open(port);
    const lat: number[] = [];
    const transcribe = async (pcm: Buffer, format: { rate: number; width: number; channels: number }) => {
      c.send("transcribe", { language: "en" });
      c.sendAudio(pcm, format, 1024, false);
      // As from a live microphone, the audio is in before audio-stop: a ping's pong says the server has
      // read every chunk (events are served in order), so the time below is audio-stop → transcript.
      c.send("ping");
      expect((await c.next()).type).toBe("pong");
      const t0 = performance.now();
      c.send("audio-stop");
      const e = await c.next(60_000);
      lat.push(performance.now() - t0);
      return e;
    };
    try {
      for (const name of ["0026-set-pendant-lights-to-full-brightness", "0008-switch-the-lamp-on", "0003-decrease-the-volume"]) {
        const want = (JSON.parse(readFileSync(`${FIXTURES}/${name}.json`, "utf8")) as { text: string }).text.toLowerCase();
        const { pcm, rate, channels } = wavPcm(`${FIXTURES}/${name}.wav`);
        expect([rate, channels]).toEqual([16000, 1]);
        const e = await transcribe(pcm, { rate, width: 2, channels });
        expect(e.type, name).toBe("transcript");
        expect(e.data.text, name).toBe(want);

        // The same speech at 22050 Hz in two channels (the right one quieter).
        const x22 = resample(floats(pcm), 16000, 22050);
        const e2 = await transcribe(int16(x22, 2), { rate: 22050, width: 2, channels: 2 });
        expect(e2.data.text, `${name} at 22050 Hz stereo`).toBe(want);
      }
      // Silence: a transcript with no words (never an error).
      expect(await transcribe(Buffer.alloc(32000), { rate: 16000, width: 2, channels: 1 })).toMatchObject({ type: "transcript", data: { text: "" } });
      const sorted = [...lat].sort((a, b) => a - b);
      console.log(`wyoming audio-stop → transcript: median ${sorted[Math.floor(sorted.length / 2)]!.toFixed(0)} ms, max ${sorted[sorted.length - 1]!.toFixed(0)} ms over ${lat.length} utterances (1–3 s each)`);
    } finally {
      c.close();
    }
  }, 120_000);

  it("a client that stalls mid-stream holds the live recognizer only a few seconds; its stream is then transcribed whole", async () => {
    const a = await Client.open(port);
    const b = await Client.open(port);
    try {
      const lamp = wavPcm(`${FIXTURES}/0008-switch-the-lamp-on.wav`).pcm;
      const lights = wavPcm(`${FIXTURES}/0028-lights-on.wav`).pcm;
      // A takes the recognizer live and stops sending halfway through.
      a.send("transcribe");
      a.sendAudio(lamp.subarray(0, lamp.length / 2), { rate: 16000, width: 2, channels: 1 }, 1024, false);
      a.send("ping");
      expect((await a.next()).type).toBe("pong");
      // B meanwhile: transcribed whole once A's hold has lapsed (≈ 5 s), never stuck.
      const t0 = performance.now();
      b.send("transcribe");
      b.sendAudio(lights, { rate: 16000, width: 2, channels: 1 });
      expect(await b.next(20_000)).toMatchObject({ type: "transcript", data: { text: "lights on" } });
      expect(performance.now() - t0).toBeLessThan(12_000);
      // A comes back: the rest of its audio, and a transcript of all of it.
      const step = 2048;
      for (let i = lamp.length / 2; i < lamp.length; i += step) a.send("audio-chunk", { rate: 16000, width: 2, channels: 1 }, lamp.subarray(i, i + step));
      a.send("audio-stop");
      expect(await a.next(20_000)).toMatchObject({ type: "transcript", data: { text: "switch the lamp on" } });
    } finally {
      a.close();
      b.close();
    }
  }, 60_000);

  it("a transcript handled next is heard with the recognizer's evidence, as hark run hears speech", async () => {
    const c = await Client.open(port);
    const spy = vi.spyOn(rt, "handleHeard");
    try {
      commands.length = 0;
      const { pcm } = wavPcm(`${FIXTURES}/0008-switch-the-lamp-on.wav`);
      c.send("transcribe");
      c.sendAudio(pcm, { rate: 16000, width: 2, channels: 1 });
      const t = await c.next();
      expect(t.data.text).toBe("switch the lamp on");
      c.send("transcript", { text: t.data.text });
      expect((await c.next()).type).toBe("handled");
      expect(spy).toHaveBeenCalledTimes(1);
      const heard = spy.mock.calls[0]![0];
      expect(heard).toEqual([expect.objectContaining({ text: "switch the lamp on", evidence: expect.objectContaining({ competitors: expect.any(Number) }) })]);
      expect(commands.length).toBeGreaterThan(0);
      // Typed text (never transcribed) goes in as text.
      c.send("handle", { text: "turn off the kitchen lights" });
      expect((await c.next()).type).toBe("handled");
      expect(spy).toHaveBeenCalledTimes(1);
    } finally {
      spy.mockRestore();
      c.close();
    }
  }, 60_000);

  it("synthesize → audio-start, chunks of 16-bit PCM, audio-stop; the length fits the text", async () => {
    const c = await Client.open(port);
    const say = async (text: string, voice?: Record<string, unknown>) => {
      c.send("synthesize", { text, ...(voice ? { voice } : {}) });
      const evs = await c.until(["audio-stop", "error"]);
      return evs;
    };
    try {
      const short = await say("Turned on the lights.");
      expect(short[0]).toMatchObject({ type: "audio-start", data: { rate: 16000, width: 2, channels: 1 } });
      const chunks = short.filter((e) => e.type === "audio-chunk");
      expect(short[short.length - 1]!.type).toBe("audio-stop");
      expect(chunks.length).toBeGreaterThan(1);
      for (const ch of chunks) expect(ch.data).toMatchObject({ rate: 16000, width: 2, channels: 1 });
      const bytes = chunks.reduce((n, e) => n + (e.payload?.length ?? 0), 0);
      const seconds = bytes / 2 / 16000;
      // Four words at a speaking pace: about 1–3 s.
      expect(seconds).toBeGreaterThan(0.8);
      expect(seconds).toBeLessThan(3.5);
      const pcm = Buffer.concat(chunks.map((e) => e.payload!));
      const x = floats(pcm);
      expect(Math.max(...x.map(Math.abs))).toBeGreaterThan(0.05); // speech, not silence

      const long = await say("Turned on the lights in the kitchen, the hallway, the living room and the bedroom, and closed every blind.");
      const longSec = long.filter((e) => e.type === "audio-chunk").reduce((n, e) => n + e.payload!.length, 0) / 2 / 16000;
      expect(longSec).toBeGreaterThan(seconds * 2.5);

      // A voice from info by name; the 8 kHz voice says its own rate.
      const kal = await say("Hello there.", { name: "flite:kal" });
      expect(kal[0]).toMatchObject({ type: "audio-start", data: { rate: 8000 } });
      const unknown = await say("Hello.", { name: "piper:/etc/passwd" });
      expect(unknown).toEqual([expect.objectContaining({ type: "error", data: expect.objectContaining({ code: "unknown-voice" }) })]);
    } finally {
      c.close();
    }
  }, 60_000);

  it("detect + audio → detection when 'hey hark' is said, not-detected at audio-stop otherwise", async () => {
    const c = await Client.open(port);
    try {
      const hey = await speak("hey hark");
      c.send("detect", { names: ["hey_hark"] });
      c.sendAudio(int16(hey), { rate: 16000, width: 2, channels: 1 }, 1280);
      const evs = await c.until(["not-detected", "detection"]);
      const det = evs[evs.length - 1]!;
      expect(det.type).toBe("detection");
      expect(det.data.name).toBe("hey_hark");
      // The phrase starts after 0.8 s of silence and ends before the trailing silence.
      expect(det.data.timestamp as number).toBeGreaterThan(800);
      expect(det.data.timestamp as number).toBeLessThan(hey.length / 16);
      // Nothing more for this stream: the next request's answer comes next.
      c.send("ping", { text: "after" });
      expect(await c.next()).toMatchObject({ type: "pong", data: { text: "after" } });

      // The same phrase at 48 kHz stereo.
      c.send("detect");
      c.sendAudio(int16(resample(hey, 16000, 48000), 2), { rate: 48000, width: 2, channels: 2 }, 3840);
      expect((await c.until(["not-detected", "detection"])).pop()!.type).toBe("detection");

      c.send("detect");
      c.sendAudio(int16(await speak("turn on the kitchen lights")), { rate: 16000, width: 2, channels: 1 }, 1280);
      expect((await c.until(["not-detected", "detection"])).pop()!.type).toBe("not-detected");

      // A stream started again without a new detect is still a detect stream (a satellite restarting its mic).
      c.send("detect");
      c.send("audio-start", { rate: 16000, width: 2, channels: 1 });
      c.send("audio-chunk", { rate: 16000, width: 2, channels: 1 }, Buffer.alloc(3200));
      c.sendAudio(int16(hey), { rate: 16000, width: 2, channels: 1 }, 1280);
      expect((await c.until(["not-detected", "detection", "transcript"])).pop()!.type).toBe("detection");

      c.send("detect", { names: ["ok_nabu"] });
      expect(await c.next()).toMatchObject({ type: "error", data: { code: "unknown-wake-word" } });
    } finally {
      c.close();
    }
  }, 120_000);

  it("malformed input gets an error event and the connection keeps serving", async () => {
    const c = await Client.open(port);
    try {
      const describeWorks = async () => {
        c.send("ping", { text: "still here" });
        expect(await c.next()).toMatchObject({ type: "pong", data: { text: "still here" } });
      };
      c.raw("this is not json\n");
      expect(await c.next()).toMatchObject({ type: "error", data: { code: "bad-header", text: expect.any(String) } });
      await describeWorks();

      c.raw('["an", "array"]\n');
      expect(await c.next()).toMatchObject({ type: "error", data: { code: "bad-header" } });
      await describeWorks();

      c.send("make-coffee", { strength: 11 });
      expect(await c.next()).toMatchObject({ type: "error", data: { code: "unknown-event", text: expect.stringMatching(/make-coffee/) } });
      await describeWorks();

      c.send("recognize", { words: "turn on the lights" });
      expect(await c.next()).toMatchObject({ type: "error", data: { code: "bad-event" } });
      await describeWorks();

      // A data block that is not JSON: its bytes are consumed, the error names the event.
      c.raw('{"type":"recognize","data_length":9}\nnot json!');
      expect(await c.next()).toMatchObject({ type: "error", data: { code: "bad-data", text: expect.stringMatching(/recognize/) } });
      await describeWorks();

      // A payload over the 10 MiB limit: skipped as it streams in, reported once.
      const big = 10 * 1024 * 1024 + 1;
      c.raw(`${JSON.stringify({ type: "audio-chunk", data: { rate: 16000, width: 2, channels: 1 }, payload_length: big })}\n`);
      c.raw(Buffer.alloc(big));
      expect(await c.next()).toMatchObject({ type: "error", data: { code: "too-large" } });
      await describeWorks();

      // A header line over 1 MiB without a newline yet.
      c.raw(Buffer.alloc(1024 * 1024 + 10, 0x61));
      expect(await c.next()).toMatchObject({ type: "error", data: { code: "too-large" } });
      c.raw("aaaa\n");
      await describeWorks();

      // Wrong audio formats.
      c.send("audio-start", { rate: 16000, width: 7, channels: 1 });
      expect(await c.next()).toMatchObject({ type: "error", data: { code: "audio-format", text: expect.stringMatching(/width/) } });
      c.send("audio-start", { rate: 0, width: 2, channels: 1 });
      expect(await c.next()).toMatchObject({ type: "error", data: { code: "audio-format", text: expect.stringMatching(/rate/) } });
      c.send("audio-stop");
      expect(await c.next()).toMatchObject({ type: "error", data: { code: "audio-order" } });
      c.send("transcribe");
      c.send("audio-start", { rate: 16000, width: 2, channels: 1 });
      c.send("audio-chunk", { rate: 44100, width: 2, channels: 1 }, Buffer.alloc(640));
      expect(await c.next()).toMatchObject({ type: "error", data: { code: "audio-format", text: expect.stringMatching(/differs/) } });
      c.send("audio-stop");
      expect(await c.next()).toMatchObject({ type: "transcript", data: { text: "" } });
      await describeWorks();
      // A chunk without audio-start must say its format; after audio-start it may leave it out.
      c.send("audio-chunk", {}, Buffer.alloc(640));
      expect(await c.next()).toMatchObject({ type: "error", data: { code: "audio-format" } });
      const { pcm } = wavPcm(`${FIXTURES}/0028-lights-on.wav`);
      c.send("audio-start", { rate: 16000, width: 2, channels: 1 });
      c.send("audio-chunk", {}, pcm);
      c.send("audio-stop");
      expect(await c.next()).toMatchObject({ type: "transcript", data: { text: "lights on" } });
      // And a real request after all that.
      c.send("recognize", { text: "turn on the kitchen lights" });
      expect(await c.next()).toMatchObject({ type: "intent", data: { name: "HassTurnOn" } });
    } finally {
      c.close();
    }
  }, 60_000);

  it("lengths that are not numbers: an error, then the connection closes cleanly; the server serves on", async () => {
    const c = await Client.open(port);
    c.raw('{"type":"audio-chunk","payload_length":"lots"}\n');
    expect(await c.next()).toMatchObject({ type: "error", data: { code: "bad-header" } });
    await expect(c.next(5000)).rejects.toThrow(/closed/);
    // A client that vanishes in the middle of a payload does no harm either.
    const d = await Client.open(port);
    d.raw('{"type":"audio-chunk","payload_length":64000}\n');
    d.raw(Buffer.alloc(1000));
    d.close();
    const e = await Client.open(port);
    e.send("describe");
    expect((await e.next()).type).toBe("info");
    e.close();
    // A client that ends its side right after its requests still gets every answer, then the close.
    const f = await Client.open(port);
    f.send("recognize", { text: "turn on the kitchen lights" });
    f.send("ping", { text: "last" });
    f.socket.end();
    expect((await f.next()).type).toBe("intent");
    expect(await f.next()).toMatchObject({ type: "pong", data: { text: "last" } });
    await expect(f.next(5000)).rejects.toThrow(/closed/);
  });

  it("five clients at once, each with its own requests and answers", async () => {
    const { pcm } = wavPcm(`${FIXTURES}/0028-lights-on.wav`);
    const texts = ["turn on the kitchen lights", "turn off the bedroom lights", "set the kitchen lights to 20 percent", "turn on the hallway lights", "turn off the living room lights"];
    const want = ["HassTurnOn", "HassTurnOff", "HassLightSet", "HassTurnOn", "HassTurnOff"];
    const clients = await Promise.all(texts.map(() => Client.open(port)));
    try {
      for (let i = 0; i < 100 && wy.server.connections < 5; i++) await new Promise((r) => setTimeout(r, 10));
      expect(wy.server.connections).toBe(5);
      const results = await Promise.all(
        clients.map(async (c, i) => {
          c.send("describe");
          c.send("recognize", { text: texts[i]! });
          c.send("synthesize", { text: `client ${i + 1}` });
          c.send("transcribe");
          c.sendAudio(pcm, { rate: 16000, width: 2, channels: 1 }, 400 + 200 * i);
          const evs = await c.until(["transcript"], 120_000);
          return evs;
        }),
      );
      results.forEach((evs, i) => {
        const types = evs.map((e) => e.type).filter((t) => t !== "audio-chunk");
        expect(types, `client ${i + 1}`).toEqual(["info", "intent", "audio-start", "audio-stop", "transcript"]);
        expect(evs[1]!.data.name, texts[i]).toBe(want[i]);
        expect(evs[evs.length - 1]!.data.text).toBe("lights on");
      });
    } finally {
      for (const c of clients) c.close();
    }
  }, 180_000);
});

describe("Wyoming server limits (a stand-in assistant)", () => {
  const services: WyomingServices = {
    info: () => ({ asr: [], tts: [], handle: [], intent: [], wake: [] }),
    transcribe: async () => ({ text: "" }),
    recognize: async (text) => ({ kind: "not-recognized", text }),
    handle: async (text) => ({ handled: true, text }),
    synthesize: async () => ({ samples: new Float32Array(0), sampleRate: 16000 }),
    close: async () => undefined,
  };

  it("closes idle clients, and refuses clients over the limit with an error", async () => {
    const server = await WyomingServer.listen("tcp://127.0.0.1:0", services, { idleMs: 300, maxConnections: 2 });
    try {
      const a = await Client.open(server.address.port);
      const b = await Client.open(server.address.port);
      const c = await Client.open(server.address.port);
      expect(await c.next()).toMatchObject({ type: "error", data: { code: "busy" } });
      a.send("ping");
      expect((await a.next()).type).toBe("pong");
      await new Promise((r) => setTimeout(r, 900));
      expect(a.ended && b.ended).toBe(true);
      expect(server.connections).toBe(0);
    } finally {
      await server.close();
    }
  });

  it("rejects URIs that are not tcp://HOST:PORT", async () => {
    await expect(WyomingServer.listen("unix:///tmp/x", services)).rejects.toThrow(/tcp:\/\/HOST:PORT/);
    await expect(WyomingServer.listen("tcp://127.0.0.1", services)).rejects.toThrow(/tcp:\/\/HOST:PORT/);
  });

  it("framing: events split at every byte boundary come out whole; the encoder writes version and lengths", () => {
    const bytes = Buffer.concat([
      encodeEvent({ type: "recognize", data: { text: "héllo" } }),
      encodeEvent({ type: "audio-chunk", data: { rate: 16000, width: 2, channels: 1 }, payload: Buffer.from([1, 2, 3, 4]) }),
      encodeEvent({ type: "audio-stop", data: {} }),
    ]);
    const header = JSON.parse(bytes.subarray(0, bytes.indexOf(10)).toString()) as Record<string, unknown>;
    expect(header).toEqual({ type: "recognize", version: expect.any(String), data_length: Buffer.byteLength(JSON.stringify({ text: "héllo" })) });
    const p = new FrameParser();
    const out = [...bytes].flatMap((b) => p.push(Buffer.from([b])));
    expect(out).toEqual([
      { event: { type: "recognize", data: { text: "héllo" } } },
      { event: { type: "audio-chunk", data: { rate: 16000, width: 2, channels: 1 }, payload: Buffer.from([1, 2, 3, 4]) } },
      { event: { type: "audio-stop", data: {} } },
    ]);
  });

  it("PCM of every width and channel count becomes mono float", () => {
    const u8 = Buffer.from([128, 255, 0, 128]);
    expect([...pcmToMono(u8, { rate: 8000, width: 1, channels: 1 })].map((v) => Math.round(v * 100) / 100)).toEqual([0, 0.99, -1, 0]);
    const s24 = Buffer.alloc(6);
    s24.writeIntLE(4194304, 0, 3); // +0.5
    s24.writeIntLE(-8388608, 3, 3); // −1
    expect([...pcmToMono(s24, { rate: 8000, width: 3, channels: 1 })]).toEqual([0.5, -1]);
    const s32 = Buffer.alloc(8);
    s32.writeInt32LE(1073741824, 0); // left +0.5
    s32.writeInt32LE(0, 4); // right 0
    expect([...pcmToMono(s32, { rate: 8000, width: 4, channels: 2 })]).toEqual([0.25]);
  });
});

describe("the hark wyoming command", () => {
  it("usage errors are one line and exit 2", () => {
    const a = hark(["wyoming", "--uri", "http://127.0.0.1:10500"]);
    expect(a.status).toBe(2);
    expect(a.stderr).toMatch(/^hark: --uri: not a Wyoming URI: http:\/\/127\.0\.0\.1:10500 \(expected tcp:\/\/HOST:PORT/);
    expect(a.stderr.trim().split("\n")).toHaveLength(1);
    const b = hark(["run", "--wyoming", "127.0.0.1:10500"]);
    expect(b.status).toBe(2);
    expect(b.stderr).toMatch(/^hark: --wyoming: not a Wyoming URI/);
    expect(hark(["wyoming", "--max-clients", "0"]).status).toBe(2);
  });

  it("serves until SIGINT, then exits 0", async () => {
    const child = spawn(process.execPath, [HARK, "wyoming", "--uri", "tcp://127.0.0.1:0", "--no-wake", "--log-level", "warn"], {
      env: { ...process.env, HARK_SLM: "0" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    try {
      let err = "";
      const port = await new Promise<number>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`no service line: ${err}`)), 90_000);
        child.stderr.on("data", (d: Buffer) => {
          err += d.toString();
          const m = /Wyoming service on tcp:\/\/127\.0\.0\.1:(\d+) \(asr, intent, handle, tts\)/.exec(err);
          if (m) (clearTimeout(t), resolve(Number(m[1])));
        });
        child.once("exit", (code) => reject(new Error(`exited ${code}: ${err}`)));
      });
      const c = await Client.open(port);
      c.send("describe");
      const info = await c.next();
      expect(info.type).toBe("info");
      expect(info.data.wake).toEqual([]);
      c.send("recognize", { text: "turn on the kitchen lights" });
      expect(await c.next()).toMatchObject({ type: "intent", data: { name: "HassTurnOn" } });
      c.close();
      const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
      child.kill("SIGINT");
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  }, 120_000);
});
