// Sirens: discovered with their value; simulated as plain on/off.
import { onOffModel } from "./shared.js";
import type { DomainDefinition } from "./types.js";

export const siren: DomainDefinition = { domain: "siren", capabilities: [], intents: {}, discovery: { component: "siren" }, sim: onOffModel };
