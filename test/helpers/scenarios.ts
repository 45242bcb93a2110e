// Dialog scenarios (test/fixtures/scenarios/*.yaml) and how to run one: a HarkRuntime on a real broker
// with the simulated home and car, device state checked as an independent MQTT client sees it; the
// spoken variant turns every `say` into a WAV file in hark's default voice.
// Used by test/e2e-scenarios.test.ts (text) and test/e2e-spoken.test.ts (audio).
import { expect } from "vitest";
import { execFile } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { promisify } from "node:util";
import { join } from "node:path";
import mqtt, { type MqttClient } from "mqtt";
import pino from "pino";
import { parse, stringify } from "yaml";
import { z } from "zod";
import { decodeState, stateTopics } from "../../src/devices/codec.js";
import { DeviceCatalog } from "../../src/devices/catalog.js";
import type { Understander } from "../../src/nlu/index.js";
import { parseConfig } from "../../src/run/config.js";
import { HarkRuntime, type Answer } from "../../src/run/runtime.js";
import type { Hearing } from "../../src/run/voice.js";
import { encodeWav16 } from "../../src/audio/index.js";
import { readAudioFile, SAMPLE_RATE } from "../../src/audio/source.js";
import { HARK } from "./cli.js";

// ---- scenario files -------------------------------------------------------------------------------

const expectSchema = z.strictObject({
  kind: z.enum(["answer", "prompt", "error", "cancel"]).optional(),
  speech: z.string().optional(),
  intents: z.array(z.string()).optional(),
  commands: z.number().int().min(0).optional(),
  /** No answer at all (a bare wake phrase, push-to-talk). */
  none: z.boolean().optional(),
});
const stepSchema = z.strictObject({
  say: z.string().optional(),
  event: z.enum(["ptt", "wake", "cancel", "speech_start"]).optional(),
  signal: z.record(z.string(), z.number()).optional(),
  session: z.string().optional(),
  wait_ms: z.number().int().min(0).optional(),
  expect: expectSchema.optional(),
});
const scenarioSchema = z.strictObject({
  name: z.string(),
  tags: z.array(z.string()).default([]),
  config: z.record(z.string(), z.unknown()).default({}),
  faults: z.record(z.string(), z.record(z.string(), z.unknown())).optional(),
  steps: z.array(stepSchema).min(1),
  devices: z.record(z.string(), z.record(z.string(), z.unknown())).default({}),
});
export type Scenario = z.infer<typeof scenarioSchema> & { file: string };

const DIR = join(import.meta.dirname, "..", "fixtures", "scenarios");
export const scenarios: Scenario[] = readdirSync(DIR)
  .filter((f) => f.endsWith(".yaml"))
  .sort()
  .flatMap((f) => {
    const doc = z.strictObject({ scenarios: z.array(scenarioSchema) }).parse(parse(readFileSync(join(DIR, f), "utf8")));
    return doc.scenarios.map((s) => ({ ...s, file: f.replace(/\.yaml$/, "") }));
  });

// ---- MQTT observer: device state as any MQTT client sees it ----------------------------------------

const catalog = DeviceCatalog.load(join(import.meta.dirname, "..", "..", "devices"));

export class Observer {
  readonly states = new Map<string, Record<string, unknown>>();
  private constructor(private readonly client: MqttClient) {}

  static async connect(url: string, protocolVersion: 4 | 5 = 4): Promise<Observer> {
    const client = await mqtt.connectAsync(url, { protocolVersion, clientId: `observer-${Math.random().toString(16).slice(2)}` });
    const o = new Observer(client);
    const byTopic = new Map(catalog.devices.flatMap((d) => stateTopics(d).map((t) => [t, d] as const)));
    client.on("message", (topic, payload) => {
      const d = byTopic.get(topic);
      if (!d) return;
      try {
        const { patch } = decodeState(d, topic, payload);
        o.states.set(d.id, { ...o.states.get(d.id), ...patch });
      } catch {
        // malformed payloads are the bus's business
      }
    });
    const seen = new Set<string>();
    client.on("message", (topic) => seen.add(topic));
    await client.subscribeAsync([...byTopic.keys()], { qos: 1 });
    // Retained states arrive asynchronously after SUBACK: wait for all of them, so that none of them
    // lands after (and hides) a live update.
    const until = Date.now() + 3000;
    while (seen.size < byTopic.size && Date.now() < until) await new Promise((r) => setTimeout(r, 5));
    return o;
  }

  async waitFor(id: string, want: Record<string, unknown>, timeoutMs = 3000): Promise<Record<string, unknown> | undefined> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const s = this.states.get(id);
      if (s && matches(s, want)) return s;
      if (Date.now() > until) return s;
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  async close(): Promise<void> {
    await this.client.endAsync(true);
  }
}

function matches(state: Record<string, unknown>, want: Record<string, unknown>): boolean {
  return Object.entries(want).every(([k, v]) => JSON.stringify(state[k]) === JSON.stringify(v));
}

function checkSpeech(speech: string, want: string): void {
  const re = /^\/(.*)\/$/.exec(want);
  if (re) expect(speech).toMatch(new RegExp(re[1]!));
  else expect(speech).toContain(want);
}

function checkAnswers(answers: Answer[], step: z.infer<typeof stepSchema>, where: string): void {
  const e = step.expect;
  if (!e) return;
  if (e.none) {
    expect(answers, where).toEqual([]);
    return;
  }
  expect(answers.length, `${where}: one answer`).toBe(1);
  const a = answers[0]!;
  if (e.kind) expect(a.kind, `${where}: kind (said "${a.speech}")`).toBe(e.kind);
  if (e.speech !== undefined) checkSpeech(a.speech, e.speech);
  if (e.intents) expect(a.intents.map((i) => i.intent), where).toEqual(e.intents);
  if (e.commands !== undefined) expect(a.commands?.length ?? 0, where).toBe(e.commands);
}

// ---- in-process runner ----------------------------------------------------------------------------

export interface BrokerChoice {
  url?: string;
  protocolVersion?: 4 | 5;
}

/** Spoken input: every `say` becomes a WAV file (hark's default voice) heard through VAD + grammar ASR. */
export interface AudioChoice {
  hearing: Hearing;
  wavOf: (text: string) => Promise<string>;
}

export async function runScenario(s: Scenario, understander: Understander, broker: BrokerChoice = {}, audio?: AudioChoice): Promise<void> {
  const cfg = {
    ...s.config,
    log_level: "silent",
    // Retained signals survive on an external broker: every scenario starts standing still.
    vehicle: { speed_kmh: 0 },
    ...(broker.url ? { broker: { url: broker.url, protocol_version: broker.protocolVersion ?? 4 }, simulate: true } : {}),
  };
  const config = parseConfig(stringify(cfg), `${s.file}.yaml`);
  const rt = await HarkRuntime.start({
    config,
    understander,
    logger: pino({ level: "silent" }),
    ...(s.faults ? { faults: s.faults as never } : {}),
    ...(audio ? { hearing: audio.hearing } : {}),
  });
  const observer = await Observer.connect(rt.brokerUrl, broker.protocolVersion ?? 4);
  try {
    for (const [i, step] of s.steps.entries()) {
      if (step.wait_ms) await new Promise((r) => setTimeout(r, step.wait_ms));
      const answers = await rt.handle({
        ...(step.session ? { session: step.session } : {}),
        ...(step.say !== undefined ? (audio ? { wav: await audio.wavOf(step.say) } : { text: step.say }) : {}),
        ...(step.event ? { event: step.event } : {}),
        ...(step.signal ? { signal: step.signal } : {}),
      });
      checkAnswers(answers, step, `step ${i + 1} (${step.say ?? step.event ?? "signal"})`);
    }
    for (const [id, want] of Object.entries(s.devices)) {
      const seen = await observer.waitFor(id, want);
      expect(seen, `${id} over MQTT`).toMatchObject(want);
    }
  } finally {
    await observer.close();
    await rt.stop();
  }
}

// ---- spoken: the same scenarios (tag `wav`) with every `say` as a WAV file --------------------------

/** flite (hark's default voice) → 16-bit WAV files, one per distinct text, with 0.3 s of silence around. */
/**
 * WAV files of texts in the default voice, made by `hark say` in a process of its own: flite's WASM
 * synthesizing in the same process as the silero VAD and the ASR evidence is one of the three parts
 * of the unexplained V8 SIGSEGV (docs/benchmarks.md, "Known crash"), so the test keeps them apart.
 */
export function wavMaker(dir: string): { wavOf: (text: string) => Promise<string>; close: () => void } {
  const files = new Map<string, Promise<string>>();
  const make = async (text: string) => {
    const base = join(dir, `${files.size}-${text.replace(/[^a-z0-9]+/gi, "_").slice(0, 40)}`);
    await promisify(execFile)(process.execPath, [HARK, "say", "-o", `${base}.raw.wav`, text]);
    const a = await readAudioFile(`${base}.raw.wav`);
    const pad = Math.round(SAMPLE_RATE * 0.3);
    const x = new Float32Array(a.samples.length + 2 * pad);
    x.set(a.samples, pad);
    writeFileSync(`${base}.wav`, encodeWav16(x, SAMPLE_RATE));
    return `${base}.wav`;
  };
  return {
    wavOf: (text) => {
      let f = files.get(text);
      if (!f) files.set(text, (f = make(text)));
      return f;
    },
    close: () => {},
  };
}

export const wavScenarios = scenarios.filter((s) => s.tags.includes("wav"));
