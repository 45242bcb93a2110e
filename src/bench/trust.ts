// The trust sets (test/fixtures/trust/*.jsonl, format in its README): each item said to a session of
// a real `hark run` runtime (embedded broker, simulated home and car); the device commands it causes
// are compared with what the item allows. A wrong action is any command an item does not allow.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { projectRoot } from "../grammar/paths.js";
import pino from "pino";
import { z } from "zod";
import { configSchema, resolveConfig } from "../run/config.js";
import { HarkRuntime, type Answer, type CommandReport } from "../run/runtime.js";
import type { Understander, Understanding } from "../nlu/types.js";
import { judge, type TrustDeps } from "../trust/index.js";
import { intentsEqual, type ExpectedIntent } from "../nlu/intentsEqual.js";

const commandSchema = z.strictObject({
  device: z.string().min(1),
  action: z.string().min(1),
  params: z.record(z.string(), z.unknown()).optional(),
});
export type ExpectedCommand = z.infer<typeof commandSchema>;

export const trustItemSchema = z.strictObject({
  id: z.string().min(1),
  category: z.string().min(1),
  session: z.string().min(1),
  text: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
  expect: z.union([z.literal("none"), z.array(commandSchema).min(1)]),
  also_ok: z.union([z.literal("none"), z.array(commandSchema).min(1)]).optional(),
  note: z.string().optional(),
});
export type TrustItem = z.infer<typeof trustItemSchema>;

export function parseTrustSet(text: string, file = "set"): TrustItem[] {
  const items: TrustItem[] = [];
  const ids = new Set<string>();
  text.split("\n").forEach((line, i) => {
    if (!line.trim()) return;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch (err) {
      throw new Error(`${file}:${i + 1}: not JSON (${(err as Error).message})`);
    }
    const r = trustItemSchema.safeParse(raw);
    if (!r.success) throw new Error(`${file}:${i + 1}: ${r.error.issues[0]!.path.join(".")}: ${r.error.issues[0]!.message}`);
    if (ids.has(r.data.id)) throw new Error(`${file}:${i + 1}: duplicate id ${r.data.id}`);
    ids.add(r.data.id);
    items.push(r.data);
  });
  return items;
}

export function loadTrustSet(file: string): TrustItem[] {
  return parseTrustSet(readFileSync(file, "utf8"), file);
}

/** Whether a command sent is the one expected (device, action, and the params listed). */
const isCommand = (c: CommandReport, w: ExpectedCommand): boolean =>
  c.device === w.device && c.action === w.action && Object.entries(w.params ?? {}).every(([k, v]) => JSON.stringify(c.params[k]) === JSON.stringify(v));

/** Do the sent commands match a list exactly (every listed one sent with its listed params, nothing else)? */
export function commandsMatch(sent: readonly CommandReport[], want: readonly ExpectedCommand[]): boolean {
  if (sent.length !== want.length) return false;
  const left = [...sent];
  for (const w of want) {
    const i = left.findIndex((c) => isCommand(c, w));
    if (i < 0) return false;
    left.splice(i, 1);
  }
  return true;
}

export interface TrustItemResult {
  id: string;
  category: string;
  /** Commands sent, as device:action. */
  sent: string[];
  /** True when the commands are allowed (none for "none" items, the listed ones otherwise). */
  ok: boolean;
  /** Allowed and an action was expected and taken. */
  acted: boolean;
  /** A command was sent that the item does not allow. */
  wrongAction: boolean;
  /**
   * Of those, a command sent that no allowed outcome lists at all (a wrong device, action or value, or any
   * command for an item that expects none), as against one that only leaves an expected command unsent
   * (a dialog's second turn not understood) or sends one twice.
   */
  unexpected: boolean;
  speech: string[];
  /** What hark heard or read, per answer (the transcript when spoken). */
  heard: string[];
  decision?: string;
}

export interface TrustReport {
  set: string;
  items: number;
  /** Items expecting no action that caused one, plus items whose commands differ from the expected ones. */
  wrongActions: number;
  /** Of those, items that sent a command no allowed outcome lists (TrustItemResult.unexpected). */
  unexpectedCommands: number;
  controls: { total: number; exact: number; percent: number };
  byCategory: Record<string, { items: number; wrong: number; ok: number }>;
  errors: TrustItemResult[];
  ms: number;
}

function judgeItem(item: TrustItem, answers: Answer[]): TrustItemResult {
  const commands = answers.flatMap((a) => a.commands ?? []);
  const sent = commands.map((c) => `${c.device}:${c.action}`);
  const allowed = (list: readonly ExpectedCommand[] | "none" | undefined): boolean =>
    list === "none" ? commands.length === 0 : list !== undefined && commandsMatch(commands, list);
  const ok = allowed(item.expect) || allowed(item.also_ok);
  const lastTrust = [...answers].reverse().find((a) => a.trust)?.trust;
  return {
    id: item.id,
    category: item.category,
    sent,
    ok,
    acted: ok && commands.length > 0,
    wrongAction: !ok && commands.length > 0,
    unexpected: !ok && commands.some((c) => ![item.expect, item.also_ok].some((l) => Array.isArray(l) && l.some((w) => isCommand(c, w)))),
    speech: answers.map((a) => a.speech),
    heard: answers.map((a) => a.text ?? ""),
    ...(lastTrust ? { decision: `${lastTrust.decision}${lastTrust.reason ? `:${lastTrust.reason}` : ""}` } : {}),
  };
}

/** The devices the shipped trust sets were written against. */
export const TRUST_DEVICES = join(projectRoot(), "test", "fixtures", "trust", "devices");

export interface TrustRunOptions {
  /** Devices folder (default: the one the shipped sets were written against). */
  devices?: string;
  /** Understander to use (default: the shipped cascade). */
  understander?: Understander;
  onProgress?: (done: number, total: number) => void;
  /**
   * Say every turn aloud instead of typing it: the default voice speaks it into a WAV file (cached in
   * `dir`), optionally mixed with noise at `snrDb`, which goes through the VAD, the profile's grammar
   * ASR (with its evidence) and the dialog, as from a microphone.
   */
  spoken?: { dir: string; noise?: Float32Array; snrDb?: number };
}

/** Run every item through a fresh runtime (one per set); each item starts from a fresh dialog. */
export async function runTrustSet(items: TrustItem[], name: string, o: TrustRunOptions = {}): Promise<TrustReport & { results: TrustItemResult[] }> {
  const t0 = performance.now();
  // The home and car the sets were written against (test/fixtures/trust/devices): the demo home may grow,
  // and "start the vacuum" must stay a request for a device this home does not have.
  const config = resolveConfig(configSchema.parse({ speech: { enabled: false }, log_level: "silent", devices: o.devices ?? TRUST_DEVICES }));
  const rt = await HarkRuntime.start({ config, logger: pino({ level: "silent" }), ...(o.understander ? { understander: o.understander } : {}) });
  const results: TrustItemResult[] = [];
  const voice = o.spoken ? await spokenTurns(o.spoken) : undefined;
  try {
    for (const item of items) {
      await rt.resetSessions();
      const answers: Answer[] = [];
      for (const text of Array.isArray(item.text) ? item.text : [item.text])
        answers.push(...(await rt.handle(voice ? { session: item.session, wav: await voice.wav(text) } : { session: item.session, text })));
      results.push(judgeItem(item, answers));
      o.onProgress?.(results.length, items.length);
    }
  } finally {
    voice?.close();
    await rt.stop();
  }
  const byCategory: TrustReport["byCategory"] = {};
  for (const r of results) {
    const c = (byCategory[r.category] ??= { items: 0, wrong: 0, ok: 0 });
    c.items++;
    if (r.wrongAction) c.wrong++;
    if (r.ok) c.ok++;
  }
  const controls = results.filter((r) => r.category === "control");
  const exact = controls.filter((r) => r.ok).length;
  return {
    set: name,
    items: results.length,
    wrongActions: results.filter((r) => r.wrongAction).length,
    unexpectedCommands: results.filter((r) => r.unexpected).length,
    controls: { total: controls.length, exact, percent: controls.length ? Math.round((1000 * exact) / controls.length) / 10 : 100 },
    byCategory,
    errors: results.filter((r) => !r.ok),
    ms: Math.round(performance.now() - t0),
    results,
  };
}

/** Turns spoken by the default voice into WAV files (one per text, cached), with noise when asked. */
async function spokenTurns(o: NonNullable<TrustRunOptions["spoken"]>): Promise<{ wav: (text: string) => Promise<string>; close: () => void }> {
  const [{ createSynthesizer }, { encodeWav16 }, { resample }, { mixNoise, seededRandom }] = await Promise.all([
    import("../tts/index.js"),
    import("../audio/wav.js"),
    import("../audio/resample.js"),
    import("../audio/mix.js"),
  ]);
  const synth = createSynthesizer();
  mkdirSync(o.dir, { recursive: true });
  return {
    async wav(text) {
      const key = createHash("sha256").update(`${text}\0${o.snrDb ?? "clean"}`).digest("hex").slice(0, 16);
      const file = join(o.dir, `${key}.wav`);
      if (existsSync(file)) return file;
      const a = await synth.synthesize(text);
      let samples = a.sampleRate === 16000 ? a.samples : resample(a.samples, a.sampleRate, 16000);
      // Half a second of silence around the words, as a microphone would hear them.
      const padded = new Float32Array(samples.length + 16000);
      padded.set(samples, 8000);
      samples = padded;
      if (o.noise && o.snrDb !== undefined) samples = mixNoise(samples, o.noise, o.snrDb, { random: seededRandom(parseInt(key.slice(0, 8), 16)) });
      writeFileSync(file, encodeWav16(samples, 16000));
      return file;
    },
    close: () => synth.close(),
  };
}

// ---- the NLU curve: wrong actions vs acceptance over the evidence thresholds ----------------------

export interface CurvePoint {
  /** Least SLM probability and matcher confidence to act without asking (every risk class). */
  threshold: number;
  /** Commands acted on exactly right, % of commands. */
  acceptedCorrect: number;
  /** Commands acted on wrongly, % of commands. */
  wrong: number;
  /** Non-commands acted on, % of non-commands. */
  falseAccepts: number;
  /** Commands asked back or refused, % of commands. */
  withheld: number;
}

/**
 * Labelled utterances (test/fixtures/natural format) through the understander and the trust policy, once
 * per threshold: how many commands are acted on right, wrong, or held back. The thresholds in
 * src/trust/config.ts are read off this curve (docs/benchmarks.md, "Trust").
 */
export async function nluCurve(
  items: Array<{ text: string; intents: ExpectedIntent[] }>,
  understander: Understander,
  trust: TrustDeps,
  thresholds: number[] = [0, 0.5, 0.7, 0.8, 0.85, 0.9, 0.95, 0.98, 0.99],
): Promise<CurvePoint[]> {
  const understood = new Map<string, Understanding>();
  const understand = async (t: string): Promise<Understanding> => {
    let u = understood.get(t);
    if (!u) understood.set(t, (u = await understander.understand(t)));
    return u;
  };
  const points: CurvePoint[] = [];
  for (const threshold of thresholds) {
    const t = { matcher: threshold, slm: threshold };
    const config = { ...trust.config, thresholds: { low: { ...trust.config.thresholds.low, ...t }, medium: { ...trust.config.thresholds.medium, ...t }, high: { ...trust.config.thresholds.high, ...t } } };
    let commands = 0;
    let right = 0;
    let wrong = 0;
    let held = 0;
    let negatives = 0;
    let falseAccepts = 0;
    for (const item of items) {
      const v = await judge({ text: item.text, understanding: await understand(item.text) }, { ...trust, config }, understand);
      const acted = v.decision === "act" ? v.intents : v.decision === "pass" ? (await understand(item.text)).intents : [];
      if (!item.intents.length) {
        negatives++;
        if (acted.length) falseAccepts++;
        continue;
      }
      commands++;
      if (!acted.length) held++;
      else if (intentsEqual(acted, item.intents)) right++;
      else wrong++;
    }
    const pct = (a: number, b: number) => (b ? Math.round((1000 * a) / b) / 10 : 0);
    points.push({ threshold, acceptedCorrect: pct(right, commands), wrong: pct(wrong, commands), falseAccepts: pct(falseAccepts, negatives), withheld: pct(held, commands) });
  }
  return points;
}
