// Covers (blinds, curtains, garage doors): open, close, stop and a position (0 closed … 100 open).
// HA's on/off intents open and close them.
import { act, initialOf, opening, pick, positionFromState, same, setPosition } from "./shared.js";
import type { DomainDefinition } from "./types.js";

export const cover: DomainDefinition = {
  domain: "cover",
  capabilities: ["open_close", "position"],
  spoken: "blind or cover",
  intents: {
    HassTurnOn: same("open"),
    HassTurnOff: same("close"),
    HassSetPosition: (s) => act("set_position", pick(s, "position")),
  },
  discovery: {
    component: "cover",
    config: (_d, t) => ({
      command_topic: t.command,
      value_template: "{{ value_json.state }}",
      position_topic: t.state,
      position_template: "{{ value_json.position }}",
      set_position_topic: `${t.command}/position`,
    }),
  },
  codec: { attributes: { position: (v) => ({ action: "set_position", params: { position: v } }) } },
  sim: {
    initial: (d) => ({ state: "closed", position: 0, ...initialOf(d) }),
    actions: { ...opening(), set_position: (s, p) => setPosition(s, p) },
  },
  fromState: positionFromState,
};
