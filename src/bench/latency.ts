// End-of-input → MQTT publish latency (`hark bench --suite e2e`, src/bench/e2e.ts): the time from handing
// a typed line, a spoken WAV or live PCM to the runtime until the first device command appears on the
// broker (seen by an independent MQTT client).
import mqtt from "mqtt";
import pino from "pino";
import { parseConfig } from "../run/config.js";
import { pcmSource } from "../audio/source.js";
import { HarkRuntime } from "../run/runtime.js";
import type { Heard } from "../run/voice.js";

export interface BenchE2eOptions {
  /** Utterances that each publish at least one command (default: a home + car mix). */
  utterances?: Array<string | { session?: string; text: string }>;
  /** Rounds over the utterance list (default 10). */
  rounds?: number;
  /** hark.yaml text (default: built-in defaults, embedded broker, simulators). */
  config?: string;
  /** Wait this long for a publish before counting the sample as lost (ms, default 2000). */
  timeoutMs?: number;
  /**
   * "text": the typed line is handed to the runtime. "wav": each utterance is first spoken by hark's
   * default voice (flite, 16 kHz), then end of input → VAD endpointer → grammar ASR → dialog → publish.
   * "live": the spoken utterance is fed in real time, 20 ms chunks of 16-bit PCM, through the
   * microphone's code path (raw PCM source → live listener, src/run/listen.ts); the time runs from
   * the moment the chunk holding the last voiced sample is delivered.
   */
  input?: "text" | "wav" | "live";
}

export interface BenchE2eResult {
  p50: number;
  p95: number;
  n: number;
  /** Samples with no publish within timeoutMs. */
  lost: number;
  /** What was lost: the utterance and what was heard of it (live and WAV input). */
  lostItems?: Array<{ text: string; heard: string }>;
  mean: number;
  max: number;
  input: "text" | "wav" | "live";
  /** live: which silence ended each utterance (counts). */
  endpoints?: Record<string, number>;
  /** live: p50 per utterance, ms (where the time goes: the endpoint each one takes differs). */
  byUtterance?: Record<string, number>;
  /** live: peak resident memory of the process at the end, MB. */
  peakRssMb?: number;
  /** WAV only: recognition time per utterance (part of the latency), p50 ms. */
  asrP50?: number;
  /** WAV only: what the recognizer heard for each utterance (first round). */
  transcripts?: Array<{ text: string; heard: string }>;
}

const DEFAULT_UTTERANCES: Array<{ session?: string; text: string }> = [
  { text: "turn on the kitchen lights" },
  { text: "turn off the kitchen lights" },
  { session: "passenger", text: "I'm cold" },
  { session: "driver", text: "set the temperature to 22" },
  { text: "set the bedroom lights to 40 percent" },
  { session: "driver", text: "set the volume to 30" },
];

function quantile(sorted: number[], q: number): number {
  if (!sorted.length) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i]!;
}

/** End of the last 10 ms hop within 40 dB of the loudest one: where the speech ends. */
export function lastVoicedSample(x: Float32Array): number {
  const H = 160;
  const hops = Math.floor(x.length / H);
  const db = new Float64Array(hops);
  for (let h = 0; h < hops; h++) {
    let e = 0;
    for (let i = h * H; i < (h + 1) * H; i++) e += x[i]! * x[i]!;
    db[h] = 10 * Math.log10(e / H + 1e-12);
  }
  const top = Math.max(...db);
  for (let h = hops - 1; h >= 0; h--) if (db[h]! > top - 40) return (h + 1) * H;
  return 0;
}

/**
 * 16-bit PCM of `x` in 20 ms chunks at the pace a microphone delivers them; `onLast` gets the time
 * the chunk holding sample `last` was handed over.
 */
export async function* pacedPcm(x: Float32Array, last: number, onLast: (t: number) => void): AsyncGenerator<Buffer> {
  const CH = 320;
  const start = performance.now();
  for (let i = 0, k = 0; i < x.length; i += CH, k++) {
    const wait = start + k * 20 - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const n = Math.min(CH, x.length - i);
    const b = Buffer.alloc(n * 2);
    for (let j = 0; j < n; j++) b.writeInt16LE(Math.max(-32768, Math.min(32767, Math.round(x[i + j]! * 32767))), j * 2);
    if (i <= last - 1 && last - 1 < i + CH) onLast(performance.now());
    yield b;
  }
}

export async function benchE2e(opts: BenchE2eOptions = {}): Promise<BenchE2eResult> {
  const config = parseConfig(opts.config ?? "log_level: silent\n", "bench.yaml");
  config.logLevel = "silent";
  const rt = await HarkRuntime.start({ config, logger: pino({ level: "silent" }) });
  const watcher = await mqtt.connectAsync(rt.brokerUrl, { clientId: `hark-bench-${process.pid}` });
  let waiting: ((t: number) => void) | undefined;
  watcher.on("message", (topic) => {
    if (!/\/set(\/|$)/.test(topic)) return;
    const w = waiting;
    waiting = undefined;
    w?.(performance.now());
  });
  // Every command topic: home …/set (+ subtopics) and car VSS …/set.
  await watcher.subscribeAsync(["hark/home/+/set", "hark/home/+/set/+", "hark/car/#"], { qos: 0 });
  const utterances = (opts.utterances ?? DEFAULT_UTTERANCES).map((u) => (typeof u === "string" ? { text: u } : u));
  const mode = opts.input ?? "text";
  // WAV: speak every utterance once up front (synthesis is not part of the measured path).
  const audio = new Map<string, Float32Array>();
  const asrMs: number[] = [];
  const transcripts: Array<{ text: string; heard: string }> = [];
  const ears = mode !== "text" ? await rt.ears() : undefined;
  // As `hark run --input mic` does before it listens.
  if (mode === "live") await ears!.warmUp();
  const lastVoiced = new Map<string, number>();
  const endpoints: Record<string, number> = {};
  if (mode !== "text") {
    const [{ createSynthesizer }, { resample }] = await Promise.all([import("../tts/index.js"), import("../audio/index.js")]);
    const synth = createSynthesizer("flite:slt");
    try {
      for (const u of utterances) {
        const a = await synth.synthesize(u.text);
        const x = a.sampleRate === 16000 ? a.samples : resample(a.samples, a.sampleRate, 16000);
        // 0.3 s of silence before and after, as a push-to-talk recording would have.
        // live: a second of silence after it, for the endpointer to see.
        const padded = new Float32Array(x.length + (mode === "live" ? 4800 + 16000 : 9600));
        padded.set(x, 4800);
        audio.set(u.text, padded);
        lastVoiced.set(u.text, 4800 + lastVoicedSample(x));
      }
    } finally {
      synth.close();
    }
  }
  const samples: number[] = [];
  const byText = new Map<string, number[]>();
  let lost = 0;
  const lostItems: Array<{ text: string; heard: string }> = [];
  let lastHeard = "";
  const timeoutMs = opts.timeoutMs ?? 2000;
  try {
    for (let round = 0; round < (opts.rounds ?? 10); round++) {
      for (const u of utterances) {
        let timer: NodeJS.Timeout | undefined;
        let giveUp = (): void => undefined;
        const published = new Promise<number | undefined>((resolve) => {
          waiting = resolve;
          giveUp = () => resolve(undefined);
          // live: the clock starts at the end of speech, not when the audio starts.
          if (mode !== "live") timer = setTimeout(giveUp, timeoutMs);
        });
        let t0 = performance.now();
        const handled =
          mode === "live"
            ? (async () => {
                const heard: Heard[] = [];
                const last = lastVoiced.get(u.text)!;
                const source = pcmSource(pacedPcm(audio.get(u.text)!, last, (t) => ((t0 = t), (timer = setTimeout(giveUp, timeoutMs)))), { name: "paced microphone", frameSamples: 320 });
                for await (const h of ears!.hearStream(source)) {
                  heard.push(h);
                  if (h.endpoint) endpoints[h.endpoint] = (endpoints[h.endpoint] ?? 0) + 1;
                  asrMs.push(h.asrMs);
                  await rt.handleHeard([h], u.session);
                }
                lastHeard = heard.map((h) => h.text).join(" / ");
                if (round === 0) transcripts.push({ text: u.text, heard: lastHeard });
              })()
            : mode === "wav"
            ? (async () => {
                const heard = await ears!.hearSamples(audio.get(u.text)!);
                asrMs.push(heard.reduce((a, h) => a + h.asrMs, 0));
                const said = heard.map((h) => h.text).join(" ");
                lastHeard = said;
                if (round === 0) transcripts.push({ text: u.text, heard: said });
                return rt.handleHeard(heard, u.session);
              })()
            : rt.handle({ ...(u.session ? { session: u.session } : {}), text: u.text });
        const t1 = await published;
        clearTimeout(timer);
        waiting = undefined;
        await handled;
        if (t1 === undefined) (lost++, mode !== "text" && lostItems.push({ text: u.text, heard: lastHeard }));
        else {
          samples.push(t1 - t0);
          byText.set(u.text, [...(byText.get(u.text) ?? []), t1 - t0]);
        }
        await new Promise((r) => setTimeout(r, 20));
      }
    }
  } finally {
    await watcher.endAsync(true);
    await rt.stop();
  }
  const sorted = [...samples].sort((a, b) => a - b);
  const round = (x: number) => Math.round(x * 100) / 100;
  return {
    p50: round(quantile(sorted, 0.5)),
    p95: round(quantile(sorted, 0.95)),
    n: sorted.length,
    lost,
    ...(lostItems.length ? { lostItems } : {}),
    mean: round(sorted.reduce((a, b) => a + b, 0) / (sorted.length || 1)),
    max: round(sorted[sorted.length - 1] ?? NaN),
    input: mode,
    ...(mode === "live" ? { endpoints, byUtterance: Object.fromEntries([...byText].map(([t, xs]) => [t, round(quantile([...xs].sort((a, b) => a - b), 0.5))])), peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024) } : {}),
    ...(mode !== "text" ? { asrP50: round(quantile([...asrMs].sort((a, b) => a - b), 0.5)), transcripts } : {}),
  };
}
