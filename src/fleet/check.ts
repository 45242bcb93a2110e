// The acceptance check a device runs on a staged model before it switches to it (docs/fleet.md): load the
// SLM (target + draft) exactly as the runtime does (SlmEngine, one llama.cpp thread), run the device's own
// labelled set, and compare accuracy and latency with the configured bounds. A model that throws while it
// loads (damaged GGUF, vocabulary mismatch, llama.cpp refusing it) fails the check as a crash at load.
// Checks run one at a time per process (several simulated devices in one process share the CPU).
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { projectRoot } from "../grammar/paths.js";
import type { Grammar, SlotValue } from "../grammar/types.js";
import { intentsEqual } from "../nlu/intentsEqual.js";

export interface CheckItem {
  text: string;
  intents: Array<{ intent: string; slots: Record<string, SlotValue> }>;
}

export interface CheckBounds {
  /** Share of the set the model must get exactly right (0..1). */
  minAccuracy: number;
  /** The 95th percentile of the per-utterance latency must not exceed this (ms). */
  maxLatencyMs: number;
}

export const DEFAULT_BOUNDS: CheckBounds = { minAccuracy: 0.8, maxLatencyMs: 500 };

/** The shipped check set: hand-written commands across home and car. */
export function defaultCheckSet(): string {
  return join(projectRoot(), "models/eval/fleet-check.jsonl");
}

/** A JSONL file of {text, intents} (as test/fixtures/natural); the first `count` items. */
export function readCheckSet(file: string, count?: number): CheckItem[] {
  if (!existsSync(file)) throw new Error(`${file}: no such check set`);
  const items: CheckItem[] = [];
  for (const [i, line] of readFileSync(file, "utf8").split("\n").entries()) {
    if (!line.trim()) continue;
    let o: Partial<CheckItem>;
    try {
      o = JSON.parse(line) as Partial<CheckItem>;
    } catch {
      throw new Error(`${file}:${i + 1}: not a JSON line`);
    }
    if (typeof o.text !== "string" || !Array.isArray(o.intents)) throw new Error(`${file}:${i + 1}: needs "text" and "intents"`);
    items.push({ text: o.text, intents: o.intents });
  }
  if (!items.length) throw new Error(`${file}: an empty check set`);
  return count ? items.slice(0, count) : items;
}

export interface CheckFiles {
  model: string;
  draft?: string;
  words?: string;
}

export interface CheckResult {
  ok: boolean;
  /** The model could not be loaded. */
  crashed: boolean;
  /** One line: why it failed (absent when ok). */
  reason?: string;
  metrics: { accuracy?: number; p95Ms?: number; meanMs?: number; items?: number; loadMs?: number };
}

const round = (x: number, d = 1): number => Math.round(x * 10 ** d) / 10 ** d;

let queue: Promise<unknown> = Promise.resolve();

/** Run the check on these model files (queued behind any other check of this process). */
export function acceptanceCheck(files: CheckFiles, o: { grammar: Grammar; items: CheckItem[]; bounds: CheckBounds; threads?: number }): Promise<CheckResult> {
  const run = queue.then(() => checkNow(files, o));
  queue = run.catch(() => undefined);
  return run;
}

async function checkNow(files: CheckFiles, o: { grammar: Grammar; items: CheckItem[]; bounds: CheckBounds; threads?: number }): Promise<CheckResult> {
  const { SlmEngine } = await import("../nlu/slm/engine.js");
  const t0 = performance.now();
  let engine: Awaited<ReturnType<typeof SlmEngine.load>>;
  try {
    engine = await SlmEngine.load({
      model: files.model,
      ...(files.draft ? { draft: files.draft } : {}),
      ...(files.words ? { wordsFile: files.words } : {}),
      grammar: o.grammar,
      threads: o.threads ?? 1,
    });
  } catch (err) {
    const reason = (err instanceof Error ? err.message : String(err)).split("\n")[0]!;
    return { ok: false, crashed: true, reason: `the model does not load: ${reason}`, metrics: {} };
  }
  const loadMs = performance.now() - t0;
  const times: number[] = [];
  let right = 0;
  try {
    for (const item of o.items) {
      // Between utterances the event loop gets a turn (the voice pipeline runs in the same process).
      await new Promise((r) => setImmediate(r));
      const s = performance.now();
      const r = await engine.understand(item.text);
      times.push(performance.now() - s);
      if (intentsEqual(r.intents.map((i) => ({ intent: i.intent, slots: i.slots })), item.intents)) right++;
    }
  } catch (err) {
    const reason = (err instanceof Error ? err.message : String(err)).split("\n")[0]!;
    await engine.dispose().catch(() => undefined);
    return { ok: false, crashed: true, reason: `the model failed while decoding: ${reason}`, metrics: { loadMs: round(loadMs) } };
  }
  await engine.dispose().catch(() => undefined);
  const sorted = [...times].sort((a, b) => a - b);
  const p95 = sorted[Math.min(sorted.length - 1, Math.ceil(0.95 * sorted.length) - 1)]!;
  const mean = times.reduce((a, b) => a + b, 0) / times.length;
  const accuracy = right / o.items.length;
  const metrics = { accuracy: round(accuracy, 3), p95Ms: round(p95), meanMs: round(mean), items: o.items.length, loadMs: round(loadMs) };
  const problems: string[] = [];
  if (accuracy < o.bounds.minAccuracy) problems.push(`accuracy ${(accuracy * 100).toFixed(1)}% below the bound ${(o.bounds.minAccuracy * 100).toFixed(1)}%`);
  if (p95 > o.bounds.maxLatencyMs) problems.push(`p95 latency ${p95.toFixed(0)} ms above the bound ${o.bounds.maxLatencyMs} ms`);
  return { ok: !problems.length, crashed: false, ...(problems.length ? { reason: `check failed: ${problems.join("; ")}` } : {}), metrics };
}
