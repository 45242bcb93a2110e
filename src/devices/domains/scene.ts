// Scenes: activated, never turned off. Its `entities:` (HA's scene format, id → desired state) are
// applied to those devices; the scene's own state is when it was last activated (HA: a timestamp).
import type { DeviceState } from "../../bus/types.js";
import { clockTime, commandOnly, initialOf, num, refuse, same } from "./shared.js";
import type { DomainDefinition } from "./types.js";

function activateScene(s: DeviceState): DeviceState {
  return { ...s, last_activated: new Date().toISOString(), activations: (num(s.activations) ?? 0) + 1 };
}

export const scene: DomainDefinition = {
  domain: "scene",
  capabilities: ["activate"],
  intents: { HassTurnOn: same("activate"), HassTurnOff: refuse("cannot be turned off") },
  // Scenes are stateless in HA: a command topic only.
  discovery: { component: "scene", config: commandOnly({ payload_on: "ON" }) },
  describe: (state) => {
    const at = clockTime(state.last_activated);
    return at ? `last activated at ${at}` : "not activated yet";
  },
  sim: {
    initial: (d) => ({ last_activated: null, activations: 0, ...initialOf(d) }),
    actions: { activate: activateScene, turn_on: activateScene },
    members: (d, action, fromState) => {
      if (action !== "activate" && action !== "turn_on") return [];
      const entities = d.extra.entities;
      if (!entities || typeof entities !== "object" || Array.isArray(entities)) return [];
      return Object.entries(entities as Record<string, unknown>).flatMap(([id, want]) =>
        want && typeof want === "object" ? fromState(id.split(".")[0] ?? "", want as Record<string, unknown>).map((c) => ({ deviceId: id, ...c })) : [],
      );
    },
  },
};
