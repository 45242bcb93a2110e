// Bus + simulators end to end on the embedded aedes broker (MQTT 3.1.1, loopback).
import { describe, expect, test } from "vitest";
import mqtt from "mqtt";
import { startBroker } from "../src/bus/index.js";
import { aedesBroker } from "./helpers/mqttBrokers.js";
import { busSuite } from "./helpers/mqttSuite.js";

describe("embedded broker", () => {
  test("starts on a random loopback port in milliseconds and stops", async () => {
    const t0 = performance.now();
    const broker = await startBroker();
    const ms = performance.now() - t0;
    expect(broker.url).toMatch(/^mqtt:\/\/127\.0\.0\.1:\d+$/);
    expect(broker.port).toBeGreaterThan(0);
    expect(ms).toBeLessThan(500);
    const c = await mqtt.connectAsync(broker.url, { reconnectPeriod: 0 });
    expect(c.connected).toBe(true);
    await c.endAsync();
    await broker.stop();
    await expect(mqtt.connectAsync(broker.url, { reconnectPeriod: 0, connectTimeout: 500 })).rejects.toThrow();
  });
});

describe("MqttDeviceBus on aedes", () => {
  busSuite(() => aedesBroker());
});
