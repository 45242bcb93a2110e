// GBNF for the SLM's constrained output: one line per intent, "Intent slot=value slot=value",
// intents joined by " ; ", or "none". Intent names, slot keys and enumerable values come from the
// grammar + devices, so the model can only say what hark can act on.
import { intentSlots } from "../grammar/introspect.js";
import type { Grammar, SlotList } from "../grammar/types.js";

const ident = (s: string) => s.replace(/[^A-Za-z0-9]/g, "-").toLowerCase();
const quote = (s: string) => JSON.stringify(s);

export function compileGbnf(grammar: Grammar): string {
  const lines: string[] = [];
  const intents = [...grammar.intents.values()].filter((i) => i.data.length > 0);
  lines.push(`root ::= "none" | intent (" ; " intent)*`);
  lines.push(`intent ::= ${intents.map((i) => `intent-${ident(i.name)}`).join(" | ") || `"none"`}`);
  const usedLists = new Set<string>();
  for (const intent of intents) {
    const slots = [...intentSlots(grammar, intent)];
    const parts = slots.map(([slot, list]) => {
      // Values that data blocks fix ("domain: light") are admissible too.
      const fixed = [...new Set(intent.data.flatMap((b) => (b.slots[slot] === undefined ? [] : [String(b.slots[slot])])))];
      const alts: string[] = [];
      if (list) {
        usedLists.add(list);
        alts.push(`list-${ident(list)}`);
      }
      alts.push(...fixed.map(quote));
      return `(" ${slot}=" ${alts.length === 1 ? alts[0] : `(${alts.join(" | ") || "free-value"})`})?`;
    });
    lines.push(`intent-${ident(intent.name)} ::= ${quote(intent.name)}${parts.length ? " " + parts.join(" ") : ""}`);
  }
  for (const name of usedLists) {
    const list = grammar.lists.get(name);
    if (list) lines.push(`list-${ident(name)} ::= ${listRule(list)}`);
  }
  lines.push(`number ::= "-"? [0-9]+ ("." [0-9]+)?`);
  lines.push(`free-value ::= [a-z0-9'_-] [a-z0-9' _-]{0,59}`);
  return lines.join("\n") + "\n";
}

function listRule(list: SlotList): string {
  if (list.kind === "range") return "number";
  if (list.kind === "wildcard") return "free-value";
  const outs = [...new Set(list.values.map((v) => String(v.out)))];
  // Values are written with spaces as-is; the parser reads up to the next " key=" or " ; ".
  return outs.length ? outs.map(quote).join(" | ") : "free-value";
}
