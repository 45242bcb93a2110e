// What a request leaves open (which of two back windows, what "it" is) and a reason said after a request.
import { describe, expect, it } from "vitest";
import { noReferent, pickAmong, whichOne } from "../src/dialog/which.js";
import { reasonAfter, reasonBefore } from "../src/nlu/rephrase.js";
import type { IntentResult } from "../src/nlu/types.js";

const intent = (name: string, slots: IntentResult["slots"]): IntentResult => ({ intent: name, slots, confidence: 1, source: "matcher" });
const driver = { id: "driver", profile: "car" as const, seat: "driver" };

describe("whichOne", () => {
  const rear = [intent("CabinWindow", { action: "open", window: "rear" })];
  it("asks which of the two back windows a singular request means", () => {
    const q = whichOne(rear, "open the back window", driver);
    expect(q?.slot).toBe("window");
    expect(q?.intents[0]?.slots.window).toBeUndefined();
    expect(q?.among).toEqual({ values: ["rear_left", "rear_right"], all: "rear" });
    expect(q?.prompt).toBe("Which window: the rear left or the rear right?");
    expect(whichOne([intent("CabinSeatHeating", { seat: "rear", level: 3 })], "heat the back seat", driver)?.slot).toBe("seat");
  });
  it("leaves plural, both and the home alone", () => {
    expect(whichOne(rear, "open the back windows", driver)).toBeUndefined();
    expect(whichOne(rear, "open both back window", driver)).toBeUndefined();
    expect(whichOne(rear, "open the back window", { id: "k", profile: "home", area: "Kitchen" })).toBeUndefined();
    expect(whichOne([intent("CabinWindow", { action: "open", window: "rear_left" })], "open the back window on the left", driver)).toBeUndefined();
  });
});

describe("pickAmong", () => {
  const among = { values: ["rear_left", "rear_right"], all: "rear" };
  const forms = (v: unknown) => (v === "rear_left" ? ["the rear left", "the back left"] : ["the rear right", "the back right"]);
  it("picks by the words only one candidate has", () => {
    expect(pickAmong(among, "the left one", forms)).toBe("rear_left");
    expect(pickAmong(among, "right", forms)).toBe("rear_right");
    expect(pickAmong(among, "both", forms)).toBe("rear");
  });
  it("picks nothing from words both have or none has", () => {
    expect(pickAmong(among, "the back one", forms)).toBeUndefined();
    expect(pickAmong(among, "left and right", forms)).toBeUndefined();
    expect(pickAmong(among, "the kitchen", forms)).toBeUndefined();
  });
});

describe("noReferent", () => {
  const up = [intent("MediaAdjustVolume", { direction: "up" })];
  it("finds 'turn it up' said out of the blue", () => {
    expect(noReferent(up, "turn it up", undefined)).toBe(true);
    expect(noReferent(up, "could you turn it up a bit please", undefined)).toBe(true);
  });
  it("lets it be after a request, or with what is meant named", () => {
    expect(noReferent(up, "turn it up", [intent("HassMediaUnpause", {})])).toBe(false);
    expect(noReferent(up, "turn up the music", undefined)).toBe(false);
    expect(noReferent(up, "turn it up the tv", undefined)).toBe(false);
  });
});

describe("reasonAfter", () => {
  it("splits off a reason said after the request", () => {
    expect(reasonAfter("pause the telly the phone's ringing")?.[0]).toBe("pause the telly");
    expect(reasonAfter("turn the music down the baby is sleeping")?.[0]).toBe("turn the music down");
    expect(reasonAfter("close the window because it's loud")).toEqual(["close the window", ["because", "it's", "loud"]]);
    expect(reasonAfter("next song this one's boring")?.[0]).toBe("next song");
  });
  it("finds none in a plain request", () => {
    expect(reasonAfter("turn on the kitchen lights")).toBeUndefined();
    expect(reasonAfter("set the thermostat to 21")).toBeUndefined();
    expect(reasonAfter("is the garage door open")).toBeUndefined();
  });
});

describe("reasonAfter, relative clauses", () => {
  it("takes no clause about the device for a reason", () => {
    expect(reasonAfter("turn on the lamp that's by the window")).toBeUndefined();
  });
});

describe("reasonBefore", () => {
  it("finds the request after a reason said first", () => {
    expect(reasonBefore("we're heading out, turn off every light in the house").map(([, r]) => r)).toContain("turn off every light in the house");
    expect(reasonBefore("it's freezing in here close the window")[0]?.[1]).toBe("close the window");
  });
  it("finds none in a question or a plain request", () => {
    expect(reasonBefore("is it open my window?")).toEqual([]);
    expect(reasonBefore("is it open my window")).toEqual([]);
    expect(reasonBefore("turn off the lights")).toEqual([]);
  });
});
