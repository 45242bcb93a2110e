// ASR options shared by `hark transcribe` and `hark replay`.
import { Option, type Command } from "commander";
import { DEFAULT_ENGINE, engineNames } from "./index.js";
import { UsageError } from "../platform/errors.js";
import type { FrontendOptions } from "./frontend.js";
import { harkEnv, jsonVariable, type HarkEnv } from "../platform/env.js";

export function addAsrOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option("--engine <engine>", "ASR engine").choices(engineNames()).default(DEFAULT_ENGINE))
    .option("--no-reject", "no out-of-grammar rejection: always force the nearest sentence")
    .option("--reject-prob <p>", "probability of the phone-loop garbage branch (higher rejects more)", "3e-2")
    .option("--score-floor <clean,noisy|off>", "acoustic score floor per frame for clean (≥ 25 dB est.) and noisy (≤ 10 dB est.) input; off = none", "-37,-45")
    .addOption(new Option("--endpoint <mode>", "find the speech before decoding: silero VAD (energy if its model is missing), energy VAD, whole-file energy trim, or none").choices(["vad", "energy", "trim", "none"]))
    .addOption(new Option("--denoise <mode>", "RNNoise before decoding (only with --endpoint vad|energy): auto = when the estimated SNR is low").choices(["auto", "on", "off"]))
    .option("--denoise-below <dB>", "--denoise auto: denoise when the estimated SNR is below this")
    .option("--no-evidence", "grammar ASR: no evidence (contrast decode against competing readings) per accepted result");
}

/**
 * The recognizer configuration these options (and the experiment hooks among the HARK_* settings, read
 * from the environment at the call unless given) ask for.
 */
export function asrConfig(
  opts: { reject?: boolean; rejectProb?: string; scoreFloor?: string; endpoint?: string; denoise?: string; denoiseBelow?: string; evidence?: boolean },
  env: Pick<HarkEnv, "asrFrontend" | "asrDecoder" | "asrEvidence"> = harkEnv(),
): Record<string, unknown> {
  const p = Number(opts.rejectProb ?? "3e-2");
  if (!(p > 0 && p < 1)) throw new UsageError(`--reject-prob must be a probability between 0 and 1, got ${opts.rejectProb}`);
  let minScore: false | { clean: number; noisy: number } | undefined;
  if (opts.scoreFloor !== undefined) {
    if (opts.scoreFloor === "off") minScore = false;
    else {
      const [clean, noisy] = opts.scoreFloor.split(",").map(Number);
      if (!Number.isFinite(clean) || !Number.isFinite(noisy ?? clean)) throw new UsageError(`--score-floor must be CLEAN,NOISY (e.g. -37,-45) or off, got ${opts.scoreFloor}`);
      minScore = { clean: clean as number, noisy: noisy ?? (clean as number) };
    }
  }
  // Experiment hooks: $HARK_ASR_FRONTEND (front-end options, e.g. {"leadInMs":1000,"dry":0.2}) and
  // $HARK_ASR_DECODER (raw PocketSphinx settings, e.g. {"topn":2}, applied last), both JSON objects.
  const frontend = jsonVariable("HARK_ASR_FRONTEND", env.asrFrontend, "JSON front-end options") as FrontendOptions;
  const decoderConfig = jsonVariable("HARK_ASR_DECODER", env.asrDecoder, "a JSON object of PocketSphinx settings") as Record<string, string | number | boolean>;
  // $HARK_ASR_EVIDENCE: evidence options as JSON (e.g. {"maxCompetitors":24}) or "off", for
  // experiments and for commands without --no-evidence (hark bench).
  const evidenceOff = env.asrEvidence === "off";
  const evidence = evidenceOff ? {} : jsonVariable("HARK_ASR_EVIDENCE", env.asrEvidence, 'a JSON object of evidence options or "off"');
  if (opts.endpoint) frontend.endpoint = opts.endpoint === "none" ? false : (opts.endpoint as FrontendOptions["endpoint"]);
  if (opts.denoise) frontend.denoise = opts.denoise as FrontendOptions["denoise"];
  if (opts.denoiseBelow !== undefined) {
    const db = Number(opts.denoiseBelow);
    if (!Number.isFinite(db)) throw new UsageError(`--denoise-below must be a number of dB, got ${opts.denoiseBelow}`);
    frontend.denoiseBelowDb = db;
  }
  return {
    rejection: opts.reject === false ? false : { entryProb: p, ...(minScore !== undefined ? { minScore } : {}) },
    frontend,
    ...(Object.keys(decoderConfig).length ? { decoderConfig } : {}),
    ...(opts.evidence === false || evidenceOff ? { evidence: false } : Object.keys(evidence).length ? { evidence } : {}),
  };
}
