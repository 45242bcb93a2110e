// Switches (plugs, appliances): on and off.
import { onOffDiscovery, onOffIntents, onOffModel } from "./shared.js";
import type { DomainDefinition } from "./types.js";

export const switchDomain: DomainDefinition = {
  domain: "switch",
  capabilities: ["on_off"],
  onOffByArea: true,
  intents: onOffIntents("turn_on", "turn_off", "toggle"),
  discovery: { component: "switch", config: onOffDiscovery },
  sim: onOffModel,
};
