// The trust policy's settings: risk classes per intent/device, the evidence each class needs before
// hark acts without asking, and whether a satellite may cross into the other place. hark.yaml's
// `trust:` section (src/run/config.ts) overrides the defaults; the defaults' numbers come from the
// curves in docs/benchmarks.md ("Trust").
import { z } from "zod";
import { ruleMatches, type Facts } from "../dialog/policy.js";
import { DEFAULT_GROUNDING, type GroundingRules } from "./grounding.js";

export type Risk = "low" | "medium" | "high";

const scalar = z.union([z.string(), z.number(), z.boolean()]);

export const riskRuleSchema = z.strictObject({
  /** Facts as in policies: intent, slots, the target device's domain and device_class. */
  when: z.record(z.string(), z.union([scalar, z.array(scalar)])),
  class: z.enum(["low", "medium", "high"]),
});
export type RiskRule = z.infer<typeof riskRuleSchema>;

export const thresholdSchema = z.strictObject({
  /** Least matcher confidence (1 = word for word; tolerant matches are lower) to act without asking. */
  matcher: z.number().min(0).max(1),
  /** Least SLM probability to act without asking. */
  slm: z.number().min(0).max(1),
  /** Least ASR evidence (0..1, src/asr: how surely the heard sentence beat its best competitor) to act without asking. */
  asr: z.number().min(0).max(1),
  /** Below this ASR evidence hark does not even ask: it says it did not catch that. */
  asr_refuse: z.number().min(0).max(1),
});
export type Thresholds = z.infer<typeof thresholdSchema>;

export const trustConfigSchema = z.strictObject({
  /** never: a home speaker never drives the car, a seat never the home; named: only when the request names the other place. */
  cross_scope: z.enum(["never", "named"]).optional(),
  /** Extra risk rules, checked before the built-in ones (first match wins). */
  risk: z.array(riskRuleSchema).optional(),
  thresholds: z.strictObject({ low: thresholdSchema.partial().optional(), medium: thresholdSchema.partial().optional(), high: thresholdSchema.partial().optional() }).optional(),
  /** Slots whose values are meanings the understander may infer; every other value must be said. */
  inferable_slots: z.array(z.string()).optional(),
  /** Slots whose unsaid value is dropped (then filled from context or asked for) instead of sinking the reading. */
  droppable_slots: z.array(z.string()).optional(),
  /** Carry out "in 10 minutes" / "at 7 pm" requests later (true), or refuse them (false). */
  schedule: z.boolean().optional(),
  /** Let the grammar ASR hear the trust words ("don't", "in ten minutes", rooms the home lacks) so they can be acted on (default true). */
  spoken_words: z.boolean().optional(),
  /**
   * What a satellite's recognizer can hear: every sentence (default: a request for the other place is
   * heard as what it is and refused, not forced onto a confusable request of its own place), or only its
   * own profile's sentences (smaller; measured in docs/trust.md).
   */
  satellite_grammar: z.enum(["all", "own"]).optional(),
  /**
   * What a rear seat may change in the car: "rear" (default: its own place, the rear and all of the car;
   * the driver's and the front passenger's windows, seats and climate are changed from the front, as a
   * child lock keeps them) or "all".
   */
  rear_reach: z.enum(["rear", "all"]).optional(),
});
export type TrustConfigFile = z.infer<typeof trustConfigSchema>;

export interface TrustConfig {
  crossScope: "never" | "named";
  risk: RiskRule[];
  thresholds: Record<Risk, Thresholds>;
  grounding: GroundingRules;
  schedule: boolean;
  spokenWords: boolean;
  satelliteGrammar: "all" | "own";
  rearReach: "rear" | "all";
}

/** lights and media < climate and blinds < locks, doors, windows, navigation. */
export const DEFAULT_RISK: RiskRule[] = [
  { when: { domain: ["lock", "alarm_control_panel"] }, class: "high" },
  { when: { domain: "cover", device_class: ["garage", "door", "gate"] }, class: "high" },
  { when: { intent: ["CabinWindow", "NavigateTo", "NavigationCancel"] }, class: "high" },
  { when: { domain: ["climate", "cover", "fan"] }, class: "medium" },
  { when: { intent: ["HassClimateSetTemperature", "HassSetPosition", "CabinSetTemperature", "CabinAdjustTemperature", "CabinSetFanSpeed", "CabinClimate", "CabinSeatHeating", "CabinSeatVentilation"] }, class: "medium" },
];

/**
 * NLU: the natural-set curve (docs/benchmarks.md "Trust") is flat from 0.7 to 0.95 and reaches 0
 * wrong at 0.98. ASR: the score is P(right) fitted on half A of s2i-dev (docs/asr.md "Evidence");
 * 0.8 halves wrong orders at 6 dB for 2 points of acceptance, 0.95 had no wrong order on half B at
 * any noise level.
 */
export const DEFAULT_THRESHOLDS: Record<Risk, Thresholds> = {
  low: { matcher: 0.8, slm: 0.9, asr: 0.8, asr_refuse: 0.2 },
  medium: { matcher: 0.85, slm: 0.95, asr: 0.9, asr_refuse: 0.25 },
  high: { matcher: 0.9, slm: 0.98, asr: 0.95, asr_refuse: 0.3 },
};

export function resolveTrustConfig(file: TrustConfigFile = {}): TrustConfig {
  const t = file.thresholds ?? {};
  return {
    crossScope: file.cross_scope ?? "never",
    risk: [...(file.risk ?? []), ...DEFAULT_RISK],
    thresholds: {
      low: { ...DEFAULT_THRESHOLDS.low, ...t.low },
      medium: { ...DEFAULT_THRESHOLDS.medium, ...t.medium },
      high: { ...DEFAULT_THRESHOLDS.high, ...t.high },
    },
    grounding: {
      inferable: file.inferable_slots ?? DEFAULT_GROUNDING.inferable,
      droppable: file.droppable_slots ?? DEFAULT_GROUNDING.droppable,
    },
    schedule: file.schedule ?? true,
    spokenWords: file.spoken_words ?? true,
    satelliteGrammar: file.satellite_grammar ?? "all",
    rearReach: file.rear_reach ?? "rear",
  };
}

export const DEFAULT_TRUST: TrustConfig = resolveTrustConfig();

/** The risk class of acting on one intent (facts: its slots, name and target device). */
export function riskOf(config: TrustConfig, facts: Facts): Risk {
  for (const r of config.risk) if (ruleMatches({ id: "risk", when: r.when, then: "allow" }, facts)) return r.class;
  return "low";
}
