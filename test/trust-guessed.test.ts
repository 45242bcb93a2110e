// The trust policy on guessed readings (an SLM's, a tolerant match's) that a model read confidently but
// wrongly: each reading here is one a trained model gave for these words. The policy must not act on
// it; the same words read right (or said plainly) still act. Shipped grammar, devices and cascade.
import { describe, expect, it } from "vitest";
import type { IntentResult, Understanding } from "../src/nlu/types.js";
import { judge, resolveTrustConfig, type Verdict } from "../src/trust/index.js";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { hark } from "./helpers/cli.js";
import { shippedTrust } from "./helpers/trust.js";

const shipped = shippedTrust();

const slm = (intent: string, slots: IntentResult["slots"]): IntentResult => ({ intent, slots, confidence: 0.99, source: "slm" });

/** The verdict on these words, read as `intents` (or as the cascade reads them). */
async function decide(text: string, profile: "home" | "car", intents?: IntentResult[]): Promise<Verdict> {
  const { understander, trust } = shipped;
  const understanding: Understanding = intents ? { text, intents } : await understander.understand(text);
  return judge({ text, understanding, session: { profile } }, trust, (t) => understander.understand(t));
}
const acted = (v: Verdict) => (v.decision === "act" ? v.intents : []);

describe("a guessed reading holds every place in the car said", () => {
  it("a seat or window said and not read is refused, naming the words", async () => {
    const two = await decide("the driver window at the back right close", "car", [slm("CabinWindow", { action: "close", window: "rear_right" })]);
    expect(two).toMatchObject({ decision: "refuse", reason: "ungrounded", detail: "driver" });
    // one place said and another read: the place said fills the slot
    const [back] = acted(await decide("open the windows at the back", "car", [slm("CabinWindow", { action: "open", window: "driver" })]));
    expect(back?.slots.window).toBe("rear");
  });

  it("a word before 'window' that names no place, or 'a window', is no place the reading may fill in", async () => {
    const homophone = await decide("open the rear write window", "car", [slm("CabinWindow", { action: "open", window: "rear" })]);
    expect(homophone).toMatchObject({ decision: "refuse", detail: "write window" });
    const some = await decide("open a window", "car", [slm("CabinWindow", { action: "open" })]);
    expect(some).toMatchObject({ decision: "refuse", detail: "a window" });
  });

  it("the same words read right still act", async () => {
    expect(acted(await decide("the back right window close please", "car", [slm("CabinWindow", { action: "close", window: "rear_right" })]))).toHaveLength(1);
    expect(acted(await decide("could you open the passenger window", "car", [slm("CabinWindow", { action: "open", window: "passenger" })]))).toHaveLength(1);
    // "my" is the speaker's own place wherever they sit, not the driver's
    expect(acted(await decide("heat my seat please", "car", [slm("CabinSeatHeating", { level: 3 })])).length).toBeLessThanOrEqual(1);
  });

  it("'all the way' names no window called all", async () => {
    const v = await decide("window down all the way!!", "car", [slm("CabinWindow", { action: "open", window: "all", percent: 100 })]);
    for (const i of acted(v)) expect(i.slots.window).not.toBe("all");
  });
});

describe("words that change what a guessed reading asks for", () => {
  it("a fraction after a direction is a change by it, not where to ('down a quarter'); 'a quarter of the way' is where to", async () => {
    const by = await decide("put the window down a quarter", "car", [slm("CabinWindow", { action: "open", percent: 25 })]);
    expect(by).toMatchObject({ decision: "refuse", reason: "ungrounded", detail: "down a quarter" });
    const to = await decide("let the window down a quarter of the way", "car", [slm("CabinWindow", { action: "open", percent: 25 })]);
    expect(to.decision === "refuse" ? to.detail : undefined).not.toBe("down a quarter");
  });

  it("what someone else says is not a request to hark", async () => {
    const v = await decide("the driver says open all the windows", "car", [slm("CabinWindow", { action: "open", window: "all" })]);
    expect(v).toMatchObject({ decision: "refuse", reason: "statement" });
    const song = await decide("roll down the window and feel the breeze, that's what the song says", "car", [slm("CabinWindow", { action: "open" })]);
    expect(song.decision).toBe("refuse");
  });

  it("a change read as a question is neither done nor answered", async () => {
    const v = await decide("put the kitchen lights on", "home", [slm("HassGetState", { area: "Kitchen", domain: "light", state: "on" })]);
    expect(v).toMatchObject({ decision: "refuse", reason: "question" });
    // asked as a question, it is reported on
    const asked = await decide("are the kitchen lights on", "home", [slm("HassGetState", { area: "Kitchen", domain: "light", state: "on" })]);
    expect(asked.decision).toBe("act");
  });

  it("readings contrary to the words are never acted on", async () => {
    expect((await decide("turn on off the tv", "home", [slm("HassTurnOn", { name: "Living Room TV" })])).decision).not.toBe("act");
    expect((await decide("make the kitchen darker", "home", [slm("HassTurnOn", { area: "Kitchen", domain: "light" })])).decision).not.toBe("act");
    expect((await decide("turn off the ac and turn on the heat", "car", [slm("CabinClimate", { feature: "ac", state: "off" }), slm("CabinAdjustTemperature", { direction: "cooler" })])).decision).not.toBe("act");
    // the heat turned up is warmer
    expect(acted(await decide("turn the heat up a bit", "car", [slm("CabinAdjustTemperature", { direction: "warmer" })]))).toHaveLength(1);
  });
});

describe("read by the cascade", () => {
  it("a room called by a word before 'room' that this home does not have is refused by name", async () => {
    expect(await decide("put the lights on in the cinema room", "home")).toMatchObject({ decision: "refuse", reason: "unknown_area", detail: "cinema room" });
    expect(acted(await decide("turn on the lights in the kitchen", "home")).length).toBeGreaterThan(0);
  });

  it("a delay without its amount is refused, never done now", async () => {
    expect(await decide("in a few minutes turn on the kitchen lights", "home")).toMatchObject({ decision: "refuse", reason: "vague_time" });
  });

  it("'by 10' after a direction is an amount, not a time, when nothing else was understood", async () => {
    const v = await decide("turn the volume up by 10", "car", []);
    expect(v.decision).not.toBe("act");
  });

  it("the lights of every room are every light, not this room's", async () => {
    const [i] = acted(await decide("turn off the lights in every room", "home"));
    expect(i).toMatchObject({ intent: "HassTurnOff", slots: { domain: "light" } });
    expect(i?.slots.area).toBeUndefined();
  });

  it("a request going on from before ('and put …', '… while you're at it') is read as the request", async () => {
    const [i] = acted(await decide("and turn off the kitchen lights while you're at it", "home"));
    expect(i).toMatchObject({ intent: "HassTurnOff", slots: { area: "Kitchen" } });
  });

  it("part of the way read as all the way is refused; the amount said in another clause is not this one's", async () => {
    const blind = await decide("lower the blind some", "home", [slm("HassTurnOff", { domain: "cover", device_class: "blind" })]);
    expect(blind).toMatchObject({ decision: "refuse", reason: "ungrounded", detail: "some" });
    const usual = await decide("open my window the usual amount", "car", [slm("CabinWindow", { action: "open", window: "driver" })]);
    expect(usual).toMatchObject({ decision: "refuse", detail: "the usual amount" });
    // "a bit" belongs to the heat, not to the window
    const both = await decide("close my window and turn up the heat a bit", "car", [slm("CabinWindow", { action: "close" }), slm("CabinAdjustTemperature", { direction: "warmer" })]);
    expect(both.decision).not.toBe("refuse");
  });

  it("a device this home does not have, named by a word no device here holds, is refused by name", async () => {
    const side = await decide("lock the left door", "home", [slm("HassTurnOn", { domain: "lock" })]);
    expect(side).toMatchObject({ decision: "refuse", detail: "left door" });
    // the same kind of device named as the home names it still acts
    expect(acted(await decide("lock the front door", "home", [slm("HassTurnOn", { name: "Front Door" })]))).toHaveLength(1);
  });

  it("a 'no' run into a guessed request is asked back, never acted on; 'no, …' with its comma is a request", async () => {
    const run = await decide("no make more cold for me", "car", [slm("CabinAdjustTemperature", { direction: "cooler" })]);
    expect(run.decision).toBe("ask");
    expect(acted(await decide("no, turn off the lights in the kitchen", "home", [slm("HassTurnOff", { domain: "light", area: "Kitchen" })]))).toHaveLength(1);
  });

  it("a bare number after 'off' is a time, never a value ('turn the lights of at eleven')", async () => {
    const v = await decide("turn the lights of at eleven", "home", [slm("HassLightSet", { brightness: 11 })]);
    expect(v.decision).not.toBe("act");
    expect(("intents" in v ? v.intents : []).some((i) => i.slots.brightness === 11)).toBe(false);
  });

  it("a request waiting for something to end is refused as a condition", async () => {
    const v = await decide("turn off the floor lamp when the movie's over", "home", [slm("HassTurnOff", { name: "Floor Lamp" })]);
    expect(v).toMatchObject({ decision: "refuse", reason: "condition" });
  });

  it("values by comparison, conditions on people and vague items are refused with their words; what is left out is left out", async () => {
    const loud = await decide("make the tv twice as loud", "home", [slm("MediaAdjustVolume", { name: "Living Room TV", direction: "down" })]);
    expect(loud).toMatchObject({ decision: "refuse", reason: "comparison", detail: "twice as loud" });
    const garden = await decide("turn on the garden lights but leave out the fairy lights", "home", [slm("HassTurnOn", { area: "Garden", domain: "light" })]);
    expect(garden.decision).toBe("act");
    const lit = garden.decision === "act" ? garden.intents.map((i) => i.slots.name) : [];
    expect(lit).toContain("Porch Light");
    expect(lit).not.toContain("String Lights");
    expect(await decide("turn off the bathroom fan unless someone's in there", "home", [slm("HassTurnOff", { area: "Bathroom", domain: "fan" })])).toMatchObject({ decision: "refuse", reason: "condition" });
    expect((await decide("add the stuff for pancakes to the shopping list", "home")).decision).toBe("refuse");
    // for as long as it takes is no condition
    const fan = await decide("run the extractor fan until I tell you to stop", "home", [slm("HassTurnOn", { name: "Extractor Fan" })]);
    expect(fan.decision === "refuse" && fan.reason === "condition").toBe(false);
  });

  it("a request said to someone else by name ('honey, can you …') is theirs", async () => {
    expect(await decide("honey, can you turn the big light off?", "home")).toMatchObject({ decision: "refuse", reason: "statement" });
  });

  it("a lock is locked or unlocked, never by 'close'; a kind of device after a name is another device", async () => {
    const close = await decide("close the back door", "home", [slm("HassTurnOff", { name: "Back Door" })]);
    expect(close.decision).not.toBe("act");
    const light = await decide("turn on the back door light", "home", [slm("HassTurnOn", { name: "Back Door" })]);
    expect(light).toMatchObject({ decision: "refuse", detail: "back door light" });
    // said plainly, it is read (the dialog confirms an unlock before doing it)
    expect(acted(await decide("unlock the back door", "home"))).toHaveLength(1);
  });

  it("a rear seat does not change the front seats' places, unless configured to", async () => {
    const { understander, trust } = shipped;
    const text = "open the driver's window";
    const u = await understander.understand(text);
    const back = await judge({ text, understanding: u, session: { profile: "car", seat: "rear_left" } }, trust);
    expect(back).toMatchObject({ decision: "refuse", reason: "scope", detail: "driver" });
    expect((await judge({ text, understanding: u, session: { profile: "car", seat: "passenger" } }, trust)).decision).toBe("act");
    const both = "open the front windows";
    const front = await judge({ text: both, understanding: await understander.understand(both), session: { profile: "car", seat: "rear_right" } }, trust);
    expect(front).toMatchObject({ decision: "refuse", reason: "scope", detail: "front" });
    const all = { ...trust, config: resolveTrustConfig({ rear_reach: "all" }) };
    expect((await judge({ text, understanding: u, session: { profile: "car", seat: "rear_left" } }, all)).decision).toBe("act");
  });

  it("a rear_reach that is neither rear nor all is one line naming the key, exit 1", () => {
    const file = join(mkdtempSync(join(tmpdir(), "hark-reach-")), "hark.yaml");
    writeFileSync(file, "trust:\n  rear_reach: sometimes\n");
    const r = hark(["run", "--config", file]);
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/trust\.rear_reach/);
  });

  it("a percentage that may be a level out of ten is asked back; a volume said out of a hundred is not", async () => {
    expect((await decide("turn the lights to 7", "home", [slm("HassLightSet", { brightness: 7 })])).decision).toBe("ask");
    expect((await decide("pendants to level 7", "home", [slm("HassLightSet", { name: "Pendant Lights", brightness: 7 })])).decision).toBe("ask");
    expect(acted(await decide("set the pendant lights to 7 percent", "home"))).toHaveLength(1);
    expect(await decide("dim the floor lamp to what it was before", "home", [slm("LightAdjustBrightness", { name: "Floor Lamp", direction: "dimmer" })])).toMatchObject({ decision: "refuse", reason: "comparison" });
  });
});

describe("a guessed reading about the wrong thing, or cut short", () => {
  it("words about another topic and none about the reading's: not done ('stop the directions' read as pausing the music)", async () => {
    const v = await decide("we're here you can stop the directions now", "car", [slm("HassMediaPause", {})]);
    expect(v).toMatchObject({ decision: "refuse", reason: "ungrounded" });
    // the same reading with words of its own topic stands
    expect((await decide("stop the music", "car", [slm("HassMediaPause", {})])).decision).toBe("act");
  });

  it("free text followed by words it could not stop before is cut short: not done", async () => {
    const v = await decide("drive me to my sister's place on maple drive", "car", [slm("NavigateTo", { destination: "maple" })]);
    expect(v).toMatchObject({ decision: "refuse", detail: "maple drive" });
    const whole = await decide("drive me to my sister's place on maple drive", "car", [slm("NavigateTo", { destination: "my sister's place on maple drive" })]);
    expect(whole.decision).not.toBe("refuse");
  });

  it("a cover opens or closes on a word for it; a brightness goes the way its words say; a search needs a word for playing", async () => {
    expect((await decide("draw the patio curtains it's getting dark", "home", [slm("HassTurnOn", { name: "Patio Curtains" })])).decision).not.toBe("act");
    expect((await decide("the sun's right in my eyes drop the roller blind", "home", [slm("HassTurnOn", { name: "Roller Blind" })])).decision).not.toBe("act");
    expect((await decide("too dim in the study bump it up", "home", [slm("LightAdjustBrightness", { area: "Office", direction: "dimmer" })])).decision).not.toBe("act");
    expect((await decide("switch on the air purifier in the bedroom", "home", [slm("HassMediaSearchAndPlay", { search_query: "purifier", area: "Bedroom" })])).decision).not.toBe("act");
    // read the right way, they act
    expect((await decide("the sun's right in my eyes drop the roller blind", "home", [slm("HassTurnOff", { name: "Roller Blind" })])).decision).toBe("act");
    expect((await decide("too dim in the study bump it up", "home", [slm("LightAdjustBrightness", { area: "Office", direction: "brighter" })])).decision).toBe("act");
  });
});

describe("statements, requests passed on, little words as free text", () => {
  it("a statement about a room's colour sets no light ('the kids room is painted blue')", async () => {
    expect((await decide("the kids room is painted blue", "home", [slm("HassLightSet", { area: "Kids Room", color: "blue" })])).decision).not.toBe("act");
    expect((await decide("turn the kids room lights blue", "home")).decision).toBe("act");
  });

  it("'tell the kids to turn the night light off' is passed on to people, not done", async () => {
    const v = await decide("tell the kids to turn the night light off", "home", [slm("HassTurnOff", { name: "Night Light" })]);
    expect(v).toMatchObject({ decision: "refuse", reason: "statement" });
  });

  it("an item of little words only ('to the') is no item", async () => {
    const v = await decide("add to the shopping list", "home", [slm("HassShoppingListAddItem", { item: "to the" })]);
    expect(v).toMatchObject({ decision: "refuse", reason: "ungrounded" });
  });
});

describe("a device switched the other way than its own words; the car named at home", () => {
  it("'big light off, lamp on' read with the big light turned on is not done; read right, it is", async () => {
    const v = await decide("big light off, lamp on", "home", [slm("HassTurnOn", { name: "Ceiling Light" })]);
    expect(v).toMatchObject({ decision: "refuse", detail: "big light off" });
    expect((await decide("big light off", "home", [slm("HassTurnOff", { name: "Ceiling Light" })])).decision).toBe("act");
  });

  it("'set the driver zone to 21' said at home is the car's, not the thermostat's", async () => {
    const v = await decide("set the driver zone to 21", "home", [slm("HassClimateSetTemperature", { temperature: 21 })]);
    expect(v.decision).toBe("refuse");
  });
});
