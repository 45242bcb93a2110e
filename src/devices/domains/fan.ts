// Fans: on/off and a speed in percent (HA's percentage).
import { act, initialOf, inRange, num, onOff, onOffIntents, stateWord } from "./shared.js";
import type { DomainDefinition } from "./types.js";

/** A fan whose file lists its capabilities without a speed has one speed. */
const oneSpeed = (caps: string[]) => caps.length > 0 && !caps.some((c) => c === "speed" || c === "percentage");

export const fan: DomainDefinition = {
  domain: "fan",
  capabilities: ["on_off", "speed", "percentage"],
  onOffByArea: true,
  intents: {
    ...onOffIntents("turn_on", "turn_off", "toggle"),
    HassFanSetSpeed: (s, d) => {
      if (oneSpeed(d.capabilities)) return "cannot change speed";
      const v = s.percentage ?? s.percent;
      return typeof v === "number" ? act("set_percentage", { percentage: v }) : "no speed";
    },
  },
  discovery: {
    component: "fan",
    config: (_d, t) => ({
      command_topic: t.command,
      state_value_template: "{{ value_json.state }}",
      percentage_command_topic: `${t.command}/percentage`,
      percentage_state_topic: t.state,
      percentage_value_template: "{{ value_json.percentage }}",
    }),
  },
  codec: { attributes: { percentage: (v) => ({ action: "set_percentage", params: { percentage: v } }) } },
  sim: {
    initial: (d) => ({ state: "OFF", percentage: 50, ...initialOf(d) }),
    actions: {
      ...onOff("ON", "OFF"),
      set_percentage: (s, p, d) => {
        if (oneSpeed(d.capabilities)) return "this fan has only one speed";
        const v = inRange(num(p.percentage ?? p.percent), 0, 100, "percentage");
        return typeof v === "string" ? v : { ...s, percentage: v, state: v > 0 ? "ON" : "OFF" };
      },
    },
  },
  fromState: (want) => {
    const st = stateWord(want);
    if (num(want.percentage) !== undefined) return [act("set_percentage", { percentage: num(want.percentage) })];
    return st === "off" ? [act("turn_off")] : st === "on" ? [act("turn_on")] : [];
  },
};
