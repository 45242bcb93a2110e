// Robot lawn mowers: mow, pause, dock (HA core's lawn mower intents, and the vacuum intents HA's
// responses name mowers in). HA's MQTT lawn mower takes each action on its own topic.
import { act, arriveHome, goHome, initialOf, lowBattery, pick, same } from "./shared.js";
import type { DomainDefinition } from "./types.js";

const own = (action: string) => () => ({ action, params: {} });

export const lawnMower: DomainDefinition = {
  domain: "lawn_mower",
  capabilities: ["start_mowing", "pause", "dock"],
  spoken: "lawn mower",
  intents: {
    HassTurnOn: same("start_mowing"),
    HassTurnOff: same("dock"),
    HassVacuumStart: (s) => act("start_mowing", pick(s, "area", "floor")),
    HassVacuumReturnToBase: same("dock"),
    HassLawnMowerStartMowing: (s) => act("start_mowing", pick(s, "area", "floor")),
    HassLawnMowerDock: (s) => act("dock", pick(s, "area", "floor")),
  },
  discovery: {
    component: "lawn_mower",
    config: (_d, t) => ({
      state_topic: undefined,
      activity_state_topic: t.state,
      activity_value_template: "{{ value_json.state }}",
      start_mowing_command_topic: `${t.command}/start_mowing`,
      pause_command_topic: `${t.command}/pause`,
      dock_command_topic: `${t.command}/dock`,
    }),
  },
  // The action is in the topic: .../set/start_mowing, /pause, /dock.
  codec: { attributes: { start_mowing: own("start_mowing"), pause: own("pause"), dock: own("dock") } },
  sim: {
    initial: (d) => ({ state: "docked", battery_level: 100, ...initialOf(d) }),
    actions: {
      start_mowing: (s) => (lowBattery(s) ? "the battery is too low to mow" : { ...s, state: "mowing", since: new Date().toISOString() }),
      pause: (s) => (s.state === "mowing" ? { ...s, state: "paused" } : "the mower is not mowing"),
      dock: goHome,
    },
    tick: arriveHome,
  },
};
