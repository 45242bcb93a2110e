// Speech recognition engines, chosen by name. The default is grammar ASR ("grammar"): soundswallower
// with the 16 kHz en-us model and a minimal word DFA compiled from the active grammar.
// Other engines (sherpa-onnx, whisper.cpp) register here, in a name → factory registry
// (src/platform/registry.ts); each needs model files the user installs and reports
// RecognizerUnavailableError with the reason when they are missing.
import { createGrammarRecognizer } from "./soundswallower/index.js";
import { createSherpaRecognizer } from "./sherpa.js";
import { createWhisperRecognizer } from "./whisper.js";
import { RecognizerUnavailableError, type Recognizer, type RecognizerConfig, type RecognizerFactory } from "./types.js";
import { Registry } from "../platform/registry.js";

export type { RecognitionResult, Recognizer, RecognizerConfig, RecognizerFactory, RecognizerStream } from "./types.js";
export { RecognizerUnavailableError } from "./types.js";
export { compileAsrGrammar, dfaToFsg, enumerateDfa, dfaAccepts, AsrGrammarError } from "../compile/fsg.js";
export type { AsrGrammar, AsrGrammarOptions, WordDfa } from "../compile/fsg.js";
export { dialogReplies, REPLY_PHRASES, REPLY_LISTS } from "../compile/replies.js";
export type { AsrReplies } from "../compile/replies.js";
export { SherpaRecognizer, buildSherpaAsrConfig, resolveSherpaFiles, grammarHotwords, SHERPA_KINDS } from "./sherpa.js";
export type { SherpaModelSpec, SherpaKind } from "./sherpa.js";
export { WhisperCppRecognizer, loadWhisperBinding, WHISPER_INSTALL_HINT } from "./whisper.js";
export { Frontend, estimateSnr } from "./frontend.js";
export type { FrontendOptions } from "./frontend.js";
export { GrammarRecognizer, compileCached, prepareGrammar } from "./soundswallower/index.js";
export type { GrammarAsrOptions } from "./soundswallower/index.js";

export const DEFAULT_ENGINE = "grammar";

/** The ASR engines by name (src/platform/registry.ts); an unknown name is a RecognizerUnavailableError listing the known ones. */
const engines = new Registry<RecognizerConfig, Promise<Recognizer>>("ASR engine", (m) => new RecognizerUnavailableError(m))
  .register(DEFAULT_ENGINE, createGrammarRecognizer, { description: "soundswallower with a word graph compiled from the active grammar" })
  // sherpa-onnx: config.model {kind, dir} or models/manifest.yaml asr.sherpa-<kind>; "sherpa" = streaming zipformer.
  .register("sherpa", createSherpaRecognizer, { description: "sherpa-onnx (streaming zipformer unless config.model says otherwise)" });
for (const kind of ["zipformer", "transducer", "whisper", "moonshine", "sense-voice", "paraformer"] as const)
  engines.register(`sherpa:${kind}`, (c) => createSherpaRecognizer({ kind, ...c }), { description: `sherpa-onnx ${kind}` });
// whisper.cpp through @fugood/whisper.node (optional package).
engines.register("whisper", createWhisperRecognizer, { description: "whisper.cpp (optional package @fugood/whisper.node)" });

/** Add (or replace) an engine. */
export function registerEngine(name: string, factory: RecognizerFactory): void {
  engines.register(name, factory);
}

export function engineNames(): string[] {
  return engines.names().sort();
}

/** Create the engine called `name` (default "grammar") with its configuration. */
export async function createRecognizer(name: string = DEFAULT_ENGINE, config: RecognizerConfig = {}): Promise<Recognizer> {
  return engines.create(name, config);
}
