// Binary sensors (doors, smoke, motion, low battery …): ON / OFF, what that means comes from the device
// class (src/devices/classes.ts). Also a `sensor` whose class only binary sensors have (./index.ts).
import { initialOf } from "./shared.js";
import type { DomainDefinition } from "./types.js";

export const binarySensor: DomainDefinition = {
  domain: "binary_sensor",
  capabilities: [],
  spoken: "sensor",
  intents: {},
  discovery: { component: "binary_sensor", config: () => ({ value_template: "{{ value_json.state }}", payload_on: "ON", payload_off: "OFF" }) },
  sim: {
    initial: (d) => ({ state: "OFF", ...initialOf(d) }),
    actions: {
      simulate: (s, p) => {
        const v = String(p.state ?? "").toUpperCase();
        return v === "ON" || v === "OFF" ? { ...s, state: v } : "a binary sensor is ON or OFF";
      },
    },
  },
};
