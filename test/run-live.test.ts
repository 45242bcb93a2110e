// The live hearing path (src/run/listen.ts, src/run/live.ts): speech decoded while it arrives, an
// endpoint that knows the grammar, and barge-in through the runtime. Real flite speech, the real
// VAD and grammar ASR, the embedded MQTT broker.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Hearing, Voice, type Heard } from "../src/run/voice.js";
import { loadSources } from "../src/nlu/index.js";
import { createSynthesizer } from "../src/tts/index.js";
import { arraySource, resample } from "../src/audio/index.js";
import { HarkRuntime } from "../src/run/runtime.js";
import { runLive } from "../src/run/live.js";
import { homeCommands, matcherRuntime } from "./helpers/runtime.js";

/** The sentences said one after another, `gapSec` of silence before, between and after them. */
async function speak(texts: string[], gapSec: number): Promise<{ audio: Float32Array; ends: number[] }> {
  const synth = createSynthesizer("flite:slt");
  try {
    const xs: Float32Array[] = [];
    for (const t of texts) {
      const a = await synth.synthesize(t);
      xs.push(a.sampleRate === 16000 ? a.samples : resample(a.samples, a.sampleRate, 16000));
    }
    const gap = Math.round(gapSec * 16000);
    const audio = new Float32Array(xs.reduce((n, x) => n + x.length + gap, gap));
    const ends: number[] = [];
    let at = gap;
    for (const x of xs) {
      audio.set(x, at);
      at += x.length;
      ends.push(at / 16000);
      at += gap;
    }
    return { audio, ends };
  } finally {
    synth.close();
  }
}

async function hearAll(hearing: Hearing, audio: Float32Array): Promise<Heard[]> {
  const out: Heard[] = [];
  for await (const h of hearing.hearStream(arraySource(audio, 16000, { frameSamples: 320 }))) out.push(h);
  return out;
}

describe("live listener: streaming decode, grammar-aware endpoint", () => {
  let hearing: Hearing;
  beforeAll(async () => {
    hearing = await Hearing.create({ grammar: await loadSources() });
  });
  afterAll(() => hearing?.close());

  it("ends a sentence that cannot go on after the short silence, and one that can after the medium one", async () => {
    const { audio, ends } = await speak(["turn on the kitchen lights", "set the volume to thirty"], 1.2);
    const heard = await hearAll(hearing, audio);
    expect(heard.map((h) => h.text)).toEqual(["turn on the kitchen lights", "set the volume to thirty"]);
    expect(heard.map((h) => h.endpoint)).toEqual(["short", "medium"]);
    // Decided after the short silence; the open sentence waited the medium one.
    const waited = heard.map((h) => h.end - h.speechEnd!);
    expect(waited[0]).toBeLessThan(0.3);
    expect(waited[1]).toBeGreaterThanOrEqual(0.4);
    expect(ends[0]).toBeLessThan(heard[0]!.end);
    expect(heard[0]!.evidence?.competitors).toBeGreaterThanOrEqual(0);
  });

  it("tells a number that can go on only with itself or its unit from a sentence that can go on with content", () => {
    const ending = (text: string) => (hearing.recognizer as unknown as { ending(w: string[]): string }).ending(text.split(" "));
    expect(ending("turn on the kitchen lights")).toBe("closed");
    expect(ending("set the temperature to")).toBe("none");
    // "twenty two" … "point five", "degrees", "and a half": the number's own continuation.
    expect(ending("set the temperature to twenty two")).toBe("number");
    expect(ending("set the temperature to twenty")).toBe("number");
    // "thirty" … "in the kitchen", "here": content, which may come after a pause.
    expect(ending("set the volume to thirty")).toBe("open");
  });

  it("ends a number that can go on only with itself after the number silence, and hears a fluent continuation", async () => {
    const { audio } = await speak(["set the temperature to twenty two"], 1);
    const heard = await hearAll(hearing, audio);
    expect(heard.map((h) => [h.text, h.endpoint])).toEqual([["set the temperature to twenty two", "number"]]);
    expect(heard[0]!.end - heard[0]!.speechEnd!).toBeLessThan(0.4);
    const more = await speak(["set the temperature to twenty two point five"], 1);
    expect((await hearAll(hearing, more.audio)).map((h) => h.text)).toEqual(["set the temperature to twenty two point five"]);
  });

  it("waits through a pause inside a sentence that is not yet whole", async () => {
    // "set the temperature to" is not a sentence: a 300 ms pause (plus the voice's own trailing
    // silence) after it must not end the utterance.
    const { audio } = await speak(["set the temperature to", "twenty five"], 0.3);
    const heard = await hearAll(hearing, audio);
    expect(heard.map((h) => h.text)).toEqual(["set the temperature to twenty five"]);
  });

  it("hears what the batch path hears on the shipped spoken fixtures' kind of input (three sentences)", async () => {
    const texts = ["lights on", "pause my timer", "decrease the volume"];
    const { audio } = await speak(texts, 1);
    const live = await hearAll(hearing, audio);
    const batch = await hearing.hearSamples(audio);
    expect(live.map((h) => h.text)).toEqual(batch.map((h) => h.text));
  });
});

describe("barge-in through the runtime", () => {
  let rt: HarkRuntime;
  let watch: Awaited<ReturnType<typeof homeCommands>>;
  let commands: string[];
  beforeAll(async () => {
    rt = await matcherRuntime();
    watch = await homeCommands(rt);
    commands = watch.topics;
  });
  afterAll(async () => {
    await watch?.close();
    await rt?.stop();
  });

  it("speech during an answer stops the answer, and the new utterance is acted on", async () => {
    // A sound device whose player plays for 20 s unless it is stopped ("-l" lists its card, as aplay does).
    const dir = mkdtempSync(join(tmpdir(), "hark-barge-"));
    writeFileSync(join(dir, "slow-player"), '#!/bin/sh\nif [ "$1" = "-l" ]; then echo "card 0: fake [fake], device 0"; exit 0; fi\ncat > /dev/null\nexec sleep 20\n');
    chmodSync(join(dir, "slow-player"), 0o755);
    process.env.PATH = `${dir}:${process.env.PATH ?? ""}`; // players are looked up on PATH, as aplay is
    const voice = Voice.create({ play: true, player: "slow-player" })!;
    const answer = voice.say("Here is a long answer that the user will not wait for.", "living-room");
    const { audio } = await speak(["turn off the kitchen lights"], 0.8);
    const t0 = performance.now();
    const stats = await runLive(rt, arraySource(audio, 16000, { frameSamples: 320 }), { voice });
    await answer;
    expect(stats.bargeIns).toBe(1);
    expect(stats.utterances).toBe(1);
    expect(voice.busy).toBe(false);
    // The answer was cut: nowhere near the player's 20 s.
    expect(performance.now() - t0).toBeLessThan(15_000);
    expect(commands.some((t) => t.includes("kitchen"))).toBe(true);
  }, 60_000);
});
