// Vehicle signals through the DeviceBus interface (the runtime opens no MQTT client of its own): the
// same retained QoS 1 {"value": …} message on the VSS state topic as before, seen by any MQTT client;
// a listener that comes late gets the last value at once.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import mqtt from "mqtt";
import { MqttDeviceBus, startBroker, vssTopic, type EmbeddedBroker } from "../src/bus/index.js";
import { testCatalog } from "./helpers/mqttSuite.js";

let broker: EmbeddedBroker;
beforeAll(async () => {
  broker = await startBroker({});
});
afterAll(async () => {
  await broker.stop();
});

const waitFor = async (ok: () => boolean, ms = 2000) => {
  const until = Date.now() + ms;
  while (!ok() && Date.now() < until) await new Promise((r) => setTimeout(r, 5));
  expect(ok()).toBe(true);
};

describe("DeviceBus signals (MQTT)", () => {
  it("publishSignal is a retained QoS 1 {value} on the VSS state topic; onSignal hears it and replays the last one", async () => {
    const bus = new MqttDeviceBus({ url: broker.url, devices: testCatalog() });
    const observer = await mqtt.connectAsync(broker.url, { clientId: `observer-${Math.random().toString(16).slice(2)}` });
    const seen: Array<{ topic: string; payload: string; qos: number; retain: boolean }> = [];
    observer.on("message", (topic, payload, packet) => seen.push({ topic, payload: payload.toString(), qos: packet.qos, retain: packet.retain }));
    await observer.subscribeAsync(`${vssTopic("Vehicle.Speed", "state").replace(/state$/, "#")}`, { qos: 1 });
    try {
      await bus.publishSignal("Vehicle.Speed", 5); // before start(): nothing is sent
      await bus.start();
      const heard: string[] = [];
      const off = bus.onSignal("Vehicle.Speed", (p) => heard.push(p));
      expect(heard).toEqual([]);
      await bus.publishSignal("Vehicle.Speed", 42);
      await waitFor(() => heard.length === 1);
      expect(heard).toEqual(['{"value":42}']);
      await waitFor(() => seen.length === 1);
      expect(seen).toEqual([{ topic: "hark/car/Vehicle/Speed/state", payload: '{"value":42}', qos: 1, retain: false }]);
      // A late listener gets the last value at once; a car reporting a plain number is passed on as it is.
      const late: string[] = [];
      bus.onSignal("Vehicle.Speed", (p) => late.push(p));
      expect(late).toEqual(['{"value":42}']);
      off();
      await observer.publishAsync("hark/car/Vehicle/Speed/state", "57", { qos: 1 });
      await waitFor(() => late.length === 2);
      expect(late[1]).toBe("57");
      expect(heard).toHaveLength(1); // unsubscribed
    } finally {
      await bus.stop();
      await observer.endAsync(true);
    }
    // Retained: a bus started later hears it from the broker.
    const again = new MqttDeviceBus({ url: broker.url, devices: testCatalog() });
    try {
      await again.start();
      const got: string[] = [];
      again.onSignal("Vehicle.Speed", (p) => got.push(p));
      await waitFor(() => got.length === 1);
      expect(got).toEqual(['{"value":42}']); // the observer's "57" was not retained
    } finally {
      await again.stop();
    }
  });
});
