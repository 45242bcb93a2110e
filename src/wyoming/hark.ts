// The Wyoming services of a running hark (HarkRuntime): the grammar ASR the runtime hears with, its
// understander and trust policy, its dialog and devices, its voices and its wake spotter. Each
// decoder is one instance shared by every client, so its calls take turns (Turns); the dialog
// session that `handle` speaks to takes turns too, as one speaker's requests would.
import type { Logger } from "pino";
import type { HarkRuntime, Answer } from "../run/runtime.js";
import type { Heard, Hearing } from "../run/voice.js";
import { judge, type Verdict } from "../trust/index.js";
import { createSynthesizer, DEFAULT_VOICE, FLITE_VOICES, parseVoice, type Synthesizer } from "../tts/index.js";
import { createEndpointer, type Endpointer } from "../audio/vad.js";
import type { WakeSpotter } from "../wake/spotter.js";
import type { RecognitionResult } from "../asr/types.js";
import { Listener, liveVadOptions, type LiveUtterance } from "../run/listen.js";
import { WyomingError, type Artifact, type Entity, type HandleResult, type Info, type Recognized } from "./events.js";
import type { LiveTranscription, WakeDetector, WakeService, WyomingServices } from "./services.js";

/** Frames fed to the live listener, samples (20 ms, as the microphone's). */
const LIVE_FRAME = 320;
/** A live transcription whose client sends nothing for this long gives the recognizer back, ms. */
const LIVE_STALL_MS = 5000;

export interface HarkServicesOptions {
  /** The dialog session `handle` speaks to (default: the runtime's default session). */
  session?: string;
  /** Voice when `synthesize` names none (default: the runtime's speech voice, else flite:slt). */
  voice?: string;
  /** The wake phrase to spot (default: the runtime's `wake` config); false: no wake service. */
  wake?: { phrase: string; sensitivity: number } | false;
  log?: Logger;
}

/** hark has no public home page; Wyoming requires the field. */
const HARK = { name: "hark", url: "" };
const VERSION = "0.1.0";

/** Calls that must not overlap (one decoder instance) run one after another. */
export class Turns {
  private last: Promise<unknown> = Promise.resolve();
  private waiting = 0;

  /** Nothing running, nothing queued, nothing held. */
  get idle(): boolean {
    return this.waiting === 0;
  }

  run<T>(fn: () => Promise<T>): Promise<T> {
    this.waiting++;
    const next = this.last.then(fn, fn).finally(() => this.waiting--);
    this.last = next.catch(() => undefined);
    return next;
  }

  /** Take the turn until the returned release is called (calls meanwhile wait); only when idle. */
  hold(): (() => void) | undefined {
    if (!this.idle) return undefined;
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    this.waiting++;
    this.last = this.last.then(() => held);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.waiting--;
      release();
    };
  }
}

export async function harkServices(rt: HarkRuntime, o: HarkServicesOptions = {}): Promise<WyomingServices> {
  const session = o.session ? rt.sessions.get(o.session) : rt.defaultSession;
  if (!session) throw new Error(`no session called ${o.session} (sessions: ${rt.sessions.all.map((s) => s.info.id).join(", ")})`);
  const sessionId = session.info.id;
  const profile = session.info.profile;
  const language = rt.grammar.language || "en";
  const defaultVoice = o.voice ?? rt.config.speech.voice ?? DEFAULT_VOICE;
  parseVoice(defaultVoice); // a bad spec fails here, not at the first request
  const voices = [...new Set([defaultVoice, ...FLITE_VOICES.map((v) => `flite:${v}`)])];
  const wakeConfig = o.wake === false ? undefined : (o.wake ?? { phrase: rt.config.wake.phrase, sensitivity: rt.config.wake.sensitivity });

  const asrTurns = new Turns();
  const dialogTurns = new Turns();
  const wakeTurns = new Turns();
  const synths = new Map<string, Synthesizer>();
  let spotter: Promise<WakeSpotter> | undefined;
  const endpointers: Endpointer[] = [];
  /** The live listener's endpointers (brief trailing silence, no padding: liveVadOptions). */
  const liveEndpointers: Endpointer[] = [];

  const artifact = (name: string, description: string, attribution = HARK, version: string | null = VERSION): Artifact => ({
    name,
    attribution,
    installed: true,
    description,
    version,
  });

  const info = (): Info => ({
    asr: [
      {
        ...artifact("hark-asr", "hark's grammar speech recognizer: hears the sentences of its grammar (and dialog replies), rejects the rest"),
        models: [{ ...artifact("grammar", "PocketSphinx en-us acoustic model with a word graph compiled from hark's grammar", { name: "CMU Sphinx (soundswallower)", url: "https://github.com/dhdaines/soundswallower" }), languages: [language] }],
        supports_transcript_streaming: false,
      },
    ],
    tts: [
      {
        ...artifact("hark-tts", "hark's offline voices"),
        voices: voices.map((v) => ({
          ...artifact(v, v.startsWith("flite:") ? `CMU Flite voice ${v.slice(6)}` : v, v.startsWith("flite:") ? { name: "CMU Flite", url: "http://www.festvox.org/flite/" } : HARK, null),
          languages: ["en"],
          speakers: null,
        })),
        supports_synthesize_streaming: false,
      },
    ],
    handle: [
      {
        ...artifact("hark", "hark carries the request out on its devices (MQTT) through its dialog and trust policy, and answers with what it said"),
        models: [{ ...artifact("hark-dialog", `session ${sessionId} (${profile})`), languages: [language] }],
        supports_handled_streaming: false,
      },
    ],
    intent: [
      {
        ...artifact("hark-intent", "hark's grammar matcher (and small LM) with its trust policy: a request hark would refuse or ask back about is not recognized"),
        models: [{ ...artifact("hark-grammar", "Home Assistant intents from hark's grammar"), languages: [language] }],
      },
    ],
    wake: wakeConfig
      ? [
          {
            ...artifact("hark-wake", "hark's wake phrase spotter (the ASR's acoustic model, no model of its own)"),
            models: [{ ...artifact(wakeName(wakeConfig.phrase), `the phrase "${wakeConfig.phrase}"`), languages: ["en"], phrase: wakeConfig.phrase }],
          },
        ]
      : [],
  });

  // What was transcribed lately, with the recognizer's evidence: when the same words come back to be
  // handled (Home Assistant's pipeline: hark's speech-to-text, then hark's conversation agent), the
  // trust policy sees how sure the recognizer was, as it does for speech in `hark run`.
  const heardLately = new Map<string, { heard: Heard; at: number }>();
  const HEARD_FOR_MS = 60_000;
  const recentlyHeard = (text: string): Heard | undefined => {
    const now = Date.now();
    for (const [k, v] of heardLately) if (now - v.at > HEARD_FOR_MS) heardLately.delete(k);
    const h = heardLately.get(text.trim().toLowerCase());
    if (h) heardLately.delete(text.trim().toLowerCase());
    return h?.heard;
  };

  // A recognizer of the Wyoming server's own: the runtime's (its microphone, the console's push-to-talk)
  // may be in the middle of a live stream, and one decoder decodes one stream at a time.
  let ears: Promise<Hearing> | undefined;
  const hearing = (): Promise<Hearing> => (ears ??= rt.newEars(profile));

  /** One accepted utterance remembered for `handle` (see heardLately). */
  const remember = (text: string, r: RecognitionResult, seconds: number): void => {
    if (heardLately.size >= 64) heardLately.delete(heardLately.keys().next().value!);
    const heard: Heard = { text, confidence: r.confidence, start: 0, end: seconds, asrMs: r.ms, ...(r.evidence ? { evidence: r.evidence } : {}) };
    heardLately.set(text, { heard, at: Date.now() });
  };

  /**
   * The live path (src/run/listen.ts: VAD endpointing, decoding while the audio arrives, noisy
   * utterances decoded again whole): most of the decoding is done by audio-stop. It holds the
   * recognizer for the stream, so it is taken only when the recognizer is free; otherwise, and if the
   * client stalls, the stream is transcribed whole at audio-stop.
   */
  const openTranscription = async (): Promise<LiveTranscription | undefined> => {
    const h = await hearing();
    if (!h.recognizer.stream) return undefined;
    const release = asrTurns.hold();
    if (!release) return undefined;
    const endpointer = liveEndpointers.pop() ?? createEndpointer(liveVadOptions(undefined));
    endpointer.reset();
    const l = rt.config.listen;
    const listener = new Listener(h.recognizer, endpointer, { shortSilenceMs: l.short_silence_ms, mediumSilenceMs: l.medium_silence_ms, longSilenceMs: l.long_silence_ms });
    const utterances: LiveUtterance[] = [];
    let state: "live" | "done" | "stalled" = "live";
    let seconds = 0;
    const end = (): void => {
      clearTimeout(watchdog);
      if (liveEndpointers.length < 8) liveEndpointers.push(endpointer);
      release();
    };
    const stall = (): void => {
      if (state !== "live") return;
      state = "stalled";
      listener.reset();
      end();
      o.log?.debug("wyoming asr: the client stalled; its stream is transcribed whole at audio-stop");
    };
    const arm = (): NodeJS.Timeout => setTimeout(stall, LIVE_STALL_MS).unref();
    let watchdog = arm();
    return {
      accept: async (x) => {
        if (state !== "live") return;
        clearTimeout(watchdog);
        seconds += x.length / 16000;
        for (let i = 0; i < x.length && state === "live"; i += LIVE_FRAME) utterances.push(...(await listener.accept(x.subarray(i, i + LIVE_FRAME))));
        if (state === "live") watchdog = arm();
      },
      finish: async () => {
        if (state !== "live") return undefined;
        clearTimeout(watchdog);
        try {
          utterances.push(...(await listener.flush()));
        } finally {
          state = "done";
          end();
        }
        const heard = utterances.filter((u) => !u.result.rejected && u.result.text);
        const text = heard.map((u) => u.result.text).join(" ");
        o.log?.debug({ text, utterances: utterances.length, decode: utterances.map((u) => u.decode) }, "wyoming asr (live)");
        if (heard.length === 1) remember(text, heard[0]!.result, seconds);
        return { text, language };
      },
      abort: () => {
        if (state !== "live") return;
        state = "done";
        listener.reset();
        end();
      },
    };
  };

  const transcribe = async (samples: Float32Array): Promise<{ text: string; language: string }> => {
    const h: Hearing = await hearing();
    const r = await asrTurns.run(() => h.recognizer.recognize(samples));
    o.log?.debug({ text: r.text, rejected: r.rejected ? (r.reason ?? true) : undefined, ms: Math.round(r.ms) }, "wyoming asr");
    const text = r.rejected ? "" : r.text;
    if (text) remember(text, r, samples.length / 16000);
    return { text, language };
  };

  const recognize = async (text: string): Promise<Recognized> => {
    if (!text.trim()) return { kind: "not-recognized", text: "nothing was said" };
    const understanding = await rt.understander.understand(text);
    const v: Verdict = await judge({ text, understanding, session: { profile } }, rt.trust, (t) => rt.understander.understand(t));
    const why = (reason: string, say?: string) => ({ kind: "not-recognized" as const, text: say ? `${say} (${reason})` : reason });
    // "pass": nothing to judge — nothing understood, or a cancel ("never mind" → HassNevermind), as `hark understand` reports it.
    const verdict = v.decision === "pass" && understanding.intents.length ? { decision: "act" as const, intents: understanding.intents } : v;
    switch (verdict.decision) {
      case "pass":
        return why(understanding.reason ?? "not understood", "Sorry, I didn't understand that.");
      case "refuse":
        return why(`${verdict.reason}${verdict.detail ? `: ${verdict.detail}` : ""}`, verdict.speech);
      case "ask":
        return why(`ask first: ${verdict.reason}`, verdict.prompt);
      case "schedule":
        return why("later: Wyoming's intent is carried out now", verdict.speech);
      case "report":
      case "act": {
        const intents = verdict.intents;
        if (intents.length !== 1) return why(`${intents.length} requests in one sentence; a Wyoming intent carries one (use handle)`);
        const i = intents[0]!;
        const entities: Entity[] = Object.entries(i.slots).map(([name, value]) => ({ name, value }));
        return { kind: "intent", name: i.intent, entities, text };
      }
    }
  };

  const handle = (text: string): Promise<HandleResult> =>
    dialogTurns.run(async () => {
      if (!text.trim()) return { handled: false, text: "Nothing was said." };
      const heard = recentlyHeard(text);
      const answers = heard ? await rt.handleHeard([heard], sessionId) : await rt.handle({ session: sessionId, text });
      return handledFrom(answers);
    });

  const synthesize = async (text: string, voice?: string) => {
    const spec = voice === undefined || voice === "" ? defaultVoice : resolveVoiceName(voice, voices);
    let s = synths.get(spec);
    if (!s) {
      s = createSynthesizer(spec);
      synths.set(spec, s);
    }
    const synth = s;
    return synth.synthesize(text).catch((err: unknown) => {
      throw new WyomingError("tts-failed", `synthesize: ${err instanceof Error ? err.message : String(err)}`);
    });
  };

  const wake: WakeService | undefined = wakeConfig && {
    name: wakeName(wakeConfig.phrase),
    phrase: wakeConfig.phrase,
    detector: (): WakeDetector => {
      spotter ??= import("../wake/spotter.js").then(({ WakeSpotter }) => WakeSpotter.create(wakeConfig));
      // Endpointers (silero VAD instances) are kept for the next stream rather than made per stream.
      const endpointer = endpointers.pop() ?? createEndpointer({ onFallback: (reason) => o.log?.debug({ reason }, "wyoming wake: VAD fallback") });
      endpointer.reset();
      const spot = async (segs: Array<{ start: number; samples: Float32Array }>): Promise<number[]> => {
        const out: number[] = [];
        for (const seg of segs) {
          const sp = await spotter!;
          const r = await wakeTurns.run(() => sp.recognize(seg.samples));
          const end = (r.detail as { wakeEnd?: number } | undefined)?.wakeEnd;
          if (!r.rejected && r.text) out.push(seg.start + (end ?? seg.samples.length / 16000));
        }
        return out;
      };
      let closed = false;
      return {
        accept: (x) => spot(closed ? [] : endpointer.accept(x)),
        finish: () => spot(closed ? [] : endpointer.flush()),
        close: () => {
          if (closed) return;
          closed = true;
          if (endpointers.length < 8) endpointers.push(endpointer);
        },
      };
    },
  };

  const warmUp = async (): Promise<void> => {
    const t0 = performance.now();
    const h = await hearing();
    // A few of the grammar's sentences decoded once: the first real request does not pay for compiling.
    await asrTurns.run(() => h.warmUp());
    await synthesize("Ready.");
    if (wake) {
      const d = wake.detector();
      await d.accept(new Float32Array(1600)).finally(() => d.close());
      await spotter;
    }
    o.log?.info({ ms: Math.round(performance.now() - t0) }, "wyoming services warmed up");
  };

  return {
    info,
    warmUp,
    transcribe,
    openTranscription,
    recognize,
    handle,
    synthesize,
    ...(wake ? { wake } : {}),
    close: async () => {
      for (const s of synths.values()) s.close();
      synths.clear();
      if (ears) (await ears.catch(() => undefined))?.close();
      if (spotter) (await spotter.catch(() => undefined))?.close();
    },
  };
}

/** The wake model's name: the phrase as a model id ("hey hark" → "hey_hark"). */
export function wakeName(phrase: string): string {
  return phrase.trim().toLowerCase().replace(/\s+/g, "_");
}

/** A voice name a client may ask for: one of `info`'s, or a flite voice by its short name ("slt"). */
function resolveVoiceName(name: string, voices: readonly string[]): string {
  if (voices.includes(name)) return name;
  if (voices.includes(`flite:${name}`)) return `flite:${name}`;
  throw new WyomingError("unknown-voice", `synthesize: no voice "${name}" (voices: ${voices.join(", ")})`);
}

/**
 * What hark said → handled or not. Not handled: nothing understood, a refusal (trust), an error, or a
 * device command that failed. A question back (confirm, clarify) is handled: its text is the question.
 */
export function handledFrom(answers: readonly Answer[]): HandleResult {
  const text = answers.map((a) => a.speech).filter(Boolean).join(" ");
  if (!answers.length) return { handled: false, text: text || "hark said nothing." };
  const failed = answers.some(
    (a) => a.kind === "error" || a.error !== undefined || a.trust?.decision === "refuse" || a.commands?.some((c) => !c.ok) || (a.kind === "answer" && !a.intents.length && !a.commands?.length && !a.trust),
  );
  return { handled: !failed, text };
}
