// The cascade: matcher first; the SLM only for what the matcher rejects or matches tolerantly; the
// matcher's tolerant parse is the SLM's hint; out-of-domain → no intent with a reason.
import { describe, expect, it } from "vitest";
import { compileGraph } from "../src/compile/graph.js";
import { loadSources, Matcher } from "../src/nlu/index.js";
import { Cascade } from "../src/nlu/cascade.js";
import type { SlmEngine } from "../src/nlu/slm/engine.js";

const grammar = await loadSources({});
const matcher = new Matcher(compileGraph(grammar));

function fakeSlm(answers: Record<string, string>) {
  const calls: Array<{ text: string; hint?: Array<{ intent: string }> }> = [];
  const engine = {
    understand: async (text: string, hint?: Array<{ intent: string }>) => {
      calls.push({ text, hint });
      const a = answers[text];
      if (!a) return { text, intents: [], reason: "out of domain (the model said none)" };
      return { text, intents: [{ intent: a, slots: {}, confidence: 0.9, source: "slm" }] };
    },
    dispose: async () => {},
  } as unknown as SlmEngine;
  return { engine, calls };
}

describe("cascade", () => {
  it("answers from the matcher when it is sure, without loading the SLM", async () => {
    let loaded = false;
    const c = new Cascade(matcher, grammar, async () => ((loaded = true), fakeSlm({}).engine));
    const r = await c.understand("turn on the kitchen lights");
    expect(r.intents[0]?.source).toBe("matcher");
    expect(loaded).toBe(false);
  });

  it("asks the SLM when the matcher rejects, and reports out-of-domain with a reason", async () => {
    const { engine, calls } = fakeSlm({ "it is freezing in here could you do something": "HassClimateSetTemperature" });
    const c = new Cascade(matcher, grammar, async () => engine);
    const r = await c.understand("it is freezing in here could you do something");
    expect(r.intents).toEqual([{ intent: "HassClimateSetTemperature", slots: {}, confidence: 0.9, source: "slm" }]);
    const none = await c.understand("tell me a joke about penguins");
    expect(none.intents).toEqual([]);
    expect(none.reason).toMatch(/out of domain/);
    expect(calls.length).toBe(2);
  });

  it("passes the matcher's tolerant parse to the SLM as a hint", async () => {
    const { engine, calls } = fakeSlm({});
    const c = new Cascade(matcher, grammar, async () => engine, { threshold: 1.01 });
    await c.understand("turn on the kitchen lights");
    expect(calls[0]?.hint?.map((i) => i.intent)).toEqual(["HassTurnOn"]);
  });

  it("falls back to the matcher when the model cannot be loaded, and says why", async () => {
    const c = new Cascade(matcher, grammar, async () => {
      throw new Error("SLM model not found: /nowhere.gguf");
    }, { threshold: 1.01 });
    const tolerant = await c.understand("turn on the kitchen lights");
    expect(tolerant.intents[0]?.intent).toBe("HassTurnOn");
    expect(tolerant.intents[0]?.source).toBe("matcher");
    const none = await c.understand("tell me a joke about penguins");
    expect(none.intents).toEqual([]);
    expect(none.reason).toMatch(/SLM unavailable: SLM model not found/);
    await c.dispose();
  });
  it("keeps the matcher's tolerant reading when the SLM only knows no word said before or after it, never one in the middle", async () => {
    const unknownSlm = {
      understand: async (text: string) => {
        const unknown = ["jess", "cartoons"].filter((w) => text.split(" ").includes(w));
        return { text, intents: [], reason: `out of domain (unknown word: ${unknown.join(", ")})`, unknownWords: unknown };
      },
      dispose: async () => {},
    } as unknown as SlmEngine;
    const c = new Cascade(matcher, grammar, async () => unknownSlm);
    const after = await c.understand("put the stair lights on for jess");
    expect(after.intents.map((i) => [i.intent, i.slots.name, i.source])).toEqual([["HassTurnOn", "Stair Lights", "matcher"]]);
    expect(after.intents[0]!.confidence).toBeLessThan(1);
    // "put cartoons on the telly" asks for cartoons, not for the telly to be turned on
    const middle = await c.understand("put cartoons on the living room tv");
    expect(middle.intents).toEqual([]);
    expect(middle.reason).toMatch(/unknown word: cartoons/);
  });

  it("reads the request without a reason that holds the words the SLM never saw, and hands the reason on", async () => {
    const { engine, calls } = fakeSlm({ "make the music quieter": "MediaAdjustVolume" });
    const unknownFirst = {
      understand: async (text: string, hint?: Array<{ intent: string }>) =>
        text.includes("grandpa") ? { text, intents: [], reason: "out of domain (unknown word: grandpa)", unknownWords: ["grandpa"] } : engine.understand(text, hint as never),
      dispose: async () => {},
    } as unknown as SlmEngine;
    const c = new Cascade(matcher, grammar, async () => unknownFirst);
    const r = await c.understand("make the music quieter grandpa is sleeping");
    expect(r.intents.map((i) => i.intent)).toEqual(["MediaAdjustVolume"]);
    expect(r.rephrased).toEqual({ text: "make the music quieter", reason: ["grandpa", "is", "sleeping"] });
    expect(calls.map((x) => x.text)).toEqual(["make the music quieter"]);
  });

  it("reads a thing said first and pointed back at as one request", async () => {
    const { engine, calls } = fakeSlm({ "could you turn the mirror light in the bathroom off": "HassTurnOff" });
    const c = new Cascade(matcher, grammar, async () => engine);
    const r = await c.understand("hello there um the mirror light in the bathroom could you turn it off");
    expect(r.intents.map((i) => i.intent)).toEqual(["HassTurnOff"]);
    expect(r.rephrased).toEqual({ text: "could you turn the mirror light in the bathroom off" });
    expect(calls[0]?.text).toBe("could you turn the mirror light in the bathroom off");
  });
});
