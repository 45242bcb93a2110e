// Intents → device commands (planning), and plans executed over a real broker with the simulators.
import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { executePlan, planIntents, startDeviceRuntime, type ActContext } from "../src/act/index.js";
import { MqttDeviceBus, startBroker, type EmbeddedBroker } from "../src/bus/index.js";
import { DeviceCatalog, startSimulators, type SimulatorHandle } from "../src/devices/index.js";
import type { IntentResult } from "../src/nlu/types.js";
import { testCatalog } from "./helpers/mqttSuite.js";

const intent = (name: string, slots: IntentResult["slots"] = {}): IntentResult => ({ intent: name, slots, confidence: 1, source: "test" });
const catalog = testCatalog();
const plan1 = (name: string, slots: IntentResult["slots"] = {}, ctx: ActContext = {}) => {
  const p = planIntents([intent(name, slots)], catalog, ctx);
  return p.steps[0]!;
};
const targets = (step: { targets: { id: string }[] }) => step.targets.map((t) => t.id).sort();

describe("home intents (Home Assistant target resolution)", () => {
  test("turn off the kitchen lights → every light in area Kitchen", () => {
    const s = plan1("HassTurnOff", { area: "Kitchen", domain: "light" });
    expect(targets(s)).toEqual(["light.kitchen_main", "light.kitchen_spot"]);
    expect(s.commands.map((c) => c.action)).toEqual(["turn_off", "turn_off"]);
    expect(new Set(s.commands.map((c) => c.id)).size).toBe(2);
  });
  test("by name (or alias-insensitive), with the domain's own action", () => {
    expect(plan1("HassTurnOn", { name: "Front Door" }).commands).toMatchObject([{ deviceId: "lock.front", action: "lock" }]);
    expect(plan1("HassTurnOff", { name: "front door" }).commands).toMatchObject([{ deviceId: "lock.front", action: "unlock" }]);
    expect(plan1("HassTurnOn", { name: "Blind" }).commands).toMatchObject([{ deviceId: "cover.hall_blind", action: "open" }]);
  });
  test("area only → on/off devices of the area, never locks or covers", () => {
    expect(targets(plan1("HassTurnOff", { area: "Hallway" }))).toEqual(["media_player.hall", "switch.silent"]);
    expect(targets(plan1("HassTurnOff", { area: "kitchen" }))).toEqual(["light.kitchen_main", "light.kitchen_spot", "switch.kettle"]);
  });
  test("floor and device_class", () => {
    expect(targets(plan1("HassTurnOn", { floor: "Ground Floor", domain: "light" }))).toEqual(["light.kitchen_main", "light.kitchen_spot"]);
    expect(targets(plan1("HassSetPosition", { device_class: "blind", position: 40 }))).toEqual(["cover.hall_blind"]);
  });
  test("the satellite's area fills a missing area", () => {
    expect(targets(plan1("HassTurnOn", { domain: "light" }, { area: "Kitchen" }))).toEqual(["light.kitchen_main", "light.kitchen_spot"]);
  });
  test("no such device: a clear result, no commands", () => {
    const a = plan1("HassTurnOn", { name: "Jacuzzi" });
    expect(a).toMatchObject({ error: "no_such_device", commands: [] });
    expect(a.message).toMatch(/Jacuzzi/);
    expect(plan1("HassTurnOn", { area: "Hallway", domain: "light" })).toMatchObject({ error: "no_such_device", message: "there is no light in the Hallway" });
    expect(plan1("HassTurnOn", { area: "Attic" })).toMatchObject({ error: "no_such_device", message: "there is no area called Attic" });
    expect(planIntents([intent("HassTurnOn", { name: "Jacuzzi" })], catalog).ok).toBe(false);
  });
  test("parameters per intent", () => {
    expect(plan1("HassLightSet", { area: "Kitchen", brightness: 30 }).commands[0]).toMatchObject({ action: "turn_on", params: { brightness: 30 } });
    expect(plan1("HassClimateSetTemperature", { temperature: 21 }).commands).toMatchObject([{ deviceId: "climate.hall", action: "set_temperature", params: { temperature: 21 } }]);
    expect(plan1("HassSetVolume", { name: "Hall Speaker", volume_level: 40 }).commands).toMatchObject([{ action: "set_volume", params: { volume_level: 40 } }]);
    expect(plan1("HassMediaPause", { area: "Hallway" }).commands).toMatchObject([{ deviceId: "media_player.hall", action: "media_pause" }]);
    // What the device file does not list is never sent: the Hall Speaker lists volume and pause only.
    expect(plan1("HassMediaSearchAndPlay", { name: "Hall Speaker", search_query: "jazz" })).toMatchObject({ error: "unsupported", commands: [], message: "Hall Speaker: cannot play music or media on request" });
    expect(plan1("HassMediaNext", { name: "Hall Speaker" })).toMatchObject({ error: "unsupported", commands: [] });
    expect(plan1("HassStartTimer", { minutes: 5, name: "pasta" }).commands).toMatchObject([{ deviceId: "timer.timers", action: "start", params: { minutes: 5, name: "pasta" } }]);
    expect(plan1("HassClimateGetTemperature", {}).query).toEqual({ deviceIds: ["climate.hall"], keys: ["current_temperature", "target_temperature"] });
  });
  test("a device that cannot do the action → unsupported", () => {
    expect(plan1("HassLightSet", { name: "Kettle", brightness: 10 })).toMatchObject({ error: "unsupported" });
  });
  test("non-device intents are no-ops; multi-intent gives one step each", () => {
    expect(plan1("HassNevermind")).toMatchObject({ noop: true, commands: [] });
    expect(plan1("HassGetCurrentTime")).toMatchObject({ noop: true });
    const p = planIntents([intent("HassTurnOff", { area: "Kitchen", domain: "light" }), intent("HassTurnOn", { name: "Kettle" })], catalog);
    expect(p.steps).toHaveLength(2);
    expect(p.commands).toHaveLength(3);
    expect(p.ok).toBe(true);
  });
  test("a request said again word for word is carried out once; a change by an amount as often as said", () => {
    const fan = intent("HassTurnOn", { name: "Kettle" });
    expect(planIntents([fan, { ...fan }, { ...fan, slots: { name: "Kettle" } }], catalog).commands).toHaveLength(1);
    const louder = intent("LightAdjustBrightness", { area: "Kitchen", direction: "brighter" });
    expect(planIntents([louder, { ...louder }], catalog).steps).toHaveLength(2);
  });
});

describe("cabin intents (zones → VSS devices)", () => {
  test("zone all → every climate zone; a zone → that one; missing zone → the speaker's seat", () => {
    expect(targets(plan1("CabinSetTemperature", { temperature: 22, zone: "all" }))).toEqual(["hvac.driver", "hvac.passenger"]);
    expect(targets(plan1("CabinSetTemperature", { temperature: 22, zone: "passenger" }))).toEqual(["hvac.passenger"]);
    expect(targets(plan1("CabinSetTemperature", { temperature: 22 }, { seat: "passenger" }))).toEqual(["hvac.passenger"]);
    expect(plan1("CabinSetTemperature", { temperature: 22, zone: "rear" })).toMatchObject({ error: "no_such_device" });
  });
  test("relative temperature and fan levels", () => {
    expect(plan1("CabinAdjustTemperature", { direction: "warmer", zone: "driver" }).commands[0]).toMatchObject({ action: "adjust_temperature", params: { delta: 2 } });
    expect(plan1("CabinAdjustTemperature", { direction: "cooler", zone: "driver" }).commands[0]).toMatchObject({ params: { delta: -2 } });
    expect(plan1("CabinSetFanSpeed", { level: 5, zone: "driver" }).commands[0]).toMatchObject({ action: "set_fan_speed", params: { percent: 50 } });
  });
  test("climate features, windows, seats, volume, navigation", () => {
    expect(plan1("CabinClimate", { feature: "ac", state: "on" }).commands).toMatchObject([{ deviceId: "hvac.system", action: "turn_on", params: { feature: "ac" } }]);
    expect(plan1("CabinWindow", { action: "open", window: "all", percent: 25 }).commands).toMatchObject([{ deviceId: "window.driver", action: "set_position", params: { position: 25 } }]);
    expect(plan1("CabinWindow", { action: "close", window: "driver" }).commands).toMatchObject([{ action: "close" }]);
    expect(plan1("CabinSeatHeating", { seat: "driver", level: 3 }).commands).toMatchObject([{ deviceId: "seat.driver", action: "set_heating", params: { level: 3 } }]);
    expect(plan1("CabinSeatVentilation", { level: "low" }, { seat: "driver" }).commands).toMatchObject([{ action: "set_ventilation", params: { level: 1 } }]);
    // A step of the volume: the car audio in the car, the home's players (a named one) at home.
    expect(plan1("MediaAdjustVolume", { direction: "down" }, { profile: "car" }).commands).toMatchObject([{ deviceId: "media.audio", action: "adjust_volume", params: { delta: -5 } }]);
    expect(plan1("MediaAdjustVolume", { direction: "up", name: "Hall Speaker" }, { profile: "home" }).commands).toMatchObject([{ deviceId: "media_player.hall", action: "adjust_volume", params: { delta: 5 } }]);
    expect(plan1("NavigateTo", { poi_type: "gas_station" }).commands).toMatchObject([{ deviceId: "navigation.car", action: "navigate", params: { poi_type: "gas_station" } }]);
    expect(plan1("NavigationCancel").commands).toMatchObject([{ action: "cancel_navigation" }]);
    expect(plan1("NavigationEta").query).toEqual({ deviceIds: ["navigation.car"], keys: ["DestinationSet"] });
  });
});

describe.skipIf(!existsSync("devices/home.yaml") || !existsSync("devices/car.yaml"))("the demo devices/ files", () => {
  const demo = existsSync("devices") ? DeviceCatalog.load("devices") : catalog;
  test("kitchen lights, all windows, rear zone, seat without ventilation", () => {
    const kitchen = planIntents([intent("HassTurnOff", { area: "Kitchen", domain: "light" })], demo).steps[0]!;
    expect(targets(kitchen)).toEqual(demo.find({ area: "kitchen", domain: "light" }).map((d) => d.id).sort());
    expect(kitchen.targets.length).toBeGreaterThan(0);
    const windows = planIntents([intent("CabinWindow", { action: "open", window: "all" })], demo).steps[0]!;
    expect(windows.commands.length).toBe(4);
    expect(targets(planIntents([intent("CabinSetTemperature", { temperature: 20, zone: "rear" })], demo).steps[0]!)).toEqual(["hvac.rear"]);
    expect(planIntents([intent("CabinSeatVentilation", { seat: "rear_left", level: 2 })], demo).steps[0]).toMatchObject({ error: "unsupported" });
  });
});

describe("plans executed over MQTT", () => {
  let broker: EmbeddedBroker;
  let sims: SimulatorHandle;
  let bus: MqttDeviceBus;
  const devices = existsSync("devices/home.yaml") ? DeviceCatalog.load("devices") : catalog;
  beforeAll(async () => {
    broker = await startBroker();
    sims = await startSimulators({ brokerUrl: broker.url, devices });
    bus = new MqttDeviceBus({ url: broker.url, devices, timeoutMs: 3000 });
    await bus.start();
  });
  afterAll(async () => {
    await bus?.stop();
    await sims?.stop();
    await broker?.stop();
  });
  test("turn on the kitchen lights + warmer for everyone + navigate home, then ETA", async () => {
    const plan = planIntents(
      [intent("HassTurnOn", { area: "Kitchen", domain: "light" }), intent("CabinAdjustTemperature", { direction: "warmer", zone: "all" }), intent("NavigateTo", { destination: "home" })],
      devices,
    );
    expect(plan.ok).toBe(true);
    const before = Object.fromEntries(plan.steps[1]!.targets.map((t) => [t.id, sims.state(t.id)?.Temperature as number]));
    const out = await executePlan(plan, bus);
    expect(out.ok).toBe(true);
    for (const t of plan.steps[0]!.targets) expect(sims.state(t.id)?.state).toBe("ON");
    for (const t of plan.steps[1]!.targets) expect(sims.state(t.id)?.Temperature).toBe((before[t.id] ?? 0) + 2);
    const eta = await executePlan(planIntents([intent("NavigationEta")], devices), bus);
    const answer = Object.values(eta.steps[0]!.answers ?? {})[0] as { DestinationSet?: { eta_minutes?: number } };
    expect(answer.DestinationSet?.eta_minutes).toBeGreaterThan(0);
  });
  test("a timer starts and rings", async () => {
    const out = await executePlan(planIntents([intent("HassStartTimer", { seconds: 1, name: "tea" })], devices), bus);
    expect(out.ok).toBe(true);
    expect((sims.state("timer.timers")?.timers as unknown[]).length).toBe(1);
    await sims.waitFor("timer.timers", (s) => Array.isArray(s.last_finished) && s.last_finished.includes("tea"), 3000);
    expect(sims.state("timer.timers")?.state).toBe("idle");
  });
});

describe("startDeviceRuntime", () => {
  test("embedded broker + simulators + bus in one call; act() changes a device; stop() cleans up", async () => {
    const t0 = performance.now();
    const rt = await startDeviceRuntime({ devices: catalog, timeoutMs: 2000 });
    const startMs = performance.now() - t0;
    try {
      expect(rt.brokerUrl).toMatch(/^mqtt:\/\/127\.0\.0\.1:/);
      expect(startMs).toBeLessThan(2000);
      const { plan, outcome } = await rt.act([intent("HassTurnOn", { area: "Kitchen", domain: "light" })]);
      expect(plan.commands).toHaveLength(2);
      expect(outcome.ok).toBe(true);
      expect(rt.sims?.state("light.kitchen_spot")?.state).toBe("ON");
      expect(rt.bus.state("light.kitchen_spot")?.state).toBe("ON");
    } finally {
      await rt.stop();
    }
  });
});

describe("planner: capabilities, rooms without a thermostat (fixes)", () => {
  const demo = DeviceCatalog.load(new URL("../devices", import.meta.url).pathname);
  test("a colour skips the lights without colour instead of failing", () => {
    const s = plan1("HassLightSet", { area: "Kitchen", color: "red" });
    expect(s.error).toBeUndefined();
    expect(s.commands.map((c) => c.deviceId)).toEqual(["light.kitchen_main"]);
    expect(s.skipped).toEqual([{ deviceId: "light.kitchen_spot", name: "Spot", reason: "cannot change colour" }]);
    // only lights without colour: nothing to do, said as an error
    expect(plan1("HassLightSet", { name: "Spot", color: "red" })).toMatchObject({ error: "unsupported" });
  });
  test("a room without a thermostat uses the house's thermostat and says so; several and none named → a clear error", () => {
    const s = planIntents([intent("HassClimateSetTemperature", { temperature: 21 })], demo, { profile: "home", area: "living_room" }).steps[0]!;
    expect(s.commands.map((c) => c.deviceId)).toEqual(["climate.main_thermostat"]);
    expect(s.note).toBe("There is no thermostat in the Living Room, so I used the Main Thermostat in the Hallway.");
    // in the bedroom, its own heat pump
    const b = planIntents([intent("HassClimateSetTemperature", { temperature: 21 })], demo, { profile: "home", area: "bedroom" }).steps[0]!;
    expect(b.commands.map((c) => c.deviceId)).toEqual(["climate.bedroom_heat_pump"]);
    expect(b.note).toBeUndefined();
  });
});

describe("Home Assistant domains on the demo home (issue 13): what each intent targets", () => {
  const demo = DeviceCatalog.load(new URL("../devices", import.meta.url).pathname);
  const step = (name: string, slots: IntentResult["slots"] = {}, area?: string) => planIntents([intent(name, slots)], demo, { profile: "home", ...(area ? { area } : {}) }).steps[0]!;
  const sent = (s: ReturnType<typeof step>) => s.commands.map((c) => [c.deviceId, c.action, c.params]);

  test("HassTurnOn/Off the HA way: scenes activate, scripts run, valves open, vacuums start, mowers mow; a scene cannot be turned off", () => {
    expect(sent(step("HassTurnOn", { name: "Movie Time" }))).toEqual([["scene.movie_time", "activate", {}]]);
    expect(sent(step("HassTurnOn", { name: "Party Time" }))).toEqual([["script.party_time", "run", {}]]);
    expect(sent(step("HassTurnOn", { name: "Irrigation Valve" }))).toEqual([["valve.irrigation", "open", {}]]);
    expect(sent(step("HassTurnOff", { name: "drip line" }))).toEqual([["valve.irrigation", "close", {}]]);
    expect(sent(step("HassTurnOn", { name: "Rover" }))).toEqual([["vacuum.rover", "start", {}]]);
    expect(sent(step("HassTurnOff", { name: "Rover" }))).toEqual([["vacuum.rover", "return_to_base", {}]]);
    expect(sent(step("HassTurnOff", { name: "Mowbot" }))).toEqual([["lawn_mower.mowbot", "dock", {}]]);
    expect(step("HassTurnOff", { name: "Movie Time" })).toMatchObject({ error: "unsupported", message: "Movie Time: cannot be turned off" });
    // an area-only "turn off" never touches valves, robots or scenes
    expect(step("HassTurnOff", { area: "Garden" }).targets.map((d) => d.domain).sort()).toEqual(["light", "light", "switch"]);
  });

  test("a vacuum cleans the room asked for from wherever it stands; a named one too", () => {
    expect(sent(step("HassVacuumStart", { area: "Bedroom" }))).toEqual([["vacuum.rover", "start", { area: "Bedroom" }]]);
    expect(sent(step("HassVacuumStart", { name: "roomba", area: "Kitchen" }))).toEqual([["vacuum.rover", "start", { area: "Kitchen" }]]);
    expect(sent(step("HassVacuumReturnToBase", {}, "Kitchen"))).toEqual([["vacuum.rover", "return_to_base", {}]]);
    expect(step("HassVacuumStart", { area: "Attic" })).toMatchObject({ error: "no_such_device", message: "there is no area called Attic" });
  });

  test("search-and-play: the room's player, a named one, else asked which (never all)", () => {
    expect(sent(step("HassMediaSearchAndPlay", { search_query: "Miles Davis", media_class: "artist" }, "Kitchen"))).toEqual([
      ["media_player.kitchen_speaker", "play_media", { search_query: "Miles Davis", media_class: "artist" }],
    ]);
    expect(sent(step("HassMediaSearchAndPlay", { search_query: "The Daily", name: "Bookshelf Speaker" }, "Kitchen"))).toEqual([["media_player.office_bookshelf_speaker", "play_media", { search_query: "The Daily" }]]);
    expect(step("HassMediaSearchAndPlay", { search_query: "jazz" }, "Bathroom")).toMatchObject({ error: "no_such_device", commands: [] });
  });

  test("lists: by name, else the shopping list; a broadcast reaches the other rooms' satellites", () => {
    expect(sent(step("HassListAddItem", { item: "wash the car", name: "Chores" }))).toEqual([["todo.chores", "add_item", { item: "wash the car" }]]);
    expect(sent(step("HassListAddItem", { item: "eggs" }))).toEqual([["todo.shopping_list", "add_item", { item: "eggs" }]]);
    expect(sent(step("HassShoppingListCompleteItem", { item: "eggs" }))).toEqual([["todo.shopping_list", "complete_item", { item: "eggs" }]]);
    expect(sent(step("HassBroadcast", { message: "dinner" }, "Living Room"))).toEqual([["assist_satellite.kitchen", "broadcast", { message: "dinner" }]]);
    expect(step("HassBroadcast", { message: "dinner" }, "Garden").commands.map((c) => c.deviceId).sort()).toEqual(["assist_satellite.kitchen", "assist_satellite.living_room"]);
  });

  test("state questions: a question about a state asks the whole home; the weather source; values out of range refused", () => {
    expect(step("HassGetState", { domain: "binary_sensor", device_class: "battery", state: "on" }, "Kitchen").query?.deviceIds).toEqual(["binary_sensor.keypad_battery"]);
    expect(step("HassGetWeather", {}, "Kitchen").query).toMatchObject({ deviceIds: ["weather.home"] });
    expect(step("HassFanSetSpeed", { name: "Pedestal Fan", percentage: 150 })).toMatchObject({ error: "unsupported" });
    expect(step("HassSetPosition", { name: "Irrigation Valve", position: 30 }).commands[0]).toMatchObject({ action: "set_position", params: { position: 30 } });
    expect(step("HassRespond", { response: "Hi" })).toMatchObject({ noop: true, values: { response: "Hi" } });
  });
});
