// Every Home Assistant intent carried out on a device (issue 13): each one once through a running hark
// (HarkRuntime on its embedded broker, the demo home simulated), its command seen on the broker by an
// independent MQTT client and its spoken answer checked; then the new simulator models driven over raw
// MQTT with Home Assistant's own payloads, and their discovery configs.
// Intents are passed to the device layer directly (rt.devices.act): the grammar for them is written apart.
import { existsSync, readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import mqtt, { type MqttClient } from "mqtt";
import pino from "pino";
import { intentHandling, INTENTS } from "../src/act/plan.js";
import { configSchema, resolveConfig } from "../src/run/config.js";
import { HarkRuntime } from "../src/run/runtime.js";
import { outcomeSpeech } from "../src/run/speech.js";
import { DOMAINS, homeModel, memberCommands, commandsForState } from "../src/devices/domains/index.js";
import { parseDeviceFile } from "../src/devices/load.js";
import type { IntentResult } from "../src/nlu/types.js";

const intent = (name: string, slots: IntentResult["slots"] = {}): IntentResult => ({ intent: name, slots, confidence: 1, source: "test" });

/** Every intent of Home Assistant's intents.yaml (home-assistant/intents). */
const HA_INTENTS = [
  "HassTurnOn", "HassTurnOff", "HassGetState", "HassNevermind", "HassRespond", "HassBroadcast", "HassSetPosition",
  "HassGetCurrentDate", "HassGetCurrentTime", "HassLightSet", "HassClimateSetTemperature", "HassClimateGetTemperature",
  "HassShoppingListAddItem", "HassShoppingListCompleteItem", "HassGetWeather", "HassListAddItem", "HassListCompleteItem",
  "HassVacuumStart", "HassVacuumReturnToBase", "HassMediaPause", "HassMediaUnpause", "HassMediaNext", "HassMediaPrevious",
  "HassSetVolume", "HassMediaSearchAndPlay", "HassStartTimer", "HassCancelAllTimers", "HassCancelTimer", "HassIncreaseTimer",
  "HassDecreaseTimer", "HassPauseTimer", "HassUnpauseTimer", "HassTimerStatus",
];

describe("every Home Assistant intent has a handler", () => {
  it.each(HA_INTENTS)("%s", (name) => {
    expect(intentHandling(name).kind).not.toBe("none");
  });
  const corpus = "/work/shared/corpora/ha-intents/intents.yaml";
  it.skipIf(!existsSync(corpus))("the list above is intents.yaml's", () => {
    const names = [...readFileSync(corpus, "utf8").matchAll(/^(Hass\w+):/gm)].map((m) => m[1]!);
    expect(names.sort()).toEqual([...HA_INTENTS].sort());
  });
  it("queries, answers and changes are told apart (the trust judge relies on it)", () => {
    expect(intentHandling("HassGetWeather").kind).toBe("query");
    expect(intentHandling("HassGetState").kind).toBe("query");
    expect(intentHandling("HassRespond").kind).toBe("answer");
    expect(intentHandling("HassNevermind").kind).toBe("cancel");
    for (const i of ["HassBroadcast", "HassMediaSearchAndPlay", "HassVacuumStart", "HassIncreaseTimer", "HassLawnMowerStartMowing"]) expect(intentHandling(i).kind, i).toBe("device");
    expect(Object.keys(INTENTS)).toContain("HassFanSetSpeed");
  });
});

/** Every message of the broker's home topics, in order (what a real Home Assistant would see). */
async function recorder(url: string) {
  const client: MqttClient = await mqtt.connectAsync(url, { reconnectPeriod: 0 });
  const messages: Array<{ topic: string; text: string }> = [];
  client.on("message", (topic, payload) => messages.push({ topic, text: payload.toString() }));
  await client.subscribeAsync(["hark/home/#", "homeassistant/#"], { qos: 1 });
  const json = (text: string): Record<string, unknown> | undefined => {
    try {
      return JSON.parse(text) as Record<string, unknown>;
    } catch {
      return undefined;
    }
  };
  return {
    client,
    /** The command with this id as it went over the wire. */
    command: (id: string) => {
      const m = messages.find((x) => x.topic.endsWith("/set") && json(x.text)?.id === id);
      return m ? { topic: m.topic, ...json(m.text)! } : undefined;
    },
    /** The device's confirmation of that command (its retained state with last_command_id). */
    confirmation: (deviceId: string, id: string) => messages.map((x) => (x.topic === `hark/home/${deviceId}/state` ? json(x.text) : undefined)).find((j) => j?.last_command_id === id),
    /** The last retained message on a topic. */
    last: (topic: string) => [...messages].reverse().find((x) => x.topic === topic)?.text,
    commandsTo: (deviceId: string) => messages.filter((x) => x.topic === `hark/home/${deviceId}/set`).length,
  };
}

describe("in a running hark: each intent on the demo home", () => {
  let rt: HarkRuntime;
  let rec: Awaited<ReturnType<typeof recorder>>;
  beforeAll(async () => {
    const config = resolveConfig(configSchema.parse({ speech: { enabled: false }, log_level: "silent" }));
    // Intents come straight from the test: no understander (and no SLM) is needed.
    const understander = { understand: (text: string) => ({ text, intents: [] }) };
    rt = await HarkRuntime.start({ config, logger: pino({ level: "silent" }), understander });
    rec = await recorder(rt.brokerUrl);
  }, 60_000);
  afterAll(async () => {
    await rec?.client.endAsync(true);
    await rt?.stop();
  });

  /** Act as a home speaker in `area` would; the answer with the grammar's templates and with the built-in words. */
  const act = async (intents: IntentResult[], area = "Kitchen") => {
    const { plan, outcome } = await rt.devices.act(intents, { profile: "home", area });
    const grammar = outcomeSpeech(outcome, rt.grammar, rt.devices.catalog);
    const builtIn = outcomeSpeech(outcome, undefined, rt.devices.catalog);
    // A command that worked is never answered with an apology, whatever the grammar's templates say.
    if (outcome.ok) expect(grammar.text).not.toMatch(/^Sorry/);
    return { plan, outcome, said: builtIn.text, ok: builtIn.ok, grammar: grammar.text };
  };
  /** The plan's only command, as the broker carried it, and the device's confirmation. */
  const wire = (plan: { commands: Array<{ id: string; deviceId: string }> }) => {
    expect(plan.commands).toHaveLength(1);
    const c = plan.commands[0]!;
    return { sent: rec.command(c.id), confirmed: rec.confirmation(c.deviceId, c.id) };
  };
  const state = (id: string) => rt.devices.bus.state(id);
  const waitState = async (id: string, pred: (s: Record<string, unknown>) => boolean, ms = 5000) => {
    const until = Date.now() + ms;
    while (!pred(state(id) ?? {})) {
      if (Date.now() > until) throw new Error(`${id}: ${JSON.stringify(state(id))}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };

  it("HassTurnOn on a scene activates it, and the scene sets its lights, curtains and TV", async () => {
    const r = await act([intent("HassTurnOn", { name: "Movie Time" })], "Living Room");
    const { sent, confirmed } = wire(r.plan);
    expect(sent).toMatchObject({ topic: "hark/home/scene.movie_time/set", action: "activate" });
    expect(confirmed).toMatchObject({ activations: 1 });
    expect(typeof confirmed?.last_activated).toBe("string");
    expect(r.said).toBe("Activated Movie Time.");
    await waitState("light.living_room_floor_lamp", (s) => s.state === "ON" && s.brightness === 20 && s.color_name === "purple");
    await waitState("cover.living_room_patio_curtains", (s) => s.state === "closed");
    await waitState("media_player.living_room_tv", (s) => s.state === "paused");
    expect(state("light.living_room_ceiling")?.state).toBe("OFF");
  });

  it("LightAdjustBrightness dims a light a quarter at a time over MQTT, and a dimmed light stays on", async () => {
    await act([intent("HassLightSet", { name: "Floor Lamp", brightness: 40 })]);
    await waitState("light.living_room_floor_lamp", (s) => s.state === "ON" && s.brightness === 40);
    const dim = [{ ...intent("LightAdjustBrightness", { name: "Floor Lamp", direction: "dimmer" }), response: "name" }];
    const r = await act(dim);
    expect(wire(r.plan).sent).toMatchObject({ topic: "hark/home/light.living_room_floor_lamp/set", action: "adjust_brightness", params: { delta: -25 } });
    expect(r.grammar).toBe("Made Floor Lamp dimmer.");
    await waitState("light.living_room_floor_lamp", (s) => s.brightness === 15);
    await act(dim);
    await waitState("light.living_room_floor_lamp", (s) => s.state === "ON" && s.brightness === 1);
    await act([intent("LightAdjustBrightness", { name: "Floor Lamp", direction: "brighter" })]);
    await waitState("light.living_room_floor_lamp", (s) => s.brightness === 26);
  });

  it("ClimateAdjustTemperature makes a room a degree warmer over MQTT; a room without a thermostat uses the house's one", async () => {
    await act([intent("HassClimateSetTemperature", { area: "Bedroom", temperature: 19 })]);
    await waitState("climate.bedroom_heat_pump", (s) => s.target_temperature === 19);
    const r = await act([{ ...intent("ClimateAdjustTemperature", { area: "Bedroom", direction: "warmer" }), response: "area" }]);
    expect(wire(r.plan).sent).toMatchObject({ topic: "hark/home/climate.bedroom_heat_pump/set", action: "adjust_temperature", params: { delta: 1 } });
    expect(r.grammar).toBe("Made the Bedroom warmer.");
    await waitState("climate.bedroom_heat_pump", (s) => s.target_temperature === 20);
    const hall = await act([intent("ClimateAdjustTemperature", { area: "Kitchen", direction: "cooler" })], "Kitchen");
    expect(wire(hall.plan).sent).toMatchObject({ topic: "hark/home/climate.main_thermostat/set", params: { delta: -1 } });
  });

  it("HassTurnOn on a script runs it; HassTurnOff on a scene is refused with a reason, nothing sent", async () => {
    const r = await act([intent("HassTurnOn", { name: "Party Time" })]);
    expect(wire(r.plan).sent).toMatchObject({ topic: "hark/home/script.party_time/set", action: "run" });
    expect(wire(r.plan).confirmed).toMatchObject({ runs: 1 });
    expect(r.said).toBe("Started Party Time.");
    await waitState("light.garden_string_lights", (s) => s.color_name === "purple");
    const before = rec.commandsTo("scene.good_night");
    const off = await act([intent("HassTurnOff", { name: "Good Night" })]);
    expect(off.plan.steps[0]).toMatchObject({ error: "unsupported" });
    expect(off.said).toBe("Sorry, Good Night: cannot be turned off.");
    expect(rec.commandsTo("scene.good_night")).toBe(before);
  });

  it("HassTurnOn / HassTurnOff / HassSetPosition on a valve: open, close, a position", async () => {
    let r = await act([intent("HassTurnOn", { name: "Irrigation Valve" })]);
    expect(wire(r.plan).sent).toMatchObject({ topic: "hark/home/valve.irrigation/set", action: "open" });
    expect(wire(r.plan).confirmed).toMatchObject({ state: "open", position: 100 });
    expect(r.said).toBe("Opened the Irrigation Valve.");
    r = await act([intent("HassSetPosition", { name: "Irrigation Valve", position: 40 })]);
    expect(wire(r.plan).sent).toMatchObject({ action: "set_position", params: { position: 40 } });
    expect(wire(r.plan).confirmed).toMatchObject({ state: "open", position: 40 });
    r = await act([intent("HassTurnOff", { name: "Irrigation Valve" })]);
    expect(wire(r.plan).confirmed).toMatchObject({ state: "closed", position: 0 });
    expect(r.said).toBe("Closed the Irrigation Valve.");
  });

  it("HassVacuumStart cleans the room asked for; HassVacuumReturnToBase sends it home, where it docks", async () => {
    let r = await act([intent("HassVacuumStart", { area: "Kitchen" })]);
    expect(wire(r.plan).sent).toMatchObject({ topic: "hark/home/vacuum.rover/set", action: "start", params: { area: "Kitchen" } });
    expect(wire(r.plan).confirmed).toMatchObject({ state: "cleaning", cleaning_area: "Kitchen", battery_level: 87 });
    expect(r.said).toBe("The Rover is cleaning the Kitchen.");
    r = await act([intent("HassVacuumReturnToBase")]);
    expect(wire(r.plan).confirmed).toMatchObject({ state: "returning" });
    expect(r.said).toBe("Sending the Rover back to its dock.");
    await waitState("vacuum.rover", (s) => s.state === "docked");
    // HA: "turn on" a vacuum starts it.
    r = await act([intent("HassTurnOn", { name: "Rover" })]);
    expect(wire(r.plan).sent).toMatchObject({ action: "start" });
    expect(r.said).toBe("Started the Rover.");
    await act([intent("HassTurnOff", { name: "Rover" })]);
  });

  it("lawn mower: HassLawnMowerStartMowing / HassLawnMowerDock, and HassTurnOn / HassTurnOff by name", async () => {
    let r = await act([intent("HassLawnMowerStartMowing")]);
    expect(wire(r.plan).sent).toMatchObject({ topic: "hark/home/lawn_mower.mowbot/set", action: "start_mowing" });
    expect(wire(r.plan).confirmed).toMatchObject({ state: "mowing" });
    expect(r.said).toBe("The Mowbot is mowing.");
    r = await act([intent("HassTurnOff", { name: "Mowbot" })]);
    expect(wire(r.plan).sent).toMatchObject({ action: "dock" });
    await waitState("lawn_mower.mowbot", (s) => s.state === "docked");
    r = await act([intent("HassTurnOn", { name: "robot mower" })]);
    expect(wire(r.plan).confirmed).toMatchObject({ state: "mowing" });
    r = await act([intent("HassLawnMowerDock")]);
    expect(wire(r.plan).confirmed).toMatchObject({ state: "returning" });
  });

  it("HassMediaSearchAndPlay plays on the room's player, a named one, and says when nothing was found", async () => {
    let r = await act([intent("HassMediaSearchAndPlay", { search_query: "Pink Floyd", media_class: "artist" })], "Kitchen");
    expect(wire(r.plan).sent).toMatchObject({ topic: "hark/home/media_player.kitchen_speaker/set", action: "play_media", params: { search_query: "Pink Floyd", media_class: "artist" } });
    expect(wire(r.plan).confirmed).toMatchObject({ state: "playing", media_title: "Pink Floyd", media_class: "artist" });
    expect(r.said).toBe("Playing Pink Floyd on the Kitchen Speaker.");
    r = await act([intent("HassMediaSearchAndPlay", { search_query: "kind of blue", media_class: "album", name: "Bookshelf Speaker" })], "Kitchen");
    expect(wire(r.plan).confirmed).toMatchObject({ state: "playing", media_title: "Kind of Blue" });
    expect(r.said).toBe("Playing Kind of Blue on the Bookshelf Speaker.");
    r = await act([intent("HassMediaSearchAndPlay", { search_query: "Taylor Swift", name: "Bookshelf Speaker" })]);
    expect(r.ok).toBe(false);
    expect(r.said).toBe("Sorry, the Bookshelf Speaker refused that: nothing called Taylor Swift was found.");
    // No player in the bedroom and three elsewhere: asked which, none played.
    r = await act([intent("HassMediaSearchAndPlay", { search_query: "jazz" })], "Bedroom");
    expect(r.plan.commands).toEqual([]);
    expect(r.said).toMatch(/^Sorry, which one: the Kitchen Speaker in the Kitchen, the Living Room TV in the Living Room or the Bookshelf Speaker in the Office\.$/);
  });

  it("HassSetVolume sets the room's player", async () => {
    const r = await act([intent("HassSetVolume", { volume_level: 25 })], "Kitchen");
    expect(wire(r.plan).sent).toMatchObject({ topic: "hark/home/media_player.kitchen_speaker/set", action: "set_volume", params: { volume_level: 25 } });
    expect(wire(r.plan).confirmed).toMatchObject({ volume_level: 25 });
  });

  it("HassListAddItem / HassListCompleteItem on a list by name; HassShoppingList* on the shopping list", async () => {
    let r = await act([intent("HassListAddItem", { item: "mow the lawn", name: "Chores" })]);
    expect(wire(r.plan).sent).toMatchObject({ topic: "hark/home/todo.chores/set", action: "add_item", params: { item: "mow the lawn" } });
    expect(wire(r.plan).confirmed).toMatchObject({ items: [{ summary: "mow the lawn", status: "needs_action" }] });
    expect(r.said).toBe("Added mow the lawn to your Chores list.");
    r = await act([intent("HassListCompleteItem", { item: "Mow the lawn", name: "Chores" })]);
    expect(wire(r.plan).confirmed).toMatchObject({ items: [{ summary: "mow the lawn", status: "completed" }] });
    expect(r.said).toBe("Checked off Mow the lawn on your Chores list.");
    r = await act([intent("HassShoppingListAddItem", { item: "oat milk" })]);
    expect(wire(r.plan).sent).toMatchObject({ topic: "hark/home/todo.shopping_list/set", action: "add_item" });
    expect(r.said).toBe("Added oat milk to your Shopping List.");
    r = await act([intent("HassShoppingListCompleteItem", { item: "oat milk" })]);
    expect(wire(r.plan).confirmed).toMatchObject({ items: [{ summary: "oat milk", status: "completed" }] });
    r = await act([intent("HassListCompleteItem", { item: "bread", name: "Chores" })]);
    expect(r.said).toBe("Sorry, the Chores refused that: bread is not on the list.");
    expect(state("todo.shopping_list")?.items).toHaveLength(1);
  });

  it("HassIncreaseTimer / HassDecreaseTimer add and take time off a timer (by name, else the latest)", async () => {
    await act([intent("HassStartTimer", { minutes: 10, name: "pasta" })]);
    const left = () => (state("timer.timers")?.timers as Array<{ name: string; remaining_s: number; ends_at: string }>).find((t) => t.name === "pasta")!;
    const end0 = Date.parse(left().ends_at);
    let r = await act([intent("HassIncreaseTimer", { minutes: 5, name: "pasta" })]);
    expect(wire(r.plan).sent).toMatchObject({ topic: "hark/home/timer.timers/set", action: "add_time", params: { minutes: 5, name: "pasta" } });
    expect(Date.parse(left().ends_at) - end0).toBeGreaterThan(299_000);
    expect(r.said).toBe("Added 5 minutes to the pasta timer.");
    r = await act([intent("HassDecreaseTimer", { minutes: 14 })]);
    expect(wire(r.plan).sent).toMatchObject({ action: "remove_time", params: { minutes: 14 } });
    expect(left().remaining_s).toBeLessThanOrEqual(60);
    expect(r.said).toBe("Took 14 minutes off the timer.");
    await act([intent("HassCancelAllTimers")]);
  });

  it("HassGetState over binary sensors: which batteries are low, carbon monoxide in the kitchen, a door, the windows", async () => {
    let r = await act([intent("HassGetState", { domain: "binary_sensor", device_class: "battery", state: "on" })], "Living Room");
    expect(r.plan.commands).toEqual([]);
    expect(r.said).toBe("The Keypad Battery is low.");
    r = await act([intent("HassGetState", { domain: "binary_sensor", device_class: "carbon_monoxide", area: "Kitchen", state: "on" })]);
    expect(r.said).toBe("No carbon monoxide is detected in the Kitchen.");
    r = await act([intent("HassGetState", { name: "Side Door", state: "open" })]);
    expect(r.said).toBe("No, the Side Door is closed.");
    r = await act([intent("HassGetState", { domain: "binary_sensor", device_class: "window", state: "open" })]);
    expect(r.said).toBe("The Bay Window is open.");
    // a sensor turning on (the simulator's test hook) is what the next answer says
    rt.devices.sims!.setFault("binary_sensor.kitchen_carbon_monoxide", undefined);
    await rec.client.publishAsync("hark/home/binary_sensor.kitchen_carbon_monoxide/set", JSON.stringify({ action: "simulate", params: { state: "ON" } }), { qos: 1 });
    await waitState("binary_sensor.kitchen_carbon_monoxide", (s) => s.state === "ON");
    r = await act([intent("HassGetState", { domain: "binary_sensor", device_class: "carbon_monoxide", area: "Kitchen", state: "on" })]);
    expect(r.said).toBe("Carbon monoxide is detected by the Carbon Monoxide Alarm.");
  });

  it("HassGetState over sensors: values with their units; a cover's state (is the garage door open)", async () => {
    let r = await act([intent("HassGetState", { device_class: "humidity", area: "Garden" })]);
    expect(r.said).toBe("The Outdoor Humidity Sensor is 64 percent.");
    r = await act([intent("HassGetState", { name: "Wall Thermometer" })]);
    expect(r.said).toBe("The Wall Thermometer is 21.5 degrees.");
    r = await act([intent("HassGetState", { name: "Energy Monitor" })]);
    expect(r.said).toBe("The Energy Monitor is 1240 watts.");
    r = await act([intent("HassGetState", { name: "Garage Door", state: "open" })]);
    expect(r.said).toBe("No, the Garage Door is closed.");
  });

  it("HassGetWeather answers from the weather entity", async () => {
    const r = await act([intent("HassGetWeather")]);
    expect(r.plan.commands).toEqual([]);
    expect(r.plan.steps[0]!.targets.map((t) => t.id)).toEqual(["weather.home"]);
    expect(r.said).toBe("It is 14 degrees and partly cloudy, with 72 percent humidity.");
    // the grammar's template ("It is {condition} and {temperature} degrees outside") is filled from the same state
    expect(r.grammar).toMatch(/14/);
    expect(r.grammar).not.toMatch(/partlycloudy|\{|\}/);
  });

  it("HassBroadcast is announced by the other rooms' satellites, and said only when one received it", async () => {
    let r = await act([intent("HassBroadcast", { message: "dinner is ready" })], "Kitchen");
    expect(wire(r.plan).sent).toMatchObject({ topic: "hark/home/assist_satellite.living_room/set", action: "broadcast", params: { message: "dinner is ready" } });
    expect(wire(r.plan).confirmed).toMatchObject({ last_message: "dinner is ready", announcements: 1 });
    expect(state("assist_satellite.kitchen")?.announcements).toBe(0);
    expect(r.said).toBe("Announced in the Living Room: dinner is ready.");
    rt.devices.sims!.setFault("assist_satellite.living_room", { reject: "the speaker is muted" });
    try {
      r = await act([intent("HassBroadcast", { message: "time for bed" })], "Kitchen");
      expect(r.ok).toBe(false);
      expect(r.said).toBe("Sorry, the Living Room Satellite refused that: the speaker is muted.");
      expect(r.grammar).not.toMatch(/announced|broadcast|done/i);
    } finally {
      rt.devices.sims!.setFault("assist_satellite.living_room", undefined);
    }
  });

  it("HassRespond and HassNevermind need no device", async () => {
    let r = await act([intent("HassRespond", { response: "Hello from hark" })]);
    expect(r.plan.commands).toEqual([]);
    expect(r.said).toBe("Hello from hark.");
    r = await act([intent("HassNevermind")]);
    expect(r.plan.commands).toEqual([]);
    expect(r.ok).toBe(true);
  });

  it("fans with a speed (HassFanSetSpeed, percentage); a one-speed fan says so; climate target temperature", async () => {
    let r = await act([intent("HassFanSetSpeed", { name: "Pedestal Fan", percentage: 70 })]);
    expect(wire(r.plan).sent).toMatchObject({ topic: "hark/home/fan.kids_pedestal_fan/set", action: "set_percentage", params: { percentage: 70 } });
    expect(wire(r.plan).confirmed).toMatchObject({ state: "ON", percentage: 70 });
    expect(r.said).toBe("Set the Pedestal Fan to 70 percent.");
    r = await act([intent("HassFanSetSpeed", { name: "Tower Fan", percentage: 70 })]);
    expect(r.said).toBe("Sorry, Tower Fan: cannot change speed.");
    r = await act([intent("HassClimateSetTemperature", { name: "Heat Pump", temperature: 19.5 })]);
    expect(wire(r.plan).confirmed).toMatchObject({ target_temperature: 19.5 });
  });

  it("publishes Home Assistant discovery configs for the new domains (none for weather, todo, media players)", async () => {
    const config = (topic: string) => JSON.parse(rec.last(topic) ?? "null") as Record<string, unknown> | null;
    expect(config("homeassistant/vacuum/hark/rover/config")).toMatchObject({ command_topic: "hark/home/vacuum.rover/set", state_topic: "hark/home/vacuum.rover/state", payload_return_to_base: "return_to_base" });
    expect(config("homeassistant/lawn_mower/hark/mowbot/config")).toMatchObject({ activity_state_topic: "hark/home/lawn_mower.mowbot/state", dock_command_topic: "hark/home/lawn_mower.mowbot/set/dock" });
    expect(config("homeassistant/valve/hark/irrigation/config")).toMatchObject({ reports_position: true, device_class: "water" });
    expect(config("homeassistant/scene/hark/movie_time/config")).toMatchObject({ command_topic: "hark/home/scene.movie_time/set", payload_on: "ON" });
    expect(config("homeassistant/button/hark/party_time/config")).toMatchObject({ payload_press: "PRESS" });
    expect(config("homeassistant/notify/hark/kitchen/config")).toMatchObject({ command_topic: "hark/home/assist_satellite.kitchen/set" });
    expect(config("homeassistant/binary_sensor/hark/keypad_battery/config")).toMatchObject({ device_class: "battery", payload_on: "ON", value_template: "{{ value_json.state }}" });
    expect(config("homeassistant/sensor/hark/energy_monitor/config")).toMatchObject({ device_class: "power", unit_of_measurement: "W" });
    // a smoke detector filed as `sensor` is a binary sensor to Home Assistant
    expect(config("homeassistant/binary_sensor/hark/smoke_detector/config")).toMatchObject({ device_class: "smoke" });
    expect(rec.last("homeassistant/weather/hark/home/config")).toBeUndefined();
    expect(JSON.parse(rec.last("hark/home/weather.home/state") ?? "{}")).toMatchObject({ state: "partlycloudy", temperature: 14 });
  });
});

describe("simulator models driven with Home Assistant's own payloads", () => {
  let rt: HarkRuntime;
  let c: MqttClient;
  beforeAll(async () => {
    const config = resolveConfig(configSchema.parse({ speech: { enabled: false }, log_level: "silent" }));
    rt = await HarkRuntime.start({ config, logger: pino({ level: "silent" }), understander: { understand: (text: string) => ({ text, intents: [] }) } });
    c = await mqtt.connectAsync(rt.brokerUrl, { reconnectPeriod: 0 });
  }, 60_000);
  afterAll(async () => {
    await c?.endAsync(true);
    await rt?.stop();
  });
  const sims = () => rt.devices.sims!;

  it("vacuum: start, return_to_base; lawn mower: its own topics; valve: a position; scene ON; button PRESS; notify text", async () => {
    await c.publishAsync("hark/home/vacuum.rover/set", "start", { qos: 1 });
    await sims().waitFor("vacuum.rover", (s) => s.state === "cleaning");
    await c.publishAsync("hark/home/vacuum.rover/set", "return_to_base", { qos: 1 });
    await sims().waitFor("vacuum.rover", (s) => s.state === "docked", 5000);
    await c.publishAsync("hark/home/lawn_mower.mowbot/set/start_mowing", "start_mowing", { qos: 1 });
    await sims().waitFor("lawn_mower.mowbot", (s) => s.state === "mowing");
    await c.publishAsync("hark/home/lawn_mower.mowbot/set/pause", "pause", { qos: 1 });
    await sims().waitFor("lawn_mower.mowbot", (s) => s.state === "paused");
    await c.publishAsync("hark/home/valve.irrigation/set", "30", { qos: 1 });
    await sims().waitFor("valve.irrigation", (s) => s.position === 30 && s.state === "open");
    await c.publishAsync("hark/home/valve.irrigation/set", "CLOSE", { qos: 1 });
    await sims().waitFor("valve.irrigation", (s) => s.state === "closed");
    await c.publishAsync("hark/home/scene.good_night/set", "ON", { qos: 1 });
    await sims().waitFor("lock.back_door", (s) => s.state === "LOCKED");
    await sims().waitFor("cover.bedroom_blackout_curtains", (s) => s.state === "closed");
    await sims().waitFor("media_player.living_room_tv", (s) => s.state === "off");
    await c.publishAsync("hark/home/script.party_time/set", "PRESS", { qos: 1 });
    await sims().waitFor("script.party_time", (s) => s.runs === 1);
    await c.publishAsync("hark/home/assist_satellite.kitchen/set", "the laundry is done", { qos: 1 });
    await sims().waitFor("assist_satellite.kitchen", (s) => s.last_message === "the laundry is done");
  });

  it("unknown actions and bad values are refused with a reason, published with the state", async () => {
    const send = async (deviceId: string, action: string, params: Record<string, unknown> = {}) => {
      const id = `t-${Math.random().toString(16).slice(2)}`;
      await c.publishAsync(`hark/home/${deviceId}/set`, JSON.stringify({ id, action, params }), { qos: 1 });
      const until = Date.now() + 3000;
      for (;;) {
        const hit = sims().log.find((x) => x.commandId === id);
        if (hit) return hit;
        if (Date.now() > until) throw new Error(`no answer from ${deviceId}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    };
    expect(await send("vacuum.rover", "fly")).toMatchObject({ ok: false, error: "vacuum does not support fly" });
    expect(await send("sensor.energy_monitor", "turn_on")).toMatchObject({ ok: false, error: "sensor does not support turn_on" });
    expect(await send("weather.home", "simulate", { state: "sunshine" })).toMatchObject({ ok: false, error: "unknown weather condition sunshine" });
    expect(await send("media_player.kitchen_speaker", "play_media", { search_query: "x", media_class: "vinyl" })).toMatchObject({ ok: false, error: "unknown media class vinyl" });
    expect(await send("assist_satellite.kitchen", "broadcast", { message: "  " })).toMatchObject({ ok: false, error: "there is no message to announce" });
    expect(await send("fan.office_tower_fan", "set_percentage", { percentage: 40 })).toMatchObject({ ok: false, error: "this fan has only one speed" });
    expect(await send("scene.movie_time", "turn_off")).toMatchObject({ ok: false });
  });
});

describe("the models on their own", () => {
  const spec = (yaml: string) => parseDeviceFile(`kind: home\ndevices:\n  - ${yaml}\n`, "t.yaml").devices[0]!;

  it("sensors start from their device file, else from their class; a smoke 'sensor' is a binary one", () => {
    expect(homeModel(spec("{ id: sensor.t, domain: sensor, device_class: temperature, initial: { value: 21.5, unit: °C } }")).initial(spec("{ id: sensor.t, domain: sensor, device_class: temperature, initial: { value: 21.5, unit: °C } }"))).toEqual({ value: 21.5, unit: "°C" });
    const h = spec("{ id: sensor.h, domain: sensor, device_class: humidity }");
    expect(homeModel(h).initial(h)).toEqual({ value: 50, unit: "%" });
    const smoke = spec("{ id: binary_sensor.s, domain: sensor, device_class: smoke }");
    expect(homeModel(smoke)).toBe(DOMAINS.binary_sensor!.sim);
    expect(homeModel(smoke).initial(smoke)).toEqual({ state: "OFF" });
  });

  it("a vacuum returning reaches its dock on the clock; a flat battery does not start", () => {
    const d = spec("{ id: vacuum.v, domain: vacuum, return_seconds: 1 }");
    const m = DOMAINS.vacuum!.sim;
    const going = m.actions.return_to_base!({ ...m.initial(d), state: "cleaning" }, {}, d) as Record<string, unknown>;
    expect(going.state).toBe("returning");
    const t = Date.parse(String(going.since));
    expect(m.tick!(going, d, t + 500)).toBeUndefined();
    expect(m.tick!(going, d, t + 1000)).toMatchObject({ state: "docked", cleaning_area: null });
    expect(m.actions.start!({ ...m.initial(d), battery_level: 5 }, {}, d)).toBe("the battery is too low to clean");
  });

  it("scenes list HA entity states, scripts a sequence: the commands they send their members", () => {
    const scene = spec("{ id: scene.s, domain: scene, entities: { light.a: { state: 'on', brightness: 30 }, cover.b: { state: closed }, lock.c: { state: locked }, media_player.d: { state: playing, volume_level: 20 } } }");
    expect(memberCommands(scene, "activate")).toEqual([
      { deviceId: "light.a", action: "turn_on", params: { brightness: 30 } },
      { deviceId: "cover.b", action: "close", params: {} },
      { deviceId: "lock.c", action: "lock", params: {} },
      { deviceId: "media_player.d", action: "media_play", params: {} },
      { deviceId: "media_player.d", action: "set_volume", params: { volume_level: 20 } },
    ]);
    expect(memberCommands(scene, "turn_off")).toEqual([]);
    const script = spec("{ id: script.p, domain: script, sequence: [{ device: switch.x, action: turn_on }] }");
    expect(memberCommands(script, "run")).toEqual([{ deviceId: "switch.x", action: "turn_on", params: {} }]);
    expect(commandsForState("climate", { state: "off", temperature: 18 })).toEqual([{ action: "turn_off", params: {} }, { action: "set_temperature", params: { temperature: 18 } }]);
  });

  it("timers: time added to and taken off by name or start duration; to zero it rings", () => {
    const d = spec("{ id: timer.t, domain: timer }");
    const m = DOMAINS.timer!.sim;
    let s = m.actions.start!(m.initial(d), { minutes: 10 }, d) as Record<string, unknown>;
    s = m.actions.start!(s, { minutes: 3, name: "tea" }, d) as Record<string, unknown>;
    s = m.actions.add_time!(s, { minutes: 5, start_minutes: 10 }, d) as Record<string, unknown>;
    const timers = () => s.timers as Array<{ name: string | null; ends_at: string }>;
    const left = (i: number) => (Date.parse(timers()[i]!.ends_at) - Date.now()) / 1000;
    expect(left(0)).toBeGreaterThan(890);
    s = m.actions.remove_time!(s, { minutes: 5, name: "tea" }, d) as Record<string, unknown>;
    expect(left(1)).toBeLessThanOrEqual(0);
    expect(m.tick!(s, d, Date.now())).toMatchObject({ last_finished: ["tea"] });
    expect(m.actions.add_time!(s, { name: "eggs", minutes: 1 }, d)).toBe("there is no such timer");
  });
});
