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

// ---- answers from device state -----------------------------------------------------------------

const STATE_WORDS: Record<string, string> = { on: "on", off: "off", locked: "locked", unlocked: "unlocked", open: "open", closed: "closed", playing: "playing", paused: "paused", idle: "idle" };

/** A device's state as people say it: "on", "locked", "open 50 percent", "set to 21 degrees". */
export function describeState(state: Record<string, unknown> | undefined): string | undefined {
  if (!state) return undefined;
  const s = typeof state.state === "string" ? state.state.toLowerCase() : undefined;
  if (typeof state.window_position === "number" || (typeof state.position === "number" && (s === "open" || s === "closed" || s === undefined))) {
    const p = (state.window_position ?? state.position) as number;
    return p <= 0 ? "closed" : p >= 100 ? "open" : `open ${p} percent`;
  }
  if (s && STATE_WORDS[s]) return STATE_WORDS[s];
  if (typeof state.target_temperature === "number") return `set to ${state.target_temperature} degrees`;
  if (typeof state.temperature === "number") return `set to ${state.temperature} degrees`;
  if (state.value !== undefined && state.value !== null) return `reading ${String(state.value)}${typeof state.unit === "string" ? ` ${state.unit}` : ""}`;
  if (typeof state.mode === "string") return state.mode === "off" ? "off" : `on (${state.mode})`;
  return s;
}

/** Does the device's state answer a yes/no question's state ("is the front door locked")? */
function stateIs(state: Record<string, unknown> | undefined, asked: string): boolean | undefined {
  const d = describeState(state);
  if (d === undefined) return undefined;
  const want = asked.toLowerCase();
  if (want === "open") return d.startsWith("open");
  return d === want;
}

const isAre = (name: string): string => (/s$/i.test(name) && !/(glass|bus|status)$/i.test(name) ? "are" : "is");

/** "Yes, the Front Door is locked." / "The Pendant Lights are on and the Under Cabinet Lights are off." */
export function stateAnswer(step: StepOutcome, catalog: DeviceCatalog | undefined, asked?: string): string | undefined {
  const entries = Object.entries(step.answers ?? {}).map(([id, st]) => ({ name: deviceName(catalog, id), state: describeState(st), is: asked ? stateIs(st, asked) : undefined }));
  const known = entries.filter((e) => e.state !== undefined);
  if (!known.length) return entries.length ? `I don't know the state of the ${entries.map((e) => e.name).join(" and ")} yet` : undefined;
  const list = (xs: typeof known) => xs.map((e) => `the ${e.name} ${isAre(e.name)} ${e.state}`).join(", and ");
  const sentence = (t: string) => capitalize(t);
  if (asked !== undefined && known.every((e) => e.is === true)) return `Yes, ${list(known)}`;
  if (asked !== undefined && known.every((e) => e.is === false)) return `No, ${list(known)}`;
  return sentence(list(known));
}

export function stepSpeech(step: StepOutcome, grammar: Grammar | undefined, catalog?: DeviceCatalog): { text: string; ok: boolean } {
  const intent: IntentResult = step.step.intent;
  if (step.step.error) return { text: `Sorry, ${step.step.message ?? "I can't do that"}.`, ok: false };
  // A state question (HassGetState, or a command asked as a question): answered from the devices' state.
  if (step.step.query && (intent.intent === "HassGetState" || !step.step.query.keys)) {
    const asked = typeof intent.slots.state === "string" ? intent.slots.state : undefined;
    const text = stateAnswer(step, catalog, asked);
    if (text) return { text, ok: true };
  }
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
  const values: Values = { ...intent.slots, ...queryValues(step), ...step.step.values };
  const def = grammar?.intents.get(intent.intent);
  const template = def ? chooseResponse(def.responses, values) : undefined;
  if (template !== undefined && template.trim()) return { text: joinNote(capitalize(fillTemplate(template, values as Facts)), skipped), ok: true };
  if (step.step.noop) return { text: "", ok: true };
  // A question whose answer template could not be filled: say so rather than "Done".
  if (step.step.query) return { text: "Sorry, I can't tell that right now", ok: false };
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
