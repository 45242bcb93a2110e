// Username/password and TLS (mqtts://) against the embedded broker; connection failures are clear errors.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { MqttDeviceBus, newCommandId, startBroker } from "../src/bus/index.js";
import { startSimulators } from "../src/devices/index.js";
import { freePort } from "./helpers/mqttBrokers.js";
import { testCatalog } from "./helpers/mqttSuite.js";

const catalog = testCatalog();
const hasOpenssl = spawnSync("sh", ["-c", "command -v openssl"]).status === 0;

describe("broker connection options", () => {
  test("username/password: right credentials work, wrong ones fail start() with a clear error", async () => {
    const auth = { username: "hark", password: "s3cret" };
    const broker = await startBroker({ auth });
    const sims = await startSimulators({ brokerUrl: broker.url, devices: catalog, ...auth });
    const bus = new MqttDeviceBus({ url: broker.url, devices: catalog, ...auth });
    try {
      await bus.start();
      expect(await bus.send({ id: newCommandId(), deviceId: "switch.kettle", action: "turn_on", params: {} })).toMatchObject({ ok: true });
      const bad = new MqttDeviceBus({ url: broker.url, devices: catalog, username: "hark", password: "nope", connectTimeoutMs: 3000 });
      const t0 = Date.now();
      await expect(bad.start()).rejects.toThrow(/cannot connect to MQTT broker mqtt:\/\/127\.0\.0\.1:\d+: .*(Bad username or password|Not authorized)/i);
      expect(Date.now() - t0).toBeLessThan(2000);
    } finally {
      await bus.stop();
      await sims.stop();
      await broker.stop();
    }
  });

  test("no broker listening: start() rejects after the connect timeout, saying why; send() while down → unavailable", async () => {
    const port = await freePort();
    const bus = new MqttDeviceBus({ url: `mqtt://127.0.0.1:${port}`, devices: catalog, connectTimeoutMs: 500 });
    const t0 = Date.now();
    await expect(bus.start()).rejects.toThrow(`cannot connect to MQTT broker mqtt://127.0.0.1:${port}: connection refused (tried for 0.5 s)`);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(450);
    const r = await bus.send({ id: newCommandId(), deviceId: "switch.kettle", action: "turn_on", params: {} }, { timeoutMs: 200 });
    expect(r).toMatchObject({ ok: false, error: "unavailable" });
  });

  test("waitForBroker: false — the first refusal is final, at once", async () => {
    const port = await freePort();
    const bus = new MqttDeviceBus({ url: `mqtt://127.0.0.1:${port}`, devices: catalog, connectTimeoutMs: 5000, waitForBroker: false });
    const t0 = Date.now();
    await expect(bus.start()).rejects.toThrow(new RegExp(`^cannot connect to MQTT broker mqtt://127\\.0\\.0\\.1:${port}: connection refused$`));
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  test.skipIf(!hasOpenssl)("mqtts:// with a CA option", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hark-tls-"));
    const r = spawnSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem"), "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"]);
    expect(r.status).toBe(0);
    const key = readFileSync(join(dir, "key.pem"));
    const cert = readFileSync(join(dir, "cert.pem"));
    const broker = await startBroker({ tls: { key, cert } });
    expect(broker.url).toMatch(/^mqtts:\/\/127\.0\.0\.1:\d+$/);
    const sims = await startSimulators({ brokerUrl: broker.url, devices: catalog, tls: { ca: cert } });
    const bus = new MqttDeviceBus({ url: broker.url, devices: catalog, tls: { ca: cert } });
    try {
      await bus.start();
      expect(await bus.send({ id: newCommandId(), deviceId: "hvac.driver", action: "set_temperature", params: { temperature: 24 } })).toMatchObject({ ok: true, state: { Temperature: 24 } });
      const untrusted = new MqttDeviceBus({ url: broker.url, devices: catalog, connectTimeoutMs: 1500 });
      await expect(untrusted.start()).rejects.toThrow(/cannot connect/);
    } finally {
      await bus.stop();
      await sims.stop();
      await broker.stop();
    }
  });
});
