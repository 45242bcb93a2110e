import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { compileGraph } from "../src/compile/graph.js";
import { Sampler } from "../src/compile/sample.js";
import { loadGrammar, type LoadedGrammar } from "../src/grammar/load.js";
import { Matcher } from "../src/nlu/matcher.js";
import { loadSources } from "../src/nlu/index.js";
import { tmpFiles } from "./helpers/tmpGrammar.js";

const GRAMMAR = `language: en
intents:
  HassTurnOn:
    data:
      - sentences: ["<turn> on [the] {name}"]
        requires_context: { domain: [light, switch] }
      - sentences: ["<turn> on [the] {area} light[s]", "lights on in [the] {area}"]
        slots: { domain: light }
  HassTurnOff:
    data:
      - sentences: ["<turn> off [the] {name}", "kill [the] {name}"]
      - sentences: ["<turn> off [the] {area} light[s]", "kill [the] {area} lights"]
        slots: { domain: light }
  HassLightSet:
    data:
      - sentences: ["set [the] {area} lights to {brightness} [percent]", "dim [the] {area} lights to {brightness}"]
  HassClimateSetTemperature:
    data:
      - sentences: ["set [the] temperature to {temperature} [degrees]"]
  HassStartTimer:
    data:
      - sentences: ["set a timer for {minutes} minute[s]"]
  HassLockDoor:
    data:
      - sentences: ["lock [the] {name}"]
        requires_context: { domain: lock }
  NavigateTo:
    data:
      - sentences: ["(navigate|take me) to {destination}", "take me to [the] nearest {poi_type}"]
  CabinWindow:
    data:
      - sentences: ["(open;[the]{window} window)"]
        slots: { action: open }
lists:
  brightness: { range: { from: 0, to: 100, type: percentage } }
  temperature: { range: { from: 5, to: 35, type: temperature, fractions: halves } }
  minutes: { range: { from: 1, to: 120 } }
  destination: { wildcard: true, max_words: 6 }
  poi_type: { values: [{ in: "(charging station|charger)", out: charging_station }, { in: "gas station", out: gas_station }] }
  window: { values: [{ in: "(driver|driver's)", out: driver }, passenger] }
expansion_rules:
  turn: "(turn|switch)"
skip_words: [please, uh, "could you", "for me"]
`;

const DEVICES = `areas:
  - { id: kitchen, name: Kitchen }
  - { id: hall, name: Hallway, aliases: [hall] }
  - { id: living, name: Living Room, aliases: [lounge] }
devices:
  - { id: light.desk, name: Desk Lamp, area: living, domain: light }
  - { id: switch.kettle, name: Kettle, area: kitchen, domain: switch }
  - { id: lock.front, name: Front Door, domain: lock }
`;

let grammar: LoadedGrammar;
let m: Matcher;
const intents = (text: string) => m.understand(text).intents.map((i) => ({ intent: i.intent, slots: i.slots }));

beforeAll(async () => {
  const dir = tmpFiles({ "g/g.yaml": GRAMMAR, "d/home.yaml": DEVICES });
  grammar = await loadGrammar({ grammar: join(dir, "g"), devices: join(dir, "d") });
  m = new Matcher(compileGraph(grammar));
});

describe("matcher: exact", () => {
  it("fills slots with canonical values from devices (names, aliases, areas)", () => {
    expect(intents("Turn on the lounge lights!")).toEqual([{ intent: "HassTurnOn", slots: { domain: "light", area: "Living Room" } }]);
    expect(intents("switch on desk lamp")).toEqual([{ intent: "HassTurnOn", slots: { name: "Desk Lamp" } }]);
    expect(m.understand("switch on desk lamp").intents[0]).toMatchObject({ confidence: 1, source: "matcher" });
  });

  it("ignores case, punctuation and filler words anywhere", () => {
    expect(intents("Uh, could you turn OFF the kitchen light, please?")).toEqual([{ intent: "HassTurnOff", slots: { domain: "light", area: "Kitchen" } }]);
  });

  it("reads numbers as digits or words, percentages, halves", () => {
    const expected = [{ intent: "HassLightSet", slots: { area: "Kitchen", brightness: 40 } }];
    expect(intents("set the kitchen lights to forty percent")).toEqual(expected);
    expect(intents("set kitchen lights to 40%")).toEqual(expected);
    expect(intents("dim the kitchen lights to half")).toEqual([{ intent: "HassLightSet", slots: { area: "Kitchen", brightness: 50 } }]);
    expect(intents("set the temperature to twenty one and a half degrees")).toEqual([{ intent: "HassClimateSetTemperature", slots: { temperature: 21.5 } }]);
    expect(intents("set the temperature to 21.5")).toEqual([{ intent: "HassClimateSetTemperature", slots: { temperature: 21.5 } }]);
  });

  it("keeps numbers inside their ranges", () => {
    expect(intents("set the temperature to ninety degrees")).toEqual([]);
    expect(intents("set the kitchen lights to 101 percent")).toEqual([]);
  });

  it("joins glued optional text (minute[s])", () => {
    expect(intents("set a timer for 1 minute")).toEqual([{ intent: "HassStartTimer", slots: { minutes: 1 } }]);
    expect(intents("set a timer for twenty minutes")).toEqual([{ intent: "HassStartTimer", slots: { minutes: 20 } }]);
  });

  it("accepts permutations", () => {
    expect(intents("open the passenger window")).toEqual([{ intent: "CabinWindow", slots: { action: "open", window: "passenger" } }]);
    expect(intents("driver's window open")).toEqual([{ intent: "CabinWindow", slots: { action: "open", window: "driver" } }]);
  });

  it("respects requires_context: a lock is not a light", () => {
    expect(intents("turn on the front door")).toEqual([]);
    expect(intents("lock the front door")).toEqual([{ intent: "HassLockDoor", slots: { name: "Front Door" } }]);
    expect(intents("lock the kettle")).toEqual([]);
  });

  it("captures free text in wildcards and prefers list values to free text", () => {
    expect(intents("navigate to grandma's house")).toEqual([{ intent: "NavigateTo", slots: { destination: "grandma's house" } }]);
    expect(intents("take me to the nearest charger")).toEqual([{ intent: "NavigateTo", slots: { poi_type: "charging_station" } }]);
    expect(intents("navigate to a b c d e f g h")).toEqual([]); // longer than max_words
  });
});

describe("matcher: several intents in one utterance", () => {
  it("one slot with several values", () => {
    expect(intents("turn off the hallway and the living room lights")).toEqual([
      { intent: "HassTurnOff", slots: { domain: "light", area: "Hallway" } },
      { intent: "HassTurnOff", slots: { domain: "light", area: "Living Room" } },
    ]);
  });

  it("clauses joined by and/then, a clause borrowing the previous verb", () => {
    expect(intents("turn on the desk lamp and then lock the front door")).toEqual([
      { intent: "HassTurnOn", slots: { name: "Desk Lamp" } },
      { intent: "HassLockDoor", slots: { name: "Front Door" } },
    ]);
    expect(intents("turn on the desk lamp and the kettle")).toEqual([
      { intent: "HassTurnOn", slots: { name: "Desk Lamp" } },
      { intent: "HassTurnOn", slots: { name: "Kettle" } },
    ]);
  });
});

describe("matcher: tolerant", () => {
  it("survives a misheard word or a dropped article, with lower confidence", () => {
    const r = m.understand("turn on the kitchn lights");
    expect(r.intents.map((i) => i.slots)).toEqual([{ domain: "light", area: "Kitchen" }]);
    expect(r.intents[0]!.confidence).toBeLessThan(1);
    expect(r.intents[0]!.confidence).toBeGreaterThan(0.5);
    expect(intents("set temperature to 20 degrees")).toEqual([{ intent: "HassClimateSetTemperature", slots: { temperature: 20 } }]);
    expect(intents("lights on in kitchen")).toEqual([{ intent: "HassTurnOn", slots: { domain: "light", area: "Kitchen" } }]);
  });

  it("never reads a word as its negated form (\"activate\" is not a misheard \"deactivate\")", async () => {
    const shipped = new Matcher(compileGraph(await loadSources({})));
    for (const text of ["activate the kitchen light", "enable the kitchen lights", "unarm the kitchen lights"]) {
      const got = shipped.understand(text).intents;
      expect(got.filter((i) => i.intent === "HassTurnOff"), text).toEqual([]);
    }
  });

  it("does not force unknown things onto known ones", () => {
    for (const text of ["turn on the dishwasher", "tell me a joke", "what is the capital of france", "kitchen", "set the"])
      expect(intents(text), text).toEqual([]);
  });

  it("says why nothing matched, and bounds input", () => {
    expect(m.understand("")).toMatchObject({ intents: [], reason: "empty input" });
    expect(m.understand("  ?! ")).toMatchObject({ intents: [], reason: "empty input" });
    expect(m.understand("hello there")).toMatchObject({ intents: [], reason: "no intent matches" });
    expect(m.understand("turn on the kettle ".repeat(100)).reason).toMatch(/too long/);
    expect(m.understand("\u0000\u0001\uFFFD\u00ff\u0080garbage").intents).toEqual([]);
  });
});

describe("sampler ↔ matcher", () => {
  it("is reproducible with a seed and differs across seeds", () => {
    const a = [...new Sampler(grammar, { seed: 5 }).take(50)];
    const b = [...new Sampler(grammar, { seed: 5 }).take(50)];
    const c = [...new Sampler(grammar, { seed: 6 }).take(50)];
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  it("covers every intent, and the matcher understands every sample exactly", () => {
    const samples = [...new Sampler(grammar, { seed: 11 }).take(600)];
    expect(new Set(samples.map((s) => s.intents[0]!.intent))).toEqual(new Set(grammar.intents.keys()));
    const wrong = samples.filter((s) => JSON.stringify(intents(s.text)) !== JSON.stringify(s.intents));
    expect(wrong).toEqual([]);
  });
});
