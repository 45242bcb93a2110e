// Valves (irrigation, water mains): open and close; with the `position` capability, a position in percent.
import { act, CLOSED, initialOf, OPEN, opening, pick, positionFromState, same, setPosition } from "./shared.js";
import type { DomainDefinition } from "./types.js";
import type { Device } from "../types.js";

const onlyOpenClose = (d: Device) => d.capabilities.length > 0 && !d.capabilities.includes("position");

export const valve: DomainDefinition = {
  domain: "valve",
  capabilities: ["open_close", "position"],
  intents: {
    HassTurnOn: same("open"),
    HassTurnOff: same("close"),
    HassSetPosition: (s, d) => (onlyOpenClose(d) ? "can only open or close" : act("set_position", pick(s, "position"))),
  },
  discovery: {
    component: "valve",
    // reports_position: HA sends positions (0..100) to command_topic, OPEN/CLOSE/STOP for the buttons.
    config: (d, t) => ({
      command_topic: t.command,
      reports_position: d.capabilities.includes("position"),
      value_template: d.capabilities.includes("position") ? "{{ value_json.position }}" : "{{ value_json.state }}",
    }),
  },
  codec: {
    attributes: { position: (v) => ({ action: "set_position", params: { position: v } }) },
    // HA valve with reports_position: the payload is the position.
    plain: (text) => (text !== "" && Number.isFinite(Number(text)) ? { action: "set_position", params: { position: Number(text) } } : undefined),
  },
  sim: {
    initial: (d) => ({ state: "closed", position: 0, ...initialOf(d) }),
    actions: {
      ...opening(),
      toggle: (s) => (s.state === "closed" ? OPEN(s) : CLOSED(s)),
      set_position: (s, p, d) => (onlyOpenClose(d) ? "this valve can only open or close" : setPosition(s, p)),
    },
  },
  fromState: positionFromState,
};
