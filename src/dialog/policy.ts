// Safety policies as data: declarative rules evaluated by one small engine.
//
//   - { id: confirm-unlock, when: { intent: HassTurnOff, domain: lock }, then: confirm, say: "Unlock the {name}?" }
//   - { id: window-speed, when: { intent: CabinWindow, action: open }, if: { speed_kmh: { gt: 80 } },
//       then: { limit: { percent: 20 } }, say: "At this speed I only open it {percent} percent." }
//
// `when` matches facts by value (a value or a list of admissible values); `if` compares facts with
// operators; `then` is allow | confirm | refuse | {limit: {slot: max}} | {set: {slot: value}}.
// Facts = the intent's slots + the target device's domain/device_class + the session (profile, seat, area)
// + live signals (speed_kmh). A fact that is absent never matches a `when`/`if` entry.
import { z } from "zod";
import type { IntentResult } from "../nlu/types.js";

export type FactValue = string | number | boolean;
export type Facts = Record<string, FactValue | undefined>;

const scalar = z.union([z.string(), z.number(), z.boolean()]);

export const comparisonSchema = z.strictObject({
  eq: scalar.optional(),
  ne: scalar.optional(),
  gt: z.number().optional(),
  gte: z.number().optional(),
  lt: z.number().optional(),
  lte: z.number().optional(),
  in: z.array(scalar).optional(),
  present: z.boolean().optional(),
});
export type Comparison = z.infer<typeof comparisonSchema>;

export const effectSchema = z.union([
  z.enum(["allow", "confirm", "refuse"]),
  z.strictObject({ limit: z.record(z.string(), z.number()) }),
  z.strictObject({ set: z.record(z.string(), z.union([z.string(), z.number()])) }),
]);
export type Effect = z.infer<typeof effectSchema>;

export const policyRuleSchema = z.strictObject({
  id: z.string().min(1),
  description: z.string().optional(),
  when: z.record(z.string(), z.union([scalar, z.array(scalar)])),
  if: z.record(z.string(), comparisonSchema).optional(),
  then: effectSchema,
  /** Spoken text: the question (confirm), the reason (refuse) or a note (limit/set); {fact} is replaced. */
  say: z.string().optional(),
});
export type PolicyRule = z.infer<typeof policyRuleSchema>;

export type Decision = "allow" | "confirm" | "refuse";

export interface PolicyOutcome {
  decision: Decision;
  /** The intent after limits/sets. */
  intent: IntentResult;
  /** Rules that applied, in order. */
  applied: string[];
  /** The question to ask (decision confirm), from the first confirming rule with a `say`. */
  prompt?: string;
  /** Why it was refused (decision refuse). */
  refusal?: string;
  /** Remarks from limit/set rules ("I opened it only 20 percent"). */
  notes: string[];
}

function matchesValue(fact: FactValue | undefined, want: FactValue | FactValue[]): boolean {
  if (fact === undefined) return false;
  const wants = Array.isArray(want) ? want : [want];
  return wants.some((w) => String(w).toLowerCase() === String(fact).toLowerCase());
}

function compare(fact: FactValue | undefined, c: Comparison): boolean {
  if (c.present !== undefined && (fact !== undefined) !== c.present) return false;
  if (fact === undefined) return c.present === false;
  const n = typeof fact === "number" ? fact : Number(fact);
  if (c.eq !== undefined && !matchesValue(fact, c.eq)) return false;
  if (c.ne !== undefined && matchesValue(fact, c.ne)) return false;
  if (c.in !== undefined && !matchesValue(fact, c.in)) return false;
  if (c.gt !== undefined && !(n > c.gt)) return false;
  if (c.gte !== undefined && !(n >= c.gte)) return false;
  if (c.lt !== undefined && !(n < c.lt)) return false;
  if (c.lte !== undefined && !(n <= c.lte)) return false;
  return true;
}

export function ruleMatches(rule: PolicyRule, facts: Facts): boolean {
  for (const [k, want] of Object.entries(rule.when)) if (!matchesValue(facts[k], want)) return false;
  for (const [k, c] of Object.entries(rule.if ?? {})) if (!compare(facts[k], c)) return false;
  return true;
}

/** Replace {name} with facts; unknown references are left out. */
export function fillTemplate(template: string, facts: Facts): string {
  return template
    .replace(/\{(\w+)\}/g, (_, k: string) => (facts[k] === undefined ? "" : String(facts[k]).replace(/_/g, " ")))
    .replace(/\s+/g, " ")
    .replace(/\s+([?.!,])/g, "$1")
    .trim();
}

const RANK: Record<Decision, number> = { allow: 0, confirm: 1, refuse: 2 };

/**
 * Evaluate every rule against one intent. Refuse beats confirm beats allow; limits and sets apply in
 * rule order (a limit lowers a slot to its maximum, or fills it with the maximum when absent).
 * `facts` holds everything except the intent's own slots and name, which are added here.
 */
export function evaluatePolicies(rules: readonly PolicyRule[], intent: IntentResult, facts: Facts = {}): PolicyOutcome {
  let current: IntentResult = { ...intent, slots: { ...intent.slots } };
  let decision: Decision = "allow";
  const applied: string[] = [];
  let prompt: string | undefined;
  let refusal: string | undefined;
  const notes: string[] = [];
  for (const rule of rules) {
    const all: Facts = { ...facts, ...current.slots, intent: current.intent };
    if (!ruleMatches(rule, all)) continue;
    applied.push(rule.id);
    const then = rule.then;
    if (typeof then === "string") {
      if (RANK[then] > RANK[decision]) decision = then;
    } else if ("limit" in then) {
      for (const [slot, max] of Object.entries(then.limit)) {
        const v = current.slots[slot];
        if (v === undefined || typeof v !== "number" || v > max) current = { ...current, slots: { ...current.slots, [slot]: max } };
      }
    } else {
      current = { ...current, slots: { ...current.slots, ...then.set } };
    }
    if (!rule.say) continue;
    const text = fillTemplate(rule.say, { ...facts, ...current.slots, intent: current.intent });
    if (then === "confirm") prompt ??= text;
    else if (then === "refuse") refusal ??= text;
    else if (then !== "allow") notes.push(text);
  }
  return { decision, intent: current, applied, prompt, refusal, notes };
}

/** hark's built-in rules; a config file adds to (or replaces) them. */
export const DEFAULT_POLICIES: PolicyRule[] = [
  {
    id: "confirm-unlock",
    description: "Unlocking a door needs a yes (Home Assistant: HassTurnOff on a lock unlocks it).",
    when: { intent: ["HassTurnOff", "HassUnlock"], domain: "lock" },
    then: "confirm",
    say: "Do you really want to unlock the {name}?",
  },
  {
    id: "confirm-garage-open",
    description: "Opening the garage needs a yes.",
    when: { intent: ["HassTurnOn", "HassOpenCover", "HassSetPosition"], domain: "cover", device_class: "garage" },
    then: "confirm",
    say: "Do you really want to open the {name}?",
  },
  {
    id: "confirm-disarm",
    description: "Disarming the alarm needs a yes.",
    when: { intent: ["HassTurnOff", "HassAlarmDisarm"], domain: "alarm_control_panel" },
    then: "confirm",
    say: "Do you really want to disarm the {name}?",
  },
  {
    id: "refuse-window-very-fast",
    description: "No window opening above 130 km/h.",
    when: { intent: "CabinWindow", action: "open" },
    if: { speed_kmh: { gt: 130 } },
    then: "refuse",
    say: "I can't open the windows at {speed_kmh} kilometres per hour.",
  },
  {
    id: "limit-window-fast",
    description: "Above 80 km/h a window opens at most 20 percent.",
    when: { intent: "CabinWindow", action: "open" },
    if: { speed_kmh: { gt: 80, lte: 130 } },
    then: { limit: { percent: 20 } },
    say: "At this speed I opened it only {percent} percent.",
  },
];

export const policyRulesSchema = z.array(policyRuleSchema);
