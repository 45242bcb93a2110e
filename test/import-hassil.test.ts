// The hassil importers at full fidelity: small inline Home Assistant files, imported, loaded with hark's
// loader and understood by the matcher; the HA test fixtures imported whole and simulated.
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { compileGraph } from "../src/compile/graph.js";
import { DeviceCatalog } from "../src/devices/catalog.js";
import { homeModel } from "../src/devices/domains/index.js";
import { loadGrammar, type LoadedGrammar } from "../src/grammar/load.js";
import { expandName, hassilExamples, importHassil, importHassilFixtures, initialState, judgeExample, type ImportReport } from "../src/import/index.js";
import { Matcher } from "../src/nlu/matcher.js";

const HA_FIXTURES = "/work/shared/corpora/ha-intents/tests/en/_fixtures.yaml";

const FILES: Record<string, string> = {
  "intents.yaml": `
HassTurnOn:
  domain: homeassistant
  description: Turns on a device
  slots:
    name: { required: false }
    area: { required: false }
  slot_combinations:
    domain_only:
      context_area: true
      slots: [domain]
      example: "turn on the lights in here"
    name_only:
      slots: [name]
      example: ["turn on the reading lamp", "open the garage door"]
HassLightSet:
  description: Sets a light
  slots:
    brightness: { required: true }
HassGetState:
  description: Gets a state
HassMediaSearchAndPlay:
  description: Plays media
  slots:
    search_query: { required: true }
HassListAddItem:
  description: Adds an item
HassSetVolume:
  description: Sets the volume
HassClimateSetTemperature:
  description: Sets the temperature
HassBroadcast:
  description: Broadcasts a message
`,
  "sentences/en/_common.yaml": `
language: en
metadata: { origin: inline }
lists:
  brightness_level:
    range: { from: 1, to: 10, multiplier: 10 }
  volume:
    range: { type: percentage, from: 0, to: 100, step: 5 }
  temperature:
    range: { type: temperature, from: 10, to: 30, fractions: halves }
  search_query: { wildcard: true }
  todo_list_item: { wildcard: true }
  message: { wildcard: true, metadata: { note: x } }
  cover_classes:
    values:
      - in: garage door[s]
        out: garage
        metadata: { plural: true }
expansion_rules:
  the: "(the|my)"
  name: "[<the>] {name}"
  area: "[<the>] {area}"
  here: "(in here|in this room)"
  turn: "(turn|switch)"
  what_is_the_class_of_name: "what is the <class> of <name>"
skip_words: [please, "could you"]
`,
  // newer layout: the folder is the intent, the file its slot combination (context_area in intents.yaml)
  "sentences/en/HassTurnOn/domain_only.yaml": `
language: en
data:
  - sentences: ["<turn> on [the] lights <here>"]
    inferred_domain: light
    response: lights_area
`,
  "sentences/en/homeassistant_HassTurnOn.yaml": `
language: en
intents:
  HassTurnOn:
    data:
      - sentences: ["<turn> on <name>"]
        excludes_context: { domain: [cover, lock] }
        metadata: { a: 1 }
      - sentences: ["open <name>"]
        requires_context: { domain: cover, device_class: garage }
        response: cover
      - sentences: ["activate [the] lights <here>"]
        slots: { domain: light }
        requires_context:
          area: { slot: true }
`,
  "sentences/en/light_HassLightSet.yaml": `
language: en
intents:
  HassLightSet:
    data:
      - sentences: ["<dim> <name> to level {brightness_level:brightness}"]
        expansion_rules: { dim: "(dim|set)" }
        requires_context: { domain: light }
      - sentences: ["make <name> {shade}"]
        lists:
          shade:
            values:
              - in: "(crimson|scarlet)"
                out: red
        requires_context: { domain: light }
`,
  "sentences/en/sensor_HassGetState.yaml": `
language: en
intents:
  HassGetState:
    data:
      - sentences: ["<what_is_the_class_of_name>"]
        expansion_rules: { class: "temperature" }
        requires_context: { domain: sensor, device_class: temperature }
`,
  "sentences/en/media_player_HassMediaSearchAndPlay.yaml": `
language: en
intents:
  HassMediaSearchAndPlay:
    data:
      - sentences: ["play {search_query} on <name>"]
        requires_context: { domain: media_player }
`,
  "sentences/en/todo_HassListAddItem.yaml": `
language: en
intents:
  HassListAddItem:
    data:
      - sentences: ["add {todo_list_item:item} to <name> [list]"]
        requires_context: { domain: todo }
`,
  "sentences/en/media_player_HassSetVolume.yaml": `
language: en
intents:
  HassSetVolume:
    data:
      - sentences: ["set [the] volume to {volume:volume_level} [percent]"]
`,
  "sentences/en/climate_HassClimateSetTemperature.yaml": `
language: en
intents:
  HassClimateSetTemperature:
    data:
      - sentences: ["set [the] temperature to {temperature} degrees"]
`,
  "sentences/en/assist_satellite_HassBroadcast.yaml": `
language: en
intents:
  HassBroadcast:
    data:
      - sentences: ["broadcast [that] {message}"]
`,
  "responses/en/HassTurnOn.yaml": `
language: en
responses:
  intents:
    HassTurnOn:
      default: "Turned on {{ slots.name }}"
      lights_area: "Turned on the lights in the {{ slots.area | lower }}"
      cover: "{% if query.matched %}Opened{% else %}Not opened{% endif %}"
`,
  "responses/en/HassGetState.yaml": `
language: en
responses:
  intents:
    HassGetState:
      default: "{{ slots.name }} is {{ state.state_with_unit }}"
`,
  "responses/en/HassBroadcast.yaml": `
language: en
responses:
  intents:
    HassBroadcast:
      default: ""
`,
  "tests/en/_fixtures.yaml": `
language: en
floors:
  - { name: Ground Floor, id: ground, aliases: [downstairs] }
areas:
  - { name: Living Room, id: living_room, floor: ground, aliases: [lounge] }
  - { name: Kitchen, id: kitchen, floor: ground }
  - { name: Garage, id: garage }
entities:
  - { name: Reading Lamp, id: light.reading_lamp, area: living_room, state: "on", attributes: { brightness: 255, supported_color_modes: [hs] } }
  - { name: Garage Door, id: cover.garage_door, area: garage, state: closed, attributes: { device_class: garage, current_position: "0" } }
  - { name: Curtain, id: cover.curtain, area: living_room, state: open, attributes: { device_class: curtain } }
  - { name: Front Door, id: lock.front_door, state: unlocked }
  - { name: Kitchen Speaker, id: media_player.kitchen_speaker, area: kitchen, state: playing, attributes: { volume_level: 0.4 } }
  - { name: "Trader Joe[']s", id: todo.trader_joes, state: "" }
  - { name: Outside Sensor, id: sensor.outside, state: "12.5", attributes: { device_class: temperature, unit_of_measurement: "°C" } }
  - { name: Phone, id: binary_sensor.phone_battery, state: { in: low, out: "on" }, attributes: { device_class: battery } }
  - { name: Ceiling Fan, id: fan.ceiling, area: living_room, state: "on", attributes: { percentage: 30 } }
  - { name: Thermostat, id: climate.thermostat, state: heat, attributes: { current_temperature: 19, temperature: 21 } }
  - { name: Main Valve, id: valve.main, state: open, attributes: { position: "100" } }
  - { name: Mower, id: lawn_mower.mower, state: docked }
  - { name: Rover, id: vacuum.rover, state: cleaning, attributes: { battery_level: 80 } }
  - { name: Kitchen Satellite, id: assist_satellite.kitchen, area: kitchen, state: idle }
  - { name: Ada, id: person.ada, state: not_home }
  - { name: London, id: weather.london, state: rainy, attributes: { temperature: "47", temperature_unit: "°F" } }
  - { name: Party, id: scene.party }
  - { name: Good Night, id: script.good_night, state: "off" }
  - { name: Hallway Switch, id: switch.hallway, state: "off", aliases: ["hall (light|switch)"] }
timers:
  - { name: pizza, start_minutes: 30, total_seconds_left: 1505 }
  - { is_active: false, start_hours: 1, total_seconds_left: 100 }
media:
  - title: Bohemian Rhapsody
`,
};

let tmp: string;
let repo: string;
let grammarDir: string;
let devicesDir: string;
let report: ImportReport;
let devReport: ImportReport;
let grammar: LoadedGrammar;
let matcher: Matcher;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), "hark-import-hassil-"));
  repo = path.join(tmp, "intents");
  for (const [file, text] of Object.entries(FILES)) {
    await mkdir(path.dirname(path.join(repo, file)), { recursive: true });
    await writeFile(path.join(repo, file), text.trimStart());
  }
  grammarDir = path.join(tmp, "grammar");
  devicesDir = path.join(tmp, "devices");
  report = await importHassil(repo, grammarDir);
  devReport = await importHassilFixtures(path.join(repo, "tests/en/_fixtures.yaml"), devicesDir);
  grammar = await loadGrammar({ grammar: grammarDir, devices: devicesDir });
  matcher = new Matcher(compileGraph(grammar));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const readOut = async (file: string): Promise<any> => parse(await readFile(path.join(grammarDir, file), "utf8"));
/** Exact understanding only: tolerance would hide a grammar that does not say what it should. */
const understand = (text: string) => matcher.understand(text, { fuzzy: false }).intents.map(({ intent, slots }) => ({ intent, slots }));
const warnings = () => report.warnings.join("\n");

describe("hassil importer: context", () => {
  it("keeps requires_context {area: {slot: true}} and adds it for intents.yaml's context_area", async () => {
    const folder = (await readOut("HassTurnOn_domain_only.yaml")).intents.HassTurnOn.data[0];
    expect(folder.requires_context).toEqual({ area: { slot: true } });
    expect(folder.slots).toEqual({ domain: "light" }); // inferred_domain
    const flat = (await readOut("homeassistant_HassTurnOn.yaml")).intents.HassTurnOn.data[2];
    expect(flat.requires_context).toEqual({ area: { slot: true } });
    const blocks = grammar.intents.get("HassTurnOn")!.data;
    expect(blocks.filter((b) => JSON.stringify(b.requiresContext.area) === '{"slot":true}')).toHaveLength(2);
    expect(understand("turn on the lights in here")).toEqual([{ intent: "HassTurnOn", slots: { domain: "light" } }]);
    expect(understand("activate the lights in this room")).toEqual([{ intent: "HassTurnOn", slots: { domain: "light" } }]);
  });

  it("restricts {name} by domain and device class, and excludes domains", () => {
    expect(understand("turn on the reading lamp")).toEqual([{ intent: "HassTurnOn", slots: { name: "Reading Lamp" } }]);
    expect(understand("open the garage door")).toEqual([{ intent: "HassTurnOn", slots: { name: "Garage Door" } }]);
    expect(understand("open the curtain")).toEqual([]); // a curtain, not a garage door
    expect(understand("turn on the garage door")).toEqual([]); // covers are excluded
    expect(understand("turn on the front door")).toEqual([]); // locks too
    expect(understand("what is the temperature of the outside sensor")).toEqual([{ intent: "HassGetState", slots: { name: "Outside Sensor" } }]);
  });

  it("keeps list value contexts and drops metadata quietly", async () => {
    const common = await readOut("_common.yaml");
    expect(common.lists.cover_classes.values).toEqual([{ in: "garage door[s]", out: "garage" }]);
    expect(JSON.stringify(common)).not.toContain("metadata");
    expect(warnings()).not.toMatch(/metadata/);
  });
});

describe("hassil importer: lists, rules and skip words", () => {
  it("imports wildcards with room for long free text", async () => {
    expect((await readOut("_common.yaml")).lists.search_query).toEqual({ wildcard: true, max_words: 32 });
    // nine words: more than hark's default bound of eight
    expect(understand("play the dark side of the moon by pink floyd on the kitchen speaker")).toEqual([
      { intent: "HassMediaSearchAndPlay", slots: { search_query: "the dark side of the moon by pink floyd", name: "Kitchen Speaker" } },
    ]);
    expect(understand("add eggs and bacon to my trader joe's list")).toEqual([
      { intent: "HassListAddItem", slots: { item: "eggs and bacon", name: "Trader Joe's" } },
    ]);
    expect(understand("broadcast that dinner is ready and everyone should come down to the kitchen now")[0]).toMatchObject({
      intent: "HassBroadcast",
      slots: { message: "dinner is ready and everyone should come down to the kitchen now" },
    });
  });

  it("imports number ranges with multiplier, step and fractions", async () => {
    expect((await readOut("_common.yaml")).lists.brightness_level).toEqual({ range: { from: 1, to: 10, multiplier: 10 } });
    expect(understand("dim the reading lamp to level 7")).toEqual([{ intent: "HassLightSet", slots: { name: "Reading Lamp", brightness: 70 } }]);
    expect(understand("set the volume to 35 percent")).toEqual([{ intent: "HassSetVolume", slots: { volume_level: 35 } }]);
    expect(understand("set the volume to 33 percent")).toEqual([]); // step 5
    expect(understand("set the temperature to 21.5 degrees")).toEqual([{ intent: "HassClimateSetTemperature", slots: { temperature: 21.5 } }]);
  });

  it("keeps local expansion rules, copies global rules that need them and hoists local lists", async () => {
    const set = (await readOut("light_HassLightSet.yaml")).intents.HassLightSet;
    expect(set.data[0].expansion_rules).toEqual({ dim: "(dim|set)" });
    expect(set.data[1].sentences).toEqual(["make <name> {HassLightSet_shade:shade}"]);
    expect((await readOut("light_HassLightSet.yaml")).lists.HassLightSet_shade).toEqual({ values: [{ in: "(crimson|scarlet)", out: "red" }] });
    expect(understand("set my reading lamp to level 2")).toEqual([{ intent: "HassLightSet", slots: { name: "Reading Lamp", brightness: 20 } }]);
    expect(understand("make the reading lamp scarlet")).toEqual([{ intent: "HassLightSet", slots: { name: "Reading Lamp", shade: "red" } }]);
    // <what_is_the_class_of_name> needs the entry's own <class>: copied into the entry, not left global
    const state = (await readOut("sensor_HassGetState.yaml")).intents.HassGetState.data[0];
    expect(state.expansion_rules.what_is_the_class_of_name).toBe("what is the <class> of <name>");
    expect((await readOut("_common.yaml")).expansion_rules.what_is_the_class_of_name).toBeUndefined();
  });

  it("ignores skip words anywhere", () => {
    expect(understand("please turn on the reading lamp")).toEqual([{ intent: "HassTurnOn", slots: { name: "Reading Lamp" } }]);
    expect(understand("could you dim the reading lamp to level 5 please")).toEqual([{ intent: "HassLightSet", slots: { name: "Reading Lamp", brightness: 50 } }]);
  });
});

describe("hassil importer: responses", () => {
  it("keeps text and {slot}, drops what hark cannot say, and says so", () => {
    const on = grammar.intents.get("HassTurnOn")!;
    expect(on.responses).toEqual({ default: "Turned on {name}", lights_area: "Turned on the lights in the {area}" });
    expect(grammar.intents.get("HassGetState")!.responses).toEqual({});
    expect(grammar.intents.get("HassBroadcast")!.responses).toEqual({ default: "" }); // HA says nothing
    const w = warnings();
    expect(w).toMatch(/HassTurnOn\.yaml:\d+:\d+: HassTurnOn response "cover" cannot be expressed in hark \(.*no conditions/);
    expect(w).toMatch(/HassGetState response "default" cannot be expressed in hark \(the sentence would end on "\{name\} is"/);
    expect(w).toMatch(/lights_area" simplified to .*filter "lower" ignored/);
    expect(report.intents).toBe(8);
  });
});

describe("hassil-fixtures importer", () => {
  it("imports every entity of the inline fixtures with state the simulator reads", async () => {
    const home = parse(await readFile(path.join(devicesDir, "home.yaml"), "utf8"));
    const byId = Object.fromEntries(home.devices.map((d: { id: string }) => [d.id, d]));
    expect(home.devices).toHaveLength(19);
    expect(home.floors).toEqual([{ id: "ground", name: "Ground Floor", aliases: ["downstairs"] }]);
    expect(home.areas[0]).toEqual({ id: "living_room", name: "Living Room", floor: "ground", aliases: ["lounge"] });
    expect(byId["todo.trader_joes"]).toMatchObject({ name: "Trader Joe's", aliases: ["Trader Joes"], capabilities: ["add_item", "complete_item"] });
    expect(byId["switch.hallway"].aliases).toEqual(["hall light", "hall switch"]);
    expect(byId["light.reading_lamp"].initial).toMatchObject({ state: "ON", brightness: 100 });
    expect(byId["binary_sensor.phone_battery"]).toMatchObject({ device_class: "battery", initial: { state: "ON" }, ha: { state: "on", spoken_state: "low" } });
    expect(byId["media_player.kitchen_speaker"]).toMatchObject({ initial: { state: "playing", volume_level: 40 }, library: [{ title: "Bohemian Rhapsody" }] });
    expect(byId["sensor.outside"].initial).toEqual({ value: 12.5, unit: "°C" });
    expect(byId["climate.thermostat"].initial).toEqual({ mode: "heat", current_temperature: 19, target_temperature: 21 });
    expect(devReport.devices).toBe(20); // and the timer service in timers.yaml

    const catalog = DeviceCatalog.load(devicesDir);
    const state = (id: string) => homeModel(catalog.get(id)!).initial(catalog.get(id)!);
    expect(state("lock.front_door").state).toBe("UNLOCKED");
    expect(state("cover.garage_door")).toMatchObject({ state: "closed", position: 0 });
    expect(state("fan.ceiling")).toMatchObject({ state: "ON", percentage: 30 });
    expect(state("vacuum.rover")).toMatchObject({ state: "cleaning", battery_level: 80 });
    expect(state("valve.main")).toMatchObject({ state: "open", position: 100 });
    expect(state("person.ada").state).toBe("not_home");
    expect(state("assist_satellite.kitchen").state).toBe("idle");
    expect(state("lawn_mower.mower").state).toBe("docked");
    expect(state("script.good_night").state).toBe("off");
    expect(catalog.get("assist_satellite.kitchen")?.capabilities).toEqual(["announce"]);
    expect(state("weather.london")).toMatchObject({ state: "rainy", temperature: 47, temperature_unit: "°F" });
    const timers = state("timer.timers").timers as Array<{ name: string | null; state: string; remaining_s: number; duration_s: number }>;
    expect(timers).toEqual([
      expect.objectContaining({ name: "pizza", state: "active", remaining_s: 1505, duration_s: 1800 }),
      expect.objectContaining({ name: null, state: "paused", remaining_s: 100, duration_s: 3600 }),
    ]);
  });

  it("maps HA states onto the simulator's words", () => {
    expect(initialState("light", "off", { brightness: 128 })).toEqual({ state: "OFF", brightness: 50 });
    expect(initialState("lock", "jammed", {})).toEqual({ state: "JAMMED" });
    expect(initialState("cover", "open", {})).toEqual({ state: "open", position: 100 });
    expect(initialState("sensor", "2024-04-01", { unit_of_measurement: "d" })).toEqual({ value: "2024-04-01", unit: "d" });
    expect(initialState("input_boolean", "on", {})).toEqual({ state: "ON" });
    expect(initialState("script", "off", {})).toEqual({ state: "off" });
    expect(initialState("todo", "3", {})).toEqual({});
    expect(expandName("Trader Joe[']s")).toEqual(["Trader Joe's", "Trader Joes"]);
    expect(expandName("Plain (Name")).toEqual(["Plain (Name"]);
  });

  it.skipIf(!existsSync(HA_FIXTURES))("imports every entity of Home Assistant's _fixtures.yaml, domains and device classes intact", async () => {
    const dir = path.join(tmp, "ha-devices");
    const r = await importHassilFixtures(HA_FIXTURES, dir);
    const src = parse(await readFile(HA_FIXTURES, "utf8")) as { entities: Array<{ id: string; attributes?: { device_class?: string; unit_of_measurement?: string } }> };
    const home = parse(await readFile(path.join(dir, "home.yaml"), "utf8")) as { devices: Array<{ id: string; domain: string; device_class?: string; initial?: { unit?: string } }> };
    expect(home.devices.length).toBe(src.entities.length);
    expect(home.devices.map((d) => d.id)).toEqual(src.entities.map((e) => e.id));
    const kinds = (xs: Array<[string, string | undefined]>) => xs.map(([d, c]) => `${d}/${c ?? ""}`).sort();
    expect(kinds(home.devices.map((d) => [d.domain, d.device_class]))).toEqual(kinds(src.entities.map((e) => [e.id.split(".")[0]!, e.attributes?.device_class])));
    for (const e of src.entities)
      if (e.attributes?.unit_of_measurement && e.id.startsWith("sensor."))
        expect(home.devices.find((d) => d.id === e.id)?.initial?.unit).toBe(e.attributes.unit_of_measurement);
    expect(r.devices).toBe(src.entities.length + 1); // + the timer service of `timers:`
    // the imported home loads as devices and every device has a simulated state
    const catalog = DeviceCatalog.load(dir);
    for (const d of catalog.devices) expect(homeModel(d).initial(d)).toBeTypeOf("object");
  });
});

describe("Home Assistant's example sentences", () => {
  it("extracts every example with its intent and slots, and judges an understanding", () => {
    const ex = hassilExamples(parse(FILES["intents.yaml"]!));
    expect(ex.map((e) => e.text)).toEqual(["turn on the lights in here", "turn on the reading lamp", "open the garage door"]);
    expect(ex[0]).toMatchObject({ intent: "HassTurnOn", combination: "domain_only", slots: ["domain"], contextArea: true });
    for (const e of ex) expect(judgeExample(e, understand(e.text)).verdict).toBe("ok");
    expect(judgeExample(ex[0]!, understand(ex[0]!.text), true)).toEqual({ verdict: "missing-slots", missing: ["area"] });
    expect(judgeExample(ex[1]!, []).verdict).toBe("none");
    expect(judgeExample(ex[1]!, [{ intent: "HassTurnOff", slots: {} }]).verdict).toBe("wrong-intent");
  });
});
