// The evidence as one number, P(the understanding is right): placeholder until fitted.
import type { AsrEvidence } from "../types.js";

export function evidenceScore(e: AsrEvidence): number | undefined {
  void e;
  return undefined;
}
