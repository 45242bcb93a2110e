// Spoken responses from the grammar's per-intent templates: "Turned on {name}" with the slot values filled in.
import type { Grammar, SlotValue } from "../grammar/types.js";

export function renderResponse(grammar: Grammar, intent: string, slots: Record<string, SlotValue>, key = "default"): string | undefined {
  const def = grammar.intents.get(intent);
  const template = def?.responses[key] ?? def?.responses.default;
  if (template === undefined) return undefined;
  return template
    .replace(/\{(\w+)\}/g, (_, slot: string) => (slots[slot] === undefined ? "" : String(slots[slot]).replace(/_/g, " ")))
    .replace(/\s+/g, " ")
    .trim();
}
