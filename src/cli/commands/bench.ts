// hark bench: measured speed and accuracy (numbers for docs/benchmarks.md come from here).
import { Command, Option } from "commander";
import { benchNlu } from "../../bench/nlu.js";
import { UsageError } from "../errors.js";
import { addSourceOptions, sourceOptions } from "../options.js";

type Suite = (opts: Record<string, unknown>) => Promise<unknown>;

/** Suites by name; each returns a JSON-serializable report. */
const suites: Record<string, Suite> = {
  nlu: (opts) =>
    benchNlu({
      ...sourceOptions(opts as { grammar?: string[]; devices?: string[] | boolean }),
      count: opts.count as number | undefined,
      seed: opts.seed as number | undefined,
      natural: opts.natural as string | undefined,
      onProgress: process.stderr.isTTY ? (d, t) => process.stderr.write(`\rnlu ${d}/${t}`) : undefined,
    }),
};

export function registerSuite(name: string, suite: Suite): void {
  suites[name] = suite;
}

registerSuite("slm", async (opts) => {
  const { benchSlm } = await import("../../nlu/slm/bench.js");
  return benchSlm({
    ...sourceOptions(opts as { grammar?: string[]; devices?: string[] | boolean }),
    count: opts.count as number | undefined,
    seed: opts.seed as number | undefined,
    natural: opts.natural as string | undefined,
    onProgress: (m) => process.stderr.write(`${m}\n`),
  });
});

registerSuite("asr", async (opts) => {
  const { benchAsr } = await import("../../bench/asr.js");
  return benchAsr({
    ...sourceOptions(opts as { grammar?: string[]; devices?: string[] | boolean }),
    count: opts.count as number | undefined,
    seed: opts.seed as number | undefined,
    voice: opts.voice as string | undefined,
    onProgress: process.stderr.isTTY ? (d, t) => process.stderr.write(`\rasr ${d}/${t}`) : undefined,
  });
});

// End-of-input → MQTT publish latency (text and WAV) and `hark run` start-up (src/bench/e2e.ts).
registerSuite("e2e", async (opts) => (await import("../../bench/e2e.js")).e2eSuite(opts));

export function register(program: Command): void {
  addSourceOptions(
    program
      .command("bench")
      .description("measure speed and accuracy; prints a JSON report")
      .addOption(new Option("--suite <name>", "what to measure").default("nlu"))
      .option("-n, --count <n>", "how many utterances", (v) => {
        const n = Number(v);
        if (!Number.isInteger(n) || n <= 0) throw new UsageError(`--count must be a positive whole number, got '${v}'`);
        return n;
      })
      .option("--seed <n>", "sample seed", (v) => Number(v))
      .option("--natural <file>", "hand-written labelled utterances (JSONL)")
      .option("--voice <voice>", "asr suite: the voice that speaks the samples (default flite:slt)")
      .option("--errors", "include every misunderstood utterance in the report")
      .option("--json", "one-line JSON (default: indented)"),
  ).action(async (opts) => {
    const suite = suites[opts.suite as string];
    if (!suite) throw new UsageError(`unknown suite '${opts.suite}' (available: ${Object.keys(suites).join(", ")})`);
    const report = (await suite(opts)) as Record<string, unknown>;
    if (process.stderr.isTTY) process.stderr.write("\r\x1b[K");
    const natural = report.natural as { errors?: unknown[] } | undefined;
    if (natural && !opts.errors) natural.errors = natural.errors?.slice(0, 10);
    process.stdout.write(JSON.stringify(report, null, opts.json ? undefined : 2) + "\n");
  });
}
