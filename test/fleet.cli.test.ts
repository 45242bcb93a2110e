// `hark fleet` on the command line, and `hark run` with a `fleet:` section as a device: it takes a bundle
// published with `hark fleet publish` while it keeps answering, and goes back on `hark fleet rollback`.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fleetStatus } from "../src/fleet/publisher.js";
import { readManifest } from "../src/models/manifest.js";
import { hark, HARK } from "./helpers/cli.js";
import { deviceDir, makeBundle, makeKeys, until, type Keys } from "./helpers/fleet.js";
import { mosquittoBroker, mosquittoPath, type TestBroker } from "./helpers/mqttBrokers.js";

describe("hark fleet: usage and failures", () => {
  it("has --help for every subcommand", () => {
    const r = hark(["fleet", "--help"]);
    expect(r.status).toBe(0);
    for (const c of ["publish", "status", "rollback", "devices"]) expect(r.stdout).toContain(c);
    const p = hark(["fleet", "publish", "--help"]);
    expect(p.status).toBe(0);
    for (const o of ["--cohort", "--percent", "--expect", "--broker"]) expect(p.stdout).toContain(o);
  });

  it("usage errors are one line, exit 2; a broker that refuses is one line, exit 1", () => {
    const cases: Array<[string[], number, RegExp]> = [
      [["fleet", "publish"], 2, /missing required argument 'bundle'/],
      [["fleet", "publish", "x.tar", "--percent", "0"], 2, /--percent must be a whole number from 1 to 100/],
      [["fleet", "status"], 2, /no broker: give --broker/],
      [["fleet", "publish", "package.json", "--broker", "mqtt://127.0.0.1:1"], 1, /not a model bundle/],
      [["fleet", "status", "--broker", "mqtt://127.0.0.1:1"], 1, /cannot connect to MQTT broker mqtt:\/\/127\.0\.0\.1:1: connection refused/],
    ];
    for (const [args, code, message] of cases) {
      const r = hark(args);
      expect({ args, status: r.status }).toEqual({ args, status: code });
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.stderr).toMatch(message);
    }
  });
});

describe.skipIf(!mosquittoPath())("hark run with fleet: on mosquitto", () => {
  let broker: TestBroker;
  let keys: Keys;
  let root: string;

  beforeAll(async () => {
    broker = await mosquittoBroker();
    keys = makeKeys();
    root = mkdtempSync(join(tmpdir(), "hark-fleet-run-"));
  }, 60_000);

  afterAll(async () => {
    await broker?.stop();
    for (const d of [root, keys?.dir]) if (d) rmSync(d, { recursive: true, force: true });
  });

  it("a running hark takes a published bundle in the background, and rolls back on order", async () => {
    const dir = deviceDir(root, "cabin-1");
    const bundle = await makeBundle(join(root, "v2.tar"), "v2", keys.privateKey);
    const config = join(root, "hark.yaml");
    writeFileSync(config, `broker: { url: "${broker.url}" }\nsimulate: false\nmodels: { trusted_key: "${keys.publicKey}" }\nfleet:\n  device: cabin-1\n  cohort: cabin\n  check: { count: 12, max_latency_ms: 5000 }\n`);
    const pub = hark(["fleet", "publish", bundle, "--cohort", "cabin", "--broker", broker.url]);
    expect(pub.status, pub.stderr).toBe(0);
    expect(pub.stderr).toMatch(/v2 \(4\.\d MB, \d+ chunks\) announced to cohort cabin/);

    const child = spawn(process.execPath, [HARK, "run", "--config", config, "--input", "-", "--no-speak", "--output", "json", "--log-level", "info"], {
      env: { ...process.env, HARK_MODELS_DIR: dir },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    try {
      const device = async () => (await fleetStatus({ url: broker.url })).devices.find((d) => d.device === "cabin-1");
      let s = await device();
      while (!(s?.status === "active" && s.version === "v2")) {
        expect(child.exitCode, stderr).toBeNull();
        await new Promise((r) => setTimeout(r, 300));
        s = await device();
      }
      expect(s.metrics?.accuracy).toBeGreaterThanOrEqual(0.8);
      expect(readManifest(dir).active.slm).toBe("hark-target@v2");
      // The running cascade loads the new models (no restart).
      await until(() => stderr.includes("now understanding with models v2"));
      // hark still answers while (and after) it updates.
      child.stdin.write("turn on the kitchen lights\n");
      await until(() => stdout.includes("\n"));
      expect(JSON.parse(stdout.split("\n")[0]!)).toMatchObject({ text: "turn on the kitchen lights" });

      const st = hark(["fleet", "status", "--broker", broker.url]);
      expect(st.status).toBe(0);
      expect(st.stdout).toMatch(/cabin-1\s+cabin\s+v2\s+active/);
      const rb = hark(["fleet", "rollback", "--cohort", "cabin", "--broker", broker.url]);
      expect(rb.status, rb.stderr).toBe(0);
      s = await device();
      while (!(s?.status === "rolled_back" && s.version === "")) {
        await new Promise((r) => setTimeout(r, 300));
        s = await device();
      }
      expect(readManifest(dir).active.slm).toBe("hark-target");
    } finally {
      child.stdin.end();
    }
    expect(await exited, stderr).toBe(0);
  }, 120_000);
});
