// Thermostats and heat pumps: a target temperature (5–35 °C) and a mode (off, heat, cool, auto).
import { act, clamp, initialOf, inRange, num, onOffIntents, pick, stateWord } from "./shared.js";
import type { DomainDefinition } from "./types.js";

const MODES = ["off", "heat", "cool", "auto"];
/** "a bit warmer": one degree. */
const STEP = 1;

export const climate: DomainDefinition = {
  domain: "climate",
  capabilities: ["target_temperature", "mode"],
  spoken: "thermostat",
  intents: {
    ...onOffIntents("turn_on", "turn_off"),
    HassClimateSetTemperature: (s) => act("set_temperature", pick(s, "temperature")),
    ClimateAdjustTemperature: (s) => act("adjust_temperature", { delta: s.direction === "cooler" ? -STEP : STEP }),
  },
  discovery: {
    component: "climate",
    config: (_d, t) => ({
      state_topic: undefined,
      temperature_command_topic: `${t.command}/temperature`,
      temperature_state_topic: t.state,
      temperature_state_template: "{{ value_json.target_temperature }}",
      current_temperature_topic: t.state,
      current_temperature_template: "{{ value_json.current_temperature }}",
      mode_command_topic: `${t.command}/mode`,
      mode_state_topic: t.state,
      mode_state_template: "{{ value_json.mode }}",
      modes: MODES,
      min_temp: 5,
      max_temp: 35,
      temp_step: 0.5,
      temperature_unit: "C",
    }),
  },
  codec: {
    attributes: {
      temperature: (v) => ({ action: "set_temperature", params: { temperature: v } }),
      mode: (v) => ({ action: "set_mode", params: { mode: v } }),
    },
  },
  sim: {
    initial: (d) => ({ mode: "heat", target_temperature: 20, current_temperature: 19.5, ...initialOf(d) }),
    actions: {
      turn_on: (s) => ({ ...s, mode: s.mode === "off" ? "heat" : s.mode }),
      turn_off: (s) => ({ ...s, mode: "off" }),
      set_temperature: (s, p) => {
        const v = inRange(num(p.temperature), 5, 35, "temperature");
        return typeof v === "string" ? v : { ...s, target_temperature: v, mode: s.mode === "off" ? "heat" : s.mode };
      },
      adjust_temperature: (s, p) => {
        const delta = num(p.delta);
        if (delta === undefined) return "delta is missing";
        return { ...s, target_temperature: clamp((num(s.target_temperature) ?? 20) + delta, 5, 35) };
      },
      set_mode: (s, p) => (MODES.includes(String(p.mode)) ? { ...s, mode: String(p.mode) } : `unknown mode ${String(p.mode)}`),
    },
  },
  fromState: (want) => [
    ...(stateWord(want) === "off" ? [act("turn_off")] : []),
    ...(num(want.temperature) !== undefined ? [act("set_temperature", { temperature: num(want.temperature) })] : []),
  ],
};
