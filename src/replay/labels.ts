// Expected results for replayed audio, and how a result is scored.
//
// Labels file (the Picovoice speech-to-intent format, which hark adopts):
//   { "file.wav": { "intent": "orderDrink", "slots": { "size": "twelve ounce" } },
//     "noise-03.wav": { "intent": null } }          ← not a command: correct only if nothing is understood
// Keys are file names (basename) or paths relative to the replayed folder. Slot values are compared
// as said: normalized words ("  Soy milk" = "soy milk"; 21 = "21"; "ten minutes" = "10 minutes").
import { normalizeTokens } from "../grammar/normalize.js";
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import type { SlotValue } from "../grammar/types.js";

export interface Label {
  /** null: the audio is not a command and must be rejected. */
  intent: string | null;
  slots?: Record<string, SlotValue>;
}

export type Labels = Map<string, Label>;

export function parseLabels(text: string, source = "labels"): Labels {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new Error(`${source}: not valid JSON (${(err as Error).message})`);
  }
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) throw new Error(`${source}: expected an object mapping file names to {intent, slots}`);
  const out: Labels = new Map();
  for (const [file, v] of Object.entries(raw as Record<string, unknown>)) {
    if (!v || typeof v !== "object" || !("intent" in v)) throw new Error(`${source}: "${file}" needs {"intent": …, "slots": {…}}`);
    const l = v as { intent: unknown; slots?: unknown };
    if (l.intent !== null && typeof l.intent !== "string") throw new Error(`${source}: "${file}": intent must be a string or null`);
    const slots: Record<string, SlotValue> = {};
    if (l.slots && typeof l.slots === "object")
      for (const [k, s] of Object.entries(l.slots as Record<string, unknown>)) if (typeof s === "string" || typeof s === "number") slots[k] = s;
    out.set(file, { intent: l.intent, slots });
  }
  return out;
}

export function loadLabels(path: string): Labels {
  return parseLabels(readFileSync(path, "utf8"), path);
}

/** The label for a replayed file: by relative path, then by basename. */
export function labelFor(labels: Labels, file: string, relative?: string): Label | undefined {
  return (relative !== undefined ? labels.get(relative) : undefined) ?? labels.get(basename(file));
}

/** Slot values compared as said: case, spacing and number words do not matter ("ten minutes" = "10 minutes"). */
const norm = (v: SlotValue): string => normalizeTokens(String(v)).join(" ");

export interface Scored {
  correct: boolean;
  /** What went wrong, for the per-file JSON ("intent", "slot size: got … want …", "false accept", "rejected"). */
  error?: string;
}

/**
 * A command counts only if the intent and every slot match exactly: the understood slots must equal
 * the labelled ones (no missing, no wrong, no extra slot). A non-command (intent null) counts when
 * nothing was understood.
 */
export function score(label: Label, intents: ReadonlyArray<{ intent: string; slots: Record<string, SlotValue> }>): Scored {
  const got = intents[0];
  if (label.intent === null) return intents.length ? { correct: false, error: `false accept: ${got?.intent}` } : { correct: true };
  if (!got) return { correct: false, error: "nothing understood" };
  if (got.intent !== label.intent) return { correct: false, error: `intent: got ${got.intent}, want ${label.intent}` };
  const want = label.slots ?? {};
  for (const [k, v] of Object.entries(want)) {
    const g = got.slots[k];
    if (g === undefined) return { correct: false, error: `slot ${k}: missing, want "${norm(v)}"` };
    if (norm(g) !== norm(v)) return { correct: false, error: `slot ${k}: got "${norm(g)}", want "${norm(v)}"` };
  }
  for (const k of Object.keys(got.slots)) if (!(k in want)) return { correct: false, error: `slot ${k}: not expected ("${norm(got.slots[k] as SlotValue)}")` };
  return { correct: true };
}
