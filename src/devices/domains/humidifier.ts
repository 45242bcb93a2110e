// Humidifiers and dehumidifiers (HA's humidifier domain): on/off, a target humidity in percent and a
// mode. HA's intents HassHumidifierSetpoint and HassHumidifierMode (humidifier/intent.py) reach them;
// HA's MQTT humidifier adopts them. A device file may give `humidity_range: [min, max]` (default 0–100,
// HA's) and `modes: [...]` (default HA's common ones); `device_class: dehumidifier` as HA has it.
import type { DeviceState } from "../../bus/types.js";
import type { Device } from "../types.js";
import { act, initialOf, inRange, lower, num, onOff, onOffIntents, stateWord, str } from "./shared.js";
import type { Action, DomainDefinition, Params } from "./types.js";

const DEFAULT_MODES = ["normal", "eco", "boost", "sleep", "auto"];

const modesOf = (d: Device): string[] => (Array.isArray(d.extra.modes) && d.extra.modes.length ? d.extra.modes.map(String) : DEFAULT_MODES);
function rangeOf(d: Device): [number, number] {
  const r = d.extra.humidity_range;
  return Array.isArray(r) && typeof r[0] === "number" && typeof r[1] === "number" ? [r[0], r[1]] : [0, 100];
}
/** A file that lists capabilities without `mode` has none to choose. */
const noModes = (d: Device) => d.capabilities.length > 0 && !d.capabilities.includes("mode");

function setHumidity(s: DeviceState, p: Params, d: Device): DeviceState | string {
  const [min, max] = rangeOf(d);
  const v = inRange(num(p.humidity), min, max, "humidity");
  return typeof v === "string" ? v : { ...s, humidity: v };
}
function setMode(s: DeviceState, p: Params, d: Device): DeviceState | string {
  if (noModes(d)) return "this humidifier has no modes";
  const mode = String(p.mode ?? "").toLowerCase();
  return modesOf(d).includes(mode) ? { ...s, mode } : `unknown mode ${String(p.mode)}`;
}

export const humidifier: DomainDefinition = {
  domain: "humidifier",
  capabilities: ["on_off", "target_humidity", "mode"],
  intents: {
    ...onOffIntents("turn_on", "turn_off", "toggle"),
    HassHumidifierSetpoint: (s) => (num(s.humidity) !== undefined ? act("set_humidity", { humidity: num(s.humidity) }) : "no humidity"),
    HassHumidifierMode: (s, d) => (noModes(d) ? "has no modes" : str(s.mode) ? act("set_mode", { mode: String(s.mode) }) : "no mode"),
  },
  discovery: {
    component: "humidifier",
    config: (d, t) => ({
      command_topic: t.command,
      state_value_template: "{{ value_json.state }}",
      payload_on: "ON",
      payload_off: "OFF",
      target_humidity_command_topic: `${t.command}/target_humidity`,
      target_humidity_state_topic: t.state,
      target_humidity_state_template: "{{ value_json.humidity }}",
      current_humidity_topic: t.state,
      current_humidity_template: "{{ value_json.current_humidity }}",
      min_humidity: rangeOf(d)[0],
      max_humidity: rangeOf(d)[1],
      ...(noModes(d)
        ? {}
        : { mode_command_topic: `${t.command}/mode`, mode_state_topic: t.state, mode_state_template: "{{ value_json.mode }}", modes: modesOf(d) }),
    }),
  },
  codec: {
    attributes: {
      target_humidity: (v) => ({ action: "set_humidity", params: { humidity: v } }),
      mode: (v) => ({ action: "set_mode", params: { mode: v } }),
    },
  },
  // "on at 45 percent humidity (sleep mode)"
  describe: (state) => {
    if (lower(state) !== "on") return lower(state);
    const at = num(state.humidity) !== undefined ? ` at ${num(state.humidity)} percent humidity` : "";
    return `on${at}${typeof state.mode === "string" ? ` (${state.mode} mode)` : ""}`;
  },
  sim: {
    initial: (d) => ({ state: "OFF", humidity: 50, current_humidity: 40, ...(noModes(d) ? {} : { mode: modesOf(d)[0] }), ...initialOf(d) }),
    actions: { ...onOff("ON", "OFF"), set_humidity: setHumidity, set_mode: setMode },
  },
  fromState: (want) => {
    const st = stateWord(want);
    const out: Action[] = st === "off" ? [act("turn_off")] : st === "on" ? [act("turn_on")] : [];
    if (num(want.humidity) !== undefined) out.push(act("set_humidity", { humidity: num(want.humidity) }));
    if (typeof want.mode === "string") out.push(act("set_mode", { mode: want.mode }));
    return out;
  },
};
