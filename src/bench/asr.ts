// ASR round-trip benchmark (`hark bench --suite asr`): generated command utterances of the active
// grammars, spoken by a voice (default: hark's default voice), decoded by hark's ASR and understood
// by the matcher; reports how many come back as exactly the intended intent and slots.
import { compileGraph } from "../compile/graph.js";
import { createRecognizer, DEFAULT_ENGINE } from "../asr/index.js";
import type { StartupTimes } from "../asr/soundswallower/index.js";
import { resample } from "../audio/resample.js";
import { SAMPLE_RATE } from "../audio/source.js";
import { loadSources, Matcher, type SourceOptions } from "../nlu/index.js";
import { roundedStartup } from "../replay/index.js";
import { createSynthesizer, DEFAULT_VOICE } from "../tts/index.js";
import { grammarSampleLabels } from "../replay/fixtures.js";
import { intentsEqual, type ExpectedIntent } from "../nlu/intentsEqual.js";
import { percentile, round } from "./stats.js";

export interface AsrBenchOptions extends SourceOptions {
  count?: number;
  seed?: number;
  voice?: string;
  engine?: string;
  /** Extra recognizer configuration (rejection, frontend…). */
  asr?: Record<string, unknown>;
  /** Silence around each utterance, s (default 0.3, as generated fixtures). */
  marginSeconds?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface AsrBenchResult {
  suite: "asr";
  grammar: string;
  voice: string;
  engine: string;
  seed: number;
  n: number;
  /** Intent and every slot exact. */
  exact: number;
  exactPct: number;
  /** Recognized words equal the spoken text's words. */
  transcriptExactPct: number;
  rejected: number;
  audioSeconds: number;
  rtf: number;
  asrMs: { p50: number; p95: number; max: number };
  /**
   * Streaming (live input): the same audio fed in 20 ms chunks as it would arrive, then the time from
   * the last chunk to the final result. Live, the endpointer's trailing silence comes before it.
   */
  firstResultMs?: { p50: number; p95: number; max: number };
  initMs: number;
  /**
   * Where the decoder's start-up goes (grammar engine): the first recognizer of this process, a second one
   * created after it closed (its own instance, from the snapshot the first one found or wrote) and what
   * touching fresh memory costs on this machine (ms per MB, a new 32 MB WebAssembly.Memory written page by page).
   */
  startup?: { first: StartupTimes; second: StartupTimes; firstTouchMsPerMB: number };
  /**
   * The ASR's evidence (grammar engine, on by default): its share of asrMs, and the margin (score
   * units per frame; beyond the beams = all competitors far behind) of exact vs wrong results.
   */
  evidence?: {
    ms: { p50: number; p95: number; max: number };
    exact: { n: number; beyondBeam: number; marginP10: number | null; marginP50: number | null };
    errors: { n: number; margins: Array<number | "beyondBeam" | null> };
  };
  errors: Array<{ text: string; heard: string; expected: ExpectedIntent[]; got: ExpectedIntent[]; evidence?: { margin?: number; competitor?: string; score?: number } }>;
}

const startupOf = (r: object): StartupTimes | undefined => (r as { startup?: StartupTimes }).startup;

/** ms per MB of writing fresh memory once (page faults; on some VMs far above the ≈ 0.2–0.5 of bare metal). */
export function firstTouchMsPerMB(mb = 32): number {
  const t0 = performance.now();
  const mem = new WebAssembly.Memory({ initial: (mb << 20) >> 16 });
  const u = new Uint8Array(mem.buffer);
  for (let i = 0; i < u.length; i += 4096) u[i] = 1;
  return (performance.now() - t0) / mb;
}

/** Percentile of margins where `beyond` more values are larger than any measured one (null: that percentile is among them). */
function marginPercentile(measured: number[], beyond: number, p: number): number | null {
  const sorted = [...measured].sort((a, b) => a - b);
  const k = Math.floor(((sorted.length + beyond) * p) / 100);
  return k < sorted.length ? round(sorted[k]!, 2) : null;
}

const words = (t: string): string => t.toLowerCase().replace(/[^a-z0-9' ]+/g, " ").replace(/\s+/g, " ").trim();

export async function benchAsr(options: AsrBenchOptions = {}): Promise<AsrBenchResult> {
  const count = options.count ?? 200;
  const seed = options.seed ?? 1;
  const grammar = await loadSources(options);
  const labels = grammarSampleLabels(grammar, count, { seed });
  const matcher = new Matcher(compileGraph(grammar));
  const synth = createSynthesizer(options.voice ?? DEFAULT_VOICE);
  const recognizer = await createRecognizer(options.engine ?? DEFAULT_ENGINE, { grammar, ...options.asr });
  const margin = Math.round((options.marginSeconds ?? 0.3) * SAMPLE_RATE);
  let exact = 0, sameWords = 0, rejected = 0, audio = 0, asrTotal = 0;
  const times: number[] = [];
  const finish: number[] = [];
  const spokenAll: Float32Array[] = [];
  const errors: AsrBenchResult["errors"] = [];
  const evMs: number[] = [];
  const exactMargins: number[] = [];
  let exactBeyond = 0, exactWithEvidence = 0;
  const errorMargins: Array<number | "beyondBeam" | null> = [];
  try {
    for (const [i, label] of labels.entries()) {
      const spoken = await synth.synthesize(label.text);
      const x = spoken.sampleRate === SAMPLE_RATE ? spoken.samples : resample(spoken.samples, spoken.sampleRate, SAMPLE_RATE);
      const padded = new Float32Array(x.length + 2 * margin);
      padded.set(x, margin);
      const r = await recognizer.recognize(padded);
      audio += padded.length / SAMPLE_RATE;
      asrTotal += r.ms;
      times.push(r.ms);
      if (r.rejected) rejected++;
      spokenAll.push(padded);
      const got = r.text ? matcher.understand(r.text).intents.map((it) => ({ intent: it.intent, slots: it.slots })) : [];
      const expected = label.intents.map((it) => ({ intent: it.intent, slots: it.slots }));
      if (words(r.text) === words(label.text)) sameWords++;
      const ev = r.evidence;
      if (ev) evMs.push(ev.ms);
      if (intentsEqual(got, expected)) {
        exact++;
        if (ev) {
          exactWithEvidence++;
          if (ev.beyondBeam || ev.competitors === 0) exactBeyond++;
          else if (ev.margin !== undefined) exactMargins.push(ev.margin);
        }
      } else {
        if (ev) errorMargins.push(ev.beyondBeam || ev.competitors === 0 ? "beyondBeam" : (ev.margin ?? null));
        errors.push({ text: label.text, heard: r.text, expected, got, ...(ev ? { evidence: { ...(ev.margin !== undefined ? { margin: ev.margin } : {}), ...(ev.competitor ? { competitor: ev.competitor } : {}), ...(ev.score !== undefined ? { score: ev.score } : {}) } } : {}) });
      }
      options.onProgress?.(i + 1, labels.length);
    }
    // Streaming, after every batch decode (the live path adapts its cepstral mean across utterances,
    // which must not leak into the batch results above).
    if (recognizer.stream)
      for (const padded of spokenAll) {
        const live = recognizer.stream();
        const chunk = SAMPLE_RATE / 50;
        for (let o = 0; o < padded.length; o += chunk) live.accept(padded.subarray(o, o + chunk));
        const t0 = performance.now();
        await live.finish();
        finish.push(performance.now() - t0);
      }
  } finally {
    recognizer.close();
    synth.close();
  }
  let startup: AsrBenchResult["startup"];
  const first = startupOf(recognizer);
  if (first) {
    const again = await createRecognizer(options.engine ?? DEFAULT_ENGINE, { grammar, ...options.asr });
    const second = startupOf(again)!;
    again.close();
    startup = { first: roundedStartup(first), second: roundedStartup(second), firstTouchMsPerMB: round(firstTouchMsPerMB(), 2) };
  }
  const n = labels.length;
  return {
    suite: "asr",
    grammar: grammar.hash.slice(0, 12),
    voice: synth.voice,
    engine: recognizer.engine,
    seed,
    n,
    exact,
    exactPct: round((100 * exact) / Math.max(1, n), 1),
    transcriptExactPct: round((100 * sameWords) / Math.max(1, n), 1),
    rejected,
    audioSeconds: round(audio, 1),
    rtf: round(asrTotal / 1000 / Math.max(audio, 1e-9), 4),
    asrMs: { p50: round(percentile(times, 50), 1), p95: round(percentile(times, 95), 1), max: round(Math.max(0, ...times), 1) },
    ...(finish.length ? { firstResultMs: { p50: round(percentile(finish, 50), 1), p95: round(percentile(finish, 95), 1), max: round(Math.max(...finish), 1) } } : {}),
    initMs: round(recognizer.initMs, 1),
    ...(startup ? { startup } : {}),
    ...(evMs.length
      ? {
          evidence: {
            ms: { p50: round(percentile(evMs, 50), 1), p95: round(percentile(evMs, 95), 1), max: round(Math.max(...evMs), 1) },
            // beyond the beams counts as the largest margins
            exact: { n: exactWithEvidence, beyondBeam: exactBeyond, marginP10: marginPercentile(exactMargins, exactBeyond, 10), marginP50: marginPercentile(exactMargins, exactBeyond, 50) },
            errors: { n: errorMargins.length, margins: errorMargins },
          },
        }
      : {}),
    errors,
  };
}
