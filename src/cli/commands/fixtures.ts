// hark fixtures generate: speak generated grammar samples with a voice and write audio fixtures
// (NAME.wav + NAME.json sidecar, docs/audio.md) plus labels.json for `hark replay --expect`.
// hark fixtures negatives: the out-of-grammar set (noise, silence, other speech, chatter) with
// {"intent": null} labels, for measuring false accepts (src/audio/negatives.ts).
import { existsSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Command } from "commander";
import { loadSources } from "../../nlu/index.js";
import { DEFAULT_VOICE, SynthesisError, createSynthesizer } from "../../tts/index.js";
import { generateFixtures, grammarSampleLabels, replayLabels } from "../../replay/fixtures.js";
import { AudioError, buildNegatives, readAudioFile, writeNegatives, CHATTER_SENTENCES } from "../../audio/index.js";
import { CommandError, UsageError } from "../../platform/errors.js";
import { writeLine } from "../io.js";
import { startProgress } from "../progress.js";
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
    const bar = startProgress("fixtures", labels.length);
    try {
      const written = await generateFixtures(labels, dir, {
        voice: synth,
        marginSeconds: opts.margin,
        onProgress: (d, t) => bar.update(d, t),
      });
      bar.stop();
      writeFileSync(join(dir, "labels.json"), `${JSON.stringify(replayLabels(written), null, 1)}\n`);
      await writeLine(JSON.stringify({ dir, fixtures: written.length, voice: synth.voice, seed: opts.seed, ms: Math.round(performance.now() - t0) }));
    } finally {
      bar.stop();
      synth.close();
    }
  });

  fixtures
    .command("negatives")
    .description("write the out-of-grammar test set (noise segments, silence, other speech, spoken chatter) as NAME.wav + NAME.json and labels.json with {\"intent\": null}")
    .requiredOption("-o, --output <dir>", "output folder")
    .option("--noise <file.wav>", "noise recording to cut segments from (e.g. the speech-to-intent kitchen.wav)")
    .option("--noise-segments <n>", "how many noise segments", positiveInt("--noise-segments"), 12)
    .option("--testdata <dir>", "folder of other speech: *.wav below it, *.raw (s16le 16 kHz) directly in it", DEBIAN_TESTDATA)
    .option("--no-testdata", "no other speech")
    .option("--no-silence", "no digital silence / dither inputs")
    .option("--no-chatter", "no spoken chatter")
    .option("--voice <voice>", "voice for the chatter (see hark say)", DEFAULT_VOICE)
    .option("--seed <n>", "dither seed", (v) => Number(v), 1)
    .action(async (opts) => {
      if (!Number.isInteger(opts.seed)) throw new UsageError(`--seed must be an integer`);
      let testdataDir: string | undefined = opts.testdata === false ? undefined : opts.testdata;
      // The default folder is used when it exists (Debian's pocketsphinx-testdata); a folder named explicitly must exist.
      if (testdataDir === DEBIAN_TESTDATA && !existsSync(testdataDir)) testdataDir = undefined;
      const t0 = performance.now();
      let synth;
      try {
        synth = opts.chatter === false ? undefined : createSynthesizer(opts.voice);
      } catch (err) {
        if (err instanceof SynthesisError) throw new CommandError(err.message);
        throw err;
      }
      // Speaking the chatter is the slow part: one tick per sentence.
      const chatter = synth ? CHATTER_SENTENCES.map((c) => c.text) : [];
      const bar = startProgress("chatter", chatter.length);
      try {
        const noise = opts.noise ? { samples: (await readAudioFile(opts.noise)).samples, name: opts.noise as string } : undefined;
        const items = await buildNegatives({
          noise,
          noiseSegments: opts.noiseSegments,
          silence: opts.silence !== false,
          testdataDir,
          chatter,
          speak:
            synth &&
            (async (text: string) => {
              const audio = await synth.synthesize(text);
              bar.tick(text);
              return audio;
            }),
          seed: opts.seed,
        });
        bar.stop();
        if (!items.length) throw new UsageError("nothing to write: give --noise, --testdata or keep silence/chatter");
        const w = writeNegatives(opts.output, items, synth?.voice);
        await writeLine(JSON.stringify({ ...w, testdata: testdataDir ?? null, ms: Math.round(performance.now() - t0) }));
      } catch (err) {
        if (err instanceof AudioError || err instanceof SynthesisError) throw new CommandError(err.message);
        throw err;
      } finally {
        bar.stop();
        synth?.close();
      }
    });
}

/** Debian's pocketsphinx-testdata folder, used by `hark fixtures negatives` when present. */
const DEBIAN_TESTDATA = "/usr/share/pocketsphinx/test/data";
