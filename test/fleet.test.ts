// Fleet delivery over MQTT (issue 18 item 2, docs/fleet.md): 20 simulated devices (agents in this process,
// each with its own models folder, MQTT connection and status topic; the real acceptance check on the
// shipped check set) on mosquitto. A good bundle reaches all; a bad signature, a damaged chunk, a model
// that answers wrongly and one that does not load reach none; a broker restart mid-transfer resumes with
// the chunks still missing; a rollback order takes the cohort back; a staged rollout reaches its share;
// every device can boot its active models at the end, and keeps at most two versions on disk.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mqtt from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FleetAgent } from "../src/fleet/agent.js";
import { clearVersion, FleetPublisher, orderRollback, prepareBundle, fleetStatus, readRetained } from "../src/fleet/publisher.js";
import { FleetStore } from "../src/fleet/store.js";
import { announceTopic, bucketOf, chunkTopic, type DeviceStatus } from "../src/fleet/protocol.js";
import { activeModels, readManifest, verifyModel, writeManifest } from "../src/models/manifest.js";
import { mosquittoBroker, mosquittoPath, type TestBroker } from "./helpers/mqttBrokers.js";
import { deviceDir, makeBundle, makeKeys, sharedCheck, startDevices, until, type Keys } from "./helpers/fleet.js";

const N = 20;
const COHORT = "field";

describe.skipIf(!mosquittoPath())("fleet delivery over MQTT: 20 devices on mosquitto", () => {
  let broker: TestBroker;
  let keys: Keys;
  let root: string;
  let bundles: string;
  let agents: FleetAgent[] = [];
  const ids = () => agents.map((a) => a.status.device);

  beforeAll(async () => {
    broker = await mosquittoBroker();
    keys = makeKeys();
    root = mkdtempSync(join(tmpdir(), "hark-fleet-devices-"));
    bundles = mkdtempSync(join(tmpdir(), "hark-fleet-bundles-"));
    agents = await startDevices({ root, count: N, cohort: COHORT, broker: { url: broker.url }, publicKey: keys.publicKey });
    await until(() => agents.every((a) => a.status.status === "idle"));
  }, 120_000);

  afterAll(async () => {
    await Promise.all(agents.map((a) => a.stop()));
    await broker?.stop();
    for (const d of [root, bundles, keys?.dir]) if (d) rmSync(d, { recursive: true, force: true });
  });

  /** Publish a bundle file to the cohort and wait until `expect` devices settled on it. */
  async function rollout(file: string, expect = N, percent?: number): Promise<{ statuses: DeviceStatus[]; ms: number }> {
    const t0 = performance.now();
    const pub = await FleetPublisher.start(await prepareBundle(file), { broker: { url: broker.url }, cohort: COHORT, ...(percent !== undefined ? { percent } : {}) });
    try {
      const statuses = await pub.waitFor(expect, 110_000);
      return { statuses, ms: performance.now() - t0 };
    } finally {
      await pub.close();
    }
  }

  const activeOn = (a: FleetAgent) => readManifest(join(root, a.status.device)).active.slm;

  it("a good 5 MB bundle reaches all 20 devices: verified, checked, switched, reported", async () => {
    const file = await makeBundle(join(bundles, "v2.tar"), "v2", keys.privateKey);
    const { statuses, ms } = await rollout(file);
    expect(statuses.map((s) => s.status)).toEqual(Array(N).fill("active"));
    for (const a of agents) {
      expect(a.status).toMatchObject({ version: "v2", status: "active", previous: "" });
      expect(a.status.metrics?.accuracy).toBeGreaterThanOrEqual(0.8);
      expect(activeOn(a)).toBe("hark-target@v2");
    }
    console.log(`fleet: a ${((await prepareBundle(file)).announce.bytes / 1e6).toFixed(2)} MB bundle to ${N} devices on mosquitto in ${(ms / 1000).toFixed(1)} s`);
  }, 120_000);

  it("a bundle signed by another key reaches none", async () => {
    const file = await makeBundle(join(bundles, "v3.tar"), "v3", keys.otherPrivateKey);
    const { statuses } = await rollout(file);
    for (const s of statuses) expect(s).toMatchObject({ status: "failed", version: "v2", target: "v3", error: expect.stringContaining("not signed by the trusted key") });
    for (const a of agents) expect(activeOn(a)).toBe("hark-target@v2");
  }, 120_000);

  it("a chunk damaged on the broker reaches none (each chunk's sha256 is checked)", async () => {
    const file = await makeBundle(join(bundles, "v4.tar"), "v4", keys.privateKey);
    const prepared = await prepareBundle(file);
    const client = await mqtt.connectAsync(broker.url);
    for (const [i, chunk] of prepared.chunks.entries()) {
      const payload = i === 7 ? Buffer.from(chunk.map((b, j) => (j === 100 ? b ^ 0xff : b))) : chunk;
      await client.publishAsync(chunkTopic("v4", i), payload, { qos: 1, retain: true });
    }
    await client.publishAsync(announceTopic(COHORT), JSON.stringify({ ...prepared.announce, seq: Date.now() }), { qos: 1, retain: true });
    await until(() => agents.every((a) => a.status.status === "failed" && a.status.target === "v4" && a.progress?.chunks === prepared.chunks.length - 1));
    for (const a of agents) {
      expect(a.status.error).toContain("chunk 7 of v4: sha256 mismatch");
      expect(activeOn(a)).toBe("hark-target@v2");
    }
    await client.endAsync();
  }, 120_000);

  it("a model that answers wrongly fails its check and is rolled back on all (v2 stays)", async () => {
    const file = await makeBundle(join(bundles, "v5.tar"), "v5", keys.privateKey, "zeroed");
    const { statuses } = await rollout(file);
    for (const s of statuses) {
      expect(s).toMatchObject({ status: "rolled_back", version: "v2", target: "v5", error: expect.stringContaining("accuracy") });
      expect(s.metrics!.accuracy).toBeLessThan(0.8);
    }
    for (const a of agents) expect(activeOn(a)).toBe("hark-target@v2");
  }, 120_000);

  it("a model that fails to load is rolled back on all", async () => {
    const file = await makeBundle(join(bundles, "v6.tar"), "v6", keys.privateKey, "truncated");
    const { statuses } = await rollout(file);
    for (const s of statuses) expect(s).toMatchObject({ status: "rolled_back", version: "v2", target: "v6", error: expect.stringContaining("does not load") });
    for (const a of agents) expect(activeOn(a)).toBe("hark-target@v2");
  }, 120_000);

  it("a broker restart mid-transfer (and a device restart) resumes with the missing chunks only", async () => {
    const file = await makeBundle(join(bundles, "v7.tar"), "v7", keys.privateKey);
    const prepared = await prepareBundle(file);
    const half = Math.floor(prepared.chunks.length / 2);
    // Half the chunks, then the announce: every device takes what is there.
    const client = await mqtt.connectAsync(broker.url);
    for (let i = 0; i < half; i++) await client.publishAsync(chunkTopic("v7", i), prepared.chunks[i]!, { qos: 1, retain: true });
    await client.publishAsync(announceTopic(COHORT), JSON.stringify({ ...prepared.announce, seq: Date.now() }), { qos: 1, retain: true });
    await until(() => agents.every((a) => a.progress?.version === "v7" && a.progress.chunks === half));
    await client.endAsync();
    // The broker dies (no persistence: every retained message is gone) and three devices restart too.
    await broker.stop();
    const restarted = agents.slice(0, 3);
    await Promise.all(restarted.map((a) => a.stop()));
    await broker.restart();
    const check = await sharedCheck();
    for (const [i, a] of restarted.entries())
      agents[i] = FleetAgent.start({ device: a.status.device, cohort: COHORT, modelsDir: join(root, a.status.device), broker: { url: broker.url }, trustedKey: keys.publicKey, check });
    // The publisher serves the whole bundle again; the devices take only what they lack.
    const { statuses } = await rollout(file);
    expect(statuses.map((s) => s.status)).toEqual(Array(N).fill("active"));
    for (const [i, a] of agents.entries()) {
      expect(a.status.version).toBe("v7");
      expect(a.written.get("v7")).toBe(i < 3 ? prepared.chunks.length - half : prepared.chunks.length);
      expect(activeOn(a)).toBe("hark-target@v7");
    }
  }, 120_000);

  it("hark fleet rollback's order takes the cohort back to its previous version", async () => {
    const order = await orderRollback({ url: broker.url }, COHORT);
    expect(order).toMatchObject({ action: "rollback", from: "v7" });
    await until(() => agents.every((a) => a.status.status === "rolled_back" && a.status.version === "v2"));
    for (const a of agents) expect(activeOn(a)).toBe("hark-target@v2");
    const status = await fleetStatus({ url: broker.url });
    expect(status.devices.map((d) => d.device)).toEqual(ids().sort());
    expect(status.devices.every((d) => d.version === "v2" && d.status === "rolled_back")).toBe(true);
  }, 120_000);

  it("--percent reaches a stable share of the devices", async () => {
    const selected = ids().filter((id) => bucketOf(id) < 50);
    const file = await makeBundle(join(bundles, "v8.tar"), "v8", keys.privateKey);
    const { statuses } = await rollout(file, selected.length, 50);
    expect(statuses.map((s) => s.device).sort()).toEqual(selected.sort());
    for (const a of agents) expect(activeOn(a)).toBe(selected.includes(a.status.device) ? "hark-target@v8" : "hark-target@v2");
  }, 120_000);

  it("hark fleet clear removes a version's chunks from the broker, not while it is announced", async () => {
    const chunks = (v: string) => readRetained({ url: broker.url }, `hark/fleet/bundle/${v}/+`);
    expect((await chunks("v7")).size).toBeGreaterThan(50);
    expect(await clearVersion({ url: broker.url }, "v7")).toBeGreaterThan(50);
    expect((await chunks("v7")).size).toBe(0);
    await expect(clearVersion({ url: broker.url }, "v8")).rejects.toThrow("v8 is still announced to cohort field");
  }, 60_000);

  it("leaves every device bootable, with at most the current and the previous version on disk", async () => {
    for (const a of agents) {
      const dir = join(root, a.status.device);
      const active = activeModels(dir);
      const m = readManifest(dir);
      for (const name of [m.active.slm, m.active.draft]) {
        const e = m.models.find((x) => x.name === name)!;
        await verifyModel(join(dir, e.file), { sha256: e.sha256 });
      }
      expect(existsSync(active.words!)).toBe(true);
      expect(readdirSync(join(dir, "fleet/versions")).length).toBeLessThanOrEqual(2);
      expect(readdirSync(join(dir, "fleet/download"))).toEqual([]);
    }
    // And the active models of one device load and pass the check.
    const dir = join(root, agents[0]!.status.device);
    const a = activeModels(dir);
    const r = await (await sharedCheck())({ model: a.slm!, ...(a.draft ? { draft: a.draft } : {}), ...(a.words ? { words: a.words } : {}) });
    expect(r.ok).toBe(true);
  }, 120_000);
});

describe("fleet agent start-up: nothing left unbootable", () => {
  it("refuses a version whose check ended the process, and goes back to the shipped models when the active files are gone", async () => {
    const keys = makeKeys();
    const root = mkdtempSync(join(tmpdir(), "hark-fleet-boot-"));
    const start = () =>
      FleetAgent.start({ device: "d1", cohort: "c", modelsDir: join(root, "d1"), broker: { url: "mqtt://127.0.0.1:1", reconnectPeriodMs: 60_000 }, trustedKey: keys.publicKey, check: () => Promise.reject(new Error("not called")) });
    try {
      const dir = deviceDir(root, "d1");
      const store = new FleetStore(dir);
      const shipped = readManifest(dir).active;
      // The process died while v9 was being checked (llama.cpp aborting on it, a power cut).
      mkdirSync(store.versionDir("v9"), { recursive: true });
      store.writeState({ current: "", active: { "": shipped }, failed: {}, recalled: {}, checking: "v9" });
      let a = start();
      expect(a.status).toMatchObject({ status: "rolled_back", version: "", target: "v9", error: expect.stringContaining("crashed while it was being checked") });
      expect(store.readState()).toMatchObject({ failed: { v9: "crashed" } });
      expect(store.readState().checking).toBeUndefined();
      expect(existsSync(store.versionDir("v9"))).toBe(false);
      await a.stop();
      // The manifest names v10's models, whose folder is gone.
      const m = readManifest(dir);
      const slm = m.models.find((e) => e.name === shipped.slm)!;
      m.models.push({ ...slm, name: `${slm.name}@v10`, file: "fleet/versions/v10/x.gguf" });
      m.active = { slm: `${slm.name}@v10` };
      writeManifest(m, dir);
      store.writeState({ current: "v10", previous: "", active: { "": shipped, v10: { slm: `${slm.name}@v10` } }, failed: {}, recalled: {} });
      a = start();
      expect(a.status).toMatchObject({ status: "rolled_back", version: "" });
      expect(readManifest(dir).active).toEqual(shipped);
      expect(readManifest(dir).models.some((e) => e.name.endsWith("@v10"))).toBe(false);
      await a.stop();
    } finally {
      rmSync(root, { recursive: true, force: true });
      rmSync(keys.dir, { recursive: true, force: true });
    }
  }, 60_000);
});
