// What the grammar recognizer of `hark run` hears besides the grammar's own sentences: the dialog's replies
// ("yes", "never mind", "the kitchen"; src/compile/replies.ts) and the trust words ("don't …", "… in ten
// minutes", rooms and appliances the home lacks; src/trust/spoken.ts). One function for the runtime
// (src/run/voice.ts `Hearing`) and `hark grammar compile` (src/compile/artifacts.ts), so both build the
// same ASR grammar.
import type { Grammar } from "../grammar/types.js";
import { trustAsrGrammar, type SpokenTrustWords } from "../trust/spoken.js";
import type { AsrGrammarOptions } from "./fsg.js";
import { dialogReplies } from "./replies.js";

export interface HeardExtras {
  /** Accept dialog replies (default true). */
  replies?: boolean;
  /** Words the trust policy needs to hear (none when absent). */
  trustWords?: SpokenTrustWords;
}

/** The grammar recognizer's options for a grammar (src/asr/soundswallower GrammarAsrOptions: `compile` and `around`). */
export function hearingAsrOptions(
  grammar: Grammar,
  o: HeardExtras = {},
): { compile: AsrGrammarOptions; around?: { before: readonly string[]; after: readonly string[]; alone?: readonly string[] } } {
  const t = o.trustWords ? trustAsrGrammar(o.trustWords) : undefined;
  return {
    compile: {
      ...(o.replies === false ? {} : { replies: dialogReplies(grammar) }),
      ...t?.compile,
    },
    ...(t ? { around: t.around } : {}),
  };
}
