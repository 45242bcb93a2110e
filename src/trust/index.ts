// The trust policy: hark acts only on what it understood; when unsure it asks back, when it cannot it
// says why. Public API for the dialog, `hark understand` and `hark replay`.
import type { Grammar } from "../grammar/types.js";
import { normalizeTokens } from "../grammar/normalize.js";
import { resolveTrustConfig, type TrustConfig } from "./config.js";
import { cueDir, loadCues } from "./cues.js";
import type { TrustDeps } from "./judge.js";
import { knowledgeOf } from "./knowledge.js";
import { covered } from "./phrases.js";

export { judge, type AsrEvidence, type JudgeInput, type TrustDeps, type TrustReason, type Verdict } from "./judge.js";
export { DEFAULT_TRUST, resolveTrustConfig, trustConfigSchema, type Risk, type TrustConfig, type TrustConfigFile } from "./config.js";
export { findLater, msUntil, sayLater, type Later } from "./when.js";

/** The trust policy for a grammar: its language's cues (beside the grammar, else hark's own) and the settings. */
export function loadTrust(grammar: Grammar, config: TrustConfig = resolveTrustConfig(), grammarDirs: readonly string[] = []): TrustDeps {
  return { grammar, cues: loadCues(cueDir(grammar.language, grammarDirs)), config };
}

/** Does the utterance refer back to what was just talked about ("turn them off", "and the bedroom too")? */
export function refersBack(text: string, deps: TrustDeps): boolean {
  const tokens = normalizeTokens(text);
  const blocked = covered(knowledgeOf(deps.grammar).entities.find(tokens));
  return deps.cues.anywhere.find(tokens, blocked).some((h) => h.tag === "refers_back");
}
