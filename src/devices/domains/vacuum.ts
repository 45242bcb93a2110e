// Robot vacuums: start (in a room: "vacuum the kitchen"), pause, stop, return to base, where they dock a
// moment later. HA's on/off intents start them and send them home. HA's MQTT vacuum in its state schema.
import type { DeviceState } from "../../bus/types.js";
import { act, arriveHome, goHome, initialOf, lower, lowBattery, pick, same } from "./shared.js";
import type { DomainDefinition, Params } from "./types.js";

function startCleaning(s: DeviceState, p: Params): DeviceState | string {
  if (lowBattery(s)) return "the battery is too low to clean";
  const area = typeof p.area === "string" ? p.area : typeof p.floor === "string" ? p.floor : null;
  return { ...s, state: "cleaning", cleaning_area: area, since: new Date().toISOString() };
}

export const vacuum: DomainDefinition = {
  domain: "vacuum",
  capabilities: ["start", "pause", "return_to_base"],
  intents: {
    HassTurnOn: same("start"),
    HassTurnOff: same("return_to_base"),
    HassVacuumStart: (s) => act("start", pick(s, "area", "floor")),
    HassVacuumReturnToBase: (s) => act("return_to_base", pick(s, "area", "floor")),
  },
  discovery: {
    component: "vacuum",
    // HA's state schema: the JSON state carries state (cleaning, docked, returning …) and battery_level.
    config: (_d, t) => ({
      command_topic: t.command,
      supported_features: ["start", "pause", "stop", "return_home", "status", "battery"],
      payload_start: "start",
      payload_pause: "pause",
      payload_stop: "stop",
      payload_return_to_base: "return_to_base",
    }),
  },
  describe: (state) => (lower(state) === "cleaning" && typeof state.cleaning_area === "string" ? `cleaning the ${state.cleaning_area}` : undefined),
  sim: {
    initial: (d) => ({ state: "docked", battery_level: 100, fan_speed: "standard", cleaning_area: null, ...initialOf(d) }),
    actions: {
      start: startCleaning,
      turn_on: startCleaning,
      pause: (s) => (s.state === "cleaning" ? { ...s, state: "paused" } : "the vacuum is not cleaning"),
      stop: (s) => ({ ...s, state: s.state === "docked" ? "docked" : "idle" }),
      return_to_base: goHome,
      turn_off: goHome,
    },
    tick: arriveHome,
  },
};
