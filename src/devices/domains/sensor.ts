// Numeric sensors by device class (defaults and units from src/devices/classes.ts): asked about, never
// commanded; `simulate` is a test and demo hook.
import { SENSOR_CLASSES } from "../classes.js";
import { initialOf, num } from "./shared.js";
import type { DomainDefinition } from "./types.js";

export const sensor: DomainDefinition = {
  domain: "sensor",
  capabilities: [],
  intents: {},
  discovery: {
    component: "sensor",
    config: (d) => {
      const initial = d.extra.initial as Record<string, unknown> | undefined;
      const unit = typeof initial?.unit === "string" ? initial.unit : d.device_class ? SENSOR_CLASSES[d.device_class]?.unit : undefined;
      return { value_template: "{{ value_json.value }}", ...(unit ? { unit_of_measurement: unit } : {}), ...(d.device_class && d.device_class in SENSOR_CLASSES ? { state_class: "measurement" } : {}) };
    },
  },
  sim: {
    initial: (d) => {
      const cls = d.device_class ? SENSOR_CLASSES[d.device_class] : undefined;
      return { value: cls?.value ?? null, ...(cls?.unit ? { unit: cls.unit } : {}), ...initialOf(d) };
    },
    actions: {
      simulate: (s, p) => (p.value === null || num(p.value) !== undefined ? { ...s, value: p.value === null ? null : num(p.value)! } : "a sensor value must be a number"),
    },
  },
};
