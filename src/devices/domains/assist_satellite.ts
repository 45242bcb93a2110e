// The voice satellite in a room: a broadcast is spoken there (HA: assist_satellite.announce). Offered to
// HA as a notify entity: a message sent to it is announced.
import type { DeviceState } from "../../bus/types.js";
import { act, commandOnly, initialOf, num, str } from "./shared.js";
import type { DomainDefinition, Params } from "./types.js";

function announce(s: DeviceState, p: Params): DeviceState | string {
  const message = typeof p.message === "string" ? p.message.trim() : "";
  if (!message) return "there is no message to announce";
  return { ...s, state: "idle", last_message: message, last_announced_at: new Date().toISOString(), announcements: (num(s.announcements) ?? 0) + 1 };
}

export const assistSatellite: DomainDefinition = {
  domain: "assist_satellite",
  capabilities: ["announce"],
  spoken: "other speaker",
  intents: { HassBroadcast: (s) => (str(s.message) ? act("broadcast", { message: String(s.message).trim() }) : "there is no message") },
  discovery: { component: "notify", config: commandOnly() },
  // HA notify: the payload is the message to announce.
  codec: { plain: (text) => ({ action: "broadcast", params: { message: text } }) },
  describe: () => "idle",
  sim: {
    initial: (d) => ({ state: "idle", last_message: null, announcements: 0, ...initialOf(d) }),
    actions: { broadcast: announce, announce },
  },
};
