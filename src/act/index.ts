// Public API: understood intents → device commands → results.
export { INTENTS, planIntents, whichElsewhere, type ActContext, type ActionPlan, type PlanError, type PlanStep } from "./plan.js";
export { executePlan, type PlanOutcome, type StepOutcome } from "./execute.js";
export { startDeviceRuntime, type DeviceRuntime, type DeviceRuntimeOptions } from "./runtime.js";
