// The safety policy engine: rules as data, one evaluator.
import { describe, expect, it } from "vitest";
import { DEFAULT_POLICIES, evaluatePolicies, fillTemplate, policyRulesSchema, ruleMatches, type PolicyRule } from "../src/dialog/policy.js";
import type { IntentResult } from "../src/nlu/types.js";

const intent = (name: string, slots: IntentResult["slots"] = {}): IntentResult => ({ intent: name, slots, confidence: 1, source: "matcher" });

describe("policy engine", () => {
  it("confirms unlocking a lock, not turning off a light", () => {
    const unlock = evaluatePolicies(DEFAULT_POLICIES, intent("HassTurnOff", { name: "Front Door" }), { domain: "lock" });
    expect(unlock.decision).toBe("confirm");
    expect(unlock.prompt).toBe("Do you really want to unlock the Front Door?");
    expect(unlock.applied).toEqual(["confirm-unlock"]);
    const light = evaluatePolicies(DEFAULT_POLICIES, intent("HassTurnOff", { name: "Kitchen Light" }), { domain: "light" });
    expect(light.decision).toBe("allow");
    expect(light.applied).toEqual([]);
  });

  it("confirms opening the garage but not other covers", () => {
    expect(evaluatePolicies(DEFAULT_POLICIES, intent("HassTurnOn", { name: "Garage Door" }), { domain: "cover", device_class: "garage" }).decision).toBe("confirm");
    expect(evaluatePolicies(DEFAULT_POLICIES, intent("HassTurnOn", { name: "Blinds" }), { domain: "cover", device_class: "blind" }).decision).toBe("allow");
    expect(evaluatePolicies(DEFAULT_POLICIES, intent("HassTurnOff", { name: "Garage Door" }), { domain: "cover", device_class: "garage" }).decision).toBe("allow");
  });

  it("confirms disarming an alarm", () => {
    expect(evaluatePolicies(DEFAULT_POLICIES, intent("HassTurnOff", { name: "Alarm" }), { domain: "alarm_control_panel" }).decision).toBe("confirm");
  });

  it("limits window opening between 80 and 130 km/h, refuses above, allows below", () => {
    const open = intent("CabinWindow", { action: "open", window: "driver" });
    const slow = evaluatePolicies(DEFAULT_POLICIES, open, { speed_kmh: 50 });
    expect(slow).toMatchObject({ decision: "allow", notes: [] });
    expect(slow.intent.slots.percent).toBeUndefined();
    const fast = evaluatePolicies(DEFAULT_POLICIES, open, { speed_kmh: 100 });
    expect(fast.decision).toBe("allow");
    expect(fast.intent.slots).toEqual({ action: "open", window: "driver", percent: 20 });
    expect(fast.notes).toEqual(["At this speed I opened it only 20 percent."]);
    const fastSmall = evaluatePolicies(DEFAULT_POLICIES, intent("CabinWindow", { action: "open", percent: 10 }), { speed_kmh: 100 });
    expect(fastSmall.intent.slots.percent).toBe(10);
    const veryFast = evaluatePolicies(DEFAULT_POLICIES, open, { speed_kmh: 150 });
    expect(veryFast.decision).toBe("refuse");
    expect(veryFast.refusal).toBe("I can't open the windows at 150 kilometres per hour.");
    // closing is always fine
    expect(evaluatePolicies(DEFAULT_POLICIES, intent("CabinWindow", { action: "close" }), { speed_kmh: 150 }).decision).toBe("allow");
    // unknown speed: no condition holds
    expect(evaluatePolicies(DEFAULT_POLICIES, open, {}).decision).toBe("allow");
  });

  it("refuse beats confirm beats allow; limits and sets apply in order", () => {
    const rules: PolicyRule[] = [
      { id: "a", when: { intent: "X" }, then: "confirm", say: "Sure?" },
      { id: "b", when: { intent: "X", level: [3, 4] }, then: "refuse", say: "Too high: {level}" },
      { id: "c", when: { intent: "X" }, then: { set: { mode: "eco" } } },
      { id: "d", when: { intent: "X", mode: "eco" }, then: { limit: { level: 2 } } },
    ];
    const out = evaluatePolicies(rules, intent("X", { level: 3 }));
    expect(out.decision).toBe("refuse");
    expect(out.applied).toEqual(["a", "b", "c", "d"]);
    expect(out.refusal).toBe("Too high: 3");
    expect(out.intent.slots).toEqual({ level: 2, mode: "eco" });
    const low = evaluatePolicies(rules, intent("X", { level: 1 }));
    expect(low).toMatchObject({ decision: "confirm", prompt: "Sure?", applied: ["a", "c", "d"] });
  });

  it("compares with operators and treats absent facts as non-matching", () => {
    const r: PolicyRule = { id: "r", when: {}, if: { t: { gte: 10, lt: 20 }, seat: { in: ["driver"] }, x: { present: false } }, then: "refuse" };
    expect(ruleMatches(r, { t: 10, seat: "driver" })).toBe(true);
    expect(ruleMatches(r, { t: 20, seat: "driver" })).toBe(false);
    expect(ruleMatches(r, { t: 15, seat: "passenger" })).toBe(false);
    expect(ruleMatches(r, { t: 15, seat: "driver", x: 1 })).toBe(false);
    expect(ruleMatches({ id: "w", when: { domain: "lock" }, then: "confirm" }, {})).toBe(false);
    expect(ruleMatches({ id: "w", when: { domain: "LOCK" }, then: "confirm" }, { domain: "lock" })).toBe(true);
    expect(ruleMatches({ id: "n", when: {}, if: { s: { ne: "x" } }, then: "confirm" }, { s: "y" })).toBe(true);
  });

  it("validates rules written as YAML data", () => {
    expect(policyRulesSchema.safeParse(DEFAULT_POLICIES).success).toBe(true);
    const bad = policyRulesSchema.safeParse([{ id: "x", when: {}, then: "explode" }]);
    expect(bad.success).toBe(false);
    const unknownKey = policyRulesSchema.safeParse([{ id: "x", when: {}, then: "confirm", iff: {} }]);
    expect(unknownKey.success).toBe(false);
  });

  it("fills templates with readable values", () => {
    expect(fillTemplate("Unlock the {name} in the {area}?", { name: "Front Door", area: "living_room" })).toBe("Unlock the Front Door in the living room?");
    expect(fillTemplate("Unlock {missing} now .", {})).toBe("Unlock now.");
  });
});

describe("speaker-relative readings (resolve.ts)", async () => {
  const { speakerRelative } = await import("../src/dialog/resolve.js");
  const I = (intent: string, slots: Record<string, string | number>) => ({ intent, slots, confidence: 1, source: "test" });
  it("'my seat' from the passenger seat is the passenger seat; the driver's words stay the driver's", () => {
    const pass = { id: "p", profile: "car" as const, seat: "passenger" };
    expect(speakerRelative([I("CabinSeatHeating", { seat: "driver", level: 3 })], "turn on my seat heating", pass)[0]!.slots.seat).toBe("passenger");
    expect(speakerRelative([I("CabinWindow", { window: "driver", action: "open" })], "open my window", pass)[0]!.slots.window).toBe("passenger");
    expect(speakerRelative([I("CabinWindow", { window: "driver", action: "open" })], "open the driver's window", pass)[0]!.slots.window).toBe("driver");
  });
  it("a bare 'set the temperature to 21' at home is the home's thermostat", () => {
    const r = speakerRelative([I("CabinSetTemperature", { temperature: 21 })], "set the temperature to 21", { id: "h", profile: "home", area: "Living Room" });
    expect(r[0]).toMatchObject({ intent: "HassClimateSetTemperature", slots: { temperature: 21 } });
  });
});
