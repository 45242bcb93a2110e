// NLU benchmark: exact accuracy and speed of the matcher on generated samples of the active grammar,
// and accuracy / false accepts on the hand-written natural utterances.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { compileGraph } from "../compile/graph.js";
import { Sampler } from "../compile/sample.js";
import { projectRoot } from "../grammar/paths.js";
import { loadSources, Matcher, type SourceOptions, type Understander } from "../nlu/index.js";
import { intentsEqual, type ExpectedIntent } from "../nlu/intentsEqual.js";
import { percentile, round } from "./stats.js";
import { fillFromContext, speakerRelative } from "../dialog/resolve.js";
import { HOME_PROFILE } from "../dialog/profiles.js";
import { halfOf } from "../replay/split.js";

export interface NluBenchOptions extends SourceOptions {
  count?: number;
  seed?: number;
  /** Hand-written utterances (JSONL {text, intents}); default test/fixtures/natural/utterances.jsonl. */
  natural?: string;
  onProgress?: (done: number, total: number) => void;
}

export interface LabelledSetResult {
  n: number;
  exact: number;
  exactPct: number;
  commands: number;
  commandsExactPct: number;
  negatives: number;
  falseAccepts: number;
  falseAcceptPct: number;
  /** Exact / total per `kind` of item (in-grammar, paraphrase, negative …), when the items have one. */
  byKind: Record<string, { n: number; exact: number }>;
  /** Exact / total per half of a split by id (src/replay/split.ts: tune on A, report B), when items have ids. */
  byHalf?: Record<"A" | "B", { n: number; exact: number }>;
  errors: Array<{ text: string; expected: ExpectedIntent[]; got: ExpectedIntent[]; reason?: string }>;
}

export interface LabelledItem {
  id?: string;
  text: string;
  intents: ExpectedIntent[];
  kind?: string;
  /** The satellite's room: it fills requests that name no room or device, as `hark run` does. */
  area?: string;
}

export interface NluBenchResult {
  grammar: string;
  compileMs: number;
  generated: { n: number; seed: number; exact: number; exactPct: number; p50Ms: number; p95Ms: number; maxMs: number; utterancesPerSec: number };
  natural?: LabelledSetResult;
}

export async function benchNlu(options: NluBenchOptions = {}): Promise<NluBenchResult> {
  const count = options.count ?? 10_000;
  const seed = options.seed ?? 1;
  const grammar = await loadSources(options);
  const t0 = performance.now();
  const matcher = new Matcher(compileGraph(grammar));
  const compileMs = performance.now() - t0;

  const samples = [...new Sampler(grammar, { seed }).take(count)];
  // Warm-up: the automaton builds its closure indexes lazily.
  for (const s of samples.slice(0, 200)) matcher.understand(s.text);
  const times: number[] = [];
  let exact = 0;
  const start = performance.now();
  samples.forEach((s, i) => {
    const t = performance.now();
    const r = matcher.understand(s.text);
    times.push(performance.now() - t);
    if (intentsEqual(r.intents, s.intents)) exact++;
    if (options.onProgress && i % 500 === 0) options.onProgress(i, samples.length);
  });
  const total = performance.now() - start;

  const naturalFile = options.natural ?? join(projectRoot(), "test/fixtures/natural/utterances.jsonl");
  return {
    grammar: grammar.hash.slice(0, 12),
    compileMs: round(compileMs, 1),
    generated: {
      n: count,
      seed,
      exact,
      exactPct: round((100 * exact) / count, 2),
      p50Ms: round(percentile(times, 50)),
      p95Ms: round(percentile(times, 95)),
      maxMs: round(Math.max(...times)),
      utterancesPerSec: Math.round((count * 1000) / total),
    },
    ...(existsSync(naturalFile) ? { natural: await evaluateLabelled(matcher, readLabelled(naturalFile)) } : {}),
  };
}

export function readLabelled(file: string): LabelledItem[] {
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as LabelledItem);
}

/** Exact accuracy over all items, over commands only, and false accepts over the items that expect nothing. */
export async function evaluateLabelled(u: Understander, items: LabelledItem[]): Promise<LabelledSetResult> {
  let exact = 0, commands = 0, commandsExact = 0, negatives = 0, falseAccepts = 0;
  const errors: LabelledSetResult["errors"] = [];
  const byKind: LabelledSetResult["byKind"] = {};
  const byHalf = { A: { n: 0, exact: 0 }, B: { n: 0, exact: 0 } };
  for (const item of items) {
    const r = await u.understand(item.text);
    const session = { id: "bench", profile: "home" as const, ...(item.area ? { area: item.area } : {}) };
    // Said to a satellite: read the way `hark run` reads it there (the speaker's room, the home's own phrasings).
    const placed = item.area ? speakerRelative(r.intents, item.text, session).map((i) => fillFromContext(i, session, undefined, HOME_PROFILE)) : r.intents;
    const got = placed.map((i) => ({ intent: i.intent, slots: i.slots }));
    const ok = intentsEqual(got, item.intents);
    const k = (byKind[item.kind ?? "all"] ??= { n: 0, exact: 0 });
    k.n++;
    const h = item.id ? byHalf[halfOf(item.id)] : undefined;
    if (h) h.n++;
    if (ok) exact++, k.exact++, h && h.exact++;
    else errors.push({ text: item.text, expected: item.intents, got, ...(r.reason ? { reason: r.reason } : {}) });
    if (item.intents.length === 0) {
      negatives++;
      if (got.length) falseAccepts++;
    } else {
      commands++;
      if (ok) commandsExact++;
    }
  }
  const pct = (a: number, b: number) => (b ? round((100 * a) / b, 1) : 0);
  return {
    n: items.length,
    exact,
    exactPct: pct(exact, items.length),
    commands,
    commandsExactPct: pct(commandsExact, commands),
    negatives,
    falseAccepts,
    falseAcceptPct: pct(falseAccepts, negatives),
    byKind,
    ...(byHalf.A.n + byHalf.B.n ? { byHalf } : {}),
    errors,
  };
}
