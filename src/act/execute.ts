// Run a plan on a DeviceBus: every command in parallel, each waiting for its device's confirmation.

import type { CommandResult, DeviceBus, DeviceState } from "../bus/types.js";
import type { ActionPlan, PlanStep } from "./plan.js";

export interface StepOutcome {
  step: PlanStep;
  results: CommandResult[];
  /** For query steps: the devices' current state (only the asked keys when the step names them). */
  answers?: Record<string, DeviceState | undefined>;
  ok: boolean;
}

export interface PlanOutcome {
  steps: StepOutcome[];
  ok: boolean;
  ms: number;
}

export async function executePlan(plan: ActionPlan, bus: DeviceBus, options: { timeoutMs?: number } = {}): Promise<PlanOutcome> {
  const started = Date.now();
  const steps = await Promise.all(
    plan.steps.map(async (step): Promise<StepOutcome> => {
      if (step.error) return { step, results: [], ok: false };
      if (step.query) {
        const answers: Record<string, DeviceState | undefined> = {};
        for (const id of step.query.deviceIds) {
          const s = bus.state(id);
          answers[id] = s && step.query.keys ? Object.fromEntries(step.query.keys.filter((k) => k in s).map((k) => [k, s[k]])) : s;
        }
        return { step, results: [], answers, ok: true };
      }
      const results = await Promise.all(step.commands.map((c) => bus.send(c, options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {})));
      return { step, results, ok: results.every((r) => r.ok) };
    }),
  );
  return { steps, ok: steps.every((s) => s.ok), ms: Date.now() - started };
}
