// Buttons: pressed (HA's on/off intents press them), never turned off. The state records the last press
// (HA: a button's state is when it was last pressed).
import { commandOnly, initialOf, num, refuse, same } from "./shared.js";
import type { DomainDefinition } from "./types.js";

export const button: DomainDefinition = {
  domain: "button",
  capabilities: ["press"],
  intents: { HassTurnOn: same("press"), HassTurnOff: refuse("cannot be turned off") },
  discovery: { component: "button", config: commandOnly({ payload_press: "PRESS" }) },
  sim: {
    initial: (d) => ({ last_pressed: null, presses: 0, ...initialOf(d) }),
    actions: { press: (s) => ({ ...s, last_pressed: new Date().toISOString(), presses: (num(s.presses) ?? 0) + 1 }) },
  },
};
