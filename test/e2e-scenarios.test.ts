// End-to-end dialog scenarios (test/fixtures/scenarios/*.yaml) on a real broker with the real matcher and
// the simulated home and car. Device state is checked as observed over MQTT by an independent client.
// Runs: in process on the embedded aedes broker (all scenarios); through `node bin/hark.js run` with stdin
// (a few); and against Debian mosquitto over MQTT 5 when the binary exists.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mqtt, { type MqttClient } from "mqtt";
import pino from "pino";
import { parse, stringify } from "yaml";
import { z } from "zod";
import { startBroker, type EmbeddedBroker } from "../src/bus/index.js";
import { decodeState, stateTopics } from "../src/bus/topics.js";
import { DeviceCatalog } from "../src/devices/catalog.js";
import { loadUnderstander, type Understander } from "../src/nlu/index.js";
import { parseConfig } from "../src/run/config.js";
import { HarkRuntime, type Answer } from "../src/run/runtime.js";
import { Hearing } from "../src/run/voice.js";
import { loadSources } from "../src/nlu/index.js";
import { createSynthesizer } from "../src/tts/index.js";
import { encodeWav16 } from "../src/audio/index.js";

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
type Scenario = z.infer<typeof scenarioSchema> & { file: string };

const DIR = join(import.meta.dirname, "fixtures", "scenarios");
const scenarios: Scenario[] = readdirSync(DIR)
  .filter((f) => f.endsWith(".yaml"))
  .sort()
  .flatMap((f) => {
    const doc = z.strictObject({ scenarios: z.array(scenarioSchema) }).parse(parse(readFileSync(join(DIR, f), "utf8")));
    return doc.scenarios.map((s) => ({ ...s, file: f.replace(/\.yaml$/, "") }));
  });

// ---- MQTT observer: device state as any MQTT client sees it ----------------------------------------

const catalog = DeviceCatalog.load(join(import.meta.dirname, "..", "devices"));

class Observer {
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

interface BrokerChoice {
  url?: string;
  protocolVersion?: 4 | 5;
}

/** Spoken input: every `say` becomes a WAV file (hark's default voice) heard through VAD + grammar ASR. */
interface AudioChoice {
  hearing: Hearing;
  wavOf: (text: string) => Promise<string>;
}

async function runScenario(s: Scenario, understander: Understander, broker: BrokerChoice = {}, audio?: AudioChoice): Promise<void> {
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

let understander: Understander;
beforeAll(async () => {
  understander = await loadUnderstander();
});

describe("e2e scenarios (in process, embedded aedes broker)", () => {
  it("has at least 40 scenarios across home and car with every dialog feature", () => {
    const tags = new Set(scenarios.flatMap((s) => s.tags));
    const files = new Set(scenarios.map((s) => s.file));
    console.log(`e2e scenarios: ${scenarios.length} (${[...files].map((f) => `${f}: ${scenarios.filter((s) => s.file === f).length}`).join(", ")})`);
    expect(scenarios.length).toBeGreaterThanOrEqual(40);
    expect([...files].sort()).toEqual(["car", "home"]);
    for (const t of ["clarification", "confirmation", "cancellation", "multi-intent", "follow-up"]) expect(tags.has(t), t).toBe(true);
  });

  it.each(scenarios.map((s) => [`${s.file}: ${s.name}`, s] as const))("%s", async (_n, s) => {
    await runScenario(s, understander);
  });
});

// ---- spoken: the same scenarios (tag `wav`) with every `say` as a WAV file --------------------------

/** flite (hark's default voice) → 16-bit WAV files, one per distinct text, with 0.3 s of silence around. */
function wavMaker(dir: string): { wavOf: (text: string) => Promise<string>; close: () => void } {
  const synth = createSynthesizer("flite:slt");
  const files = new Map<string, Promise<string>>();
  const make = async (text: string) => {
    const a = await synth.synthesize(text);
    const pad = Math.round(a.sampleRate * 0.3);
    const x = new Float32Array(a.samples.length + 2 * pad);
    x.set(a.samples, pad);
    const file = join(dir, `${files.size}-${text.replace(/[^a-z0-9]+/gi, "_").slice(0, 40)}.wav`);
    writeFileSync(file, encodeWav16(x, a.sampleRate));
    return file;
  };
  return {
    wavOf: (text) => {
      let f = files.get(text);
      if (!f) files.set(text, (f = make(text)));
      return f;
    },
    close: () => synth.close(),
  };
}

const wavScenarios = scenarios.filter((s) => s.tags.includes("wav"));

describe("e2e scenarios spoken as WAV (flite → VAD endpointer → grammar ASR → dialog → MQTT), embedded aedes", () => {
  let hearing: Hearing;
  let maker: ReturnType<typeof wavMaker>;
  beforeAll(async () => {
    hearing = await Hearing.create({ grammar: await loadSources() });
    maker = wavMaker(mkdtempSync(join(tmpdir(), "hark-e2e-wav-")));
  });
  afterAll(() => {
    hearing?.close();
    maker?.close();
  });

  it("at least a dozen scenarios across home and car are also driven by audio", () => {
    console.log(`e2e WAV scenarios: ${wavScenarios.length} (home ${wavScenarios.filter((s) => s.file === "home").length}, car ${wavScenarios.filter((s) => s.file === "car").length})`);
    expect(wavScenarios.length).toBeGreaterThanOrEqual(12);
    expect(new Set(wavScenarios.map((s) => s.file))).toEqual(new Set(["home", "car"]));
  });

  it.each(wavScenarios.map((s) => [`${s.file}: ${s.name}`, s] as const))("%s", async (_n, s) => {
    await runScenario(s, understander, {}, { hearing, wavOf: maker.wavOf });
  });
});

// ---- Debian mosquitto over MQTT 5 -----------------------------------------------------------------

const MOSQUITTO = ["/usr/sbin/mosquitto", "/usr/bin/mosquitto"].find((p) => existsSync(p));

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, "127.0.0.1", () => {
      const a = srv.address();
      srv.close(() => (a && typeof a === "object" ? resolve(a.port) : reject(new Error("no port"))));
    });
  });
}

describe.skipIf(!MOSQUITTO)(`e2e scenarios on Debian mosquitto, MQTT 5${MOSQUITTO ? "" : " (skipped: no mosquitto binary; apt-get install mosquitto)"}`, () => {
  let proc: ChildProcess | undefined;
  let url = "";
  beforeAll(async () => {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), "hark-mosq-"));
    const conf = join(dir, "mosquitto.conf");
    writeFileSync(conf, `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence false\n`);
    proc = spawn(MOSQUITTO!, ["-c", conf], { stdio: "ignore" });
    url = `mqtt://127.0.0.1:${port}`;
    const until = Date.now() + 5000;
    for (;;) {
      try {
        const c = await mqtt.connectAsync(url, { protocolVersion: 5, reconnectPeriod: 0, connectTimeout: 500 });
        await c.endAsync();
        break;
      } catch (err) {
        if (Date.now() > until) throw err;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  });
  afterAll(() => {
    proc?.kill("SIGTERM");
  });

  it.each(scenarios.map((s) => [`${s.file}: ${s.name}`, s] as const))("%s", async (_n, s) => {
    await runScenario(s, understander, { url, protocolVersion: 5 });
  });
});

// ---- the real process: node bin/hark.js run, text on stdin ------------------------------------------

const ROOT = join(import.meta.dirname, "..");

describe("e2e through `node bin/hark.js run` with stdin", () => {
  let broker: EmbeddedBroker;
  beforeAll(async () => {
    // The CLI runs from dist/: compile what is in the tree now.
    const build = spawnSync("npx", ["tsc", "-p", "tsconfig.build.json"], { cwd: ROOT, encoding: "utf8" });
    if (!existsSync(join(ROOT, "dist/src/cli/commands/run.js"))) throw new Error(`build failed: ${build.stdout}${build.stderr}`);
    broker = await startBroker();
  }, 120_000);
  afterAll(async () => {
    await broker?.stop();
  });

  async function runProcess(lines: string[], extraConfig: Record<string, unknown> = {}): Promise<{ answers: Answer[]; code: number | null; stderr: string }> {
    const dir = mkdtempSync(join(tmpdir(), "hark-run-"));
    const config = join(dir, "hark.yaml");
    writeFileSync(config, stringify({ broker: { url: broker.url }, simulate: true, log_level: "warn", vehicle: { speed_kmh: 0 }, ...extraConfig }));
    const child = spawn(process.execPath, [join(ROOT, "bin/hark.js"), "run", "--config", config], { cwd: ROOT, stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.stdin.end(lines.join("\n") + "\n");
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    const answers = out
      .split("\n")
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as Answer);
    return { answers, code, stderr: err };
  }

  it("turns on the kitchen lights, confirms an unlock, warms the passenger zone; exits 0 at end of input", async () => {
    const observer = await Observer.connect(broker.url);
    try {
      const { answers, code, stderr } = await runProcess([
        "turn on the kitchen lights",
        "unlock the front door",
        "yes",
        JSON.stringify({ session: "passenger", text: "I'm cold" }),
      ]);
      expect(code, stderr).toBe(0);
      expect(answers.map((a) => a.kind)).toEqual(["answer", "prompt", "answer", "answer"]);
      expect(answers[1]!.speech).toBe("Do you really want to unlock the Front Door?");
      expect(await observer.waitFor("light.kitchen_pendants", { state: "ON" })).toMatchObject({ state: "ON" });
      expect(await observer.waitFor("lock.front_door", { state: "UNLOCKED" })).toMatchObject({ state: "UNLOCKED" });
      expect(await observer.waitFor("hvac.passenger", { Temperature: 23 })).toMatchObject({ Temperature: 23 });
    } finally {
      await observer.close();
    }
  });

  it("clarifies, limits a window at speed and cancels, with sessions from the config file", async () => {
    const observer = await Observer.connect(broker.url);
    try {
      const { answers, code, stderr } = await runProcess(
        [
          JSON.stringify({ session: "phone", text: "turn on the lights" }),
          JSON.stringify({ session: "phone", text: "the garden" }),
          JSON.stringify({ session: "passenger", signal: { speed_kmh: 100 }, text: "open the window" }),
          JSON.stringify({ session: "phone", text: "never mind" }),
        ],
        { sessions: [{ id: "phone", profile: "home" }, { id: "passenger", profile: "car", seat: "passenger" }] },
      );
      expect(code, stderr).toBe(0);
      expect(answers.map((a) => [a.session, a.kind])).toEqual([
        ["phone", "prompt"],
        ["phone", "answer"],
        ["passenger", "answer"],
        ["phone", "cancel"],
      ]);
      expect(answers[0]!.speech).toBe("Which room?");
      expect(await observer.waitFor("light.porch", { state: "ON" })).toMatchObject({ state: "ON" });
      expect(await observer.waitFor("window.passenger", { Position: 20 })).toMatchObject({ Position: 20 });
    } finally {
      await observer.close();
    }
  });

  it("a WAV file through --input changes a device (grammar ASR → dialog → MQTT)", async () => {
    const observer = await Observer.connect(broker.url);
    try {
      const dir = mkdtempSync(join(tmpdir(), "hark-wav-"));
      const config = join(dir, "hark.yaml");
      writeFileSync(config, stringify({ broker: { url: broker.url }, simulate: true, log_level: "warn", profile: "car" }));
      // Not spawnSync: the broker lives in this process and must keep serving.
      const child = spawn(process.execPath, [join(ROOT, "bin/hark.js"), "run", "--config", config, "--input", join(ROOT, "test/fixtures/asr/temperature-21.wav")], {
        cwd: ROOT,
        stdio: ["ignore", "pipe", "pipe"],
      });
      const r = { stdout: "", stderr: "", status: null as number | null };
      child.stdout.on("data", (d: Buffer) => (r.stdout += d.toString()));
      child.stderr.on("data", (d: Buffer) => (r.stderr += d.toString()));
      r.status = await new Promise<number | null>((resolve) => child.on("close", resolve));
      expect(r.status, r.stderr).toBe(0);
      const answer = JSON.parse(r.stdout.trim().split("\n")[0]!) as Answer;
      expect(answer).toMatchObject({ session: "driver", kind: "answer" });
      expect(answer.intents.map((i) => i.intent)).toEqual(["CabinSetTemperature"]);
      // the simulators restarted with this process, so 21 is both start and target: check the command too
      expect(answer.commands?.[0]).toMatchObject({ device: "hvac.driver", ok: true, params: { temperature: 21 } });
      expect(await observer.waitFor("hvac.driver", { Temperature: 21 })).toMatchObject({ Temperature: 21 });
    } finally {
      await observer.close();
    }
  });

  it("spoken WAV lines on stdin drive several sessions; every answer is also spoken to --say-to", async () => {
    const observer = await Observer.connect(broker.url);
    const maker = wavMaker(mkdtempSync(join(tmpdir(), "hark-wavlines-")));
    try {
      const sayTo = mkdtempSync(join(tmpdir(), "hark-sayto-"));
      const lines = [
        JSON.stringify({ wav: await maker.wavOf("turn on the kitchen lights") }),
        JSON.stringify({ session: "passenger", wav: await maker.wavOf("I'm cold") }),
        JSON.stringify({ session: "driver", wav: await maker.wavOf("open the window") }),
        JSON.stringify({ session: "rear-left", wav: await maker.wavOf("set the volume to 30") }),
      ];
      const dir = mkdtempSync(join(tmpdir(), "hark-run-"));
      const config = join(dir, "hark.yaml");
      writeFileSync(config, stringify({ broker: { url: broker.url }, simulate: true, log_level: "warn", vehicle: { speed_kmh: 0 }, speech: { say_to: sayTo } }));
      const child = spawn(process.execPath, [join(ROOT, "bin/hark.js"), "run", "--config", config], { cwd: ROOT, stdio: ["pipe", "pipe", "pipe"] });
      let out = "";
      let err = "";
      child.stdout.on("data", (d: Buffer) => (out += d.toString()));
      child.stderr.on("data", (d: Buffer) => (err += d.toString()));
      child.stdin.end(lines.join("\n") + "\n");
      const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
      expect(code, err).toBe(0);
      const answers = out.split("\n").filter((l) => l.trim()).map((l) => JSON.parse(l) as Answer);
      expect(answers.map((a) => [a.session, a.kind, a.intents.map((i) => i.intent).join("+")])).toEqual([
        ["living-room", "answer", "HassTurnOn"],
        ["passenger", "answer", "CabinAdjustTemperature"],
        ["driver", "answer", "CabinWindow"],
        ["rear-left", "answer", "MediaSetVolume"],
      ]);
      expect(await observer.waitFor("light.kitchen_pendants", { state: "ON" })).toMatchObject({ state: "ON" });
      expect(await observer.waitFor("window.driver", { Position: 100 })).toMatchObject({ Position: 100 });
      expect(await observer.waitFor("media.car_audio", { Volume: 30 })).toMatchObject({ Volume: 30 });
      // one WAV per answer, in order, each a real 16-bit RIFF file
      const spoken = readdirSync(sayTo).sort();
      expect(spoken).toEqual(["001-living-room.wav", "002-passenger.wav", "003-driver.wav", "004-rear-left.wav"]);
      for (const f of spoken) expect(readFileSync(join(sayTo, f)).subarray(0, 4).toString()).toBe("RIFF");
    } finally {
      maker.close();
      await observer.close();
    }
  });

  it("reports config errors as file:line:col and exits 1", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hark-bad-"));
    const config = join(dir, "hark.yaml");
    writeFileSync(config, "profile: home\ntimeouts:\n  act: -5\n");
    const r = spawnSync(process.execPath, [join(ROOT, "bin/hark.js"), "run", "--config", config], { cwd: ROOT, encoding: "utf8", input: "" });
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toMatch(new RegExp(`^hark: ${config.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:3:8: .*timeouts\\.act`));
  });

  it("rejects an unusable --input with one line on stderr and exit 2", async () => {
    const r = spawnSync(process.execPath, [join(ROOT, "bin/hark.js"), "run", "--input", "nope.txt"], { cwd: ROOT, encoding: "utf8", input: "" });
    expect(r.status).toBe(2);
    expect(r.stderr.split("\n").filter(Boolean)).toHaveLength(1);
  });
});
