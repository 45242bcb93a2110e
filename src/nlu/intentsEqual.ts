import type { SlotValue } from "../grammar/types.js";

export interface ExpectedIntent {
  intent: string;
  slots: Record<string, SlotValue>;
}

/** Exact match: same intents in the same order, every slot equal (numbers compared as numbers). */
export function intentsEqual(got: ExpectedIntent[], expected: ExpectedIntent[]): boolean {
  if (got.length !== expected.length) return false;
  return got.every((g, i) => {
    const e = expected[i]!;
    if (g.intent !== e.intent) return false;
    const keys = new Set([...Object.keys(g.slots), ...Object.keys(e.slots)]);
    for (const k of keys) if (String(g.slots[k]) !== String(e.slots[k])) return false;
    return true;
  });
}
