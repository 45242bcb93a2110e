// The live loop of `hark run --input mic` (and any paced source): utterances from the live listener
// go to the session as soon as each endpoint is reached; speech that starts while an answer is being
// spoken stops the answer and tells the dialog (barge-in), and the new utterance is heard.
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
}

export interface LiveLoopStats {
  utterances: number;
  /** Answers stopped because the user spoke. */
  bargeIns: number;
}

export async function runLive(rt: HarkRuntime, source: AudioSource, o: LiveLoopOptions = {}): Promise<LiveLoopStats> {
  const session = o.session ? rt.sessions.get(o.session) : rt.defaultSession;
  if (!session) throw new Error(`there is no session called ${o.session}`);
  const ears = await rt.ears(session.info.profile);
  const stats: LiveLoopStats = { utterances: 0, bargeIns: 0 };
  const onSpeechStart = (): void => {
    if (o.bargeIn === false || !o.voice?.interrupt()) return;
    stats.bargeIns++;
    rt.log.info({ session: session.info.id }, "barge-in: the user spoke over the answer");
    void rt.handle({ session: session.info.id, event: "speech_start" }).catch(() => undefined);
  };
  for await (const heard of ears.hearStream(source, { onSpeechStart })) {
    stats.utterances++;
    await rt.handleHeard([heard], session.info.id);
  }
  return stats;
}
