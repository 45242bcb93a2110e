// hark bench: measured speed and accuracy (numbers for docs/benchmarks.md come from here).
import { Command, Option } from "commander";
import { benchNlu } from "../../bench/nlu.js";
import { UsageError } from "../../platform/errors.js";
import { addSourceOptions, sourceOptions } from "../options.js";
import { progressGroup, type Progress, type ProgressGroup } from "../progress.js";
import { asrConfig } from "../../asr/cliOptions.js";

type Suite = (opts: Record<string, unknown>) => Promise<unknown>;

/** The running suite's progress on stderr: bars on a terminal, nothing (or plain log lines) otherwise. */
let progress: ProgressGroup | undefined;
const bars = new Map<string, Progress>();
const group = (): ProgressGroup => (progress ??= progressGroup());

/** An onProgress(done, total) callback that moves the bar called `name`. */
export function counter(name: string): (done: number, total: number) => void {
  return (done, total) => {
    let bar = bars.get(name);
    if (!bar) bars.set(name, (bar = group().bar(name, total)));
    bar.update(done, total);
  };
}

/** A progress message of a suite: above the bars on a terminal, a plain stderr line otherwise. */
export function note(line: string): void {
  group().log(line);
}

/** Suites by name; each returns a JSON-serializable report. */
const suites: Record<string, Suite> = {
  nlu: (opts) =>
    benchNlu({
      ...sourceOptions(opts as { grammar?: string[]; devices?: string[] | boolean }),
      count: opts.count as number | undefined,
      seed: opts.seed as number | undefined,
      natural: oneNatural(opts.natural as string[] | undefined),
      onProgress: counter("nlu"),
    }),
};

/** The nlu suite reads one natural set; the slm and trust suites as many as given. */
function oneNatural(files: string[] | undefined): string | undefined {
  if (files && files.length > 1) throw new UsageError("the nlu suite takes one --natural file");
  return files?.[0];
}

export function registerSuite(name: string, suite: Suite): void {
  suites[name] = suite;
}

registerSuite("slm", async (opts) => {
  const { benchSlm, SLM_BENCH_PARTS } = await import("../../bench/slm.js");
  const parts = opts.parts === undefined ? undefined : String(opts.parts).split(",").map((p) => p.trim());
  const bad = parts?.find((p) => !(SLM_BENCH_PARTS as readonly string[]).includes(p));
  if (bad !== undefined) throw new UsageError(`unknown --parts '${bad}' (available: ${SLM_BENCH_PARTS.join(", ")})`);
  const modes = opts.modes === undefined ? undefined : String(opts.modes).split(",").map((m) => m.trim());
  const { DECODE_MODES } = await import("../../nlu/slm/engine.js");
  const badMode = modes?.find((m) => m === "auto" || !(DECODE_MODES as readonly string[]).includes(m));
  if (badMode !== undefined) throw new UsageError(`unknown --modes '${badMode}' (available: ${DECODE_MODES.filter((m) => m !== "auto").join(", ")})`);
  return benchSlm({
    ...sourceOptions(opts as { grammar?: string[]; devices?: string[] | boolean }),
    count: opts.count as number | undefined,
    accuracyCount: opts.accuracyCount as number | undefined,
    seed: opts.seed as number | undefined,
    natural: opts.natural as string[] | undefined,
    parts: parts as never,
    modes: modes as never,
    onProgress: note,
  });
});

registerSuite("asr", async (opts) => {
  const { benchAsr } = await import("../../bench/asr.js");
  return benchAsr({
    ...sourceOptions(opts as { grammar?: string[]; devices?: string[] | boolean }),
    count: opts.count as number | undefined,
    seed: opts.seed as number | undefined,
    voice: opts.voice as string | undefined,
    // Defaults as in hark replay/transcribe, with the same experiment hooks ($HARK_ASR_FRONTEND, $HARK_ASR_DECODER).
    asr: asrConfig({}),
    onProgress: counter("asr"),
  });
});

// End-of-input → MQTT publish latency (text and WAV) and `hark run` start-up (src/bench/e2e.ts).
registerSuite("e2e", async (opts) => (await import("../../bench/e2e.js")).e2eSuite(opts));

// The live listener against the batch path on a folder of recordings (src/bench/live.ts).
registerSuite("live", async (opts) => {
  if (!opts.wav) throw new UsageError("the live suite needs --wav DIR (a folder of recordings)");
  const { liveBench } = await import("../../bench/live.js");
  const { loadSources } = await import("../../nlu/index.js");
  const grammar = await loadSources(sourceOptions(opts as { grammar?: string[]; devices?: string[] | boolean }));
  const ms = (k: string) => (opts[k] === undefined ? {} : { [k.replace(/Ms$/, "SilenceMs")]: Number(opts[k]) });
  return liveBench(grammar, opts.wav as string, { ...ms("shortMs"), ...ms("mediumMs"), ...ms("longMs") }, counter("live"));
});

// The wake spotter: misses on spoken phrases, false wakes per 5 hours of other audio (src/bench/wake.ts).
registerSuite("wake", async (opts) => {
  const { wakeBench } = await import("../../bench/wake.js");
  const { loadSources } = await import("../../nlu/index.js");
  const { readAudioFile } = await import("../../audio/source.js");
  const grammar = await loadSources(sourceOptions(opts as { grammar?: string[]; devices?: string[] | boolean }));
  const num = (k: string): number | undefined => {
    if (opts[k] === undefined) return undefined;
    const v = Number(opts[k]);
    if (!Number.isFinite(v) || v < 0) throw new UsageError(`--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}: not a number: ${String(opts[k])}`);
    return v;
  };
  const sensitivity = num("sensitivity");
  if (sensitivity !== undefined && sensitivity > 1) throw new UsageError("--sensitivity: between 0 and 1");
  const noise = opts.noise === undefined ? undefined : (await readAudioFile(String(opts.noise))).samples;
  return wakeBench({
    grammar,
    ...(opts.phrase ? { phrase: String(opts.phrase) } : {}),
    ...(sensitivity !== undefined ? { sensitivity } : {}),
    ...(opts.count !== undefined ? { positives: opts.count as number } : {}),
    ...(num("hours") !== undefined ? { hours: num("hours")! } : {}),
    ...(noise ? { noise } : {}),
    ...(opts.wav ? { realDir: String(opts.wav) } : {}),
    ...(opts.seed !== undefined ? { seed: opts.seed as number } : {}),
    onProgress: note,
  });
});

// The trust sets: wrong actions and controls acted on exactly (src/bench/trust.ts); the shipped sets by default.
registerSuite("trust", async (opts) => {
  const { loadTrustSet, runTrustSet } = await import("../../bench/trust.js");
  const { existsSync } = await import("node:fs");
  const { basename, join } = await import("node:path");
  const { projectRoot } = await import("../../grammar/paths.js");
  const dir = join(projectRoot(), "test", "fixtures", "trust");
  const parts = opts.parts === undefined ? ["sets", "curve"] : String(opts.parts).split(",").map((p) => p.trim());
  const bad = parts.find((p) => !["sets", "curve"].includes(p));
  if (bad) throw new UsageError(`unknown --parts '${bad}' for the trust suite (available: sets, curve)`);
  const sets = (opts.set as string[] | undefined) ?? ["dev.jsonl", "heldout.jsonl"].map((f) => join(dir, f)).filter((f) => existsSync(f));
  if (parts.includes("sets") && !sets.length) throw new UsageError("no trust set given (--set FILE.jsonl)");
  const out: Record<string, unknown> = {};
  if (parts.includes("sets")) {
    const reports = [];
    let spoken: { dir: string; noise?: Float32Array; snrDb?: number } | undefined;
    if (opts.spoken) {
      const { cacheDir } = await import("../../compile/cache.js");
      spoken = { dir: join(cacheDir(), "trust-wav") };
      if (opts.noise !== undefined || opts.snr !== undefined) {
        const snr = Number(opts.snr);
        if (opts.noise === undefined || !Number.isFinite(snr)) throw new UsageError("--noise FILE and --snr DB go together");
        const { readAudioFile } = await import("../../audio/source.js");
        spoken = { ...spoken, noise: (await readAudioFile(opts.noise as string)).samples, snrDb: snr };
      }
    }
    for (const file of sets) {
      const items = loadTrustSet(file);
      const r = await runTrustSet(items, file, { ...(spoken ? { spoken } : {}), onProgress: counter(`trust ${basename(file)}`) });
      const { results: _r, ...report } = r;
      reports.push(report);
    }
    out.sets = reports;
  }
  if (parts.includes("curve")) {
    // Wrong actions vs acceptance over the NLU thresholds, on the hand-written natural sets (tuned / held out).
    const { nluCurve } = await import("../../bench/trust.js");
    const { readLabelled } = await import("../../bench/nlu.js");
    const { loadSources, loadUnderstander } = await import("../../nlu/index.js");
    const { loadTrust } = await import("../../trust/index.js");
    const src = sourceOptions(opts as { grammar?: string[]; devices?: string[] | boolean });
    const understander = await loadUnderstander(src);
    const trust = loadTrust(await loadSources(src));
    const natural = opts.natural ? (opts.natural as string[]) : ["utterances.jsonl", "heldout.jsonl"].map((f) => join(projectRoot(), "test", "fixtures", "natural", f));
    const curves: Record<string, unknown> = {};
    try {
      for (const f of natural.filter((x) => existsSync(x))) curves[f] = await nluCurve(readLabelled(f), understander, trust);
    } finally {
      await (understander as { dispose?: () => Promise<void> }).dispose?.();
    }
    out.curve = curves;
  }
  return out;
});

// Soak and faults: tens of thousands of commands, broker restarts, mute devices, a throttled CPU (src/bench/soak.ts, docs/soak.md).
registerSuite("soak", async (opts) => {
  const { soakSuite } = await import("../../bench/soak.js");
  const report = await soakSuite(opts, note).catch((err: unknown) => {
    throw err instanceof Error && /^--/.test(err.message) ? new UsageError(err.message) : err;
  });
  if (!report.pass) process.exitCode = 1;
  return report;
});

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
      .option("--accuracy-count <n>", "slm suite: held-out generated samples for accuracy (default 2000)", (v) => Number(v))
      .option("--parts <list>", "slm suite: speed,generated,unseen,natural; trust suite: sets,curve (comma-separated; default all)")
      .option("--modes <list>", "slm suite: decode modes to time, comma-separated (default all that the models allow)")
      .option("--natural <file>", "hand-written labelled utterances (JSONL); repeatable for the slm and trust suites", (v: string, acc: string[] = []) => [...acc, v])
      .option("--set <file>", "trust suite: a trust set (JSONL, test/fixtures/trust/README.md); repeatable (default: the shipped sets)", (v: string, acc: string[] = []) => [...acc, v])
      .option("--spoken", "trust suite: say every turn with the default voice and hear it through VAD + ASR")
      .option("--noise <file>", "trust suite with --spoken: mix this noise (WAV) in at --snr; wake suite: the noise bed (default: babble + pink noise)")
      .option("--snr <dB>", "trust suite with --spoken: signal-to-noise ratio of the mix")
      .option("--voice <voice>", "asr suite: the voice that speaks the samples (default flite:slt)")
      .option("--wav <dir>", "live suite: the recordings to hear; wake suite: real recordings without the phrase, added to the negatives")
      .option("--phrase <words>", "wake suite: the wake phrase (default \"hey hark\")")
      .option("--sensitivity <s>", "wake suite: 0..1 (default: the shipped wake.sensitivity)")
      .option("--hours <h>", "wake suite: hours of negative audio (default 5); -n: spoken phrases (default 200)")
      .option("--short-ms <ms>", "live suite: listen.short_silence_ms (default 120)")
      .option("--medium-ms <ms>", "live suite: listen.medium_silence_ms (default 400)")
      .option("--long-ms <ms>", "live suite: listen.long_silence_ms (default 600)")
      .option("--spoken-count <m>", "soak suite: spoken commands (default 2000); -n: typed commands (default 50000)")
      .option("--minutes <m>", "soak suite: stop issuing commands after this long (default 60)")
      .option("--restarts <k>", "soak suite: broker restarts (default 3)")
      .option("--mute <k>", "soak suite: commands to devices that never acknowledge (default: 1 per 500 typed)")
      .option("--cpu <share>", "soak suite: the throttled runtime's share of one core (default 0.25)")
      .option("--throttle <how>", "soak suite: auto|cgroup2|cgroup1|cpulimit|duty|off (default auto)")
      .option("--broker <kind>", "soak suite: aedes|mosquitto, on loopback (default aedes)")
      .option("--device-timeout-ms <ms>", "soak suite: the runtime's device confirmation timeout (default: hark's)")
      .option("--slm", "soak suite: hark's default understander (matcher, then the SLM) instead of the matcher alone")
      .option("--errors", "include every misunderstood utterance in the report")
      .option("--json", "one-line JSON (default: indented)"),
  ).action(async (opts) => {
    const suite = suites[opts.suite as string];
    if (!suite) throw new UsageError(`unknown suite '${opts.suite}' (available: ${Object.keys(suites).join(", ")})`);
    let report: Record<string, unknown>;
    try {
      report = (await suite(opts)) as Record<string, unknown>;
    } finally {
      progress?.stop();
      progress = undefined;
      bars.clear();
    }
    if (!opts.errors) trimErrors(report);
    process.stdout.write(JSON.stringify(report, null, opts.json ? undefined : 2) + "\n");
  });
}

/** At most 10 examples in every `errors` list of a report (all of them with --errors). */
function trimErrors(node: unknown): void {
  if (!node || typeof node !== "object") return;
  for (const [k, v] of Object.entries(node)) {
    if (k === "errors" && Array.isArray(v)) (node as Record<string, unknown>)[k] = v.slice(0, 10);
    else trimErrors(v);
  }
}
