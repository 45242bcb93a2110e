// `hark bench --suite slm`: speed of every decode mode on the same utterances (with a check that every
// mode produced byte-identical outputs), accuracy of the SLM alone and of the cascade on the held-out test
// split of generated samples, on hand-written natural utterances and on a home the model never saw.
// Models: the active ones (models/manifest.yaml), or HARK_SLM_MODEL / HARK_SLM_DRAFT. Writes
// models/bench-slm.json ({fastest}) for the `auto` mode when it measured the active models.
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { intentsEqual } from "../nlu/intentsEqual.js";
import { evaluateLabelled, readLabelled } from "./nlu.js";
import { percentile, round } from "./stats.js";
import { compileGraph } from "../compile/graph.js";
import { Sampler, type Sample } from "../compile/sample.js";
import { yamlFiles } from "../grammar/load.js";
import { projectRoot } from "../grammar/paths.js";
import type { Grammar } from "../grammar/types.js";
import { activeModels, benchFile, modelsDir } from "../models/manifest.js";
import { Cascade, needsSlm } from "../nlu/cascade.js";
import { loadSources, sourcePaths, type SourceOptions } from "../nlu/index.js";
import { Matcher } from "../nlu/matcher.js";
import type { Understander } from "../nlu/types.js";
import { kindOf } from "../models/train/data.js";
import { harkEnv, type HarkEnv } from "../platform/env.js";
import { benchPairKey, SlmEngine, type DecodeMode } from "../nlu/slm/engine.js";
import type { OutputIntent } from "../nlu/slm/format.js";

export const SLM_BENCH_PARTS = ["speed", "generated", "unseen", "natural"] as const;
export type SlmBenchPart = (typeof SLM_BENCH_PARTS)[number];

export interface SlmBenchOptions extends SourceOptions {
  /** Utterances timed per decode mode (default 500). */
  count?: number;
  /** Held-out generated samples for accuracy (default 2000). */
  accuracyCount?: number;
  seed?: number;
  /** Hand-written labelled sets (JSONL); default test/fixtures/natural/{utterances,heldout}.jsonl. */
  natural?: string[];
  modes?: DecodeMode[];
  /** Natural sets whose utterances the cascade leaves to the SLM time the modes as the runtime uses them (default: test/fixtures/natural/*.jsonl). */
  cascadeFiles?: string[];
  parts?: SlmBenchPart[];
  onProgress?: (msg: string) => void;
  /** Another model than the active one (HARK_SLM_MODEL, HARK_SLM_DRAFT, HARK_SLM_WORDS by default). */
  env?: Pick<HarkEnv, "slmModel" | "slmDraft" | "slmWords">;
}

/** The test split of `hark models train --seed 1`: the training data excludes these texts (src/models/train/data.ts). */
export const TEST_SPLIT_SEED = 2_000_004;

type ModeStats = Record<string, number>;

/**
 * Time each mode on the same utterances. `asCascade`: every mode gets the hint the cascade would give
 * (the pool is what the cascade sends); else spec and hdraft also run without it ("-nohint"), since on
 * generated samples the matcher's hint is the answer itself.
 */
async function speedOf(engine: SlmEngine, samples: Array<Pick<Sample, "text">>, hints: Array<OutputIntent[] | undefined>, modes: DecodeMode[], log: (m: string) => void, asCascade = false) {
  const outputs = new Map<string, string[]>();
  const speed: Record<string, ModeStats> = {};
  const hinted: string[] = modes.filter((m) => m === "spec" || m === "hdraft");
  const all: string[] = [...modes, ...(asCascade ? [] : hinted.map((m) => `${m}-nohint`))];
  // Each decode starts from the prompt template alone (no cache left from the same utterance in another mode).
  const run = async (mode: string, i: number) =>
    (await engine.forget(), engine.decode(samples[i]!.text, { mode: mode.replace("-nohint", "") as DecodeMode, hint: mode.endsWith("-nohint") ? undefined : hints[i] }));
  // Warm-up: one pass compiles the per-utterance languages (and llama.cpp grammars) once.
  for (let i = 0; i < samples.length; i++) for (const mode of all) await run(mode, i);
  // Timed: the modes take turns on each utterance, so a slower or faster stretch of the machine
  // (another process, frequency) falls on every mode alike.
  const acc = new Map(all.map((m) => [m, { total: [] as number[], decode: [] as number[], prompt: [] as number[], tokens: 0, evals: 0, outs: [] as string[] }]));
  for (let i = 0; i < samples.length; i++)
    for (const mode of all) {
      const r = await run(mode, i);
      const a = acc.get(mode)!;
      a.total.push(r.totalMs);
      a.decode.push(r.decodeMs);
      a.prompt.push(r.promptMs);
      a.tokens += r.tokens;
      a.evals += r.evaluations;
      a.outs.push(r.output);
    }
  const sum = (a: number[]) => a.reduce((x, y) => x + y, 0);
  for (const [mode, { total, decode, prompt, tokens, evals, outs }] of acc) {
    outputs.set(mode, outs);
    speed[mode] = {
      p50Ms: round(percentile(total, 50)), p95Ms: round(percentile(total, 95)), meanMs: round(sum(total) / total.length),
      promptMeanMs: round(sum(prompt) / prompt.length), decodeMeanMs: round(sum(decode) / decode.length),
      outputTokens: round(tokens / samples.length, 2), evaluationsPerUtterance: round(evals / samples.length, 2),
      decodeTokensPerSec: Math.round((tokens * 1000) / Math.max(1e-9, sum(decode))),
    };
    log(`slm ${mode}: p50 ${speed[mode]!.p50Ms} ms, mean ${speed[mode]!.meanMs} ms`);
  }
  // The decode phase, the same way for every mode: whole utterance minus the prompt-only evaluation as
  // the plain mode measures it (its first evaluation is the prompt alone).
  const promptOnly = speed.plain?.promptMeanMs;
  if (promptOnly !== undefined) for (const v of Object.values(speed)) v.decodeMeanMs = round(Math.max(0.001, v.meanMs! - promptOnly));
  const ref = outputs.get(modes[0]!)!;
  const identical = Object.fromEntries([...outputs].map(([m, o]) => [m, o.every((x, i) => x === ref[i])]));
  for (const [base, name] of [["grammar", "Grammar"], ["plain", "Plain"]] as const) {
    const b = speed[base];
    if (!b) continue;
    for (const v of Object.values(speed)) {
      v[`decodeSpeedupVs${name}`] = round(b.decodeMeanMs! / v.decodeMeanMs!, 2);
      v[`utteranceSpeedupVs${name}`] = round(b.meanMs! / v.meanMs!, 2);
    }
  }
  // The fastest mode as the cascade would run it: on generated samples, without the (exact) hint.
  const fastest = Object.entries(speed)
    .filter(([m]) => identical[m] && (asCascade || !hinted.includes(m)))
    .sort((a, b) => a[1].meanMs! - b[1].meanMs!)[0]?.[0]
    ?.replace("-nohint", "");
  return { speed, identical, fastest, outputs: ref };
}

/** The shipped natural sets (test/fixtures/natural), where present. */
function naturalFiles(): string[] {
  const dir = join(projectRoot(), "test/fixtures/natural");
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".jsonl")).sort().map((f) => join(dir, f)) : [];
}

/** The utterances of these files the cascade sends to the SLM (the matcher unsure or without a reading), with the hint it gives. */
function cascadePool(matcher: Matcher, files: string[]): { samples: Array<{ text: string }>; hints: Array<OutputIntent[] | undefined> } {
  const samples: Array<{ text: string }> = [];
  const hints: Array<OutputIntent[] | undefined> = [];
  for (const file of files)
    for (const { text } of readLabelled(file)) {
      const m = matcher.understand(text);
      if (!needsSlm(m)) continue;
      samples.push({ text });
      hints.push(m.intents.length ? m.intents : undefined);
    }
  return { samples, hints };
}

/**
 * Exact rate over the samples as drawn, and over their distinct sentences (the generator draws intents
 * uniformly, so an intent with one held-out sentence repeats it: one miss there counts many times).
 */
async function accuracyOn(u: Understander, samples: Sample[]) {
  let exact = 0;
  const errors: unknown[] = [];
  const distinct = new Map<string, boolean>();
  for (const s of samples) {
    const r = await u.understand(s.text);
    const ok = intentsEqual(r.intents, s.intents);
    if (ok) exact++;
    else if (errors.length < 10) errors.push({ text: s.text, expected: s.intents, got: r.intents.length ? r.intents : r.reason });
    distinct.set(s.text, ok);
  }
  const dExact = [...distinct.values()].filter(Boolean).length;
  return {
    n: samples.length, exact, exactPct: round((100 * exact) / Math.max(1, samples.length), 2),
    distinct: { n: distinct.size, exact: dExact, exactPct: round((100 * dExact) / Math.max(1, distinct.size), 2) },
    errors,
  };
}

/** Generated utterances of a home whose names the model never saw (models/eval/unseen-home.yaml), without retraining. */
async function unseenDevices(engine: SlmEngine, grammar: Grammar, options: SlmBenchOptions, count: number) {
  const unseenFile = join(modelsDir(), "eval/unseen-home.yaml");
  if (!existsSync(unseenFile)) return undefined;
  const others = (await yamlFiles(sourcePaths(options).devices)).filter((f) => kindOf(f) !== "home");
  const ug = await loadSources({ grammar: options.grammar, devices: [...others, unseenFile] });
  // Unseen = the device, area and floor names of that file (the car's zones and the grammar's words are not new).
  const home = parseYaml(readFileSync(unseenFile, "utf8")) as Record<"devices" | "areas" | "floors", Array<{ name: string }>>;
  const fresh = new Set([...home.devices, ...home.areas, ...home.floors].map((x) => x.name));
  const mentions = (s: Sample) => s.intents.some((i) => Object.entries(i.slots).some(([k, v]) => ["name", "area", "floor"].includes(k) && fresh.has(String(v))));
  const us = [...new Sampler(ug, { seed: 77 }).take(count * 4)].filter(mentions).slice(0, count);
  engine.setGrammar(ug);
  try {
    const slm = await accuracyOn({ understand: (t) => engine.understand(t) }, us);
    const cascade = await accuracyOn(new Cascade(new Matcher(compileGraph(ug)), ug, async () => engine), us);
    return { file: "models/eval/unseen-home.yaml", slm, cascade };
  } finally {
    engine.setGrammar(grammar);
  }
}

export async function benchSlm(options: SlmBenchOptions = {}) {
  const log = options.onProgress ?? (() => {});
  const parts = new Set<SlmBenchPart>(options.parts ?? SLM_BENCH_PARTS);
  const active = activeModels();
  const env = options.env ?? harkEnv();
  const modelFile = env.slmModel ?? active.slm;
  const draftFile = env.slmDraft ?? (env.slmModel ? undefined : active.draft);
  if (!modelFile) throw new Error("no SLM model (hark models train, or set HARK_SLM_MODEL)");
  const grammar = await loadSources(options);
  const matcher = new Matcher(compileGraph(grammar));
  const wordsFile = env.slmModel ? env.slmWords : active.words;
  const engine = await SlmEngine.load({ model: modelFile, draft: draftFile, grammar, mode: "auto", benchFile: env.slmModel ? undefined : benchFile(), wordsFile });
  const count = options.count ?? 500;
  const accuracyCount = options.accuracyCount ?? 2000;
  const samples = [...new Sampler(grammar, { seed: options.seed ?? TEST_SPLIT_SEED }).take(Math.max(count, accuracyCount))];
  const report: Record<string, unknown> = { model: modelFile, draft: draftFile ?? null, threads: 1, mode: engine.mode };
  try {
    if (parts.has("speed")) {
      const modes = options.modes ?? (["grammar", "plain", "jump", "spec", "lookup", ...(draftFile ? ["draft", "hdraft"] : [])] as DecodeMode[]);
      // Generated samples: the model's pace on in-grammar text, the matcher's (exact) parse as the hint.
      const timed = samples.slice(0, count);
      const hints = timed.map((s) => {
        const m = matcher.understand(s.text);
        return m.intents.length ? m.intents : undefined;
      });
      const r = await speedOf(engine, timed, hints, modes, log);
      Object.assign(report, { n: timed.length, identicalOutputs: r.identical, speed: r.speed });
      // What the SLM really gets: the natural sets' utterances the matcher leaves to it, with the hint
      // the cascade gives (its tolerant parse, when it has one). `auto` is chosen here.
      const pool = cascadePool(matcher, options.cascadeFiles ?? naturalFiles());
      let fastest = r.fastest;
      if (pool.samples.length) {
        const withHint = pool.hints.filter(Boolean).length;
        log(`slm: decode speed on ${pool.samples.length} utterances the cascade leaves to the SLM (${withHint} with a hint)`);
        const c = await speedOf(engine, pool.samples, pool.hints, modes, log, true);
        report.cascadeSpeed = { n: pool.samples.length, withHint, identicalOutputs: c.identical, speed: c.speed };
        fastest = c.fastest;
      }
      report.fastest = fastest;
      if (!env.slmModel && fastest) {
        writeFileSync(benchFile(), JSON.stringify({ pair: benchPairKey(modelFile, draftFile), fastest, speed: r.speed, ...(report.cascadeSpeed ? { cascadeSpeed: (report.cascadeSpeed as { speed: unknown }).speed } : {}) }, null, 2) + "\n");
        engine.mode = fastest as typeof engine.mode;
        report.mode = engine.mode;
      }
    }
    const cascade = new Cascade(matcher, grammar, async () => engine);
    const slmAlone: Understander = { understand: (t) => engine.understand(t) };
    if (parts.has("generated")) {
      log(`slm: accuracy on ${accuracyCount} held-out generated samples (seed ${options.seed ?? TEST_SPLIT_SEED})`);
      const held = samples.slice(0, accuracyCount);
      report.generated = { seed: options.seed ?? TEST_SPLIT_SEED, slm: await accuracyOn(slmAlone, held), cascade: await accuracyOn(cascade, held) };
    }
    if (parts.has("unseen")) {
      log("slm: unseen devices");
      report.unseenDevices = await unseenDevices(engine, grammar, options, count);
    }
    if (parts.has("natural")) {
      const files = options.natural ?? ["utterances.jsonl", "heldout.jsonl"].map((f) => join(projectRoot(), "test/fixtures/natural", f)).filter((f) => existsSync(f));
      const sets: Record<string, unknown> = {};
      for (const file of files) {
        log(`slm: natural set ${file}`);
        const items = readLabelled(file);
        sets[file.replace(projectRoot() + "/", "")] = {
          matcher: await evaluateLabelled(matcher, items),
          slm: await evaluateLabelled(slmAlone, items),
          cascade: await evaluateLabelled(cascade, items),
        };
      }
      report.natural = sets;
    }
    return report;
  } finally {
    await engine.dispose();
  }
}
