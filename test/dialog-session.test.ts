// A dialog session with its actors provided (understander table, recorded act, instant speech): context
// filling per seat/area, clarification, confirmation, timeouts and errors as spoken answers.
import { describe, expect, it } from "vitest";
import { DialogSession } from "../src/dialog/session.js";
import { CAR_PROFILE, HOME_PROFILE } from "../src/dialog/profiles.js";
import { DEFAULT_POLICIES } from "../src/dialog/policy.js";
import type { IntentResult, Understander } from "../src/nlu/types.js";
import type { ActInput } from "../src/dialog/types.js";

const I = (intent: string, slots: IntentResult["slots"] = {}): IntentResult => ({ intent, slots, confidence: 1, source: "table" });
const TABLE: Record<string, IntentResult[]> = {
  "i'm cold": [I("CabinAdjustTemperature", { direction: "warmer" })],
  "open the window": [I("CabinWindow", { action: "open" })],
  "turn on the lights": [I("HassTurnOn", { domain: "light" })],
  "unlock the front door": [I("HassTurnOff", { name: "Front Door" })],
  "never mind": [I("HassNevermind")],
  "the kitchen lights": [I("HassTurnOn", { domain: "light", area: "Kitchen" })],
};
const understander: Understander = { understand: (text) => ({ text, intents: TABLE[text.toLowerCase()] ?? [] }) };

function session(profile: "home" | "car", where: { area?: string; seat?: string }, act?: (i: ActInput) => Promise<{ speech: string; ok: boolean }>, speed?: number) {
  const acted: ActInput[] = [];
  const s = new DialogSession({ id: "t", profile, ...where }, profile === "home" ? HOME_PROFILE : CAR_PROFILE, {
    understander,
    policies: DEFAULT_POLICIES,
    deviceFacts: (i) => (i.slots.name === "Front Door" ? { domain: "lock" } : {}),
    signals: () => (speed === undefined ? {} : { speed_kmh: speed }),
    timeouts: { act: 200, followUp: 100 },
    act: async (input) => {
      acted.push(input);
      return act ? act(input) : { speech: "Done.", ok: true };
    },
  });
  return { s, acted };
}

describe("dialog session", () => {
  it("fills the zone from the seat", async () => {
    const { s, acted } = session("car", { seat: "passenger" });
    const said = await s.handleText("I'm cold");
    expect(said.map((x) => x.text)).toEqual(["Done."]);
    expect(acted[0]!.intents[0]!.slots).toEqual({ direction: "warmer", zone: "passenger" });
    expect(s.state).toBe("followUp");
    s.stop();
  });

  it("asks for a missing room, and the answer (a full phrase) fills it", async () => {
    const { s, acted } = session("home", {});
    expect((await s.handleText("turn on the lights")).map((x) => [x.kind, x.text])).toEqual([["prompt", "Which room?"]]);
    expect(s.state).toBe("clarifying");
    await s.handleText("the kitchen lights");
    expect(acted[0]!.intents[0]!.slots).toEqual({ domain: "light", area: "Kitchen" });
    s.stop();
  });

  it("confirms before unlocking; the wake phrase addresses text; never mind cancels", async () => {
    const { s, acted } = session("home", { area: "Hallway" });
    expect((await s.handleText("hey hark unlock the front door"))[0]!.text).toBe("Do you really want to unlock the Front Door?");
    expect((await s.handleText("never mind"))[0]!.kind).toBe("cancel");
    expect(acted).toEqual([]);
    expect(s.state).toBe("idle");
    s.stop();
  });

  it("passes policy notes to the act stage (window limited at speed)", async () => {
    const { s, acted } = session("car", { seat: "driver" }, undefined, 100);
    await s.handleText("open the window");
    expect(acted[0]!.intents[0]!.slots).toEqual({ action: "open", window: "driver", percent: 20 });
    expect(acted[0]!.notes).toEqual(["At this speed I opened it only 20 percent."]);
    s.stop();
  });

  it("a device stage that hangs becomes a spoken timeout, and the session is usable again", async () => {
    const { s } = session("car", { seat: "driver" }, () => new Promise(() => {}));
    const said = await s.handleText("I'm cold");
    expect(said.map((x) => [x.kind, x.text])).toEqual([["error", "Sorry, the devices did not answer in time."]]);
    expect(s.waiting).toBe(true);
    s.stop();
  });

  it("a failing device stage (broker down) becomes a spoken error", async () => {
    const { s } = session("car", { seat: "driver" }, async () => {
      throw new Error("connect ECONNREFUSED 127.0.0.1:1883");
    });
    const said = await s.handleText("I'm cold");
    expect(said[0]).toMatchObject({ kind: "error", text: "Sorry, I can't reach the devices right now.", error: "connect ECONNREFUSED 127.0.0.1:1883" });
    s.stop();
  });

  it("unaddressed speech is ignored when idle; the follow-up window closes on its own", async () => {
    const { s } = session("home", { area: "Kitchen" });
    expect(await s.handleText("turn on the lights", { addressed: false })).toEqual([]);
    await s.handleText("turn on the lights");
    expect(s.state).toBe("followUp");
    await new Promise((r) => setTimeout(r, 150));
    expect(s.state).toBe("idle");
    s.stop();
  });
});
