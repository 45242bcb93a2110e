// The trust policy on real parts: the shipped grammar, devices and cascade (matcher + SLM), a real
// runtime on an embedded broker. One block per category of the issue: negation, later times, places
// and devices that do not exist, unsaid values, questions, scope, the dialog, intents without a
// handler, doubtful readings; and the development trust set as a whole.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import pino from "pino";
import { loadSources, loadUnderstander } from "../src/nlu/index.js";
import type { IntentResult, Understander, Understanding } from "../src/nlu/types.js";
import { judge, loadTrust, resolveTrustConfig, findLater, type TrustDeps, type Verdict } from "../src/trust/index.js";
import { loadCues, cueDir } from "../src/trust/cues.js";
import { configSchema, resolveConfig } from "../src/run/config.js";
import { HarkRuntime, type Answer } from "../src/run/runtime.js";
import { loadTrustSet, runTrustSet, TRUST_DEVICES } from "../src/bench/trust.js";
import { normalizeTokens } from "../src/grammar/normalize.js";
import { tmpFiles } from "./helpers/tmpGrammar.js";
import { DeviceCatalog } from "../src/devices/catalog.js";

let understander: Understander & { dispose?(): Promise<void> };
let trust: TrustDeps;

beforeAll(async () => {
  understander = await loadUnderstander();
  trust = loadTrust(await loadSources());
});
afterAll(async () => {
  await understander.dispose?.();
});

async function decide(text: string, profile?: "home" | "car", u?: Understanding): Promise<Verdict> {
  const understanding = u ?? (await understander.understand(text));
  return judge({ text, understanding, ...(profile ? { session: { profile } } : {}) }, trust, (t) => understander.understand(t));
}
const acts = (v: Verdict) => v.decision === "act";
/** The verdict on these words said in this session (a satellite's room, a cabin seat), as the cascade reads them. */
async function decideIn(text: string, session: NonNullable<Parameters<typeof judge>[0]["session"]>): Promise<Verdict> {
  return judge({ text, understanding: await understander.understand(text), session }, trust, (t) => understander.understand(t));
}

describe("negation never triggers the action", () => {
  it.each(["don't turn on the kitchen lights", "do not open my window", "never unlock the front door", "please don't turn off the bedroom lights", "I don't want the lights on in the kitchen", "no need to open the garage door", "stop opening the garage door", "no kitchen lights on yet thanks", "can you not unlock the front door"])(
    "%s → refused",
    async (t) => {
      const v = await decide(t);
      expect(v.decision).toBe("refuse");
      if (v.decision === "refuse") expect(v.reason).toBe("negation");
    },
  );

  it("a negative question that asks for the action acts on what follows it", async () => {
    const v = await decide("why don't you turn on the kitchen lights");
    expect(v.decision).toBe("act");
    if (v.decision === "act") expect(v.intents.map((i) => i.intent)).toEqual(["HassTurnOn"]);
  });

  it("a reminder is asked back, and the same words in a device name are no negation", async () => {
    const v = await decide("don't forget to lock the front door");
    expect(["ask", "refuse", "pass"]).toContain(v.decision);
    const named = await judge(
      { text: "turn on do not disturb", understanding: { text: "turn on do not disturb", intents: [{ intent: "HassTurnOn", slots: { name: "Do Not Disturb" }, confidence: 1, source: "matcher" }] } },
      loadTrust(await loadSources({ devices: tmpFiles({ "d.yaml": "kind: home\ndevices:\n  - { id: switch.dnd, name: Do Not Disturb, domain: switch }\n" }) })),
    );
    expect(named.decision).toBe("act");
  });
});

describe("taken back, corrected, held, vague", () => {
  it.each(["turn on the kitchen lights no wait", "uh open the garage door um scratch that", "lock the front door, actually no", "unlock the back door never mind please"])("%s → nothing done", async (t) => {
    const v = await decide(t);
    expect(v.decision).not.toBe("act");
  });

  it("a correction in the middle repairs the request: only the corrected device", async () => {
    const v = await decide("turn on the floor lamp sorry I mean the ceiling light");
    expect(v.decision).toBe("act");
    if (v.decision === "act") expect(v.intents.map((i) => i.slots.name)).toEqual(["Ceiling Light"]);
  });

  it("a correction that cannot be followed is refused, saying so", async () => {
    const v = await decide("turn on the floor lamp i mean the purple elephant");
    expect(v.decision).toBe("refuse");
    if (v.decision === "refuse") expect(v.reason).toBe("correction");
  });

  it("a trailing 'please' or 'thanks' is no take-back", async () => {
    expect((await decide("turn on the kitchen lights please")).decision).toBe("act");
    expect((await decide("turn on the kitchen lights thanks")).decision).toBe("act");
  });

  it.each(["leave the porch light on", "keep the garage door closed", "no, keep the front door locked"])("%s → held, nothing changed", async (t) => {
    const v = await decide(t);
    expect(v.decision).toBe("refuse");
    if (v.decision === "refuse") expect(v.reason).toBe("hold");
  });

  it("free text that names nothing is not searched for", async () => {
    const v = await decide("play something on the kitchen speaker");
    expect(v.decision).not.toBe("act");
  });
});

describe("later: scheduled or refused, never now", () => {
  it("a condition with a contraction is a condition: 'once we're on the motorway, …'", async () => {
    const u = { text: "", intents: [{ intent: "CabinWindow", slots: { action: "close", window: "all" }, confidence: 0.99, source: "slm" as const }] };
    const once = "once we're on the motorway, close all the windows";
    expect(await decide(once, "car", { ...u, text: once })).toMatchObject({ decision: "refuse", reason: "condition" });
    const when = "when we're home close all the windows";
    expect((await decide(when, "car", { ...u, text: when })).decision).not.toBe("act");
  });

  it("times and negations inside free text are the user's words, not cues", async () => {
    for (const t of ["tell everyone we are leaving in ten minutes", "broadcast don't forget your keys"]) {
      const v = await decide(t);
      expect(v.decision, t).toBe("act");
      if (v.decision === "act") expect(v.intents.map((i) => i.intent)).toEqual(["HassBroadcast"]);
    }
  });

  it("reads delays and clock times, not values", () => {
    const cues = loadCues(cueDir("en"));
    const later = (t: string) => findLater(normalizeTokens(t), cues).map((l) => (l.kind === "clock" ? `${l.kind} ${l.hour}:${l.minute}` : `${l.kind} ${l.seconds}`));
    expect(later("turn on the lights in ten minutes")).toEqual(["delay 600"]);
    expect(later("turn on the lights in an hour and a half")).toEqual(["delay 5400"]);
    expect(later("in half an hour close the blinds")).toEqual(["delay 1800"]);
    expect(later("turn off the tv 5 minutes from now")).toEqual(["delay 300"]);
    expect(later("open the blinds at 7 pm")).toEqual(["clock 19:0"]);
    expect(later("at half past seven turn on the porch light")).toEqual(["clock 7:30"]);
    expect(later("turn on the sprinklers for 10 minutes")).toEqual(["duration 600"]);
    expect(later("set the thermostat at 21")).toEqual([]);
    expect(later("turn on the porch light at 7")).toEqual(["clock 7:0"]);
    expect(later("lock the door at quarter to 8 pm")).toEqual(["clock 19:45"]);
    expect(later("set the bedroom lights to 10 percent")).toEqual([]);
  });

  it("schedules 'in ten minutes' with the request said without the time (no brightness of 10)", async () => {
    const v = await decide("turn on the kitchen lights in ten minutes");
    expect(v.decision).toBe("schedule");
    if (v.decision === "schedule") {
      expect(v.intents.map((i) => i.intent)).toEqual(["HassTurnOn"]);
      expect(v.later).toMatchObject({ kind: "delay", seconds: 600 });
    }
  });

  it.each([
    ["turn on the kitchen lights tomorrow morning", "vague_time"],
    ["open the blinds every day", "recurring"],
    ["turn on the porch light when I get home", "condition"],
    ["turn on the sprinklers for 10 minutes", "duration"],
    // regional "soon": later in South Africa and Scotland, so never done now
    ["switch off the big light just now", "vague_time"],
    ["put the kitchen lights on in a wee while", "vague_time"],
    ["turn on the porch light by and by", "vague_time"],
  ])("%s → refused (%s)", async (t, reason) => {
    const v = await decide(t);
    expect(v.decision).toBe("refuse");
    if (v.decision === "refuse") expect(v.reason).toBe(reason);
  });

  it("a bare 'at 7' is a time when the request is whole without it, a value when it needs it", async () => {
    expect(await decide("turn on the porch light at 7")).toMatchObject({ decision: "schedule", later: { kind: "clock", hour: 7, twelveHour: true } });
    expect((await decide("set the lights at 10")).decision).not.toBe("schedule");
    expect(await decide("turn on the porch light at 7 pm")).toMatchObject({ decision: "schedule", later: { hour: 19 } });
  });

  it("a timer's own duration is its value, not a delay", async () => {
    expect(acts(await decide("set a timer for 10 minutes"))).toBe(true);
  });
});

describe("a request said and not meant", () => {
  it.each([
    ["I'm not saying open the roller blind", "home"],
    ["turn off the tv... not!", "home"],
  ] as const)("%s → not acted on", async (t, profile) => {
    expect((await decide(t, profile)).decision).not.toBe("act");
  });

  it("a guessed change whose words ask for the opposite is not acted on ('more loud' read as quieter)", async () => {
    const text = "the tv more loud please";
    const quieter: Understanding = { text, intents: [{ intent: "MediaAdjustVolume", slots: { direction: "down", name: "Living Room TV" }, confidence: 1, source: "slm" }] };
    expect((await decide(text, "home", quieter)).decision).not.toBe("act");
    const colder = "for the passenger a little more cold";
    const warmer: Understanding = { text: colder, intents: [{ intent: "CabinAdjustTemperature", slots: { direction: "warmer", zone: "passenger" }, confidence: 1, source: "slm" }] };
    expect((await decide(colder, "car", warmer)).decision).not.toBe("act");
  });
});

describe("a room's word before a kind of device", () => {
  it("'the kids lamp' said in the living room, guessed as its floor lamp, is not acted on; 'the living room lamp' is", async () => {
    const text = "turn on the kids lamp";
    const floor: Understanding = { text, intents: [{ intent: "HassTurnOn", slots: { domain: "light", name: "Floor Lamp", area: "Living Room" }, confidence: 0.99, source: "slm" }] };
    expect((await decide(text, "home", floor)).decision).not.toBe("act");
    expect((await decide("switch on the living room lamp")).decision).toBe("act");
  });
});

describe("a timer named is no timer cancelled", () => {
  it("'put a timer of a quarter of hour for the tea' read as cancelling the tea timer is not acted on; 'ditch that timer' is", async () => {
    const text = "put a timer of a quarter of hour for the tea";
    const cancel: Understanding = { text, intents: [{ intent: "HassCancelTimer", slots: { name: "tea" }, confidence: 0.93, source: "slm" }] };
    expect((await decide(text, "home", cancel)).decision).not.toBe("act");
    const ditch = "the pasta's done you can ditch that timer";
    const pasta: Understanding = { text: ditch, intents: [{ intent: "HassCancelTimer", slots: {}, confidence: 0.98, source: "slm" }] };
    expect((await decide(ditch, "home", pasta)).decision).toBe("act");
  });
});

describe("amounts and directions said in passing", () => {
  it("'small small' (a little) is an amount the reading must hold: the window is not opened all the way", async () => {
    const v = await decide("open the rear right window small small", "car", { text: "open the rear right window small small", intents: [{ intent: "CabinWindow", slots: { action: "open", window: "rear_right" }, confidence: 0.99, source: "slm" }] });
    expect(v.decision).not.toBe("act");
  });

  it("'i'm going up' (upstairs) points no value up: the lights are not made brighter", async () => {
    const text = "tv off and the lounge lights too i'm going up";
    const u: Understanding = { text, intents: [{ intent: "HassTurnOff", slots: { name: "Living Room TV" }, confidence: 0.99, source: "slm" }, { intent: "LightAdjustBrightness", slots: { area: "Living Room", direction: "brighter" }, confidence: 0.99, source: "slm" }] };
    expect((await decide(text, "home", u)).decision).not.toBe("act");
    const up = "the lounge lights are too dim turn them up";
    const brighter = { text: up, intents: [{ intent: "LightAdjustBrightness", slots: { area: "Living Room", direction: "brighter" }, confidence: 0.99, source: "slm" as const }] };
    expect((await decide(up, "home", brighter)).decision).toBe("act");
  });
});

describe("what a reading does needs a word for it", () => {
  const slm = (intent: string, slots: IntentResult["slots"]): IntentResult => ({ intent, slots, confidence: 0.99, source: "slm" });
  it("an SLM's 'close' for a complaint or 'off' for 'open them' is asked back (refused when the change is high-risk); said, it acts", async () => {
    // A window is high-risk: the guess is not even offered ("Did you mean: close all the windows?").
    const fog = await decide("oh great the windows are all fogged up", "car", { text: "oh great the windows are all fogged up", intents: [slm("CabinWindow", { action: "close", window: "all" })] });
    expect(fog).toMatchObject({ decision: "refuse", reason: "ungrounded" });
    if (fog.decision === "refuse") expect(fog.speech).not.toMatch(/close/i);
    const open = await decide("the lights of the garden open them please", "home", { text: "the lights of the garden open them please", intents: [slm("HassTurnOff", { area: "Garden", domain: "light" })] });
    expect(open).toMatchObject({ decision: "ask", reason: "ungrounded" });
    const shut = await decide("garden lights gotta go off now", "home", { text: "garden lights gotta go off now", intents: [slm("HassTurnOff", { area: "Garden", domain: "light" })] });
    expect(shut.decision).toBe("act");
    const dark = await decide("it's too dark in the kitchen", "home", { text: "it's too dark in the kitchen", intents: [slm("HassTurnOn", { area: "Kitchen", domain: "light" })] });
    expect(dark.decision).toBe("act");
  });
});

describe("a word for some devices of a kind: 'the lamp'", () => {
  const inRoom = async (text: string, area: string) => judge({ text, understanding: await understander.understand(text), session: { profile: "home", area } }, trust, (t) => understander.understand(t));
  it("is the room's lamp, not its other lights; a room without one is refused, naming the lamps", async () => {
    const living = await inRoom("turn on the lamp", "Living Room");
    expect(living.decision).toBe("act");
    if (living.decision === "act") expect(living.intents.map((i) => i.slots.name)).toEqual(["Floor Lamp"]);
    const kitchen = await inRoom("turn on the lamp", "Kitchen");
    expect(kitchen).toMatchObject({ decision: "refuse", reason: "wrong_place" });
    if (kitchen.decision === "refuse") expect(kitchen.speech).toMatch(/no lamp in the Kitchen.*Floor Lamp.*Desk Lamp/);
    const lights = await inRoom("turn on the lights", "Living Room");
    if (lights.decision === "act") expect(lights.intents[0]!.slots.name).toBeUndefined();
    else expect.fail(`expected act, got ${lights.decision}`);
  });

  it("'in here' places a named device: the desk lamp is not in the living room", async () => {
    expect(await inRoom("turn on the desk lamp in here", "Living Room")).toMatchObject({ decision: "refuse", reason: "wrong_place" });
    expect((await inRoom("turn on the floor lamp in here", "Living Room")).decision).toBe("act");
  });
});

describe("places and devices that do not exist", () => {
  it.each([
    ["dim the dining room lights", "unknown_area"],
    ["turn on the lights in the attic", "unknown_area"],
    ["turn off the lights in the guest bedroom", "unknown_area"],
    ["turn off the oven", "unknown_device"],
    ["start the dishwasher", "unknown_device"],
    ["turn off the lights in my room", "unknown_area"],
    ["turn on the lights in the kids bathroom", "unknown_area"],
  ])("%s → refused (%s)", async (t, reason) => {
    const v = await decide(t, "home");
    expect(v.decision).toBe("refuse");
    if (v.decision === "refuse") expect(v.reason).toBe(reason);
  });

  it("a device named with a room it is not in is not acted on", async () => {
    const v = await decide("turn off the tv in the bedroom");
    expect(v).toMatchObject({ decision: "refuse", reason: "wrong_place" });
  });

  it("real rooms and aliases still act", async () => {
    for (const t of ["turn on the lights in the office", "turn off the lights in the study", "turn on the nursery lights"]) expect(acts(await decide(t, "home")), t).toBe(true);
  });
});

describe("values the user never said", () => {
  const slm = (intent: string, slots: IntentResult["slots"]): IntentResult => ({ intent, slots, confidence: 0.99, source: "slm" });
  it("an invented destination, device or number is never acted on: asked back naming the guess, or refused when the change is high-risk", async () => {
    const v = await decide("how far is it", "car", { text: "how far is it", intents: [slm("NavigateTo", { poi_type: "charging_station" })] });
    expect(v.decision).toBe("refuse");
    const n = await decide("make it brighter in the kitchen", "home", { text: "make it brighter in the kitchen", intents: [slm("HassLightSet", { area: "Kitchen", brightness: 80 })] });
    expect(n).toMatchObject({ decision: "ask", reason: "ungrounded" });
    if (n.decision === "ask") expect(n.prompt).toMatch(/80 percent/);
    const go = await decide("take me there", "car", { text: "take me there", intents: [slm("NavigateTo", { destination: "work" })] });
    expect(go).toMatchObject({ decision: "refuse", reason: "ungrounded" });
  });

  it("a direction needs a word that points somewhere: 'a nice volume' is no 'up', 'I'm freezing' is 'warmer'", async () => {
    const vague = await decide("set the radio to a nice volume", "home", { text: "set the radio to a nice volume", intents: [slm("MediaAdjustVolume", { direction: "up" })] });
    expect(vague).toMatchObject({ decision: "ask", reason: "ungrounded" });
    // (a setting of the user's is a value hark does not know: refused with its words)
    const usual = await decide("set the radio to my usual volume", "home", { text: "set the radio to my usual volume", intents: [slm("MediaAdjustVolume", { direction: "up" })] });
    expect(usual).toMatchObject({ decision: "refuse", reason: "comparison" });
    const cold = await decide("I'm freezing back here", "car", { text: "I'm freezing back here", intents: [slm("CabinAdjustTemperature", { direction: "warmer" })] });
    expect(cold.decision).toBe("act");
  });

  it("the same command twice in one reading is asked back once, never done twice", async () => {
    const twice = [slm("HassShoppingListAddItem", { item: "eggs" }), slm("HassShoppingListAddItem", { item: "eggs" })];
    const v = await decide("add eggs and bacon to the shopping list", "home", { text: "add eggs and bacon to the shopping list", intents: twice });
    expect(v).toMatchObject({ decision: "ask", reason: "ungrounded" });
    if (v.decision === "ask") expect(v.intents).toHaveLength(1);
  });

  it("'all' is never read into the little words of 'a quarter of the way'; 'all the way' says 100", async () => {
    const quarter = "uh can you open my window like a quarter of the way";
    const v = await decide(quarter, "car", { text: quarter, intents: [slm("CabinWindow", { action: "open", window: "all", percent: 25 })] });
    if (v.decision === "act") expect(v.intents[0]!.slots.window).toBeUndefined();
    else expect(v.decision).not.toBe("act");
    const down = "my window all the way down";
    const full = await decide(down, "car", { text: down, intents: [slm("CabinWindow", { action: "open", window: "driver", percent: 100 })] });
    expect(full.decision).toBe("act");
  });

  it("'back here' in the car is the speaker's own place, not the rear seats", async () => {
    const v = await decideIn("open my window a bit, it's stuffy back here", { profile: "car", seat: "rear_right" });
    if (v.decision === "act") expect(v.intents.map((i) => i.slots.window)).not.toContain("rear");
  });

  it("a seat's heating or ventilation needs a word for heat or air", async () => {
    const t = "make the seat of the driver more high";
    const v = await decide(t, "car", { text: t, intents: [slm("CabinSeatVentilation", { seat: "driver", level: 3 })] });
    expect(v.decision).not.toBe("act");
  });

  it("an invented room is dropped (the speaker's room fills it later), a said one is kept", async () => {
    const v = await decide("turn on the lights", "home", { text: "turn on the lights", intents: [slm("HassTurnOn", { area: "Kitchen", domain: "light" })] });
    expect(v.decision).toBe("act");
    if (v.decision === "act") expect(v.intents[0]!.slots).toEqual({ domain: "light" });
    const said = await decide("lights on in the kitchen please", "home", { text: "lights on in the kitchen please", intents: [slm("HassTurnOn", { area: "Kitchen", domain: "light" })] });
    if (said.decision === "act") expect(said.intents[0]!.slots.area).toBe("Kitchen");
    else expect.fail(`expected act, got ${said.decision}`);
  });
});

describe("questions are not commands", () => {
  it.each(["how much battery is left", "how much fuel is left", "who turned on the kitchen lights"])("%s → no action", async (t) => {
    const v = await decide(t, "car");
    expect(["refuse", "report"]).toContain(v.decision);
  });

  it("a command asked as a question reports the devices' state", async () => {
    const v = await decide("did you turn on the kitchen lights", "home");
    expect(["report", "act"]).toContain(v.decision);
    if (v.decision === "act") expect(v.intents.every((i) => i.intent === "HassGetState")).toBe(true);
  });
});

describe("scope", () => {
  it("an intent of either place naming a device of the other is out of scope: 'pause the telly' in the car", async () => {
    const car = await judge({ text: "pause the telly", understanding: await understander.understand("pause the telly"), session: { profile: "car" } }, trust);
    expect(car).toMatchObject({ decision: "refuse", reason: "scope" });
    const music = await judge({ text: "pause the music", understanding: await understander.understand("pause the music"), session: { profile: "car" } }, trust);
    expect(music.decision).toBe("act");
    const home = await judge({ text: "pause the telly", understanding: await understander.understand("pause the telly"), session: { profile: "home" } }, trust);
    expect(home.decision).toBe("act");
  });

  it("a home speaker does not drive the car, a seat does not drive the home", async () => {
    for (const t of ["open my window halfway", "I am cold", "turn on my seat heating"]) expect((await decide(t, "home")).decision, t).toBe("refuse");
    for (const t of ["turn off the kitchen lights", "lock the front door"]) expect((await decide(t, "car")).decision, t).toBe("refuse");
    expect(acts(await decide("open my window halfway", "car"))).toBe(true);
  });

  it("a request read as this place's that names the other place is the other place's: 'warm up the car' at home", async () => {
    const u: Understanding = { text: "warm up the car to twenty degrees", intents: [{ intent: "HassClimateSetTemperature", slots: { temperature: 20 }, confidence: 0.99, source: "slm" }] };
    expect(await judge({ text: u.text, understanding: u, session: { profile: "home" } }, trust)).toMatchObject({ decision: "refuse", reason: "scope" });
    const named = { ...trust, config: resolveTrustConfig({ cross_scope: "named" }) };
    expect(await judge({ text: u.text, understanding: u, session: { profile: "home" } }, named)).toMatchObject({ decision: "refuse", reason: "scope" });
  });

  it("crossing over needs the other place named and the configuration to allow it", async () => {
    const named = { ...trust, config: resolveTrustConfig({ cross_scope: "named" }) };
    const text = "turn off the kitchen lights at home";
    const u = await understander.understand(text);
    expect((await judge({ text, understanding: u, session: { profile: "car" } }, named, (t) => understander.understand(t))).decision).toBe("act");
    expect((await judge({ text, understanding: u, session: { profile: "car" } }, trust, (t) => understander.understand(t))).decision).toBe("refuse");
  });
});

describe("words in another role (stop 27)", () => {
  it("'I was going to ask you to open the blind' is asked back, not done", async () => {
    const v = await decideIn("I was going to ask you to open the blind", { profile: "home", area: "Kitchen" });
    expect(v.decision).toBe("ask");
    expect(acts(await decideIn("open the blind", { profile: "home", area: "Kitchen" }))).toBe(true);
  });

  it("a setting hark does not know ('to my reading level') is refused with its words", async () => {
    const v = await decideIn("dim the floor lamp to my reading level", { profile: "home", area: "Living Room" });
    expect(v.decision).toBe("refuse");
    if (v.decision === "refuse") expect(v.detail).toBe("to my reading level");
  });

  it("daylight is no lamp: 'it's still light out' changes nothing; 'lights out' still turns them off", async () => {
    expect(acts(await decideIn("it's still light out", { profile: "home", area: "Kitchen" }))).toBe(false);
    expect(acts(await decideIn("lights out", { profile: "home", area: "Kitchen" }))).toBe(true);
  });

  it("a request quoted as a title is not carried out; a timer's own name is its value", async () => {
    const v = await decideIn("I'm writing a song called Turn On the Pendants.", { profile: "home", area: "Kitchen" });
    expect(v.decision).toBe("refuse");
    expect(acts(await decideIn("set a timer called oven for 20 minutes", { profile: "home", area: "Kitchen" }))).toBe(true);
    // (a title after the request names nothing it asks for)
    const next = await decideIn("next track, this one's called Lights", { profile: "car", seat: "driver" });
    expect(next.decision === "refuse" && next.reason === "statement").toBe(false);
  });

  it("'a hot one' holds no number 1: the window opens halfway as asked", async () => {
    const v = await decideIn("open the rear right window halfway, it's a hot one", { profile: "car", seat: "rear_right" });
    expect(v.decision).toBe("act");
    if (v.decision === "act") expect(v.intents[0]?.slots.percent).toBe(50);
  });

  it("'before I forget' is now; 'I can't see where I'm going' asks nothing; the time now said as a reason is no delay", async () => {
    expect((await decideIn("turn on the washing machine before I forget", { profile: "home", area: "Kitchen" })).decision).not.toBe("refuse");
    expect((await decideIn("turn on the washing machine before I go", { profile: "home", area: "Kitchen" })).decision).toBe("refuse");
    const dark = await decideIn("QUICK quick turn the lights on, I can't see where I'm going!", { profile: "home", area: "Living Room" });
    expect(dark.decision).toBe("act");
    const late = await decideIn("dim the kitchen lights, it's 3am and they're blinding", { profile: "home", area: "Kitchen" });
    expect(late.decision).toBe("act");
    const later = await decideIn("dim the kitchen lights at 3am", { profile: "home", area: "Kitchen" });
    expect(later.decision).not.toBe("act");
  });

  it("a reason, then two requests joined by 'and': both are done", async () => {
    const v = await decideIn("I'm nodding off. AC on, and open my window halfway", { profile: "car", seat: "driver" });
    expect(v.decision).toBe("act");
    if (v.decision === "act") expect(v.intents.map((i) => i.intent)).toEqual(["CabinClimate", "CabinWindow"]);
  });

  it("a simile names no room: 'it's like an interrogation room in here' is no unknown room", async () => {
    const v = await decideIn("big light off please, it's like an interrogation room in here", { profile: "home", area: "Living Room" });
    expect(v.decision === "refuse" && v.reason === "unknown_area").toBe(false);
  });
});

describe("doubtful readings are asked back", () => {
  it("an SLM reading below its risk class's probability is asked, not acted on", async () => {
    const text = "lock the front door";
    const u: Understanding = { text, intents: [{ intent: "HassTurnOn", slots: { name: "Front Door" }, confidence: 0.9, source: "slm" }] };
    const v = await judge({ text, understanding: u, deviceFacts: () => ({ domain: "lock" }) }, trust);
    expect(v).toMatchObject({ decision: "ask", reason: "unsure_nlu", risk: "high" });
    const low = await judge({ text: "turn on the desk lamp", understanding: { text: "turn on the desk lamp", intents: [{ intent: "HassTurnOn", slots: { name: "Desk Lamp" }, confidence: 0.95, source: "slm" }] } }, trust);
    expect(low.decision).toBe("act");
  });

  it("weak ASR evidence asks back with the competing reading; very weak evidence refuses", async () => {
    const text = "turn off the kitchen lights";
    const u = await understander.understand(text);
    const ask = await judge({ text, understanding: u, asr: { score: 0.3, competitor: "turn on the kitchen lights" } }, trust);
    expect(ask.decision).toBe("ask");
    if (ask.decision === "ask") expect(ask.prompt).toContain("turn on the kitchen lights");
    expect((await judge({ text, understanding: u, asr: { score: 0.05 } }, trust)).decision).toBe("refuse");
    expect((await judge({ text, understanding: u, asr: { score: 0.99 } }, trust)).decision).toBe("act");
  });
});

describe("in a running hark", () => {
  let rt: HarkRuntime;
  const said: Answer[] = [];
  beforeAll(async () => {
    const config = resolveConfig(configSchema.parse({ speech: { enabled: false }, log_level: "silent" }));
    rt = await HarkRuntime.start({ config, logger: pino({ level: "silent" }), understander, onAnswer: (a) => said.push(a) });
  });
  afterAll(async () => rt?.stop());
  const say = async (session: string, text: string) => {
    await rt.resetSessions();
    return rt.handle({ session, text });
  };
  /** The commands sent, as "device:action", with the route's kind or the temperature set ("=21"). */
  const sent = (a: Answer[]) => a.flatMap((x) => x.commands ?? []).map((c) => `${c.device}:${c.action}${c.params?.poi_type ? `=${c.params.poi_type}` : ""}${c.params?.temperature !== undefined ? `=${c.params.temperature}` : ""}`);

  it("a new request during a confirmation replaces it, and the answer says so", async () => {
    await rt.resetSessions();
    const first = await rt.handle({ session: "kitchen", text: "unlock the back door" });
    expect(first[0]!.kind).toBe("prompt");
    const next = await rt.handle({ session: "kitchen", text: "turn on the kitchen lights" });
    expect(next[0]!.commands?.map((c) => c.device).sort()).toEqual(["light.kitchen_pendants", "light.kitchen_under_cabinet"]);
    expect(next[0]!.speech).toMatch(/dropped the earlier request to unlock the Back Door/);
    expect(rt.devices.bus.state("lock.back_door")?.state).toBe("LOCKED");
  });

  it("'turn off the radio' said in the kitchen turns off the kitchen's player on the broker", async () => {
    const a = await say("kitchen", "turn off the radio");
    expect(a.flatMap((x) => x.commands ?? []).map((c) => `${c.device}:${c.action}`)).toEqual(["media_player.kitchen_speaker:turn_off"]);
  });

  it("a follow-up's number with a unit its slot cannot take changes nothing ('sorry, 21 percent' after a temperature)", async () => {
    await rt.resetSessions();
    await rt.handle({ session: "driver", text: "set my side to 22" });
    const again = await rt.handle({ session: "driver", text: "sorry, 21 percent" });
    expect(again.flatMap((a) => a.commands ?? []).map((c) => c.params?.temperature)).not.toContain(21);
    const right = await rt.handle({ session: "driver", text: "sorry, 21 degrees" });
    expect(right.flatMap((a) => a.commands ?? []).map((c) => [c.device, c.params?.temperature])).toEqual([["hvac.driver", 21]]);
  });

  it("'no wait stop, close it' after opening a window closes that window", async () => {
    await rt.resetSessions();
    await rt.handle({ session: "rear-left", text: "open the rear left window" });
    const again = await rt.handle({ session: "rear-left", text: "no wait stop close it" });
    expect(again.flatMap((x) => x.commands ?? []).map((c) => `${c.device}:${c.action}`)).toEqual(["window.rear_left:close"]);
  });

  it("a follow-up that corrects the value ('sorry, 21') sets it; one that starts with a filler ('oh and bread too') adds what it names", async () => {
    await rt.resetSessions();
    await rt.handle({ session: "driver", text: "set my side to 22" });
    const again = await rt.handle({ session: "driver", text: "sorry, 21" });
    expect(again.flatMap((a) => a.commands ?? []).map((c) => [c.device, c.params?.temperature])).toEqual([["hvac.driver", 21]]);
    await rt.handle({ session: "kitchen", text: "add eggs to the shopping list" });
    const more = await rt.handle({ session: "kitchen", text: "oh and bread too" });
    expect(more[0]!.speech).toMatch(/Added bread to/);
  });

  it("follow-ups that correct, repeat or step back: 'I meant 21', 'this one too', 'a bit less', 'no, I said the kitchen', 'ok close it now'", async () => {
    await rt.resetSessions();
    await rt.handle({ session: "living-room", text: "set the nest to 20" });
    expect(sent(await rt.handle({ session: "living-room", text: "sorry, I meant 21" }))).toEqual(["climate.main_thermostat:set_temperature=21"]);
    await rt.resetSessions();
    await rt.handle({ session: "passenger", text: "skip this song" });
    expect(sent(await rt.handle({ session: "passenger", text: "ugh, this one too" }))).toEqual(["media.car_audio:media_next"]);
    await rt.resetSessions();
    await rt.handle({ session: "passenger", text: "turn the music up" });
    const less = await rt.handle({ session: "passenger", text: "hmm ok, a bit less" });
    expect(less.flatMap((x) => x.commands ?? []).map((c) => [c.action, c.params?.delta])).toEqual([["adjust_volume", expect.any(Number)]]);
    expect(Number(less.flatMap((x) => x.commands ?? [])[0]?.params?.delta)).toBeLessThan(0);
    await rt.resetSessions();
    await rt.handle({ session: "living-room", text: "turn off the lights in the hall" });
    expect(sent(await rt.handle({ session: "living-room", text: "no, I said the kitchen" })).sort()).toEqual(["light.kitchen_pendants:turn_off", "light.kitchen_under_cabinet:turn_off"]);
    await rt.resetSessions();
    await rt.handle({ session: "rear-right", text: "open my window all the way" });
    expect(sent(await rt.handle({ session: "rear-right", text: "ok close it now" }))).toEqual(["window.rear_right:close"]);
    await rt.resetSessions();
    await rt.handle({ session: "passenger", text: "open the passenger window halfway" });
    expect(sent(await rt.handle({ session: "passenger", text: "Actually close it again, it's cold." }))).toEqual(["window.passenger:close"]);
  });

  it("'yeah go ahead' confirms; 'not the pendants, the cabinet lights' corrects; 'lock it anyway' after a question locks it", async () => {
    await rt.resetSessions();
    expect((await rt.handle({ session: "living-room", text: "unlock the front door" }))[0]!.kind).toBe("prompt");
    expect(sent(await rt.handle({ session: "living-room", text: "yeah go ahead" }))).toEqual(["lock.front_door:unlock"]);
    await rt.resetSessions();
    await rt.handle({ session: "kitchen", text: "turn on the pendants" });
    expect(sent(await rt.handle({ session: "kitchen", text: "wait, not the pendants, the cabinet lights" }))).toEqual(["light.kitchen_under_cabinet:turn_on"]);
    await rt.resetSessions();
    await rt.handle({ session: "kitchen", text: "is the back door locked?" });
    expect(sent(await rt.handle({ session: "kitchen", text: "lock it anyway" }))).toEqual(["lock.back_door:lock"]);
  });

  it("the garage is its door; 'take me to the hospital' is the nearest; a follow-up's reason is left out ('no, a rest area, I need to sleep', 'no, 19, sorry, I'm half asleep')", async () => {
    expect(sent(await say("living-room", "the dog got out, close the garage!!"))).toEqual(["cover.garage_door:close"]);
    expect((await say("living-room", "open the garage"))[0]!.speech).toMatch(/Garage Door/);
    expect(sent(await say("driver", "take us to the hospital, he's having chest pains"))).toEqual(["navigation.car:navigate=hospital"]);
    await rt.resetSessions();
    await rt.handle({ session: "driver", text: "navigate to the nearest coffee shop" });
    expect(sent(await rt.handle({ session: "driver", text: "no, a rest area, I need to sleep" }))).toEqual(["navigation.car:navigate=rest_area"]);
    await rt.resetSessions();
    await rt.handle({ session: "living-room", text: "set the nest to 21" });
    expect(sent(await rt.handle({ session: "living-room", text: "no, 19, sorry, I'm half asleep" }))).toEqual(["climate.main_thermostat:set_temperature=19"]);
  });

  it("a car device named for what it cannot do is not stood in for by the car's player", async () => {
    const a = await say("rear-right", "Rear right window up please, it's raining cats and dogs.");
    expect(a.flatMap((x) => x.commands ?? []).map((c) => c.device)).not.toContain("media.car_audio");
  });

  it("an unclear answer to a confirmation asks again, then does nothing", async () => {
    await rt.resetSessions();
    await rt.handle({ session: "kitchen", text: "unlock the back door" });
    expect((await rt.handle({ session: "kitchen", text: "hmm blah" }))[0]!.speech).toMatch(/^Please say yes or no/);
    const last = await rt.handle({ session: "kitchen", text: "blah blah" });
    expect(last[0]!.speech).toBe("Okay, I won't do that.");
    expect(last.flatMap((a) => a.commands ?? [])).toEqual([]);
  });

  it("a scheduled request runs when its time comes, not before", async () => {
    said.length = 0;
    const now = await say("kitchen", "turn on the kitchen speaker in 1 second");
    expect(now[0]!.trust).toMatchObject({ decision: "schedule" });
    expect(now.flatMap((a) => a.commands ?? [])).toEqual([]);
    expect(rt.scheduler.pending).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 1600));
    const later = said.find((a) => a.scheduled);
    expect(later?.commands?.map((c) => c.device)).toEqual(["media_player.kitchen_speaker"]);
  });

  it("answers a state question from the devices", async () => {
    await say("kitchen", "lock the back door");
    const a = await say("kitchen", "is the back door locked");
    expect(a[0]!.speech).toBe("Yes, the Back Door is locked.");
    expect(a[0]!.commands).toBeUndefined();
  });

  it("'the lights in here except the floor lamp' turns off the room's other lights on the broker, never the lamp", async () => {
    await say("living-room", "turn on the lights in here");
    const a = await say("living-room", "turn off the lights in here except the floor lamp");
    const cmds = a.flatMap((x) => x.commands ?? []);
    const lights = rt.devices.catalog.find({ area: "living_room", domain: "light" }).map((d) => d.id);
    expect(cmds.map((c) => c.device).sort()).toEqual(lights.filter((id) => id !== "light.living_room_floor_lamp").sort());
    expect(cmds.every((c) => c.action === "turn_off")).toBe(true);
    expect(rt.devices.bus.state("light.living_room_floor_lamp")?.state).toBe("ON");
  });

  it("a follow-up takes the previous room only when the user names none", async () => {
    await rt.resetSessions();
    await rt.handle({ session: "living-room", text: "turn on the kitchen lights" });
    const next = await rt.handle({ session: "living-room", text: "turn off the lights in the office" });
    expect(next[0]!.commands?.map((c) => c.device).sort()).toEqual(["light.office_desk_lamp"]);
    const attic = await rt.handle({ session: "living-room", text: "turn on the lights in the attic" });
    expect(attic.flatMap((a) => a.commands ?? [])).toEqual([]);
    expect(attic[0]!.speech).toMatch(/no attic/);
  });
});

describe("an intent nothing can carry out never claims success", () => {
  it("a grammar intent without a device says so and sends nothing", async () => {
    const dir = tmpFiles({
      "teleport.yaml": 'language: en\nintents:\n  HarkTeleport:\n    responses: { default: "Teleporting you" }\n    data:\n      - sentences: ["teleport me [to the moon]"]\n',
    });
    const grammar = [join(process.cwd(), "grammars", "en"), dir];
    const config = resolveConfig(configSchema.parse({ speech: { enabled: false }, log_level: "silent", grammar: undefined }));
    const rt = await HarkRuntime.start({ config: { ...config, grammar: grammar as never }, logger: pino({ level: "silent" }) });
    try {
      const a = await rt.handle({ session: "living-room", text: "teleport me to the moon" });
      expect(a[0]!.speech).not.toMatch(/Teleporting/);
      expect(a[0]!.speech).toMatch(/nothing here can do that/);
      expect(a.flatMap((x) => x.commands ?? [])).toEqual([]);
    } finally {
      await rt.stop();
    }
  });
});

describe("something left out: 'all the lights except …'", () => {
  const at = (text: string, area: string) => decideIn(text, { profile: "home", area });

  it("carries the request out on its devices but the one left out, each named", async () => {
    const v = await at("turn off the lights in here except the floor lamp", "Living Room");
    expect(v.decision).toBe("act");
    if (v.decision !== "act") return;
    expect(v.intents.length).toBeGreaterThan(0);
    expect(v.intents.every((i) => i.intent === "HassTurnOff" && typeof i.slots.name === "string")).toBe(true);
    expect(v.intents.map((i) => i.slots.name)).toContain("Ceiling Light");
    expect(v.intents.map((i) => i.slots.name)).not.toContain("Floor Lamp");
  });

  it("a thing left out that is not among the request's devices changes nothing", async () => {
    const v = await at("turn on the lights in here but not the pendants", "Living Room");
    expect(v.decision).toBe("act");
    if (v.decision === "act") expect(v.intents.map((i) => [i.intent, i.slots.domain])).toEqual([["HassTurnOn", "light"]]);
  });

  it.each([
    ["turn off the lights except the dining room", "refuse"],
    ["turn off the lights in here except the kettle", "refuse"],
  ])("%s → %s: what is left out must be something this home has", async (t, d) => {
    const v = await at(t, "Living Room");
    expect(v.decision).toBe(d);
  });

  it("'… but leave the pendants on' leaves the pendants out of the request", async () => {
    const v = await at("turn off the lights in here but leave the pendants on", "Kitchen");
    expect(v.decision).toBe("act");
    if (v.decision !== "act") return;
    expect(v.intents.map((i) => [i.intent, i.slots.name])).toEqual([["HassTurnOff", "Under Cabinet Lights"]]);
    // said alone it still changes nothing
    expect((await at("leave the pendants on", "Kitchen")).decision).not.toBe("act");
  });

  it("leaving out everything the request names leaves nothing to do", async () => {
    const v = await at("turn off the floor lamp but not the floor lamp", "Living Room");
    expect(v.decision).toBe("refuse");
    if (v.decision === "refuse") expect(v.reason).toBe("exclusion");
  });
});

describe("frames around a request", () => {
  const at = (text: string, profile: "home" | "car", extra: { area?: string; seat?: string } = {}) => decideIn(text, { profile, ...extra });
  const names = (v: Verdict) => (v.decision === "act" ? v.intents.map((i) => `${i.intent} ${String(i.slots.name ?? "")}`) : v.decision);

  it("a negated request set aside for a request after it: the second is done, nothing of the first", async () => {
    expect(names(await at("don't turn off the lamp, turn off the ceiling light", "home", { area: "Living Room" }))).toEqual(["HassTurnOff Ceiling Light"]);
    // (a reason after it asks for nothing)
    expect((await at("don't open my window, I'm cold", "car", { seat: "driver" })).decision).not.toBe("act");
  });

  it("a greeting or an apology for the bother in front of a request is neither a correction nor a negation", async () => {
    expect(names(await at("sorry to bother you but could you switch on the porch light we are expecting a taxi", "home", { area: "Kitchen" }))).toEqual(["HassTurnOn Porch Light"]);
    expect(names(await at("hello um can you turn on the stair lights", "home", { area: "Kitchen" }))).toEqual(["HassTurnOn Stair Lights"]);
    // a bare "sorry" in front still starts a request of its own
    expect((await at("sorry, don't turn on the porch light", "home", { area: "Kitchen" })).decision).not.toBe("act");
  });

  it("'never mind, <request>': the request stands; 'never mind' alone cancels", async () => {
    expect(names(await at("never mind, turn on the coffee maker", "home", { area: "Kitchen" }))).toEqual(["HassTurnOn Coffee Maker"]);
    expect((await at("never mind", "home", { area: "Kitchen" })).decision).toBe("pass");
  });

  it("politeness is no negation or condition; a real condition still is", async () => {
    expect(names(await at("if you don't mind, put the coffee maker on", "home", { area: "Kitchen" }))).toEqual(["HassTurnOn Coffee Maker"]);
    expect((await at("open the kitchen blinds, if you can", "home", { area: "Kitchen" })).decision).toBe("act");
    const v = await at("if you can't hear me, open the kitchen blinds", "home", { area: "Kitchen" });
    expect(v.decision === "refuse" && v.reason).toBe("condition");
  });

  it("'nobody turn off …' is a negation", async () => {
    const v = await at("nobody turn off the stair lights, we're still carrying boxes up", "home", { area: "Hallway" });
    expect(v.decision === "refuse" && v.reason).toBe("negation");
  });

  it("an amount said in another clause is the request's: not done without it", async () => {
    expect((await at("just a quarter, open the rear right window", "car", { seat: "rear_right" })).decision).not.toBe("act");
  });

  it("a reason or purpose said after the request: the request is done", async () => {
    expect(names(await at("fire up the printer i need to print a boarding pass", "home", { area: "Office" }))).toEqual(["HassTurnOn Printer"]);
    expect(names(await at("turn on the stair lights so nobody trips", "home", { area: "Hallway" }))).toEqual(["HassTurnOn Stair Lights"]);
    expect(names(await at("so I can see what I'm chopping, turn on the floor lamp", "home", { area: "Living Room" }))).toEqual(["HassTurnOn Floor Lamp"]);
  });
});

describe("numbers, questions and players said the way people say them (stop 26)", () => {
  const at = (text: string, profile: "home" | "car", extra: { area?: string; seat?: string } = {}) => decideIn(text, { profile, ...extra });
  const names = (v: Verdict) => (v.decision === "act" ? v.intents.map((i) => `${i.intent} ${String(i.slots.name ?? i.slots.seat ?? "")}`) : v.decision);

  it("a number said with a unit it cannot be is no value: 'twenty percent' is no temperature, 'minus ten' no volume", async () => {
    expect((await at("set the heat pump to twenty percent", "home", { area: "Bedroom" })).decision).not.toBe("act");
    expect((await at("set the heat pump to twenty degrees", "home", { area: "Bedroom" })).decision).toBe("act");
    expect((await at("the volume set it to minus ten", "car", { seat: "driver" })).decision).not.toBe("act");
    expect(normalizeTokens("set it to -10")).toEqual(normalizeTokens("set it to minus ten"));
  });

  it("a fraction said besides another amount the reading holds is not dropped ('crack my window a quarter')", async () => {
    expect((await at("crack my window uh a quarter", "car", { seat: "driver" })).decision).not.toBe("act");
    expect((await at("open my window a quarter", "car", { seat: "driver" })).decision).toBe("act");
  });

  it("an article grounds a number only before its unit: the 'a' of 'set a timer' is no second", async () => {
    const text = "pasta's in set a timer for eleven minutes call it pasta";
    const guess = (slots: IntentResult["slots"]): Understanding => ({ text, intents: [{ intent: "HassStartTimer", slots, confidence: 0.99, source: "slm" }] });
    expect(acts(await decide(text, "home", guess({ minutes: 11, seconds: 1, name: "pasta" })))).toBe(false);
    expect(acts(await decide(text, "home", guess({ minutes: 11, name: "pasta" })))).toBe(true);
    const half = "timer a minute and a half for the eggs";
    const v = await decide(half, "home", { text: half, intents: [{ intent: "HassStartTimer", slots: { minutes: 1, seconds: 30, name: "eggs" }, confidence: 0.99, source: "slm" }] });
    expect(acts(v)).toBe(true);
  });

  it("a number said inside an idiom is no value, even word for word ('crank it up to eleven')", async () => {
    expect((await at("crank it up to eleven", "car", { seat: "driver" })).decision).not.toBe("act");
    expect((await at("set the volume to 40", "car", { seat: "driver" })).decision).toBe("act");
  });

  it("a guessed reading that lost a place or kind said is not acted on (readings a retrained model made)", async () => {
    const guess = async (text: string, intent: IntentResult, session: NonNullable<Parameters<typeof judge>[0]["session"]>) =>
      judge({ text, understanding: { text, intents: [intent] }, session }, trust, (t) => understander.understand(t));
    const slm = (intent: string, slots: IntentResult["slots"]): IntentResult => ({ intent, slots, confidence: 0.97, source: "slm" });
    const living = { profile: "home" as const, area: "Living Room" };
    // the words after "in the" are where, never a reason: "granny flat" is a room this home lacks
    expect((await guess("can you turn on the lights in the granny flat", slm("HassTurnOn", { domain: "light", area: "Living Room" }), living)).decision).not.toBe("act");
    // a row the car does not have is no zone
    expect((await guess("set the temperature in the third row to 20", slm("CabinSetTemperature", { temperature: 20 }), { profile: "car", seat: "driver" })).decision).not.toBe("act");
    expect((await guess("set the temperature in the back row to 20", slm("CabinSetTemperature", { temperature: 20, zone: "rear" }), { profile: "car", seat: "driver" })).decision).toBe("act");
    // the lamp was asked for, the tv read
    expect((await guess("I'm watching the tv, turn off the lamp, there's glare on the screen", slm("HassTurnOff", { name: "Living Room TV" }), living)).decision).not.toBe("act");
    // a warmer colour is no brighter light
    expect((await guess("make the big light a warmer colour", slm("LightAdjustBrightness", { name: "Ceiling Light", direction: "brighter" }), living)).decision).not.toBe("act");
    // "here" is the speaker's room, whatever room the reason names
    const out = "turn off the lights in here, we're all going out to the garden";
    expect((await guess(out, slm("HassTurnOff", { domain: "light", area: "Garden" }), living)).decision).not.toBe("act");
    const v = await guess(out, slm("HassTurnOff", { domain: "light", area: "Living Room" }), living);
    expect(v.decision).toBe("act");
  });

  it("'can I open my window' asks leave, not hark; 'can I have the lights on' asks hark", async () => {
    expect((await at("can I open my window from back here", "car", { seat: "rear_left" })).decision).not.toBe("act");
    expect((await at("can i have the kitchen lights on", "home", { area: "Kitchen" })).decision).toBe("act");
  });

  it("a complaint said as the reason leaves the request as it is ('…, my legs are cold')", async () => {
    expect(names(await at("turn on the rear left seat heater, my legs are cold", "car", { seat: "rear_left" }))).toEqual(["CabinSeatHeating rear_left"]);
  });

  it("'turn on the radio' in a room without a player called so does nothing", async () => {
    const w = await at("turn on the radio", "home", { area: "Living Room" });
    expect(w.decision === "refuse" && w.reason).toBe("wrong_place");
  });
});

describe("the development trust set", () => {
  const file = join(process.cwd(), "test", "fixtures", "trust", "dev.jsonl");
  it("no wrong action; controls act on exactly the right devices (≥ 98 %)", async () => {
    const items = loadTrustSet(file);
    expect(items.length).toBeGreaterThanOrEqual(150);
    const r = await runTrustSet(items, "dev", { understander });
    const wrong = r.results.filter((x) => x.wrongAction).map((x) => `${x.id}: ${x.sent.join(",")}`);
    expect(wrong).toEqual([]);
    expect(r.controls.total).toBeGreaterThanOrEqual(50);
    expect(r.controls.percent, JSON.stringify(r.errors.filter((e) => e.category === "control").map((e) => e.id))).toBeGreaterThanOrEqual(98);
  }, 300_000);

  it("its file is valid: every line an item, devices that exist", () => {
    const devices = new Set(DeviceCatalog.load(TRUST_DEVICES).devices.map((d) => d.id));
    const listed = (x: "none" | Array<{ device: string }> | undefined) => (x === undefined || x === "none" ? [] : x);
    for (const item of loadTrustSet(file)) for (const c of [...listed(item.expect), ...listed(item.also_ok)]) expect(devices.has(c.device), `${item.id}: ${c.device}`).toBe(true);
  });
});
