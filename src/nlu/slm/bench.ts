// `hark bench --suite slm`: accuracy of the SLM (generated held-out samples, natural utterances,
// unseen devices) and speed of every decode mode on the same utterances, with a check that every mode
// produced byte-identical outputs. Models: the active ones (models/manifest.yaml), or HARK_SLM_MODEL /
// HARK_SLM_DRAFT. Writes models/bench-slm.json ({fastest}) for `auto` when measuring the active models.
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { intentsEqual } from "../../bench/intentsEqual.js";
import { evaluateLabelled, readLabelled } from "../../bench/nlu.js";
import { percentile, round } from "../../bench/stats.js";
import { compileGraph } from "../../compile/graph.js";
import { Sampler } from "../../compile/sample.js";
import { normalizeText } from "../../grammar/normalize.js";
import { projectRoot } from "../../grammar/paths.js";
import { activeModels, benchFile, modelsDir } from "../../models/manifest.js";
import { Cascade } from "../cascade.js";
import { loadSources, sourcePaths, type SourceOptions } from "../index.js";
import { Matcher } from "../matcher.js";
import { SlmEngine, type DecodeMode } from "./engine.js";
import { kindOf } from "./data.js";
import { yamlFiles } from "../../grammar/load.js";
import { outputSpec, parseOutput, renderOutput } from "./format.js";

export interface SlmBenchOptions extends SourceOptions {
  count?: number;
  seed?: number;
  natural?: string;
  modes?: DecodeMode[];
  onProgress?: (msg: string) => void;
}

export async function benchSlm(options: SlmBenchOptions = {}) {
  const log = options.onProgress ?? (() => {});
  const active = activeModels();
  const modelFile = process.env.HARK_SLM_MODEL ?? active.slm;
  const draftFile = process.env.HARK_SLM_DRAFT ?? (process.env.HARK_SLM_MODEL ? undefined : active.draft);
  if (!modelFile) throw new Error("no SLM model (hark models train, or set HARK_SLM_MODEL)");
  const grammar = await loadSources(options);
  const matcher = new Matcher(compileGraph(grammar));
  const wordsFile = process.env.HARK_SLM_MODEL ? process.env.HARK_SLM_WORDS : active.words;
  const engine = await SlmEngine.load({ model: modelFile, draft: draftFile, grammar, mode: "plain", wordsFile });
  const spec = outputSpec(grammar);
  const count = options.count ?? 500;
  // Held-out test split: the seeds the training data generator excludes (dev = 1_000_004, test = 2_000_004 for seed 1).
  const samples = [...new Sampler(grammar, { seed: options.seed ?? 2_000_004 }).take(count)];
  try {
    // ---- speed: every mode over the same utterances
    const modes = options.modes ?? (["grammar", "plain", "jump", "spec", "lookup", ...(draftFile ? ["draft", "hdraft"] : [])] as DecodeMode[]);
    const hints = samples.map((s) => {
      const m = matcher.understand(s.text);
      return m.intents.length ? renderOutput(grammar, spec, m.intents, normalizeText(s.text)) : undefined;
    });
    const outputs = new Map<string, string[]>();
    const speed: Record<string, unknown> = {};
    for (const mode of [...modes, ...(modes.includes("spec") ? (["spec-nohint"] as const) : [])]) {
      const m = (mode === "spec-nohint" ? "spec" : mode) as DecodeMode;
      // Warm-up: one pass compiles the per-utterance languages (and llama.cpp grammars) once.
      for (let i = 0; i < samples.length; i++) await engine.decode(samples[i]!.text, { mode: m, hint: mode === "spec" ? hints[i] : undefined });
      const total: number[] = [], decode: number[] = [], prompt: number[] = [];
      let tokens = 0, evals = 0;
      const outs: string[] = [];
      for (let i = 0; i < samples.length; i++) {
        const r = await engine.decode(samples[i]!.text, { mode: m, hint: mode === "spec" ? hints[i] : undefined });
        total.push(r.totalMs);
        decode.push(r.decodeMs);
        prompt.push(r.promptMs);
        tokens += r.tokens;
        evals += r.evaluations;
        outs.push(r.output);
      }
      outputs.set(mode, outs);
      const sum = (a: number[]) => a.reduce((x, y) => x + y, 0);
      speed[mode] = {
        p50Ms: round(percentile(total, 50)), p95Ms: round(percentile(total, 95)), meanMs: round(sum(total) / total.length),
        promptMeanMs: round(sum(prompt) / prompt.length), decodeMeanMs: round(sum(decode) / decode.length),
        outputTokens: round(tokens / samples.length, 2), evaluationsPerUtterance: round(evals / samples.length, 2),
        decodeTokensPerSec: Math.round((tokens * 1000) / Math.max(1e-9, sum(decode))),
      };
      log(`slm ${mode}: p50 ${(speed[mode] as { p50Ms: number }).p50Ms} ms`);
    }
    // Decode phase, the same way for every mode: whole utterance minus the prompt-only evaluation
    // (measured in the plain mode, whose first evaluation is the prompt alone).
    const promptOnly = (speed.plain as { promptMeanMs?: number } | undefined)?.promptMeanMs;
    if (promptOnly !== undefined)
      for (const v of Object.values(speed) as Array<{ meanMs: number; decodeMeanMs: number }>) v.decodeMeanMs = round(Math.max(0.001, v.meanMs - promptOnly));
    const ref = outputs.get(modes[0]!)!;
    const identical = Object.fromEntries([...outputs].map(([m, o]) => [m, o.every((x, i) => x === ref[i])]));
    const base = speed.grammar as { decodeMeanMs: number; meanMs: number } | undefined;
    const basePlain = speed.plain as { decodeMeanMs: number; meanMs: number } | undefined;
    for (const [m, v] of Object.entries(speed) as Array<[string, { decodeMeanMs: number; meanMs: number; [k: string]: unknown }]>) {
      if (base) v.decodeSpeedupVsGrammar = round(base.decodeMeanMs / v.decodeMeanMs, 2), v.utteranceSpeedupVsGrammar = round(base.meanMs / v.meanMs, 2);
      if (basePlain) v.decodeSpeedupVsPlain = round(basePlain.decodeMeanMs / v.decodeMeanMs, 2), v.utteranceSpeedupVsPlain = round(basePlain.meanMs / v.meanMs, 2);
    }
    // The fastest mode that needs no hint (the cascade gives one only when the matcher had a parse).
    const candidates = Object.entries(speed).filter(([m]) => m !== "spec" && identical[m]) as Array<[string, { meanMs: number }]>;
    const fastest = candidates.sort((a, b) => a[1].meanMs - b[1].meanMs)[0]?.[0]?.replace("spec-nohint", "spec");

    // ---- accuracy: generated held-out samples
    let exact = 0;
    const genErrors: unknown[] = [];
    ref.forEach((o, i) => {
      const p = parseOutput(spec, o);
      if (p && intentsEqual(p, samples[i]!.intents)) exact++;
      else if (genErrors.length < 10) genErrors.push({ text: samples[i]!.text, expected: samples[i]!.intents, got: o });
    });

    // ---- unseen devices: a home the model never saw, without retraining
    const unseenFile = join(modelsDir(), "eval/unseen-home.yaml");
    let unseen: Record<string, unknown> | undefined;
    if (existsSync(unseenFile)) {
      const others = (await yamlFiles(sourcePaths(options).devices)).filter((f) => kindOf(f) !== "home");
      const ug = await loadSources({ grammar: options.grammar, devices: [...others, unseenFile] });
      const uspec = outputSpec(ug);
      const names = new Set([...(ug.lists.get("name")?.kind === "values" ? (ug.lists.get("name") as { values: Array<{ out: unknown }> }).values.map((v) => String(v.out)) : [])]);
      const areas = new Set(["Atelier", "Scullery", "Solarium", "Snug", "Boot Room", "Orchard Level", "Skyline Level"]);
      const us = [...new Sampler(ug, { seed: 77 }).take(count * 4)]
        .filter((s) => s.intents.some((i) => Object.entries(i.slots).some(([k, v]) => (k === "name" && names.has(String(v))) || ((k === "area" || k === "floor") && areas.has(String(v))))))
        .slice(0, count);
      engine.setGrammar(ug);
      let ok = 0;
      let okCascade = 0;
      const errs: unknown[] = [];
      const ucascade = new Cascade(new Matcher(compileGraph(ug)), ug, async () => engine);
      for (const s of us) {
        const r = await engine.understand(s.text);
        if (intentsEqual(r.intents, s.intents)) ok++;
        else if (errs.length < 10) errs.push({ text: s.text, expected: s.intents, got: r.decode?.output ?? r.reason });
        if (intentsEqual((await ucascade.understand(s.text)).intents, s.intents)) okCascade++;
      }
      engine.setGrammar(grammar);
      void uspec;
      unseen = {
        n: us.length, exact: ok, exactPct: round((100 * ok) / Math.max(1, us.length), 1),
        cascadeExact: okCascade, cascadeExactPct: round((100 * okCascade) / Math.max(1, us.length), 1), errors: errs,
      };
    }

    // ---- natural utterances: matcher alone, SLM alone, cascade
    const naturalFile = options.natural ?? join(projectRoot(), "test/fixtures/natural/utterances.jsonl");
    let natural: Record<string, unknown> | undefined;
    if (existsSync(naturalFile)) {
      const items = readLabelled(naturalFile);
      const slmAlone = { understand: (t: string) => engine.understand(t) };
      const cascade = new Cascade(matcher, grammar, async () => engine);
      natural = {
        file: naturalFile,
        matcher: await evaluateLabelled(matcher, items),
        slm: await evaluateLabelled(slmAlone, items),
        cascade: await evaluateLabelled(cascade, items),
      };
    }
    const report = {
      model: modelFile, draft: draftFile ?? null, mode: engine.mode, threads: 1,
      generated: { n: samples.length, exact, exactPct: round((100 * exact) / samples.length, 2), errors: genErrors },
      identicalOutputs: identical, speed, fastest,
      unseenDevices: unseen, natural,
    };
    if (!process.env.HARK_SLM_MODEL && fastest) writeFileSync(benchFile(), JSON.stringify({ model: modelFile, draft: draftFile, fastest, speed }, null, 2) + "\n");
    return report;
  } finally {
    await engine.dispose();
  }
}
