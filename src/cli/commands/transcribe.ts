// hark transcribe: WAV files → text, one JSON line per file {file, text, confidence, ms, rtf}.
import type { Command } from "commander";
import { createRecognizer } from "../../asr/index.js";
import { readAudioFile } from "../../audio/source.js";
import { loadSources } from "../../nlu/index.js";
import { UsageError } from "../../platform/errors.js";
import { writeLine } from "../io.js";
import { addSourceOptions, sourceOptions } from "../options.js";
import { asrConfig, addAsrOptions } from "../../asr/cliOptions.js";

export function register(program: Command): void {
  addAsrOptions(
    addSourceOptions(
      program
        .command("transcribe")
        .description("speech to text with the grammar's ASR: prints {file, text, confidence, ms, rtf} per file")
        .argument("<files...>", "WAV files (any rate, mono/stereo, int or float; resampled to 16 kHz)"),
    ),
  ).action(async (files: string[], opts) => {
    if (!files.length) throw new UsageError("no WAV file given");
    const grammar = await loadSources(sourceOptions(opts));
    const recognizer = await createRecognizer(opts.engine, { grammar, ...asrConfig(opts) });
    let failed = 0;
    try {
      for (const file of files) {
        try {
          const { samples } = await readAudioFile(file);
          const r = await recognizer.recognize(samples);
          const seconds = samples.length / 16000;
          await writeLine(
            JSON.stringify({
              file,
              text: r.text,
              confidence: Math.round(r.confidence * 1000) / 1000,
              ms: Math.round(r.ms * 1000) / 1000,
              rtf: seconds ? Math.round((r.ms / 1000 / seconds) * 10000) / 10000 : 0,
              ...(r.rejected ? { rejected: r.reason ?? "rejected" } : {}),
            }),
          );
        } catch (err) {
          failed++;
          await writeLine(JSON.stringify({ file, text: "", error: (err as Error).message.split("\n")[0] }));
        }
      }
    } finally {
      recognizer.close();
    }
    if (failed) {
      process.stderr.write(`hark: ${failed} of ${files.length} files could not be transcribed\n`);
      process.exitCode = 1;
    }
  });
}

