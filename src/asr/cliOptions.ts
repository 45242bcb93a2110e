// ASR options shared by `hark transcribe` and `hark replay`.
import { Option, type Command } from "commander";
import { DEFAULT_ENGINE, engineNames } from "./index.js";
import { UsageError } from "../cli/errors.js";

export function addAsrOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option("--engine <engine>", "ASR engine").choices(engineNames()).default(DEFAULT_ENGINE))
    .option("--no-reject", "no out-of-grammar rejection: always force the nearest sentence")
    .option("--reject-prob <p>", "probability of the phone-loop garbage branch (higher rejects more)", "3e-2");
}

export function asrConfig(opts: { reject?: boolean; rejectProb?: string }): Record<string, unknown> {
  const p = Number(opts.rejectProb ?? "3e-2");
  if (!(p > 0 && p < 1)) throw new UsageError(`--reject-prob must be a probability between 0 and 1, got ${opts.rejectProb}`);
  return { rejection: opts.reject === false ? false : { entryProb: p } };
}
