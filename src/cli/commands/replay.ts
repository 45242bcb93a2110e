// hark replay: recorded audio through ASR + understanding; per-file JSON and a summary line.
import { Option, type Command } from "commander";
import { createRecognizer } from "../../asr/index.js";
import { readAudioFile } from "../../audio/source.js";
import { loadSources, loadUnderstander, sourcePaths } from "../../nlu/index.js";
import { loadTrust } from "../../trust/index.js";
import { spokenTrustWords, trustAsrGrammar } from "../../trust/spoken.js";
import { halfOf, listAudioFiles, loadLabels, replayFile, SummaryBuilder, type Gate, type Labels } from "../../replay/index.js";
import { CommandError, UsageError } from "../../platform/errors.js";
import { writeLine } from "../io.js";
import { startProgress } from "../progress.js";
import { addSourceOptions, sourceOptions } from "../options.js";
import { addAsrOptions, asrConfig } from "../../asr/cliOptions.js";

export function register(program: Command): void {
  addAsrOptions(
    addSourceOptions(
      program
        .command("replay")
        .description("replay WAV files through ASR + understanding: one JSON line per file, then a summary line")
        .argument("<inputs...>", "WAV files or folders (searched recursively for *.wav)")
        .option("--expect <labels.json>", 'expected results: {"file.wav": {"intent": …, "slots": {…}}} (intent null = not a command)')
        .option("--snr <dB>", "mix --noise into every file at this SNR (max-frame-energy SNR, peak-normalised, as the speech-to-intent benchmark)")
        .option("--noise <file.wav>", "noise recording for --snr (at least as long as each file)")
        .option("--seed <n>", "seed for the noise excerpt offsets", "0")
        .option("--min-margin <m>", "act only on results whose evidence margin (score units per frame) is at least m; the rest count as asked back")
        .option("--min-score <p>", "act only on results whose calibrated evidence score (0..1) is at least p")
        .option("--no-trust", "count every understood command as acted on (no act/ask/refuse decision by the trust policy)")
        .option("--no-trust-words", "decode without the trust words hark run adds to the ASR grammar (\"don't …\", \"… in ten minutes\", rooms the home lacks)")
        .addOption(new Option("--half <half>", "only the files of one half of a deterministic split by file name (tune on A, report on B)").choices(["A", "B"])),
    ),
  ).action(async (inputs: string[], opts) => {
    if ((opts.snr === undefined) !== (opts.noise === undefined)) throw new UsageError("--snr and --noise go together");
    const snrDb = opts.snr === undefined ? undefined : Number(opts.snr);
    if (snrDb !== undefined && !Number.isFinite(snrDb)) throw new UsageError(`--snr must be a number of dB, got ${opts.snr}`);
    const seed = Number(opts.seed);
    if (!Number.isInteger(seed)) throw new UsageError(`--seed must be an integer, got ${opts.seed}`);
    let files: Array<{ path: string; rel: string }>;
    try {
      files = listAudioFiles(inputs);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    if (opts.half) files = files.filter((f) => halfOf(f.rel) === opts.half);
    if (!files.length) throw new UsageError(`no WAV files in ${inputs.join(", ")}${opts.half ? ` (half ${opts.half})` : ""}`);
    const gate: Gate = {};
    for (const [key, flag, lo, hi] of [["minMargin", "--min-margin", -Infinity, Infinity], ["minScore", "--min-score", 0, 1]] as const) {
      const raw = opts[key] as string | undefined;
      if (raw === undefined) continue;
      const v = Number(raw);
      if (!Number.isFinite(v) || v < lo || v > hi) throw new UsageError(`${flag} must be a number${hi === 1 ? " between 0 and 1" : ""}, got ${raw}`);
      gate[key] = v;
    }
    const gated = Object.keys(gate).length ? gate : undefined;
    if (gated && opts.evidence === false) throw new UsageError("--min-margin/--min-score need the evidence (drop --no-evidence)");
    let labels: Labels | undefined;
    if (opts.expect) {
      try {
        labels = loadLabels(opts.expect);
      } catch (err) {
        throw new CommandError((err as Error).message);
      }
    }
    const noise = opts.noise ? { samples: (await readAudioFile(opts.noise)).samples, snrDb: snrDb as number, seed } : undefined;
    const src = sourceOptions(opts);
    const grammar = await loadSources(src);
    const understander = await loadUnderstander(src);
    // The recognizer hark run uses: with the trust words in its grammar unless asked otherwise.
    const trust = opts.trust === false ? undefined : loadTrust(grammar, undefined, sourcePaths(src).grammar);
    const asr = asrConfig(opts);
    const words = trust && opts.trustWords !== false ? trustAsrGrammar(spokenTrustWords(trust.cues)) : undefined;
    const recognizer = await createRecognizer(opts.engine, { grammar, ...asr, ...(words ? { compile: { ...(asr.compile as object | undefined), ...words.compile }, around: words.around } : {}) });
    const summary = new SummaryBuilder(gated);
    const bar = startProgress("replay", files.length);
    try {
      for (const f of files) {
        const item = await replayFile(f.path, f.rel, { recognizer, understander, labels, noise, ...(gated ? { gate: gated } : {}), ...(trust ? { trust } : {}) });
        summary.add(item);
        bar.tick(f.rel);
        await writeLine(JSON.stringify(item));
      }
    } finally {
      bar.stop();
      recognizer.close();
    }
    const startup = (recognizer as { startup?: Record<string, number | string> }).startup;
    await writeLine(JSON.stringify(summary.build({ engine: recognizer.engine, initMs: recognizer.initMs, ...(startup ? { startup } : {}) }, snrDb)));
  });
}
