// Replay: recorded audio through the whole understanding path (read → [mix noise] → ASR → NLU),
// one result per file plus a summary (accuracy against labels, RTF, per-stage time).
// The dialog/MQTT stages join here when they exist; until then `mqtt` is [] and `response` null.
import { readdirSync, statSync } from "node:fs";
import { basename, join, relative } from "node:path";
import { readAudioFile } from "../audio/source.js";
import { mixNoise, seededRandom } from "../audio/mix.js";
import type { AsrEvidence, Recognizer } from "../asr/types.js";
import type { IntentResult, Understander } from "../nlu/types.js";
import { labelFor, score, type Labels } from "./labels.js";
import { curve, passes, type CurvePoint, type Gate, type Understood } from "./gate.js";
import { judge, trustEvidence, type TrustDeps } from "../trust/index.js";
import { planIntents } from "../act/plan.js";
import type { LoadedGrammar } from "../grammar/load.js";

export { loadLabels, parseLabels, score, labelFor } from "./labels.js";
export type { Label, Labels, Scored } from "./labels.js";
export { curve, passes, type CurvePoint, type Gate } from "./gate.js";
export { halfOf, type Half } from "./split.js";

export interface ReplayOptions {
  recognizer: Recognizer;
  understander: Understander;
  labels?: Labels;
  /** Mix this noise (16 kHz) into every file at `snrDb`, the speech-to-intent benchmark's way. */
  noise?: { samples: Float32Array; snrDb: number; seed?: number };
  /** Longest file read (seconds, default 600). */
  maxSeconds?: number;
  /** Act only on understood commands whose ASR evidence passes this gate; the rest are asked back. */
  gate?: Gate;
  /**
   * Decide as `hark run` does (src/trust): what the trust policy would not act on (asked back,
   * refused, scheduled, a question) counts as asked, not as acted. No devices are involved, so their
   * checks (handlers, scope) are left out.
   */
  trust?: TrustDeps;
}

export interface ReplayItem {
  file: string;
  transcript: string;
  intents: IntentResult[];
  mqtt: unknown[];
  response: string | null;
  /** Per-stage ms; vad and denoise are the ASR front end's share of asr. */
  ms: { read: number; mix?: number; asr: number; vad?: number; denoise?: number; nlu: number; total: number };
  /** ASR front end: VAD engine, estimated SNR (dB), whether RNNoise ran. */
  frontend?: { vad?: string; snrDb?: number; denoised?: boolean };
  audioSeconds: number;
  /** ASR time / audio duration. */
  rtf: number;
  confidence: number;
  /** The ASR's evidence for an accepted result (margin to the best competitor with another understanding, …). */
  evidence?: AsrEvidence;
  rejected?: string;
  /** Understood, but not acted on: the gate (--min-margin/--min-score) or the trust policy held it back. */
  asked?: true;
  /** The trust policy's decision when it was not to act, and why ("ask:unsure_asr", "refuse:negation"). */
  decision?: string;
  expected?: { intent: string | null; slots?: Record<string, string | number> };
  correct?: boolean;
  error?: string;
}

/** WAV files named by the inputs (files as given; folders: their *.wav, recursively, sorted). */
export function listAudioFiles(inputs: string[]): Array<{ path: string; rel: string }> {
  const out: Array<{ path: string; rel: string }> = [];
  for (const input of inputs) {
    let st;
    try {
      st = statSync(input);
    } catch {
      throw new Error(`${input}: no such file or folder`);
    }
    if (!st.isDirectory()) {
      out.push({ path: input, rel: basename(input) });
      continue;
    }
    const walk = (dir: string): void => {
      for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
        const p = join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (/\.wav$/i.test(e.name)) out.push({ path: p, rel: relative(input, p) });
      }
    };
    walk(input);
  }
  return out;
}

/** Stable per-file seed so a noisy run is repeatable (same noise excerpt for the same file). */
function seedOf(name: string, seed = 0): number {
  let h = 2166136261 ^ seed;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 16777619);
  return h >>> 0;
}

const r3 = (x: number): number => Math.round(x * 1000) / 1000;

export async function replayFile(path: string, rel: string, opts: ReplayOptions): Promise<ReplayItem> {
  const t0 = performance.now();
  const label = opts.labels ? labelFor(opts.labels, path, rel) : undefined;
  const base: ReplayItem = {
    file: path,
    transcript: "",
    intents: [],
    mqtt: [],
    response: null,
    ms: { read: 0, asr: 0, nlu: 0, total: 0 },
    audioSeconds: 0,
    rtf: 0,
    confidence: 0,
    ...(label ? { expected: { intent: label.intent, ...(label.slots && Object.keys(label.slots).length ? { slots: label.slots } : {}) } } : {}),
  };
  let samples: Float32Array;
  try {
    samples = (await readAudioFile(path, opts.maxSeconds)).samples;
  } catch (err) {
    return { ...base, error: (err as Error).message.split("\n")[0], ...(label ? { correct: false } : {}) };
  }
  const t1 = performance.now();
  base.ms.read = r3(t1 - t0);
  base.audioSeconds = r3(samples.length / 16000);
  if (opts.noise && samples.length) {
    const n = opts.noise;
    samples = mixNoise(samples, n.samples, n.snrDb, { random: seededRandom(seedOf(basename(path), n.seed)) });
    base.ms.mix = r3(performance.now() - t1);
  }
  const asr = await opts.recognizer.recognize(samples);
  const t2 = performance.now();
  const u = asr.text ? await opts.understander.understand(asr.text) : { text: "", intents: [] };
  const verdict =
    opts.trust && u.intents.length
      ? await judge({ text: asr.text, understanding: u, devices: false, ...(asr.evidence ? { asr: trustEvidence(asr.evidence) } : {}) }, opts.trust, (t) => opts.understander.understand(t))
      : undefined;
  const held = verdict && verdict.decision !== "act" && verdict.decision !== "pass" ? `${verdict.decision}:${verdict.reason}` : cannotDo(verdict?.decision === "act" ? verdict.intents : u.intents, opts.trust);
  const t3 = performance.now();
  const d = asr.detail as { vad?: string; snrDb?: number; denoised?: boolean; frontendMs?: { vad: number; denoise: number } } | undefined;
  const fms = d?.frontendMs ? { vad: d.frontendMs.vad, denoise: d.frontendMs.denoise } : {};
  const item: ReplayItem = {
    ...base,
    transcript: asr.text,
    intents: u.intents,
    confidence: r3(asr.confidence),
    ms: { ...base.ms, asr: r3(asr.ms), ...fms, nlu: r3(t3 - t2), total: r3(t3 - t0) },
    ...(d && (d.vad || d.denoised !== undefined)
      ? { frontend: { ...(d.vad ? { vad: d.vad } : {}), ...(d.snrDb !== undefined ? { snrDb: d.snrDb } : {}), ...(d.denoised !== undefined ? { denoised: d.denoised } : {}) } }
      : {}),
    rtf: samples.length ? r3(asr.ms / 1000 / (samples.length / 16000)) : 0,
    ...(asr.evidence ? { evidence: asr.evidence } : {}),
    ...(asr.rejected ? { rejected: asr.reason ?? "rejected" } : {}),
    ...((opts.gate && u.intents.length && !passes(asr.evidence, opts.gate)) || held ? { asked: true as const } : {}),
    ...(held ? { decision: held } : {}),
  };
  if (label) {
    const s = score(label, u.intents);
    item.correct = s.correct;
    if (s.error) item.error = s.error;
  }
  return item;
}

export interface ReplaySummary {
  summary: true;
  files: number;
  /** Files that could not be read. */
  failed: number;
  labelled: number;
  correct: number;
  /** correct / labelled commands, % (intent + every slot exact). */
  accuracy: number | null;
  /** Labelled commands (intent ≠ null): accepted correctly, %. */
  commandAccuracy: number | null;
  /** Labelled non-commands (intent null) that produced an intent. */
  falseAccepts: number;
  nonCommands: number;
  rejected: number;
  /** Files the ASR front end denoised (RNNoise). */
  denoised: number;
  audioSeconds: number;
  /** Total ASR time / total audio. */
  rtf: number;
  /** Mean per-stage time per file. */
  ms: Record<string, number>;
  /** ASR engine, its start-up time and, when the engine reports it, where that time went (ms). */
  asr: { engine: string; initMs: number; startup?: Record<string, number | string> };
  snrDb?: number;
  /**
   * Labelled commands that would be acted on: understood and, with a gate (--min-margin/--min-score),
   * passing it. correct/wrong are acted on; asked: understood but held back by the gate (0 without one).
   */
  accepted?: { gate?: Gate; correct: number; wrong: number; asked: number; correctPct: number; wrongPct: number; askedPct: number };
  /** The trade-off over thresholds on the evidence margin and on the calibrated score (% of labelled commands). */
  curve?: { margin: CurvePoint[]; score: CurvePoint[] };
}

/** A recognizer's start-up record with its times to 0.1 ms (labels such as where the decoder came from kept). */
export function roundedStartup<T extends Record<string, number | string>>(startup: T): T {
  return Object.fromEntries(Object.entries(startup).map(([k, v]) => [k, typeof v === "number" ? Math.round(v * 10) / 10 : v])) as T;
}

/**
 * "ten degrees" heard for "two degrees" in the car: the climate zone cannot be set below 16, so `hark
 * run` would send nothing and say why. With devices loaded, what none of them can do is not acted on.
 */
function cannotDo(intents: IntentResult[], trust: TrustDeps | undefined): string | undefined {
  const catalog = (trust?.grammar as Partial<LoadedGrammar> | undefined)?.devices;
  if (!catalog || !intents.length) return undefined;
  const plan = planIntents(intents, catalog);
  return plan.steps.some((s) => s.error === "unsupported") ? "refuse:unsupported" : undefined;
}

export class SummaryBuilder {
  private files = 0;
  private failed = 0;
  private labelled = 0;
  private correct = 0;
  private commands = 0;
  private commandsCorrect = 0;
  private nonCommands = 0;
  private falseAccepts = 0;
  private rejected = 0;
  private denoised = 0;
  private audio = 0;
  private asrMs = 0;
  private stageMs: Record<string, number> = {};
  private understood: Understood[] = [];
  private acted = { correct: 0, wrong: 0, asked: 0 };

  constructor(private readonly gate?: Gate) {}

  add(item: ReplayItem): void {
    this.files++;
    if (item.error && item.ms.total === 0) this.failed++;
    if (item.rejected) this.rejected++;
    if (item.frontend?.denoised) this.denoised++;
    this.audio += item.audioSeconds;
    this.asrMs += item.ms.asr;
    for (const [k, v] of Object.entries(item.ms)) this.stageMs[k] = (this.stageMs[k] ?? 0) + v;
    if (item.expected) {
      this.labelled++;
      if (item.correct) this.correct++;
      if (item.expected.intent === null) {
        this.nonCommands++;
        if (item.intents.length) this.falseAccepts++;
      } else {
        this.commands++;
        if (item.correct) this.commandsCorrect++;
        if (item.intents.length) {
          this.understood.push({ correct: !!item.correct, ...(item.evidence ? { evidence: item.evidence } : {}) });
          if (item.asked || (this.gate && !passes(item.evidence, this.gate))) this.acted.asked++;
          else if (item.correct) this.acted.correct++;
          else this.acted.wrong++;
        }
      }
    }
  }

  build(asr: { engine: string; initMs: number; startup?: Record<string, number | string> }, snrDb?: number): ReplaySummary {
    const pct = (a: number, b: number): number | null => (b ? Math.round((1000 * a) / b) / 10 : null);
    const ms: Record<string, number> = {};
    for (const [k, v] of Object.entries(this.stageMs)) ms[k] = this.files ? r3(v / this.files) : 0;
    return {
      summary: true,
      files: this.files,
      failed: this.failed,
      labelled: this.labelled,
      correct: this.correct,
      accuracy: pct(this.correct, this.labelled),
      commandAccuracy: pct(this.commandsCorrect, this.commands),
      falseAccepts: this.falseAccepts,
      nonCommands: this.nonCommands,
      rejected: this.rejected,
      denoised: this.denoised,
      audioSeconds: r3(this.audio),
      rtf: this.audio ? Math.round((this.asrMs / 1000 / this.audio) * 10000) / 10000 : 0,
      ms,
      asr: { engine: asr.engine, initMs: r3(asr.initMs), ...(asr.startup ? { startup: roundedStartup(asr.startup) } : {}) },
      ...(snrDb !== undefined ? { snrDb } : {}),
      ...(this.commands
        ? {
            accepted: {
              ...(this.gate ? { gate: this.gate } : {}),
              ...this.acted,
              correctPct: pct(this.acted.correct, this.commands) ?? 0,
              wrongPct: pct(this.acted.wrong, this.commands) ?? 0,
              askedPct: pct(this.acted.asked, this.commands) ?? 0,
            },
          }
        : {}),
      ...(this.commands && this.understood.some((u) => u.evidence)
        ? { curve: { margin: curve(this.understood, this.commands, "margin"), score: curve(this.understood, this.commands, "score") } }
        : {}),
    };
  }
}

