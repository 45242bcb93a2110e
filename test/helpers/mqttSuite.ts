// The bus + simulators end-to-end suite, run against any real broker (aedes, mosquitto).

import { afterAll, afterEach, beforeAll, expect, test } from "vitest";
import mqtt, { type MqttClient } from "mqtt";
import { MqttDeviceBus, newCommandId } from "../../src/bus/index.js";
import { DeviceCatalog, parseDeviceFile, startSimulators, type SimulatorHandle } from "../../src/devices/index.js";
import { captureLogger, type TestBroker } from "./mqttBrokers.js";

export const HOME_YAML = `
kind: home
name: Test home
floors: [{ id: ground, name: Ground Floor }]
areas:
  - { id: kitchen, name: Kitchen, floor: ground }
  - { id: hall, name: Hallway, floor: ground }
devices:
  - { id: light.kitchen_main, name: Kitchen Main, area: kitchen, domain: light, capabilities: [on_off, brightness, color] }
  - { id: light.kitchen_spot, name: Spot, area: kitchen, domain: light, capabilities: [on_off] }
  - { id: switch.kettle, name: Kettle, area: kitchen, domain: switch, capabilities: [on_off] }
  - { id: lock.front, name: Front Door, area: hall, domain: lock, capabilities: [lock] }
  - { id: climate.hall, name: Thermostat, area: hall, domain: climate, capabilities: [target_temperature] }
  - { id: cover.hall_blind, name: Blind, area: hall, domain: cover, device_class: blind, capabilities: [position] }
  - { id: media_player.hall, name: Hall Speaker, area: hall, domain: media_player, capabilities: [volume, pause] }
  - { id: switch.silent, name: Silent Plug, area: hall, domain: switch, capabilities: [on_off] }
`;

export const CAR_YAML = `
kind: car
name: Test car
devices:
  - { id: hvac.driver, name: Driver Zone, domain: hvac, zone: driver, vss: Vehicle.Cabin.HVAC.Station.Row1.Driver, capabilities: [target_temperature, fan_speed], range: { temperature: [16, 30], fan_level: [1, 10] } }
  - { id: hvac.passenger, name: Passenger Zone, domain: hvac, zone: passenger, capabilities: [target_temperature, fan_speed] }
  - { id: hvac.system, name: Climate, domain: hvac, capabilities: [ac, recirculation, front_defrost, rear_defrost] }
  - { id: window.driver, name: Driver Window, domain: window, side: driver, capabilities: [position] }
  - { id: seat.driver, name: Driver Seat, domain: seat, side: driver, capabilities: [heating, ventilation] }
  - { id: media.audio, name: Audio, domain: media, capabilities: [volume, pause] }
  - id: navigation.car
    name: Navigation
    domain: navigation
    capabilities: [route, eta]
    saved_places: [{ id: home, aliases: [my house], distance_km: 10 }]
    pois:
      - { name: Far Fuel, type: gas_station, distance_km: 9 }
      - { name: Near Fuel, type: gas_station, distance_km: 1.5 }
`;

export function testCatalog(): DeviceCatalog {
  return new DeviceCatalog([parseDeviceFile(HOME_YAML, "home.yaml"), parseDeviceFile(CAR_YAML, "car.yaml")]);
}

/** Collect messages of an independent observer client (what a real Home Assistant would see). */
export async function observer(url: string, protocolVersion: 4 | 5, filters: string[]) {
  const client: MqttClient = await mqtt.connectAsync(url, { protocolVersion, reconnectPeriod: 200 });
  const seen = new Map<string, string>();
  client.on("message", (t, p) => seen.set(t, p.toString()));
  await client.subscribeAsync(filters, { qos: 1 });
  const waitFor = async (topic: string, pred: (json: Record<string, unknown>) => boolean, timeoutMs = 5000) => {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const raw = seen.get(topic);
      if (raw !== undefined) {
        try {
          const j = JSON.parse(raw) as Record<string, unknown>;
          if (pred(j)) return j;
        } catch {
          /* not JSON yet */
        }
      }
      if (Date.now() > until) throw new Error(`no matching message on ${topic}; last: ${raw}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  return { client, seen, waitFor };
}

/** Register the suite; `makeBroker` starts a fresh broker for it. */
export function busSuite(makeBroker: () => Promise<TestBroker>): void {
  let broker: TestBroker;
  let sims: SimulatorHandle;
  let bus: MqttDeviceBus;
  let obs: Awaited<ReturnType<typeof observer>>;
  const cap = captureLogger();
  const catalog = testCatalog();

  beforeAll(async () => {
    broker = await makeBroker();
    sims = await startSimulators({ brokerUrl: broker.url, devices: catalog, protocolVersion: broker.protocolVersion, faults: { "switch.silent": { neverAnswer: true } } });
    bus = new MqttDeviceBus({ url: broker.url, devices: catalog, protocolVersion: broker.protocolVersion, logger: cap.logger, timeoutMs: 3000 });
    await bus.start();
    obs = await observer(broker.url, broker.protocolVersion, ["hark/#", "homeassistant/#"]);
  });
  afterAll(async () => {
    await obs?.client.endAsync(true);
    await bus?.stop();
    await sims?.stop();
    await broker?.stop();
  });
  afterEach(() => {
    for (const id of ["light.kitchen_main", "hvac.driver"]) sims.setFault(id, undefined);
  });

  test("a light command changes the light, observed over MQTT on its HA state topic", async () => {
    const id = newCommandId();
    const r = await bus.send({ id, deviceId: "light.kitchen_main", action: "turn_on", params: { brightness: 40, color: "red" } });
    expect(r).toMatchObject({ ok: true, state: { state: "ON", brightness: 40, color: { r: 255, g: 0, b: 0 } } });
    const st = await obs.waitFor("hark/home/light.kitchen_main/state", (j) => j.last_command_id === id);
    expect(st).toMatchObject({ state: "ON", brightness: 40, color_mode: "rgb" });
    expect(sims.state("light.kitchen_main")).toMatchObject({ state: "ON", brightness: 40 });
    expect(sims.appliedCount(id)).toBe(1);
  });

  test("Home Assistant discovery configs are published retained", async () => {
    const light = await obs.waitFor("homeassistant/light/hark/kitchen_main/config", () => true);
    expect(light).toMatchObject({
      schema: "json",
      command_topic: "hark/home/light.kitchen_main/set",
      state_topic: "hark/home/light.kitchen_main/state",
      unique_id: "hark_light_kitchen_main",
      supported_color_modes: ["rgb"],
      device: { name: "Kitchen Main", suggested_area: "Kitchen" },
    });
    const lock = await obs.waitFor("homeassistant/lock/hark/front/config", () => true);
    expect(lock).toMatchObject({ command_topic: "hark/home/lock.front/set", value_template: "{{ value_json.state }}" });
    const climate = await obs.waitFor("homeassistant/climate/hark/hall/config", () => true);
    expect(climate).toMatchObject({ temperature_command_topic: "hark/home/climate.hall/set/temperature" });
    // retained: a client connecting now still receives them
    const late = await observer(broker.url, broker.protocolVersion, ["homeassistant/+/hark/+/config"]);
    await late.waitFor("homeassistant/cover/hark/hall_blind/config", (j) => j.set_position_topic === "hark/home/cover.hall_blind/set/position");
    await late.client.endAsync(true);
  });

  test("a Home Assistant style command (plain ON, per-attribute topic) is applied", async () => {
    obs.client.publish("hark/home/switch.kettle/set", "ON", { qos: 1 });
    await sims.waitFor("switch.kettle", (s) => s.state === "ON");
    obs.client.publish("hark/home/climate.hall/set/temperature", "22.5", { qos: 1 });
    await sims.waitFor("climate.hall", (s) => s.target_temperature === 22.5);
    await obs.waitFor("hark/home/climate.hall/state", (j) => j.target_temperature === 22.5);
  });

  test("cabin commands use COVESA VSS topics", async () => {
    const id = newCommandId();
    const r = await bus.send({ id, deviceId: "hvac.driver", action: "set_temperature", params: { temperature: 23 } });
    expect(r).toMatchObject({ ok: true, state: { Temperature: 23 } });
    await obs.waitFor("hark/car/Vehicle/Cabin/HVAC/Station/Row1/Driver/Temperature/set", (j) => j.id === id && j.value === 23);
    await obs.waitFor("hark/car/Vehicle/Cabin/HVAC/Station/Row1/Driver/Temperature/state", (j) => j.value === 23 && j.last_command_id === id);
    const ac = await bus.send({ id: newCommandId(), deviceId: "hvac.system", action: "turn_on", params: { feature: "ac" } });
    expect(ac.ok).toBe(true);
    await obs.waitFor("hark/car/Vehicle/Cabin/HVAC/IsAirConditioningActive/state", (j) => j.value === true);
    const w = await bus.send({ id: newCommandId(), deviceId: "window.driver", action: "set_position", params: { position: 30 } });
    expect(w.ok).toBe(true);
    await obs.waitFor("hark/car/Vehicle/Cabin/Door/Row1/DriverSide/Window/Position/state", (j) => j.value === 30);
    const nav = await bus.send({ id: newCommandId(), deviceId: "navigation.car", action: "navigate", params: { poi_type: "gas_station" } });
    expect(nav).toMatchObject({ ok: true, state: { DestinationSet: { name: "Near Fuel", distance_km: 1.5 } } });
  });

  test("a device that never answers → timeout within the configured time", async () => {
    const t0 = Date.now();
    const r = await bus.send({ id: newCommandId(), deviceId: "switch.silent", action: "turn_on", params: {} }, { timeoutMs: 400 });
    const ms = Date.now() - t0;
    expect(r).toMatchObject({ ok: false, error: "timeout" });
    expect(ms).toBeGreaterThanOrEqual(390);
    expect(ms).toBeLessThan(1000);
  });

  test("a rejecting device → rejected; a slow one still confirms; an unknown device → unknown_device", async () => {
    sims.setFault("light.kitchen_main", { reject: "bulb broken" });
    const r = await bus.send({ id: newCommandId(), deviceId: "light.kitchen_main", action: "turn_off", params: {} });
    expect(r).toMatchObject({ ok: false, error: "rejected", message: "bulb broken" });
    expect(sims.state("light.kitchen_main")?.state).toBe("ON");
    sims.setFault("light.kitchen_main", { delayMs: 300 });
    const slow = await bus.send({ id: newCommandId(), deviceId: "light.kitchen_main", action: "turn_off", params: {} });
    expect(slow.ok).toBe(true);
    expect(slow.ms).toBeGreaterThanOrEqual(290);
    const out = await bus.send({ id: newCommandId(), deviceId: "hvac.driver", action: "set_temperature", params: { temperature: 99 } });
    expect(out).toMatchObject({ ok: false, error: "rejected" });
    expect(out.message).toMatch(/out of range/);
    expect(await bus.send({ id: newCommandId(), deviceId: "light.nope", action: "turn_on", params: {} })).toMatchObject({ ok: false, error: "unknown_device" });
  });

  test("malformed state payloads are ignored with a log line, no crash", async () => {
    const before = bus.state("switch.kettle");
    obs.client.publish("hark/home/switch.kettle/state", "{not json", { qos: 1 });
    obs.client.publish("hark/car/Vehicle/Cabin/HVAC/Station/Row1/Driver/Temperature/state", JSON.stringify({ value: "hot" }), { qos: 1 });
    const until = Date.now() + 3000;
    const malformed = () => cap.lines().filter((l) => l.msg === "ignored malformed device state");
    while (malformed().length < 2 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    expect(malformed().map((l) => l.topic)).toEqual(
      expect.arrayContaining(["hark/home/switch.kettle/state", "hark/car/Vehicle/Cabin/HVAC/Station/Row1/Driver/Temperature/state"]),
    );
    expect(malformed().every((l) => l.level === 40)).toBe(true); // warn
    expect(bus.state("switch.kettle")).toEqual(before);
    // still working
    const r = await bus.send({ id: newCommandId(), deviceId: "switch.kettle", action: "turn_off", params: {} });
    expect(r.ok).toBe(true);
  });

  test("a resent command id is applied once", async () => {
    const id = newCommandId();
    const payload = JSON.stringify({ id, action: "toggle", params: {} });
    const before = sims.state("switch.kettle")?.state;
    for (let i = 0; i < 3; i++) obs.client.publish("hark/home/switch.kettle/set", payload, { qos: 1 });
    await sims.waitFor("switch.kettle", (s) => s.state !== before);
    await new Promise((r) => setTimeout(r, 300));
    expect(sims.appliedCount(id)).toBe(1);
    expect(sims.state("switch.kettle")?.state).not.toBe(before);
  });

  test("broker restart mid-command: the device applies the command exactly once and ends in the commanded state", async () => {
    // (a) the broker dies after the device received the command, before it confirmed
    sims.setFault("hvac.driver", { delayMs: 400 });
    const idA = newCommandId();
    const pendingA = bus.send({ id: idA, deviceId: "hvac.driver", action: "set_temperature", params: { temperature: 19 } }, { timeoutMs: 8000 });
    await waitUntil(() => sims.receivedCount(idA) > 0);
    await broker.stop();
    expect(sims.appliedCount(idA)).toBe(0); // in flight: received, not yet applied
    await new Promise((r) => setTimeout(r, 500)); // device applies while the broker is down
    await broker.restart();
    const a = await pendingA;
    expect(a).toMatchObject({ ok: true, state: { Temperature: 19 } });
    expect(sims.appliedCount(idA)).toBe(1);
    expect(sims.state("hvac.driver")?.Temperature).toBe(19);
    sims.setFault("hvac.driver", undefined);

    // (b) the broker is down when the command is sent: queued, sent after reconnect
    await waitUntil(() => bus.connected);
    await broker.stop();
    await waitUntil(() => !bus.connected);
    const idB = newCommandId();
    const pendingB = bus.send({ id: idB, deviceId: "light.kitchen_main", action: "turn_on", params: { brightness: 77 } }, { timeoutMs: 8000 });
    await new Promise((r) => setTimeout(r, 300));
    await broker.restart();
    const b = await pendingB;
    expect(b).toMatchObject({ ok: true, state: { brightness: 77, state: "ON" } });
    expect(sims.appliedCount(idB)).toBe(1);
    expect(sims.receivedCount(idA) + sims.receivedCount(idB)).toBeGreaterThanOrEqual(2);
    // settle: late resends must not apply anything again
    await new Promise((r) => setTimeout(r, 1500));
    expect(sims.log.filter((l) => l.commandId === idA || l.commandId === idB)).toHaveLength(2);
    await obs.waitFor("hark/home/light.kitchen_main/state", (j) => j.brightness === 77, 5000);
  });
}

export async function waitUntil(cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > until) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 10));
  }
}
