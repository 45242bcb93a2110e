// The wake phrase (src/wake/spotter.ts, gating in src/run/listen.ts and src/run/live.ts): real flite
// speech, the real VAD, spotter and grammar ASR, the embedded MQTT broker.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSynthesizer } from "../src/tts/index.js";
import { arraySource, resample } from "../src/audio/index.js";
import { HarkRuntime } from "../src/run/runtime.js";
import { runLive } from "../src/run/live.js";
import { WakeSpotter, wakeFsg } from "../src/wake/spotter.js";
import { DEFAULT_WAKE_SENSITIVITY, phonePrice } from "../src/wake/sensitivity.js";
import { homeCommands, matcherRuntime } from "./helpers/runtime.js";
import { hark } from "./helpers/cli.js";

/** Texts said by a flite voice one after another, `gapSec` of silence around each. */
async function speak(texts: string[], gapSec: number, voice = "slt"): Promise<Float32Array> {
  const synth = createSynthesizer(`flite:${voice}`);
  try {
    const gap = new Float32Array(Math.round(gapSec * 16000));
    const parts: Float32Array[] = [gap];
    for (const t of texts) {
      const a = await synth.synthesize(t);
      parts.push(a.sampleRate === 16000 ? a.samples : resample(a.samples, a.sampleRate, 16000), gap);
    }
    const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) (out.set(p, at), (at += p.length));
    return out;
  } finally {
    synth.close();
  }
}

describe("wake spotter", () => {
  let spotter: WakeSpotter;
  beforeAll(async () => {
    spotter = await WakeSpotter.create({ phrase: "hey hark" });
  });
  afterAll(() => spotter?.close());

  it("writes a grammar of the phrase opening the utterance or a phone loop, priced by the sensitivity", () => {
    const fsg = wakeFsg(["hey", "hark"], phonePrice(0.5));
    expect(fsg).toContain("TRANSITION 0 2 1 hey");
    // Only from the start: no arc into the phrase from the loop.
    expect(fsg.split("\n").filter((l) => / hey$/.test(l))).toEqual(["TRANSITION 0 2 1 hey"]);
    expect(fsg).toContain("TRANSITION 2 3 1 hark");
    expect(fsg).toMatch(/TRANSITION 1 1 0\.0100000 ph_aa/);
    expect(phonePrice(0)).toBe(1);
    expect(phonePrice(1)).toBeCloseTo(1e-4);
  });

  it("hears the phrase said by two voices, with where it ends and what followed", async () => {
    for (const v of ["slt", "rms"]) {
      const r = await spotter.recognize(await speak(["hey hark"], 0.5, v));
      expect(r.rejected, v).toBeFalsy();
      expect(r.text).toBe("hey hark");
      const d = r.detail as { wakeStart: number; wakeEnd: number; after: number };
      expect(d.wakeStart).toBeGreaterThan(0.3);
      expect(d.wakeEnd - d.wakeStart).toBeGreaterThan(0.36);
      expect(d.after).toBeLessThan(0.3);
    }
    const r = await spotter.recognize(await speak(["hey hark turn on the kitchen lights"], 0.5));
    expect((r.detail as { after: number }).after).toBeGreaterThan(0.8);
  });

  it("survives a fault inside the decoder: the utterance is dropped, the next one is heard", async () => {
    const audio = await speak(["hey hark"], 0.5);
    const inner = (spotter as unknown as { decoder: { process_audio: () => number } }).decoder;
    inner.process_audio = () => {
      throw new Error("RuntimeError: memory access out of bounds");
    };
    const r = await spotter.recognize(audio);
    expect(r.rejected).toBe(true);
    expect(r.reason).toMatch(/spotter fault/);
    expect(spotter.faults).toBe(1);
    expect((await spotter.recognize(audio)).text).toBe("hey hark");
  });

  it("does not wake on a request without the phrase", async () => {
    for (const t of ["turn on the kitchen lights", "what time is it"]) {
      const r = await spotter.recognize(await speak([t], 0.5));
      expect(r.rejected, t).toBe(true);
    }
  });

  it("does not wake on the phrase inside a sentence (people say it first)", async () => {
    const t = "and then she said hey hark to the dog";
    const r = await spotter.recognize(await speak([t], 0.5));
    expect(r.rejected, t).toBe(true);
  });
});

describe("wake gating through the runtime", () => {
  let rt: HarkRuntime;
  let watch: Awaited<ReturnType<typeof homeCommands>>;
  let commands: string[];
  const wake = { phrase: "hey hark", sensitivity: DEFAULT_WAKE_SENSITIVITY };
  beforeAll(async () => {
    rt = await matcherRuntime();
    watch = await homeCommands(rt);
    commands = watch.topics;
  });
  afterAll(async () => {
    await watch?.close();
    await rt?.stop();
  });

  it("ignores a request said without the phrase", async () => {
    commands.length = 0;
    const stats = await runLive(rt, arraySource(await speak(["turn off the kitchen lights"], 0.8), 16000, { frameSamples: 320 }), { wake });
    expect(stats.wakes).toBe(0);
    expect(stats.utterances).toBe(0);
    await new Promise((r) => setTimeout(r, 300));
    expect(commands).toEqual([]);
  }, 60_000);

  it("acts on the request after the phrase, said after a pause or in the same breath", async () => {
    for (const said of [["hey hark", "turn off the kitchen lights"], ["hey hark turn on the kitchen lights"]]) {
      commands.length = 0;
      const stats = await runLive(rt, arraySource(await speak(said, 0.8), 16000, { frameSamples: 320 }), { wake });
      expect(stats.wakes, said.join(" / ")).toBe(1);
      expect(commands.some((t) => t.includes("kitchen")), said.join(" / ")).toBe(true);
      rt.handle({ session: rt.defaultSession.info.id, event: "cancel" }).catch(() => undefined);
      await new Promise((r) => setTimeout(r, 200));
    }
  }, 90_000);
});

describe("hark bench --suite wake: bad input", () => {
  it("a sensitivity outside 0..1 is a one-line usage error, exit 2", () => {
    const r = hark(["bench", "--suite", "wake", "--sensitivity", "2", "-n", "1", "--hours", "0.01"]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe("hark: --sensitivity: between 0 and 1");
  });
});
