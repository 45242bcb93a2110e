// Locks: locked or unlocked. HA's on/off intents lock and unlock; never reached by area-only on/off.
import { act, initialOf, same, stateWord } from "./shared.js";
import type { DomainDefinition } from "./types.js";

export const lock: DomainDefinition = {
  domain: "lock",
  capabilities: ["lock"],
  intents: { HassTurnOn: same("lock"), HassTurnOff: same("unlock") },
  discovery: { component: "lock", config: (_d, t) => ({ command_topic: t.command, value_template: "{{ value_json.state }}" }) },
  sim: {
    initial: (d) => ({ state: "LOCKED", ...initialOf(d) }),
    actions: {
      lock: (s) => ({ ...s, state: "LOCKED" }),
      unlock: (s) => ({ ...s, state: "UNLOCKED" }),
      open: (s) => ({ ...s, state: "UNLOCKED" }),
      turn_on: (s) => ({ ...s, state: "LOCKED" }),
      turn_off: (s) => ({ ...s, state: "UNLOCKED" }),
    },
  },
  fromState: (want) => {
    const st = stateWord(want);
    return st === "locked" ? [act("lock")] : st === "unlocked" ? [act("unlock")] : [];
  },
};
