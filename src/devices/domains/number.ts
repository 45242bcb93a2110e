// Number entities: discovered with their value; no intent of hark's sets them yet.
import { onOffModel } from "./shared.js";
import type { DomainDefinition } from "./types.js";

export const number: DomainDefinition = { domain: "number", capabilities: [], intents: {}, discovery: { component: "number" }, sim: onOffModel };
