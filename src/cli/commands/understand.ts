// hark understand: text → intents, one utterance or a JSONL batch.
import { Command, Option } from "commander";
import { loadMatcher, loadSources, loadUnderstander, type SourceOptions, type Understander, type Understanding } from "../../nlu/index.js";
import { CommandError, UsageError } from "../errors.js";
import { readAllStdin, stdinLines, writeLine } from "../io.js";
import { addSourceOptions, sourceOptions } from "../options.js";

/** Utterances longer than this are rejected before normalization (no command is 10,000 characters). */
const MAX_CHARS = 10_000;

export function register(program: Command): void {
  addSourceOptions(
    program
      .command("understand")
      .description("understand an utterance: prints {text, intents:[{intent, slots, confidence, source}], ms}")
      .argument("[text...]", "the utterance (omit with --jsonl, or pipe it on stdin)")
      .option("--jsonl", "batch: one utterance per stdin line (plain text or {\"id\",\"text\"}) → one JSON line each")
      .addOption(new Option("--engine <engine>", "understanding engine").choices(["matcher", "slm", "cascade"]).default("cascade")),
  ).action(async (words: string[], opts) => {
    if (opts.jsonl && words.length) throw new UsageError("give TEXT or --jsonl, not both");
    const matcher = await loadEngine(opts.engine as string, sourceOptions(opts));
    try {
    const run = async (text: string): Promise<Understanding & { ms: number }> => {
      const t0 = performance.now();
      const result: Understanding =
        text.length > MAX_CHARS ? { text: text.slice(0, 200), intents: [], reason: `too long (${text.length} characters)` } : await matcher.understand(text);
      return { ...result, ms: Math.round((performance.now() - t0) * 1000) / 1000 };
    };

    if (!opts.jsonl) {
      let text = words.join(" ");
      if (!words.length) {
        if (process.stdin.isTTY) throw new UsageError("no text given (pass TEXT, pipe it on stdin, or use --jsonl)");
        text = (await readAllStdin()).trim();
      }
      await writeLine(JSON.stringify(order(await run(text))));
      return;
    }
    let bad = 0;
    let lineNo = 0;
    for await (const line of stdinLines()) {
      lineNo++;
      let id: unknown;
      let text = line;
      if (line.trimStart().startsWith("{")) {
        try {
          const obj = JSON.parse(line) as { id?: unknown; text?: unknown };
          if (typeof obj.text !== "string") throw new Error("missing \"text\"");
          id = obj.id;
          text = obj.text;
        } catch (err) {
          bad++;
          await writeLine(JSON.stringify({ line: lineNo, error: `invalid JSON line: ${(err as Error).message}`, intents: [] }));
          continue;
        }
      }
      const result = await run(text.length > MAX_CHARS ? text.slice(0, MAX_CHARS + 1) : text);
      await writeLine(JSON.stringify(id === undefined ? order(result) : { id, ...order(result) }));
    }
    if (bad) {
      process.stderr.write(`hark: ${bad} of ${lineNo} lines were not valid JSON utterances\n`);
      process.exitCode = 1;
    }
    } finally {
      await matcher.dispose?.();
    }
  });
}

/** --engine matcher | slm (the model alone) | cascade (default: the cascade when models are installed). */
async function loadEngine(engine: string, src: SourceOptions): Promise<Understander & { dispose?(): Promise<void> }> {
  if (engine === "matcher") return loadMatcher(src);
  if (engine === "cascade") return loadUnderstander(src);
  const { activeModels, benchFile } = await import("../../models/manifest.js");
  const models = activeModels();
  if (!models.slm) throw new CommandError("no SLM model is installed (models/manifest.yaml has no active slm; see `hark models list`)");
  const { SlmEngine } = await import("../../nlu/slm/engine.js");
  const grammar = await loadSources(src);
  let engineObj: Awaited<ReturnType<typeof SlmEngine.load>>;
  try {
    engineObj = await SlmEngine.load({ model: models.slm, draft: models.draft, grammar, benchFile: benchFile(), wordsFile: models.words });
  } catch (err) {
    // The model alone was asked for: a model that cannot be used (sha256 mismatch, damaged, missing) is a failure, in one line.
    throw new CommandError(err instanceof Error ? err.message.split("\n")[0]! : String(err));
  }
  return {
    understand: async (text: string) => {
      const { decode: _d, ...r } = await engineObj.understand(text);
      return r;
    },
    dispose: () => engineObj.dispose(),
  };
}

/** Stable key order for readers and diffs: text, intents, reason, ms. */
function order(r: Understanding & { ms: number }) {
  return { text: r.text, intents: r.intents, ...(r.reason ? { reason: r.reason } : {}), ms: r.ms };
}
