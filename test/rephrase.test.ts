// A request said with words around it: the matcher reads it without them (src/nlu/rephrase.ts), and
// the trust policy judges what was left out (src/trust/reason.ts). Shipped grammar and devices.
import { beforeAll, describe, expect, it } from "vitest";
import { loadMatcher, loadSources, type IntentResult, type Matcher } from "../src/nlu/index.js";
import { clauses, mindGerund, reasonAfter, topicFirst } from "../src/nlu/rephrase.js";
import { judge, loadTrust, type TrustDeps, type Verdict } from "../src/trust/index.js";

let matcher: Matcher;
let trust: TrustDeps;

beforeAll(async () => {
  matcher = await loadMatcher();
  trust = loadTrust(await loadSources());
});

async function decide(text: string, profile: "home" | "car" = "home"): Promise<Verdict & { understood: IntentResult[] }> {
  const understanding = matcher.understand(text);
  const v = await judge({ text, understanding, session: { profile } }, trust, (t) => matcher.understand(t));
  return { ...v, understood: understanding.intents };
}
/** What hark would act on: the verdict's intents, or the understanding's when the policy passes it. */
const acted = (v: Verdict & { understood: IntentResult[] }) => (v.decision === "act" ? v.intents : v.decision === "pass" ? v.understood : []);

describe("a reason said after the request", () => {
  it("starts at the person it is about, not at the thing before ('open up the garage i'm pulling in')", () => {
    expect(reasonAfter("open up the garage i'm pulling in")).toEqual(["open up the garage", ["i'm", "pulling", "in"]]);
    expect(reasonAfter("fire up the printer i need to print a boarding pass")?.[0]).toBe("fire up the printer");
    expect(reasonAfter("turn on the stair lights so nobody trips")).toEqual(["turn on the stair lights", ["so", "nobody", "trips"]]);
    // ("turn it up so" is no purpose; "the garage's open" still starts at "the")
    expect(reasonAfter("turn the volume up so")).toBeUndefined();
    expect(reasonAfter("close it the garage's open")?.[0]).toBe("close it");
  });

  it("or at someone it is about or for ('… grandpa is sleeping', '… for grandad'), never inside the request", () => {
    expect(reasonAfter("make the music quieter grandpa is sleeping")).toEqual(["make the music quieter", ["grandpa", "is", "sleeping"]]);
    expect(reasonAfter("put the stair lights on for grandad")).toEqual(["put the stair lights on", ["for", "grandad"]]);
    expect(reasonAfter("turn the heating down my wife's boiling")?.[0]).toBe("turn the heating down");
    expect(reasonAfter("put the stair lights on for the party")).toBeUndefined();
  });
});

describe("'would you mind …ing'", () => {
  it("says the verb as such when it is a request's verb", () => {
    expect(mindGerund("would you mind closing the roller blind")).toBe("would you mind close the roller blind");
    expect(mindGerund("do you mind turning off the lights")).toBe("do you mind turn off the lights");
    expect(mindGerund("would you mind putting the heating up")).toBe("would you mind put the heating up");
    expect(mindGerund("would you mind singing a song")).toBeUndefined();
    expect(matcher.understand("would you mind closing the roller blind").intents).toMatchObject([{ intent: "HassTurnOff", slots: { name: "Roller Blind" } }]);
  });
});

describe("a thing said first, then the request pointing back at it", () => {
  it("is said as one request, after greetings and hesitations", () => {
    expect(topicFirst("hello there um the mirror light in the bathroom could you turn it off")).toBe("could you turn the mirror light in the bathroom off");
    expect(topicFirst("the dehumidifier can you turn that off")).toBe("can you turn the dehumidifier off");
  });
  it("never when the first words are a clause, negate or point at nothing", () => {
    expect(topicFirst("the window of the driver, not close it")).toBeUndefined();
    expect(topicFirst("the kitchen is dark turn them on")).toBeUndefined();
    expect(topicFirst("the lights turn on")).toBeUndefined();
    expect(topicFirst("turn it off")).toBeUndefined();
  });
});

describe("free text that runs into a reason; interjections and hurry", () => {
  it("a destination stops where a reason starts; a message keeps its words", () => {
    expect(matcher.understand("take me to the gym i'm late for spin class").intents.map((i) => i.slots.destination)).toEqual(["the gym"]);
    expect(matcher.understand("tell everyone dinner is ready we're eating").intents.map((i) => i.slots.message)).toEqual(["dinner is ready we're eating"]);
  });
  it("'brr', 'ugh', 'quickly' are no words of the request", () => {
    expect(matcher.understand("get me to the nearest hospital quickly").intents.map((i) => i.slots.poi_type)).toEqual(["hospital"]);
    expect(matcher.understand("ugh turn off the kitchen lights").intents.map((i) => i.intent)).toEqual(["HassTurnOff"]);
  });
});

describe("clauses of typed text", () => {
  it("splits at the marks typed text puts between clauses, each with the rest as its reason", () => {
    const c = clauses("kids, shoes off please! ... turn on the stair lights");
    expect(c.map((x) => x.text)).toEqual(["kids", "shoes off please", "turn on the stair lights"]);
    expect(c[2]!.reason).toEqual(["kids", "shoes", "off", "please"]);
  });
  it("finds none in one clause, nor at a decimal point", () => {
    expect(clauses("set the thermostat to 21.5 degrees")).toEqual([]);
  });
});

describe("the matcher reads a request without the words around it", () => {
  it("reads the one clause that is a request", () => {
    const u = matcher.understand("kids, shoes off please! ... turn on the stair lights");
    expect(u.intents).toMatchObject([{ intent: "HassTurnOn", slots: { name: "Stair Lights" } }]);
    expect(u.rephrased?.text).toBe("turn on the stair lights");
  });
  it("reads a request with its reason said before it", () => {
    const u = matcher.understand("the phone's ringing pause the tv");
    expect(u.intents).toMatchObject([{ intent: "HassMediaPause", slots: { name: "Living Room TV" } }]);
    expect(u.rephrased?.reason).toEqual(["the", "phone's", "ringing"]);
  });
  it("reads no clause alone when another clause is a request or goes on with it", () => {
    // "I'm cold" is a request of its own; the window is read without it as the reason after it
    expect(matcher.understand("close my window, I'm cold").intents.map((i) => i.intent)).not.toContain("CabinAdjustTemperature");
    for (const t of ["turn off the tv, the ceiling light and the floor lamp", "lock the front door would you, and uh the back door too", "heat up the steering wheel, my hands are frozen"]) {
      const u = matcher.understand(t);
      expect(u.rephrased === undefined || u.intents.length !== 1, t).toBe(true);
    }
  });
  it("reads clauses that go on with a request as one", () => {
    const list = matcher.understand("switch off the coffee maker, the pendants, and the kitchen radio");
    expect(list.intents.map((i) => i.slots.name)).toEqual(["Coffee Maker", "Pendant Lights", "Kitchen Speaker"]);
    expect(matcher.understand("turn off the tv, turn on the porch light").intents.map((i) => i.intent)).toEqual(["HassTurnOff", "HassTurnOn"]);
    // a correction in between is no list: the trust policy repairs it
    expect(matcher.understand("turn on the kitchen lights, no, the hallway lights").intents).toEqual([]);
  });
  it("ends free text at a typed clause that is a reason, not at a message's own clause", () => {
    expect(matcher.understand("take me to work, I'm already late").intents).toMatchObject([{ intent: "NavigateTo", slots: { destination: "work" } }]);
    expect(matcher.understand("tell everyone dinner is ready, come down").intents).toMatchObject([{ intent: "HassBroadcast", slots: { message: "dinner is ready come down" } }]);
  });
  it("leaves the place to a reason that names one", () => {
    // "turn on the lights" takes the satellite's room; the kitchen was named in the reason
    expect(matcher.understand("the kitchen is too dark turn on the lights").rephrased).toBeUndefined();
  });
});

describe("the trust policy judges the words left out", () => {
  it("acts when they change nothing", async () => {
    expect(acted(await decide("kids, shoes off please! ... turn on the stair lights"))).toMatchObject([{ intent: "HassTurnOn", slots: { name: "Stair Lights" } }]);
    expect(acted(await decide("the phone's ringing pause the tv"))).toMatchObject([{ intent: "HassMediaPause" }]);
  });
  it("never acts on what they take back or negate", async () => {
    for (const t of ["turn on the kitchen lights, no wait", "turn on the kitchen lights, actually don't", "turn off the tv, just kidding"])
      expect((await decide(t)).decision, t).toBe("refuse");
  });
  it("repairs what they correct", async () => {
    expect(acted(await decide("turn on the kitchen lights, no, the hallway lights"))).toMatchObject([{ intent: "HassTurnOn", slots: { area: "Hallway" } }]);
    expect(acted(await decide("navigate to work, actually no, the gym", "car"))).toMatchObject([{ intent: "NavigateTo", slots: { destination: "the gym" } }]);
  });
  it("does not act on a request without a value said beside it", async () => {
    // ("cool my seat, level two" is a sentence of the grammar as a whole since stop 25, and acts)
    expect(acted(await decide("just a quarter, open the rear window", "car"))).toEqual([]);
    expect(acted(await decide("nightlight on, 5%"))).toEqual([]);
    expect(acted(await decide("set the thermostat to twenty... something"))).toEqual([]);
  });
});

describe("a reason before a request that points back at it", () => {
  it("reads 'it' as the thing the reason is about ('the workbench light's still burning, turn it off')", async () => {
    const v = await decide("the workbench light's still burning turn it off");
    expect(acted(v).map((i) => [i.intent, i.slots.name])).toEqual([["HassTurnOff", "Workbench Light"]]);
    // a reason about nothing in particular names nothing ("it's late, turn it off" is not "turn the late off")
    expect(acted(await decide("it's late turn it off")).map((i) => i.slots.name).filter(Boolean)).toEqual([]);
  });

  it("never reads a request about another topic than its reason: 'it's cold, turn it up' turns up no music", async () => {
    const v = await decide("it's cold turn it up", "car");
    expect(acted(v)).toEqual([]);
    // the reason on the request's own topic leaves it as it is
    expect(acted(await decide("the music is too quiet turn it up", "car")).map((i) => i.intent)).toEqual(["MediaAdjustVolume"]);
  });
});
