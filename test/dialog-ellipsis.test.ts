// The previous request, changed by a follow-up that says only a new number or "there".
import { describe, expect, it } from "vitest";
import { newValue, withPlace } from "../src/dialog/ellipsis.js";
import type { IntentResult } from "../src/nlu/types.js";

const intent = (name: string, slots: IntentResult["slots"]): IntentResult => ({ intent: name, slots, confidence: 1, source: "matcher" });
const quarter = (t: readonly string[]) => (t.includes("quarter") ? 25 : t.includes("half") ? 50 : t.includes("off") ? 0 : undefined);

describe("newValue", () => {
  const prev = [intent("CabinSetTemperature", { zone: "driver", temperature: 20 })];
  it("replaces the one number of the previous request", () => {
    expect(newValue("actually make it 21", prev)?.[0]?.slots).toEqual({ zone: "driver", temperature: 21 });
    expect(newValue("21 degrees please", prev)?.[0]?.slots.temperature).toBe(21);
    expect(newValue("no, only a quarter", [intent("CabinWindow", { window: "driver", position: 50 })], quarter)?.[0]?.slots.position).toBe(25);
  });
  it("leaves requests of their own alone", () => {
    expect(newValue("off", prev, quarter)).toBeUndefined();
    expect(newValue("turn on the radio", prev)).toBeUndefined();
    expect(newValue("set the bedroom to 21", prev)).toBeUndefined();
    expect(newValue("make it 21", [intent("HassTurnOn", { name: "Floor Lamp" })])).toBeUndefined();
    expect(newValue("make it 21", [...prev, ...prev])).toBeUndefined();
  });
});

describe("withPlace", () => {
  const prev = [intent("HassTurnOn", { domain: "light", area: "Bedroom" })];
  it("says the previous request's room for 'there'", () => {
    expect(withPlace("and close the curtains in there", prev)).toBe("close the curtains in the bedroom");
    expect(withPlace("close the shade there", prev)).toBe("close the shade in the bedroom");
  });
  it("needs one room and a 'there' that points", () => {
    expect(withPlace("there is no light", prev)).toBeUndefined();
    expect(withPlace("close the curtains", prev)).toBeUndefined();
    expect(withPlace("close the curtains in there", [intent("HassTurnOn", { name: "Floor Lamp" })])).toBeUndefined();
  });
});
