import { existsSync } from "node:fs";
import { mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { CommandError, UsageError } from "../src/platform/errors.js";
import { GrammarError } from "../src/grammar/errors.js";
import {
  convertResponse,
  importGrammar,
  importHassil,
  importHassilFixtures,
  importRhino,
  inferCapabilities,
  parseRhino,
  type ImportFormat,
} from "../src/import/index.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const FIX = path.join(here, "fixtures", "import");
const HA_CORPUS = "/work/shared/corpora/ha-intents";
const COFFEE = "/work/shared/corpora/s2i-dev/coffee_maker.yaml";

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), "hark-import-"));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});
const out = (name: string) => path.join(tmp, name);
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const readOut = async (file: string): Promise<any> => parse(await readFile(file, "utf8"));

async function loadGrammarModule() {
  return import("../src/grammar/load.js");
}

describe("hassil importer", () => {
  it("converts sentence files, intents.yaml and responses into hark grammar files", async () => {
    const dir = out("hassil");
    const report = await importHassil(path.join(FIX, "hassil"), dir);

    expect((await readdir(dir)).sort()).toEqual([
      "HassNevermind_default.yaml",
      "_common.yaml",
      "light_HassLightSet.yaml",
      "light_HassTurnOn.yaml",
    ]);
    expect(report.files).toHaveLength(4);
    expect(report.intents).toBe(3);

    const common = await readOut(path.join(dir, "_common.yaml"));
    expect(common.language).toBe("en");
    expect(common.responses).toBeUndefined();
    // plain string, {in, out}, {in, out, context}; the {slot} value is dropped
    expect(common.lists.color.values).toEqual([
      "white",
      { in: "(crimson|scarlet)", out: "red" },
      { in: "sky blue", out: "blue", context: { warm: "false" } },
    ]);
    expect(common.lists.brightness).toEqual({ range: { from: 0, to: 100, step: 5, type: "percentage" } });
    expect(common.lists.half_degrees.range).toEqual({ from: 10, to: 30, fractions: "halves", multiplier: 2, digits: true });
    expect(common.lists.message).toEqual({ wildcard: true, max_words: 32 }); // hassil's wildcards are unbounded
    // home lists: empty, multiple, filled from devices/
    for (const l of ["name", "area", "floor"]) expect(common.lists[l]).toEqual({ values: [], multiple: true });
    expect(common.skip_words).toEqual(["please"]);
    // a global rule that needs a per-block rule (<class>) is moved into the blocks using it
    expect(common.expansion_rules.what_is_the_class_of_name).toBeUndefined();
    expect(common.expansion_rules.name).toBe("[<the>] {name}");

    const light = await readOut(path.join(dir, "light_HassLightSet.yaml"));
    const set = light.intents.HassLightSet;
    expect(set.description).toBe("Sets the brightness or color of a light");
    expect(set.domain).toBe("light");
    expect(set.slots).toEqual({
      brightness: { required: true, description: "Brightness percentage" },
      color: { required: false, description: "Color name" },
    });
    expect(set.responses).toEqual({ brightness: "Brightness set" }); // "state" had nothing left
    expect(set.data[0]).toEqual({
      sentences: ["set <name> brightness to {brightness}[%]", "set <name> to {color}"], // <sparkle> unknown
      requires_context: { domain: "light" },
      response: "brightness",
    });
    expect(set.data[1].expansion_rules).toEqual({ class: "brightness", what_is_the_class_of_name: "what is the <class> of <name>" });
    expect(set.data[1].requires_context).toEqual({ area: { slot: true } });
    expect(set.data[1].slots).toEqual({ domain: "light" });

    const on = (await readOut(path.join(dir, "light_HassTurnOn.yaml"))).intents.HassTurnOn;
    expect(on.description).toBe("Turns on a device or entity");
    expect(on.slots.name).toEqual({ required: false, description: "Name of a device or entity" });
    expect(on.slots.domain).toEqual({ required: false, description: "Domain of devices in an area" }); // no list: fixed by data blocks
    expect(on.data[0].requires_context).toEqual({ domain: ["light", "switch"] });
    expect(on.data[1].slots).toEqual({ domain: "light" });
    expect(on.data[1].excludes_context).toEqual({ domain: ["lock", "cover"] });
    // "fancy" says different things depending on a condition: hark templates have none, so it is dropped
    expect(on.responses).toEqual({
      default: "Turned on {name}",
      lights_area: "Turned on the lights in the {area}",
    });

    const never = await readOut(path.join(dir, "HassNevermind_default.yaml"));
    expect(never.intents.HassNevermind.data).toEqual([{ sentences: ["never mind"] }]);
    expect(never.intents.HassNevermind.description).toBe("Does nothing");

    expect(report.sentences).toBe(6);
    const w = report.warnings.join("\n");
    expect(w).toMatch(/_common\.yaml:\d+:\d+: list "color": value "\{name\} color" uses a \{slot\} template/);
    expect(w).toMatch(/<sparkle>/);
    expect(w).not.toMatch(/metadata/); // hark ignores it, as Home Assistant's matcher does
    expect(w).toMatch(/"required_keywords" dropped/);
    expect(w).toMatch(/lights_area" simplified .*filter "lower"/);
    expect(w).toMatch(/HassTurnOn response "fancy" cannot be expressed in hark \(.*\{% if %\}/);
    expect(w).toMatch(/HassLightSet response "state" cannot be expressed/);
    expect(w).toMatch(/list "name" is filled from devices/);
    expect(w).toMatch(/file-level responses/);
  });

  it("accepts the sentences/<lang> folder as source", async () => {
    const report = await importHassil(path.join(FIX, "hassil", "sentences", "en"), out("hassil-lang"));
    expect(report.intents).toBe(3);
    const on = (await readOut(path.join(out("hassil-lang"), "light_HassTurnOn.yaml"))).intents.HassTurnOn;
    expect(on.description).toBe("Turns on a device or entity"); // found ../../intents.yaml
  });

  it("reports bad input as one-line errors with the file", async () => {
    await expect(importHassil(out("does-not-exist"), out("x"))).rejects.toThrow(CommandError);
    const bad = out("bad-src/sentences/en");
    await import("node:fs/promises").then((fs) => fs.mkdir(bad, { recursive: true }));
    await writeFile(path.join(bad, "broken.yaml"), 'language: en\nintents:\n  X:\n    data: [\n      - "a"\n');
    const err = await importHassil(bad, out("y")).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GrammarError);
    expect((err as Error).message).toMatch(/broken\.yaml:\d+:\d+: invalid YAML/);
    expect((err as Error).message).not.toContain("\n");

    await writeFile(path.join(bad, "broken.yaml"), "language: en\nintents:\n  X:\n    data:\n      - slots: {a: b}\n");
    const err2 = await importHassil(bad, out("y")).catch((e: unknown) => e);
    expect((err2 as Error).message).toMatch(/broken\.yaml:5:9: intent X: data entry without `sentences` list/);
  });
});

describe("Jinja responses", () => {
  it("turns slot references into {slot}, keeps whole sentences and drops the rest", () => {
    expect(convertResponse("Turned on {{ slots.name }}")).toEqual({ text: "Turned on {name}", notes: [] });
    expect(convertResponse("Set to {{ slots['color'] }}").text).toBe("Set to {color}");
    const f = convertResponse("{{ slots.name | capitalize }} turned on");
    expect(f.text).toBe("{name} turned on");
    expect(f.notes.join()).toMatch(/filter "capitalize" ignored/);
    // the state hark cannot fill would leave "{name} is": dropped, not half said
    const c = convertResponse("{{ slots.name | capitalize }} is {{ state.state }}");
    expect(c.text).toBeUndefined();
    expect(c.notes.join()).toMatch(/would end on "\{name\} is".*state\.state/);
    // a condition hark cannot evaluate: no branch is right every time
    const yes = convertResponse("{% if query.matched %}\n  Yes\n{% else %}\n  No, {{ state.state }}\n{% endif %}");
    expect(yes.text).toBeUndefined();
    expect(yes.notes.join()).toMatch(/no conditions/);
    // branches that read the same are no condition at all
    expect(convertResponse("{% if x %}Done{% else %}Done{% endif %}").text).toBe("Done");
    const loop = convertResponse("{% for n in names %}{{ n }}{% endfor %}Done");
    expect(loop.text).toBe("Done");
    expect(loop.notes.join()).toMatch(/dropped \{% for %\}/);
    expect(convertResponse("{% set x = 1 %}Done").text).toBe("Done");
    // at the edge of a sentence the lost value is dropped and noted
    const t = convertResponse("Turned on {{ translations.get(state.domain) }}");
    expect(t.text).toBe("Turned on");
    expect(t.notes.join()).toMatch(/dropped \{\{ translations/);
    expect(convertResponse("{{ temperature }} degrees").text).toBeUndefined();
    expect(convertResponse("{{ a }}: {{ b }} AM").text).toBeUndefined();
    expect(convertResponse("{{ state.state_with_unit }}").text).toBeUndefined();
    // an empty response means "say nothing" in Home Assistant
    expect(convertResponse("").text).toBe("");
  });
});

describe("hassil-fixtures importer", () => {
  it("writes floors, areas and devices in the hark devices format", async () => {
    const dir = out("devices");
    const report = await importHassilFixtures(path.join(FIX, "fixtures.yaml"), dir);
    expect(report.files).toEqual([path.join(dir, "home.yaml"), path.join(dir, "timers.yaml")]);
    const home = await readOut(path.join(dir, "home.yaml"));
    expect(home.kind).toBe("home");
    expect(home.floors).toEqual([{ id: "ground_floor", name: "Ground Floor" }]);
    expect(home.areas).toEqual([
      { id: "living_room", name: "Living Room", floor: "ground_floor" },
      { id: "attic", name: "Attic" },
    ]);
    // `initial:` is what the simulator starts from; `ha:` keeps Home Assistant's own words
    expect(home.devices).toEqual([
      {
        id: "light.reading_lamp",
        name: "Reading Lamp",
        area: "living_room",
        domain: "light",
        capabilities: ["on_off", "brightness", "color"],
        initial: { state: "ON", supported_color_modes: ["hs"] },
        ha: { state: "on", attributes: { supported_color_modes: ["hs"] } },
      },
      {
        id: "light.porch",
        name: "Porch light",
        domain: "light",
        capabilities: ["on_off"],
        initial: { state: "OFF", supported_color_modes: ["onoff"] },
        ha: { state: "off", attributes: { supported_color_modes: ["onoff"] } },
      },
      {
        id: "cover.garage_door",
        name: "Garage Door",
        area: "attic",
        domain: "cover",
        device_class: "garage",
        capabilities: ["open_close", "position"],
        initial: { state: "closed", position: 0 },
        ha: { state: "closed", attributes: { current_position: 0 } },
      },
      {
        id: "sensor.outside_temperature",
        name: "Outside Temperature",
        domain: "sensor",
        device_class: "temperature",
        capabilities: ["state"],
        initial: { value: 12, unit: "°C" },
        ha: { state: "12", attributes: { unit_of_measurement: "°C" } },
      },
    ]);
    const timers = await readOut(path.join(dir, "timers.yaml"));
    expect(timers.devices[0]).toMatchObject({ id: "timer.timers", domain: "timer", initial: { timers: [{ name: "pizza", state: "active" }] } });
    expect(report.devices).toBe(5);
    expect(report.warnings).toEqual([]);
  });

  it("infers only obvious capabilities", () => {
    expect(inferCapabilities("light", {})).toEqual(["on_off", "brightness"]);
    expect(inferCapabilities("light", { supported_color_modes: ["color_temp", "xy"] })).toEqual([
      "on_off",
      "brightness",
      "color",
      "color_temp",
    ]);
    expect(inferCapabilities("lock", {})).toEqual(["lock"]);
    expect(inferCapabilities("media_player", { volume_level: 0.5 })).toContain("volume");
    expect(inferCapabilities("media_player", {})).not.toContain("volume");
    expect(inferCapabilities("todo", {})).toEqual(["add_item", "complete_item"]);
    expect(inferCapabilities("valve", {})).toEqual(["open_close"]); // the simulator then refuses positions
    expect(inferCapabilities("input_text", {})).toEqual([]);
  });

  it("rejects entities without an id", async () => {
    const f = out("bad-fixtures.yaml");
    await writeFile(f, "entities:\n  - name: Lamp\n");
    await expect(importHassilFixtures(f, out("bad-devices"))).rejects.toThrow(/bad-fixtures\.yaml:2:5: an entity needs an id and a name/);
  });
});

describe("rhino importer", () => {
  it("converts expressions, slots and macros to hassil syntax", async () => {
    const dir = out("rhino");
    const report = await importRhino(path.join(FIX, "rhino", "smart_lighting.yaml"), dir);
    expect(report.files).toEqual([path.join(dir, "smart_lighting.yaml")]);
    const g = await readOut(report.files[0]!);
    expect(g.language).toBe("en");
    expect(g.intents.changeColor.data[0].sentences).toEqual([
      "(turn|make) [the] {location:room} lights {color}",
      "<polite> (set|change) the {color} [color] [in the|for the] {location:room}",
    ]);
    expect(g.intents.changeColor.slots).toEqual({
      room: { list: "location", required: false },
      color: { required: false },
    });
    expect(g.intents.setBrightness.data[0].sentences).toEqual(["[please] dim the lights to {pv_percent:level}"]);
    expect(g.intents.turnOff.data[0].sentences).toEqual(["(switch|turn) off [all] [the] lights"]);
    expect(g.intents.turnOff.slots).toBeUndefined();
    expect(g.lists.color).toEqual({ values: ["blue", "sky blue", "warm white"] });
    expect(g.lists.location).toEqual({ values: ["kitchen", "living room"] });
    expect(g.lists.pv_percent).toEqual({ range: { from: 0, to: 100, type: "percentage" } });
    expect(g.expansion_rules).toEqual({ polite: "(please|[could you] kindly)" });
    expect(report).toMatchObject({ intents: 3, lists: 3, sentences: 4 });
  });

  it("parses Rhino syntax and locates errors", async () => {
    expect(parseRhino("[a, b c] (x) $t:s @m")).toEqual([
      { t: "choice", optional: false, alts: [[{ t: "word", text: "a" }], [{ t: "word", text: "b" }, { t: "word", text: "c" }]] },
      { t: "choice", optional: true, alts: [[{ t: "word", text: "x" }]] },
      { t: "slot", type: "t", name: "s" },
      { t: "macro", name: "m" },
    ]);
    expect(() => parseRhino("[a, b")).toThrow(/not closed/);
    const f = out("bad-rhino.yaml");
    await writeFile(f, 'context:\n  expressions:\n    go:\n      - "go [now, later"\n');
    await expect(importRhino(f, out("bad-rhino"))).rejects.toThrow(/bad-rhino\.yaml:4:13: '\[' is not closed/);
    await writeFile(f, "context:\n  expressions:\n    go:\n      - go (now, later\n");
    await expect(importRhino(f, out("bad-rhino"))).rejects.toThrow(/bad-rhino\.yaml:4:12: '\(' is not closed/);
    await writeFile(f, 'context:\n  expressions:\n    go:\n      - "go $place:where"\n');
    await expect(importRhino(f, out("bad-rhino"))).rejects.toThrow(/unknown slot type \$place/);
  });
});

describe("importGrammar", () => {
  it("dispatches on the format", async () => {
    const r = await importGrammar("rhino", path.join(FIX, "rhino", "smart_lighting.yaml"), out("dispatch"));
    expect(r.intents).toBe(3);
    await expect(importGrammar("nope" as ImportFormat, "x", "y")).rejects.toThrow(UsageError);
  });
});

describe("end to end: imported files load with hark's loader", () => {
  it("hassil + hassil-fixtures", async () => {
    const { loadGrammar } = await loadGrammarModule();
    await importHassil(path.join(FIX, "hassil"), out("e2e-grammar"));
    await importHassilFixtures(path.join(FIX, "fixtures.yaml"), out("e2e-devices"));
    const g = await loadGrammar({ grammar: out("e2e-grammar"), devices: out("e2e-devices") });
    expect(g.language).toBe("en");
    expect([...g.intents.keys()].sort()).toEqual(["HassLightSet", "HassNevermind", "HassTurnOn"]);
    const name = g.lists.get("name");
    expect(name?.kind).toBe("values");
    if (name?.kind === "values") {
      expect(name.multiple).toBe(true);
      expect(name.values.map((v) => v.out)).toContain("Reading Lamp");
      expect(name.values.find((v) => v.out === "Reading Lamp")?.context).toMatchObject({ domain: "light", area: "Living Room" });
    }
    expect(g.lists.get("half_degrees")).toMatchObject({ kind: "range", multiplier: 2, fractions: "halves" });
    expect(g.intents.get("HassTurnOn")?.responses.default).toBe("Turned on {name}");
    expect(g.skipWords).toContain("please");
  });

  it("rhino", async () => {
    const { loadGrammar } = await loadGrammarModule();
    await importRhino(path.join(FIX, "rhino", "smart_lighting.yaml"), out("e2e-rhino"));
    const g = await loadGrammar({ grammar: out("e2e-rhino") });
    expect(g.intents.get("changeColor")?.slots.get("room")?.list).toBe("location");
    expect(g.rules.has("polite")).toBe(true);
  });

  it.skipIf(!existsSync(HA_CORPUS))("the home-assistant/intents corpus", async () => {
    const { loadGrammar } = await loadGrammarModule();
    const r = await importHassil(HA_CORPUS, out("ha-grammar"));
    await importHassilFixtures(path.join(HA_CORPUS, "tests", "en", "_fixtures.yaml"), out("ha-devices"));
    expect(r.intents).toBeGreaterThan(20);
    const g = await loadGrammar({ grammar: out("ha-grammar"), devices: out("ha-devices") });
    expect(g.intents.has("HassTurnOn")).toBe(true);
    expect(g.intents.get("HassTurnOn")?.description).toBeTruthy();
  });

  it.skipIf(!existsSync(COFFEE))("the Rhino coffee maker context", async () => {
    const { loadGrammar } = await loadGrammarModule();
    const r = await importRhino(COFFEE, out("coffee"));
    expect(r.warnings).toEqual([]);
    const g = await loadGrammar({ grammar: out("coffee") });
    const size = g.lists.get("size");
    expect(size?.kind === "values" && size.values.map((v) => v.out)).toContain("twelve ounce");
    expect(g.intents.get("orderDrink")?.data[0]?.sentences.length).toBe(80);
  });
});
