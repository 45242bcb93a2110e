// `hark run` with the broker locked from hark.yaml (issue 18, item 4): the embedded broker with accounts,
// ACLs and TLS; mosquitto configured by `hark broker config --mosquitto`; refused connections as one line.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mqtt from "mqtt";
import { describe, expect, test } from "vitest";
import { startBroker } from "../src/bus/index.js";
import { verifyPassword } from "../src/bus/credentials.js";
import { brokerServeSchema, configuredAccounts, embeddedServe } from "../src/bus/serve.js";
import { DeviceCatalog } from "../src/devices/catalog.js";
import { sourcePaths } from "../src/nlu/index.js";
import { HARK } from "./helpers/cli.js";
import { freePort, mosquittoPath } from "./helpers/mqttBrokers.js";
import { matcherRuntime } from "./helpers/runtime.js";

const hasOpenssl = spawnSync("sh", ["-c", "command -v openssl"]).status === 0;
const mosquitto = mosquittoPath();
const KITCHEN = ["light.kitchen_pendants", "light.kitchen_under_cabinet"];

/** The CLI without blocking this process (its broker may be in here). */
function harkAsync(args: string[], input = "", cwd?: string): Promise<{ status: number | null; stdout: string; stderr: string; ms: number }> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [HARK, ...args], { ...(cwd ? { cwd } : {}), stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    p.stdout.on("data", (d) => (stdout += d));
    p.stderr.on("data", (d) => (stderr += d));
    p.on("close", (status) => resolve({ status, stdout, stderr, ms: Date.now() - t0 }));
    p.stdin.end(input);
  });
}

function tmp(): string {
  const dir = mkdtempSync(join(tmpdir(), "hark-broker-run-"));
  chmodSync(dir, 0o755);
  return dir;
}

function secret(dir: string, name: string, value: string): string {
  const path = join(dir, name);
  writeFileSync(path, `${value}\n`, { mode: 0o600 });
  return path;
}

const kitchenOn = (answer: { commands?: Array<{ device: string; ok: boolean }> }) => (answer.commands ?? []).filter((c) => c.ok).map((c) => c.device).sort();

describe("hark run with a locked broker", () => {
  test.skipIf(!hasOpenssl)("embedded broker with accounts and TLS: a typed command reaches the simulated lights; anonymous, wrong-password and untrusting clients are refused", async () => {
    const dir = tmp();
    const r = spawnSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem"), "-days", "1", "-subj", "/CN=hark-broker.local", "-addext", "subjectAltName=DNS:hark-broker.local"]);
    expect(r.status).toBe(0);
    const rt = await matcherRuntime({
      speech: { enabled: false },
      broker: {
        serve: {
          tls: { cert: join(dir, "cert.pem"), key: join(dir, "key.pem") },
          users: [
            { username: "kitchen", password_file: secret(dir, "kitchen.pw", "k1tchen"), role: "satellite" },
            { username: "ops", password_hash: "$7$101$oKUQshqJC94SZ75M$QgthoPySqGFYBTSMI2HJLcJdTXJ/gO8ZU4G0WMNA0j8VmKKXulvOafKCMGjVy8DlyknlM6CXbEl/PNBpzBzPxQ==", role: "admin" },
          ],
        },
      },
    });
    try {
      expect(rt.brokerUrl).toMatch(/^mqtts:\/\/127\.0\.0\.1:\d+$/);
      const answers: Array<{ commands?: Array<{ device: string; ok: boolean }> }> = [];
      rt.events.on("answer", (a) => answers.push(a as never));
      await rt.handleLine("turn on the kitchen lights");
      expect(kitchenOn(answers.at(-1)!)).toEqual(KITCHEN);
      const ca = readFileSync(join(dir, "cert.pem"));
      const tls = { ca, servername: "hark-broker.local", reconnectPeriod: 0, connectTimeout: 3000 };
      await expect(mqtt.connectAsync(rt.brokerUrl, tls)).rejects.toThrow(/Not authorized/);
      await expect(mqtt.connectAsync(rt.brokerUrl, { ...tls, username: "kitchen", password: "wrong" })).rejects.toThrow(/Bad username or password/);
      await expect(mqtt.connectAsync(rt.brokerUrl, { username: "kitchen", password: "k1tchen", reconnectPeriod: 0, connectTimeout: 3000 })).rejects.toThrow(/self[- ]signed|certificate/i);
      // The admin account's password is mosquitto_passwd's hash of "s3cret"; the satellite's is in a 0600 file.
      const ops = await mqtt.connectAsync(rt.brokerUrl, { ...tls, username: "ops", password: "s3cret" });
      const sat = await mqtt.connectAsync(rt.brokerUrl, { ...tls, username: "kitchen", password: "k1tchen" });
      const seen: string[] = [];
      ops.on("message", (t) => seen.push(t));
      await ops.subscribeAsync(["hark/home/+/set", "hark/satellite/#"], { qos: 1 });
      await sat.publishAsync("hark/home/lock.front_door/set", JSON.stringify({ id: "x", action: "unlock", params: {} }), { qos: 1 });
      await sat.publishAsync("hark/satellite/kitchen/status", "ok", { qos: 1 });
      for (let i = 0; i < 500 && !seen.includes("hark/satellite/kitchen/status"); i++) await new Promise((r) => setTimeout(r, 5));
      expect(seen).toEqual(["hark/satellite/kitchen/status"]);
      await Promise.all([ops.endAsync(), sat.endAsync()]);
    } finally {
      await rt.stop();
    }
  });

  test("config mistakes are one-line errors: an own account not among the users, a LAN address without users, an open password file", () => {
    const catalog = DeviceCatalog.load(sourcePaths({}).devices);
    const users = [{ username: "sat", password: "x", role: "satellite" }];
    expect(() => embeddedServe({ username: "hark", password: "p", serve: brokerServeSchema.parse({ users }) }, catalog)).toThrow("broker.username 'hark' is not one of broker.serve.users");
    expect(() => embeddedServe({ serve: brokerServeSchema.parse({ host: "0.0.0.0" }) }, catalog)).toThrow(/beyond loopback needs broker.serve.users/);
    const dir = tmp();
    const open = join(dir, "open.pw");
    writeFileSync(open, "pw\n", { mode: 0o644 });
    chmodSync(open, 0o644);
    expect(() => embeddedServe({ serve: brokerServeSchema.parse({ users: [{ username: "a", password_file: open, role: "admin" }] }) }, catalog)).toThrow(/readable by others \(mode 644\); chmod 600 it/);
    expect(brokerServeSchema.safeParse({ users: [{ username: "a", password: "x", password_hash: "$7$1$a$b", role: "admin" }] }).success).toBe(false);
    expect(brokerServeSchema.safeParse({ users: [{ username: "a", password: "x", role: "admin" }, { username: "a", password: "y", role: "hark" }] }).success).toBe(false);
  });

  test("a broker that refuses hark: one line on stderr naming the account, exit 1, at once", async () => {
    const catalog = DeviceCatalog.load(sourcePaths({}).devices);
    const serve = brokerServeSchema.parse({ users: [{ username: "hark", password: "right", role: "hark" }] });
    const broker = await startBroker({ users: configuredAccounts(serve, catalog) });
    const dir = tmp();
    try {
      writeFileSync(join(dir, "hark.yaml"), `broker:\n  url: ${broker.url}\n  username: hark\n  password_file: ${secret(dir, "hark.pw", "wrong")}\n`);
      const wrong = await harkAsync(["run", "--config", join(dir, "hark.yaml"), "--no-speak"], "turn on the kitchen lights\n", dir);
      expect(wrong.status).toBe(1);
      expect(wrong.stderr).toBe(`hark: cannot connect to MQTT broker ${broker.url}: Connection refused: Bad username or password (as user 'hark')\n`);
      expect(wrong.stdout).toBe("");
      const anonymous = await harkAsync(["run", "--broker", broker.url, "--no-speak"], "turn on the kitchen lights\n", tmp()); // no hark.yaml there
      expect(anonymous.status).toBe(1);
      expect(anonymous.stderr).toMatch(/^hark: cannot connect to MQTT broker mqtt:\/\/127\.0\.0\.1:\d+: Connection refused: Not authorized \(no username given: set broker\.username and broker\.password or password_file, docs\/security\.md\)\n$/);
      expect(Math.max(wrong.ms, anonymous.ms)).toBeLessThan(15_000);
    } finally {
      await broker.stop();
    }
  });

  test.skipIf(!mosquitto || !hasOpenssl)("mosquitto locked by `hark broker config --mosquitto` (TLS): hark and its simulated devices work with their accounts, others are refused", async () => {
    const dir = tmp();
    const port = await freePort();
    const r = spawnSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem"), "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"]);
    expect(r.status).toBe(0);
    const yaml = [
      "broker:",
      "  serve:",
      `    tls: { cert: ${join(dir, "cert.pem")}, key: ${join(dir, "key.pem")} }`,
      "    users:",
      `      - { username: hark, password_file: ${secret(dir, "hark.pw", "hark-pw")}, role: hark }`,
      `      - { username: sim, password_file: ${secret(dir, "sim.pw", "sim-pw")}, role: device, devices: ['*'] }`,
      `      - { username: kitchen, password: kitchen-pw, role: satellite, devices: ['light.kitchen_*'] }`,
      "",
    ].join("\n");
    writeFileSync(join(dir, "hark.yaml"), yaml);
    const conf = await harkAsync(["broker", "config", "--mosquitto", "-o", join(dir, "mosq"), "--config", join(dir, "hark.yaml"), "--port", String(port)], "", dir);
    expect(conf.stderr).toBe("");
    expect(conf.status).toBe(0);
    expect(readFileSync(join(dir, "mosq", "passwd"), "utf8")).toMatch(/^hark:\$7\$101\$/);
    let proc: ChildProcess | undefined = spawn(mosquitto!, ["-c", join(dir, "mosq", "mosquitto.conf")], { stdio: "ignore" });
    const url = `mqtts://127.0.0.1:${port}`;
    const ca = readFileSync(join(dir, "cert.pem"));
    try {
      for (let i = 0; ; i++) {
        const ok = await mqtt.connectAsync(url, { ca, username: "kitchen", password: "kitchen-pw", reconnectPeriod: 0, connectTimeout: 500 }).then(
          (c) => c.endAsync().then(() => true),
          () => false,
        );
        if (ok) break;
        if (i > 100) throw new Error("mosquitto did not start");
        await new Promise((r) => setTimeout(r, 50));
      }
      const rt = await matcherRuntime({
        speech: { enabled: false },
        simulate: true,
        broker: { url, ca: join(dir, "cert.pem"), username: "hark", password_file: join(dir, "hark.pw"), simulator: { username: "sim", password_file: join(dir, "sim.pw") } },
      });
      try {
        const answers: Array<{ commands?: Array<{ device: string; ok: boolean }> }> = [];
        rt.events.on("answer", (a) => answers.push(a as never));
        await rt.handleLine("turn on the kitchen lights");
        expect(kitchenOn(answers.at(-1)!)).toEqual(KITCHEN);
      } finally {
        await rt.stop();
      }
      await expect(mqtt.connectAsync(url, { ca, reconnectPeriod: 0, connectTimeout: 3000 })).rejects.toThrow(/Not authorized/);
      await expect(mqtt.connectAsync(url, { ca, username: "hark", password: "nope", reconnectPeriod: 0, connectTimeout: 3000 })).rejects.toThrow(/Not authorized|Bad username/);
      await expect(mqtt.connectAsync(url, { username: "hark", password: "hark-pw", reconnectPeriod: 0, connectTimeout: 3000 })).rejects.toThrow(/self[- ]signed|certificate/i);
    } finally {
      if (proc && proc.exitCode === null) {
        const exited = new Promise((r) => proc!.once("exit", r));
        proc.kill("SIGKILL");
        await exited;
      }
      proc = undefined;
    }
  });

  test("hark broker passwd: a hash the broker accepts (scrypt, or mosquitto's $7$)", async () => {
    const s = await harkAsync(["broker", "passwd"], "correct horse\n");
    expect(s.status).toBe(0);
    expect(await verifyPassword("correct horse", s.stdout.trim())).toBe(true);
    const m = await harkAsync(["broker", "passwd", "--mosquitto"], "correct horse\n");
    expect(m.stdout).toMatch(/^\$7\$101\$/);
    expect(await verifyPassword("correct horse", m.stdout.trim())).toBe(true);
  });
});
