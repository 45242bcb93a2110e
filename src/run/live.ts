// The live loop of `hark run --input mic` (and any paced source): utterances from the live listener
// go to the session as soon as each endpoint is reached; speech that starts while an answer is being
// spoken stops the answer and tells the dialog (barge-in), and the new utterance is heard.
// With a wake phrase, speech is addressed only after the phrase, or while the session waits for the
// user (listening after the phrase, a question, the follow-up window).
import type { AudioSource } from "../audio/source.js";
import type { HarkRuntime } from "./runtime.js";
import type { Voice } from "./voice.js";

export interface LiveLoopOptions {
  /** Session the speech belongs to (default: the runtime's default session). */
  session?: string;
  /** The voice speaking the answers, to interrupt on barge-in (none: answers are text only). */
  voice?: Voice;
  /** Stop the answer when the user starts talking (default true). */
  bargeIn?: boolean;
  /** Spot this wake phrase (src/wake/spotter.ts); absent: every utterance is addressed (push-to-talk). */
  wake?: { phrase: string; sensitivity: number };
}

export interface LiveLoopStats {
  utterances: number;
  /** Answers stopped because the user spoke. */
  bargeIns: number;
  /** Wake phrases heard. */
  wakes: number;
}

/** Dialog states in which the user is expected to speak: no wake phrase needed. */
const AWAKE_STATES = new Set(["listening", "clarifying", "confirming", "followUp"]);

export async function runLive(rt: HarkRuntime, source: AudioSource, o: LiveLoopOptions = {}): Promise<LiveLoopStats> {
  const session = o.session ? rt.sessions.get(o.session) : rt.defaultSession;
  if (!session) throw new Error(`there is no session called ${o.session}`);
  const ears = await rt.ears(session.info.profile);
  const stats: LiveLoopStats = { utterances: 0, bargeIns: 0, wakes: 0 };
  const bargeIn = (): void => {
    if (o.bargeIn === false || !o.voice?.interrupt()) return;
    stats.bargeIns++;
    rt.log.info({ session: session.info.id }, "barge-in: the user spoke over the answer");
    void rt.handle({ session: session.info.id, event: "speech_start" }).catch(() => undefined);
  };
  let wake: { spotter: import("../asr/types.js").Recognizer; needed: () => boolean } | undefined;
  if (o.wake) {
    const { WakeSpotter } = await import("../wake/spotter.js");
    wake = { spotter: await WakeSpotter.create(o.wake), needed: () => !AWAKE_STATES.has(session.state) };
  }
  const id = session.info.id;
  const watched = {
    onPartial: (text: string) => rt.events.emit("partial", { session: id, text }),
    onVad: (speaking: boolean) => rt.events.emit("vad", { session: id, speaking }),
  };
  try {
    for await (const heard of ears.hearStream(metered(source, (db) => rt.events.emit("level", { session: id, db })), { onSpeechStart: bargeIn, ...watched, ...(wake ? { wake } : {}) })) {
      stats.utterances++;
      if (heard.wake) {
        stats.wakes++;
        bargeIn();
        await rt.handle({ session: session.info.id, event: "wake" });
        continue;
      }
      await rt.handleHeard([heard], session.info.id);
    }
  } finally {
    wake?.spotter.close();
  }
  return stats;
}

/** The source as it is, telling its level (dBFS over about 100 ms) as the frames pass. */
export function metered(source: AudioSource, onLevel: (db: number) => void, everyMs = 100): AudioSource {
  const every = (source.sampleRate * everyMs) / 1000;
  return {
    name: source.name,
    sampleRate: source.sampleRate,
    frameSamples: source.frameSamples,
    stats: () => source.stats(),
    close: () => source.close(),
    async *[Symbol.asyncIterator]() {
      let energy = 0;
      let n = 0;
      for await (const frame of source) {
        for (let i = 0; i < frame.length; i++) energy += frame[i]! * frame[i]!;
        n += frame.length;
        if (n >= every) {
          onLevel(Math.max(-100, Math.round(10 * Math.log10(energy / n + 1e-10))));
          energy = n = 0;
        }
        yield frame;
      }
    },
  };
}
