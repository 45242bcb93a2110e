// The soak suite's runtime child (forked by src/bench/soak.ts): one HarkRuntime on the suite's broker,
// without simulators of its own (the parent plays the devices and counts what they did). It handles one
// utterance per message and reports its answers and the device commands sent for it (with their ids),
// attributed through AsyncLocalStorage: the bus's "ack" events fire inside the utterance's async context.
import { AsyncLocalStorage } from "node:async_hooks";
import pino from "pino";
import { compileGraph } from "../../compile/graph.js";
import { loadSources } from "../../nlu/index.js";
import { Matcher } from "../../nlu/matcher.js";
import { configSchema, resolveConfig } from "../../run/config.js";
import { HarkRuntime, type Answer } from "../../run/runtime.js";
import type { Hearing } from "../../run/voice.js";
import type { AckRecord, CommandMessage, DoneMessage, FromWorker, InitMessage, ToWorker } from "./protocol.js";

const send = (m: FromWorker) => process.send?.(m);

let rt: HarkRuntime | undefined;
let ears: Hearing | undefined;
const audio: Float32Array[] = [];
const als = new AsyncLocalStorage<AckRecord[]>();
const unattributed: AckRecord[] = [];
/** One decoder, one stream at a time: spoken utterances of different satellites take turns. */
let decoding: Promise<unknown> = Promise.resolve();

async function init(m: InitMessage): Promise<void> {
  const started = performance.now();
  const config = resolveConfig(configSchema.parse({ ...m.settings, log_level: "silent", broker: { url: m.brokerUrl }, simulate: false }));
  const understander = m.slm ? undefined : new Matcher(compileGraph(await loadSources({})));
  rt = await HarkRuntime.start({ config, logger: pino({ level: "silent" }), ...(understander ? { understander } : {}) });
  rt.events.on("ack", ({ result }) => {
    const rec: AckRecord = { id: result.command.id, device: result.command.deviceId, action: result.command.action, ok: result.ok, ...(result.error ? { error: result.error } : {}) };
    const store = als.getStore();
    if (store) store.push(rec);
    else unattributed.push(rec);
  });
  const heard: string[] = [];
  if (m.spoken.length) {
    // One recognizer for every satellite (the home profile's: by default it holds every sentence).
    ears = await rt.ears("home");
    const [{ createSynthesizer }, { resample }] = await Promise.all([import("../../tts/index.js"), import("../../audio/index.js")]);
    const synth = createSynthesizer("flite:slt");
    try {
      for (const text of m.spoken) {
        const a = await synth.synthesize(text);
        const x = a.sampleRate === 16000 ? a.samples : resample(a.samples, a.sampleRate, 16000);
        const padded = new Float32Array(x.length + 9600);
        padded.set(x, 4800);
        audio.push(padded);
        heard.push((await ears.hearSamples(padded)).map((h) => h.text).join(" / "));
      }
    } finally {
      synth.close();
    }
  }
  setInterval(() => {
    const u = process.memoryUsage();
    send({ t: "mem", rss: u.rss, heapUsed: u.heapUsed, heapTotal: u.heapTotal, external: u.external, arrayBuffers: u.arrayBuffers });
  }, 1000).unref();
  send({ t: "ready", pid: process.pid, setupMs: Math.round(performance.now() - started), deviceTimeoutMs: rt.config.deviceTimeoutMs, heard });
}

function summarize(a: Answer): DoneMessage["answers"][number] {
  const failed = (a.commands ?? []).filter((c) => !c.ok).length;
  return { kind: a.kind, speech: a.speech, ...(a.error ? { error: a.error } : {}), ...(a.trust?.decision ? { decision: a.trust.decision } : {}), commands: a.commands?.length ?? 0, failed };
}

async function command(m: CommandMessage): Promise<void> {
  const acks: AckRecord[] = [];
  const done: DoneMessage = { t: "done", n: m.n, ms: 0, answers: [], commands: acks };
  await als.run(acks, async () => {
    const t0 = performance.now();
    try {
      let answers: Answer[];
      if (m.spoken !== undefined) {
        const x = audio[m.spoken]!;
        const turn = decoding.then(() => ears!.hearSamples(x));
        decoding = turn.catch(() => undefined);
        const heard = await turn;
        done.asrMs = Math.round(heard.reduce((s, h) => s + h.asrMs, 0) * 100) / 100;
        done.heard = heard.map((h) => h.text).join(" / ");
        answers = await rt!.handleHeard(heard, m.session);
      } else answers = await rt!.handle({ session: m.session, text: m.text ?? "" });
      done.answers = answers.map(summarize);
    } catch (err) {
      done.error = err instanceof Error ? err.message : String(err);
    }
    done.ms = Math.round((performance.now() - t0) * 100) / 100;
  });
  send(done);
}

process.on("message", (raw: unknown) => {
  const m = raw as ToWorker;
  if (m.t === "init")
    init(m).catch((err: unknown) => {
      send({ t: "failed", error: err instanceof Error ? err.message : String(err) });
      process.exit(1);
    });
  else if (m.t === "cmd") void command(m);
  else if (m.t === "stop")
    void (async () => {
      await rt?.stop().catch(() => undefined);
      process.send?.({ t: "stopped", unattributed } satisfies FromWorker, () => process.exit(0));
    })();
});
process.on("disconnect", () => process.exit(0));
