// hark fixtures generate: speak generated grammar samples with a voice and write audio fixtures
// (NAME.wav + NAME.json sidecar, docs/audio.md) plus labels.json for `hark replay --expect`.
import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Command } from "commander";
import { loadSources } from "../../nlu/index.js";
import { DEFAULT_VOICE, SynthesisError, createSynthesizer, generateFixtures, grammarSampleLabels, replayLabels } from "../../tts/index.js";
import { CommandError, UsageError } from "../errors.js";
import { writeLine } from "../io.js";
import { addSourceOptions, sourceOptions } from "../options.js";

const positiveInt = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`${name} must be a positive whole number, got '${v}'`);
  return n;
};

export function register(program: Command): void {
  const fixtures = program.command("fixtures").description("audio fixtures for tests (WAV + sidecar JSON)");
  addSourceOptions(
    fixtures
      .command("generate")
      .description("speak N generated grammar samples with a voice; writes NAME.wav + NAME.json and labels.json into DIR")
      .requiredOption("-o, --output <dir>", "output folder")
      .option("-n, --count <n>", "how many distinct utterances", positiveInt("--count"), 20)
      .option("--seed <n>", "sample seed", (v) => Number(v), 1)
      .option("--voice <voice>", "voice (see hark say)", DEFAULT_VOICE)
      .option("--intent <name>", "only these intents (repeatable)", (v: string, p: string[] = []) => [...p, v])
      .option("--margin <seconds>", "silence before and after the speech", (v) => Number(v), 0.3),
  ).action(async (opts) => {
    if (!Number.isInteger(opts.seed)) throw new UsageError(`--seed must be an integer`);
    if (!(opts.margin >= 0 && opts.margin <= 5)) throw new UsageError(`--margin must be between 0 and 5 seconds`);
    const grammar = await loadSources(sourceOptions(opts));
    const labels = grammarSampleLabels(grammar, opts.count, { seed: opts.seed, ...(opts.intent ? { intents: opts.intent } : {}) });
    let synth;
    try {
      synth = createSynthesizer(opts.voice);
    } catch (err) {
      if (err instanceof SynthesisError) throw new CommandError(err.message);
      throw err;
    }
    const dir = resolve(opts.output);
    const t0 = performance.now();
    try {
      const written = await generateFixtures(labels, dir, {
        voice: synth,
        marginSeconds: opts.margin,
        onProgress: (d, t) => process.stderr.isTTY && process.stderr.write(`\rfixtures ${d}/${t}`),
      });
      if (process.stderr.isTTY) process.stderr.write("\r\x1b[K");
      writeFileSync(join(dir, "labels.json"), `${JSON.stringify(replayLabels(written), null, 1)}\n`);
      await writeLine(JSON.stringify({ dir, fixtures: written.length, voice: synth.voice, seed: opts.seed, ms: Math.round(performance.now() - t0) }));
    } finally {
      synth.close();
    }
  });
}
