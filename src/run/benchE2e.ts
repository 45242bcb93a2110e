// End-of-input → MQTT publish latency for text input: the time from handing a typed line to the runtime
// until the first device command appears on the broker (seen by an independent MQTT client).
import mqtt from "mqtt";
import pino from "pino";
import { parseConfig } from "./config.js";
import { HarkRuntime } from "./runtime.js";

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
   */
  input?: "text" | "wav";
}

export interface BenchE2eResult {
  p50: number;
  p95: number;
  n: number;
  /** Samples with no publish within timeoutMs. */
  lost: number;
  mean: number;
  max: number;
  input: "text" | "wav";
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
  const ears = mode === "wav" ? await rt.ears() : undefined;
  if (mode === "wav") {
    const [{ createSynthesizer }, { resample }] = await Promise.all([import("../tts/index.js"), import("../audio/index.js")]);
    const synth = createSynthesizer("flite:slt");
    try {
      for (const u of utterances) {
        const a = await synth.synthesize(u.text);
        const x = a.sampleRate === 16000 ? a.samples : resample(a.samples, a.sampleRate, 16000);
        // 0.3 s of silence before and after, as a push-to-talk recording would have.
        const padded = new Float32Array(x.length + 9600);
        padded.set(x, 4800);
        audio.set(u.text, padded);
      }
    } finally {
      synth.close();
    }
  }
  const samples: number[] = [];
  let lost = 0;
  const timeoutMs = opts.timeoutMs ?? 2000;
  try {
    for (let round = 0; round < (opts.rounds ?? 10); round++) {
      for (const u of utterances) {
        let timer: NodeJS.Timeout | undefined;
        const published = new Promise<number | undefined>((resolve) => {
          waiting = resolve;
          timer = setTimeout(() => resolve(undefined), timeoutMs);
        });
        const t0 = performance.now();
        const handled =
          mode === "wav"
            ? (async () => {
                const heard = await ears!.hearSamples(audio.get(u.text)!);
                asrMs.push(heard.reduce((a, h) => a + h.asrMs, 0));
                const said = heard.map((h) => h.text).join(" ");
                if (round === 0) transcripts.push({ text: u.text, heard: said });
                return rt.handleHeard(heard, u.session);
              })()
            : rt.handle({ ...(u.session ? { session: u.session } : {}), text: u.text });
        const t1 = await published;
        clearTimeout(timer);
        waiting = undefined;
        await handled;
        if (t1 === undefined) lost++;
        else samples.push(t1 - t0);
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
    mean: round(sorted.reduce((a, b) => a + b, 0) / (sorted.length || 1)),
    max: round(sorted[sorted.length - 1] ?? NaN),
    input: mode,
    ...(mode === "wav" ? { asrP50: round(quantile([...asrMs].sort((a, b) => a - b), 0.5)), transcripts } : {}),
  };
}
