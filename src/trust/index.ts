// The trust policy: hark acts only on what it understood; when unsure it asks back, when it cannot it
// says why. Public API for the dialog, `hark understand` and `hark replay`.
import type { Grammar } from "../grammar/types.js";
import { resolveTrustConfig, type TrustConfig } from "./config.js";
import { cueDir, loadCues } from "./cues.js";
import type { AsrEvidence, TrustDeps } from "./judge.js";

export { judge, type AsrEvidence, type JudgeInput, type TrustDeps, type TrustReason, type Verdict } from "./judge.js";
export { DEFAULT_TRUST, resolveTrustConfig, trustConfigSchema, type Risk, type TrustConfig, type TrustConfigFile } from "./config.js";
export { findLater, msUntil, sayLater, type Later } from "./when.js";
export { plainReason } from "./reason.js";
export { unitFits } from "./grounding.js";
export { knowledgeOf } from "./knowledge.js";

/** The trust policy for a grammar: its language's cues (beside the grammar, else hark's own) and the settings. */
export function loadTrust(grammar: Grammar, config: TrustConfig = resolveTrustConfig(), grammarDirs: readonly string[] = []): TrustDeps {
  return { grammar, cues: loadCues(cueDir(grammar.language, grammarDirs)), config };
}


/**
 * The recognizer's evidence (src/asr) as the trust policy reads it: no competitor near, or every one
 * far out of the search, is certainty; a competitor without a measured score is doubt.
 */
export function trustEvidence(e: { score?: number; competitor?: string; beyondBeam?: boolean; competitors: number }): AsrEvidence {
  const sure = e.beyondBeam === true || e.competitors === 0;
  return { score: sure ? 1 : (e.score ?? 0), ...(e.competitor && !sure ? { competitor: e.competitor } : {}) };
}
