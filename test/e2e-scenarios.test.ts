// End-to-end dialog scenarios (test/fixtures/scenarios/*.yaml, test/helpers/scenarios.ts) on a real
// broker with the real understander and the simulated home and car. Device state is checked as observed
// over MQTT by an independent client. Runs: in process on the embedded aedes broker (all scenarios);
// through `node bin/hark.js run` with stdin (a few); and against Debian mosquitto over MQTT 5 when the
// binary exists. The same scenarios spoken as WAV files: test/e2e-spoken.test.ts.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mqtt from "mqtt";
import { stringify } from "yaml";
import { startBroker, type EmbeddedBroker } from "../src/bus/index.js";
import { loadUnderstander, type Understander } from "../src/nlu/index.js";
import type { Answer } from "../src/run/runtime.js";
import { Observer, runScenario, scenarios, wavMaker } from "./helpers/scenarios.js";
import { freePort, mosquittoPath } from "./helpers/mqttBrokers.js";

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

// ---- Debian mosquitto over MQTT 5 -----------------------------------------------------------------

const MOSQUITTO = mosquittoPath();

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
