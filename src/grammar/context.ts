// requires_context / excludes_context: which list values a sentence accepts. One definition, used by
// the matcher (to reject a parse) and the sampler (to only generate what the matcher accepts).
import type { ContextConstraint, SlotValue } from "./types.js";

function admits(constraint: ContextConstraint, value: SlotValue): boolean {
  if (Array.isArray(constraint)) return constraint.some((c) => String(c) === String(value));
  if (typeof constraint === "object") return true; // {slot: true}: the dialog supplies it
  return String(constraint) === String(value);
}

/** Does a value of `slot` (canonical `out`, with its list context) satisfy the sentence's constraints? */
export function contextAllows(
  requires: Record<string, ContextConstraint>,
  excludes: Record<string, ContextConstraint>,
  slot: string,
  out: SlotValue,
  context: Record<string, SlotValue> | undefined,
): boolean {
  for (const [key, c] of Object.entries(requires)) {
    const v = key === slot ? out : context?.[key];
    if (v !== undefined && !admits(c, v)) return false;
  }
  for (const [key, c] of Object.entries(excludes)) {
    const v = key === slot ? out : context?.[key];
    if (v !== undefined && (typeof c !== "object" || Array.isArray(c)) && admits(c, v)) return false;
  }
  return true;
}
