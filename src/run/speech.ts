// What hark says after acting: the grammar's response template for each intent that worked, and a plain
// sentence for each failure (no such device, device timeout, broker unreachable, refused command).
import type { Grammar } from "../grammar/types.js";
import type { PlanOutcome, StepOutcome } from "../act/index.js";
import type { DeviceCatalog } from "../devices/catalog.js";
import type { IntentResult } from "../nlu/types.js";
import { fillTemplate, type Facts } from "../dialog/policy.js";

type Values = Record<string, string | number | boolean | undefined>;

/** Pick the response whose {placeholders} are all known, preferring the most specific one. */
export function chooseResponse(responses: Record<string, string>, values: Values): string | undefined {
  let best: { text: string; score: number } | undefined;
  const valueTokens = new Set(
    Object.values(values)
      .filter((v) => v !== undefined)
      .map((v) => String(v).toLowerCase()),
  );
  for (const [key, text] of Object.entries(responses)) {
    const refs = [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
    if (refs.some((r) => values[r] === undefined || values[r] === "")) continue;
    const keyTokens = key.toLowerCase().split("_");
    // A key naming a slot value ("open_side" for action=open, "off" for level=off) fits best.
    const affinity = keyTokens.filter((t) => valueTokens.has(t)).length;
    const conflicts = keyTokens.filter((t) => ["open", "close", "on", "off"].includes(t) && !valueTokens.has(t)).length;
    const score = refs.length * 2 + affinity * 3 - conflicts * 5 + (key === "default" ? 0.5 : 0);
    if (!best || score > best.score) best = { text, score };
  }
  return best?.text;
}

const ACTION_VERBS: Record<string, string> = { lock: "Locked", unlock: "Unlocked", open: "Opened", close: "Closed" };

function deviceName(catalog: DeviceCatalog | undefined, id: string): string {
  return catalog?.get(id)?.name ?? id;
}

function queryValues(step: StepOutcome): Values {
  const out: Values = {};
  for (const state of Object.values(step.answers ?? {})) {
    for (const [k, v] of Object.entries(state ?? {})) if (out[k] === undefined && (typeof v === "string" || typeof v === "number" || typeof v === "boolean")) out[k] = v;
  }
  if (out.temperature === undefined && out.current_temperature !== undefined) out.temperature = out.current_temperature;
  return out;
}

function capitalize(s: string): string {
  return s ? s[0]!.toUpperCase() + s.slice(1) : s;
}

/** "The Pendant Lights cannot change colour." for targets the planner left out. */
function skippedNote(step: StepOutcome): string {
  const notes = step.step.note ? [step.step.note] : [];
  return [...notes, ...(step.step.skipped ?? [])
    .map((s) => (/^(cannot|can't|does not|has no)\b/.test(s.reason) ? `The ${s.name} ${s.reason}.` : `Skipped the ${s.name} (${s.reason}).`))]
    .join(" ");
}

function joinNote(text: string, note: string): string {
  if (!note) return text;
  const t = text.replace(/\s*$/, "");
  return `${/[.!?]$/.test(t) ? t : `${t}.`} ${note}`;
}

export function stepSpeech(step: StepOutcome, grammar: Grammar | undefined, catalog?: DeviceCatalog): { text: string; ok: boolean } {
  const intent: IntentResult = step.step.intent;
  if (step.step.error) return { text: `Sorry, ${step.step.message ?? "I can't do that"}.`, ok: false };
  const failed = step.results.filter((r) => !r.ok);
  if (failed.length) {
    const names = [...new Set(failed.map((r) => deviceName(catalog, r.command.deviceId)))].join(" and ");
    const kinds = new Set(failed.map((r) => r.error));
    if (kinds.has("unavailable")) return { text: `Sorry, I can't reach the ${names} right now.`, ok: false };
    if (kinds.has("timeout")) return { text: `Sorry, the ${names} did not answer in time.`, ok: false };
    if (kinds.has("rejected")) return { text: `Sorry, the ${names} refused that.`, ok: false };
    return { text: `Sorry, the ${names} could not do that.`, ok: false };
  }
  // Home Assistant says "turn off" for unlocking and closing; say what actually happened.
  const actions = new Set(step.results.map((r) => r.command.action));
  const verb = actions.size === 1 ? ACTION_VERBS[[...actions][0]!] : undefined;
  if (verb && step.step.targets.length > 0) {
    const names = step.step.targets.map((t) => t.name).join(" and ");
    return { text: `${verb} the ${names}`, ok: true };
  }
  const skipped = skippedNote(step);
  const values: Values = { ...intent.slots, ...queryValues(step) };
  const def = grammar?.intents.get(intent.intent);
  const template = def ? chooseResponse(def.responses, values) : undefined;
  if (template !== undefined && template.trim()) return { text: joinNote(capitalize(fillTemplate(template, values as Facts)), skipped), ok: true };
  if (step.step.noop) return { text: "", ok: true };
  return { text: joinNote("Done.", skipped), ok: true };
}

/** One sentence for the whole plan (several intents → several sentences), plus policy notes. */
export function outcomeSpeech(outcome: PlanOutcome, grammar: Grammar | undefined, catalog?: DeviceCatalog, notes: string[] = []): { text: string; ok: boolean } {
  const parts = outcome.steps.map((s) => stepSpeech(s, grammar, catalog));
  const seen = new Set<string>();
  const texts: string[] = [];
  for (const p of parts) {
    const t = p.text.replace(/\s*$/, "");
    if (!t || seen.has(t)) continue;
    seen.add(t);
    texts.push(/[.!?]$/.test(t) ? t : `${t}.`);
  }
  const text = [...texts, ...notes].join(" ").trim() || "Okay.";
  return { text, ok: parts.every((p) => p.ok) };
}
