// Simulators on a real broker, driven over raw MQTT (as any other client would), plus device file loading.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { MqttDeviceBus, newCommandId, startBroker, type EmbeddedBroker } from "../src/bus/index.js";
import { DeviceCatalog, parseDeviceFile, startSimulators, type SimulatorHandle } from "../src/devices/index.js";
import { observer, testCatalog, waitUntil } from "./helpers/mqttSuite.js";

describe("device files", () => {
  test("errors name file, line and column", () => {
    expect(() => parseDeviceFile("kind: home\nareas: [{ id: hall }]\ndevices:\n  - { id: light.a, area: nowhere, domain: light }\n", "devices/x.yaml")).toThrow(/^devices\/x\.yaml:4:\d+: device 'light\.a' is in unknown area 'nowhere'/);
    expect(() => parseDeviceFile("kind: boat\n", "b.yaml")).toThrow(/^b\.yaml:1:7: kind must be "home" or "car"/);
    expect(() => parseDeviceFile("devices:\n  - { id: a.b }\n  - { id: a.b }\n", "d.yaml")).toThrow(/duplicate device id 'a\.b'/);
  });
  test("car fields: zone/side, vss, POIs and saved places; a home gets the timer service", () => {
    const c = testCatalog();
    expect(c.get("window.driver")).toMatchObject({ zone: "driver", kind: "car" });
    expect(c.get("hvac.driver")?.vss).toBe("Vehicle.Cabin.HVAC.Station.Row1.Driver");
    expect(c.pois.map((p) => p.name)).toEqual(["Far Fuel", "Near Fuel"]);
    expect(c.get("timer.timers")?.domain).toBe("timer");
  });
});

describe("simulators over MQTT", () => {
  let broker: EmbeddedBroker;
  let sims: SimulatorHandle;
  let obs: Awaited<ReturnType<typeof observer>>;
  const catalog = testCatalog();
  const T = (path: string, s: "set" | "state") => `hark/car/${path.replaceAll(".", "/")}/${s}`;

  beforeAll(async () => {
    broker = await startBroker();
    sims = await startSimulators({ brokerUrl: broker.url, devices: catalog, latencyMs: 5 });
    obs = await observer(broker.url, 4, ["hark/#", "homeassistant/#"]);
  });
  afterAll(async () => {
    await obs?.client.endAsync(true);
    await sims?.stop();
    await broker?.stop();
  });

  test("every device publishes its initial state retained; only home devices get discovery configs", async () => {
    await obs.waitFor("hark/home/lock.front/state", (j) => j.state === "LOCKED");
    await obs.waitFor(T("Vehicle.Cabin.HVAC.Station.Row1.Passenger.Temperature", "state"), (j) => typeof j.value === "number");
    await obs.waitFor(T("Vehicle.Cabin.Seat.Row1.DriverSide.HeatingCooling", "state"), (j) => j.value === 0);
    await obs.waitFor(T("Vehicle.Cabin.Infotainment.Media.Volume", "state"), (j) => j.value === 15);
    expect([...obs.seen.keys()].filter((t) => t.startsWith("homeassistant/")).every((t) => !t.includes("/hvac") && !t.includes("navigation"))).toBe(true);
    expect([...obs.seen.keys()].some((t) => t === "homeassistant/light/hark/kitchen_main/config")).toBe(true);
  });

  test("navigation: nearest POI of a type, saved place by alias, unknown place refused, cancel", async () => {
    const topic = T("Vehicle.Cabin.Infotainment.Navigation.DestinationSet", "set");
    const state = T("Vehicle.Cabin.Infotainment.Navigation.DestinationSet", "state");
    const send = (value: unknown) => {
      const id = newCommandId();
      obs.client.publish(topic, JSON.stringify({ id, value }), { qos: 1 });
      return id;
    };
    let id = send({ request: { poi_type: "gas_station" } });
    let j = await obs.waitFor(state, (x) => x.last_command_id === id);
    expect(j.value).toMatchObject({ name: "Near Fuel", poi_type: "gas_station", distance_km: 1.5, eta_minutes: 2 });
    id = send({ request: { destination: "my house" } });
    j = await obs.waitFor(state, (x) => x.last_command_id === id);
    expect(j.value).toMatchObject({ name: "home", distance_km: 10, eta_minutes: 12 });
    id = send({ request: { destination: "Atlantis" } });
    j = await obs.waitFor(state, (x) => x.last_command_id === id);
    expect(j.last_command_error).toBe("unknown destination Atlantis");
    expect(j.value).toMatchObject({ name: "home" });
    id = send(null);
    j = await obs.waitFor(state, (x) => x.last_command_id === id);
    expect(j.value).toBeNull();
  });

  test("seat levels map to VSS HeatingCooling; window positions; adjust clamps to the range", async () => {
    const bus = new MqttDeviceBus({ url: broker.url, devices: catalog, timeoutMs: 2000 });
    await bus.start();
    try {
      expect(await bus.send({ id: newCommandId(), deviceId: "seat.driver", action: "set_heating", params: { level: 2, levels: 3 } })).toMatchObject({ ok: true, state: { HeatingCooling: 67 } });
      expect(await bus.send({ id: newCommandId(), deviceId: "seat.driver", action: "set_ventilation", params: { level: 3, levels: 3 } })).toMatchObject({ ok: true, state: { HeatingCooling: -100 } });
      expect(await bus.send({ id: newCommandId(), deviceId: "window.driver", action: "close", params: {} })).toMatchObject({ ok: true, state: { Position: 0 } });
      expect(await bus.send({ id: newCommandId(), deviceId: "hvac.driver", action: "set_temperature", params: { temperature: 29 } })).toMatchObject({ ok: true });
      expect(await bus.send({ id: newCommandId(), deviceId: "hvac.driver", action: "adjust_temperature", params: { delta: 4 } })).toMatchObject({ ok: true, state: { Temperature: 30 } });
      expect(await bus.send({ id: newCommandId(), deviceId: "media.audio", action: "media_next", params: {} })).toMatchObject({ ok: true, state: { Action: "SKIP_FORWARD" } });
      expect(await bus.send({ id: newCommandId(), deviceId: "hvac.system", action: "turn_on", params: { feature: "warp" } })).toMatchObject({ ok: false, error: "rejected" });
    } finally {
      await bus.stop();
    }
  });

  test("duplicate ids apply once and are re-confirmed; expired commands are dropped", async () => {
    const topic = T("Vehicle.Cabin.Infotainment.Media.Volume", "set");
    const id = newCommandId();
    for (let i = 0; i < 3; i++) obs.client.publish(topic, JSON.stringify({ id, delta: 10 }), { qos: 1 });
    await waitUntil(() => sims.receivedCount(id) === 3);
    await new Promise((r) => setTimeout(r, 50));
    expect(sims.appliedCount(id)).toBe(1);
    expect(sims.state("media.audio")?.Volume).toBe(25);
    const old = newCommandId();
    obs.client.publish(topic, JSON.stringify({ id: old, value: 90, expires_at: Date.now() - 1 }), { qos: 1 });
    await waitUntil(() => sims.receivedCount(old) === 1);
    await new Promise((r) => setTimeout(r, 50));
    expect(sims.appliedCount(old)).toBe(0);
    expect(sims.state("media.audio")?.Volume).toBe(25);
  });

  test("home models: light color by name, cover position, media volume, thermostat mode", async () => {
    const send = (deviceId: string, action: string, params: Record<string, unknown> = {}) => {
      const id = newCommandId();
      obs.client.publish(`hark/home/${deviceId}/set`, JSON.stringify({ id, action, params }), { qos: 1 });
      return obs.waitFor(`hark/home/${deviceId}/state`, (j) => j.last_command_id === id);
    };
    expect(await send("light.kitchen_main", "turn_on", { color: "blue" })).toMatchObject({ state: "ON", color: { r: 0, g: 0, b: 255 }, color_name: "blue" });
    expect(await send("light.kitchen_spot", "turn_on", { brightness: 20 })).toMatchObject({ last_command_error: "this light cannot dim", state: "OFF" });
    expect(await send("cover.hall_blind", "set_position", { position: 60 })).toMatchObject({ state: "open", position: 60 });
    expect(await send("media_player.hall", "set_volume", { volume_level: 55 })).toMatchObject({ volume_level: 55 });
    expect(await send("climate.hall", "turn_off")).toMatchObject({ mode: "off" });
    expect(await send("lock.front", "fly")).toMatchObject({ last_command_error: "lock does not support fly" });
  });

  test("the demo devices/ folder loads and every device answers", async () => {
    const demo = DeviceCatalog.load("devices");
    const b = await startBroker();
    const s = await startSimulators({ brokerUrl: b.url, devices: demo });
    const bus = new MqttDeviceBus({ url: b.url, devices: demo, timeoutMs: 3000 });
    await bus.start();
    try {
      await waitUntil(() => demo.devices.every((d) => bus.state(d.id) !== undefined), 5000);
      expect(demo.devices.length).toBeGreaterThan(20);
    } finally {
      await bus.stop();
      await s.stop();
      await b.stop();
    }
  });
});
