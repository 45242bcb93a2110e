// Scripts: run to their end at once, their `sequence:` ([{device, action, params}]) sent to those
// devices; the state records the run (HA: last_triggered). Offered to HA as a button.
import type { DeviceState } from "../../bus/types.js";
import { clockTime, commandOnly, initialOf, num, same } from "./shared.js";
import type { DomainDefinition, Params } from "./types.js";

function runScript(s: DeviceState): DeviceState {
  return { ...s, state: "off", last_triggered: new Date().toISOString(), runs: (num(s.runs) ?? 0) + 1 };
}

export const script: DomainDefinition = {
  domain: "script",
  capabilities: ["run"],
  // HA: script.turn_off stops a running script.
  intents: { HassTurnOn: same("run"), HassTurnOff: same("turn_off") },
  discovery: { component: "button", config: commandOnly({ payload_press: "PRESS" }) },
  describe: (state) => {
    const at = clockTime(state.last_triggered);
    return at ? `last run at ${at}` : "not run yet";
  },
  sim: {
    initial: (d) => ({ state: "off", last_triggered: null, runs: 0, ...initialOf(d) }),
    actions: { run: runScript, turn_on: runScript, press: runScript, turn_off: (s) => ({ ...s, state: "off" }) },
    members: (d, action) => {
      if (!["run", "turn_on", "press"].includes(action)) return [];
      const seq = d.extra.sequence;
      if (!Array.isArray(seq)) return [];
      return seq.flatMap((x) => {
        const step = x as Record<string, unknown>;
        return typeof step.device === "string" && typeof step.action === "string"
          ? [{ deviceId: step.device, action: step.action, params: step.params && typeof step.params === "object" ? (step.params as Params) : {} }]
          : [];
      });
    },
  },
};
