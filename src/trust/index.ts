// The trust policy: hark acts only on what it understood; when unsure it asks back, when it cannot it
// says why. Public API for the dialog, `hark understand` and `hark replay`.
import type { Grammar } from "../grammar/types.js";
import { resolveTrustConfig, type TrustConfig } from "./config.js";
import { cueDir, loadCues } from "./cues.js";
import type { TrustDeps } from "./judge.js";

export { judge, type AsrEvidence, type JudgeInput, type TrustDeps, type TrustReason, type Verdict } from "./judge.js";
export { DEFAULT_TRUST, resolveTrustConfig, trustConfigSchema, type Risk, type TrustConfig, type TrustConfigFile } from "./config.js";
export { findLater, msUntil, sayLater, type Later } from "./when.js";

/** The trust policy for a grammar: its language's cues (beside the grammar, else hark's own) and the settings. */
export function loadTrust(grammar: Grammar, config: TrustConfig = resolveTrustConfig(), grammarDirs: readonly string[] = []): TrustDeps {
  return { grammar, cues: loadCues(cueDir(grammar.language, grammarDirs)), config };
}

