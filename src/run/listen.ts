// The live hearing path: frames from a live source (microphone, paced PCM) → VAD → the recognizer's
// streaming decoder while the user speaks → an endpoint that knows the grammar:
//   - after a short silence (default 160 ms) when the words so far make a whole sentence;
//   - after the long silence (default 600 ms) when they do not (the user may be pausing mid-command);
//   - after maxSpeechSec of speech in any case.
// At the end only the final search and the evidence remain. Noisy input (SNR estimate below
// `cleanAboveDb`) is decoded again whole by recognize(), whose front end denoises: the streaming
// decoder sees raw audio, and RNNoise cannot be run ahead of the VAD's cut.
import { estimateSnr } from "../asr/frontend.js";
import type { RecognitionResult, Recognizer, RecognizerStream } from "../asr/types.js";
import { SAMPLE_RATE } from "../audio/source.js";
import type { Endpointer, VadOptions } from "../audio/vad.js";
import type { WakeDetail } from "../wake/spotter.js";

export interface ListenOptions {
  /**
   * Silence after the end of speech (as the VAD places it) that ends an utterance whose words make a
   * whole sentence, ms (default 120). The decision is computed when the silence begins and kept if
   * speech does not resume before this much has passed.
   */
  shortSilenceMs?: number;
  /**
   * Silence that ends an utterance whose words make a whole sentence that the grammar lets go on with
   * more content ("set the volume to thirty" … "five", "a latte" … "with milk"), ms (default 400).
   */
  mediumSilenceMs?: number;
  /** Silence that ends any utterance, ms (default 600). */
  longSilenceMs?: number;
  /** Audio kept before the detected speech onset, ms (default 300). */
  preRollMs?: number;
  /** Longest utterance, s (default 20). */
  maxSpeechSec?: number;
  /** The VAD's minimum speech duration, ms: how late it reports an onset (default 250). */
  onsetDelayMs?: number;
  /**
   * The streamed result is used when the input's SNR estimate is at least this (or unknown), dB;
   * below it the utterance is decoded again through recognize()'s front end (default 35, the
   * front end's own denoising threshold).
   */
  cleanAboveDb?: number;
  /** Called when speech starts (barge-in: stop speaking). */
  onSpeechStart?: (atSeconds: number) => void;
  /** Called with the partial transcript whenever it changes. */
  onPartial?: (text: string) => void;
  /** Called when the VAD's verdict on the input changes (speech began or ended). */
  onVad?: (speaking: boolean) => void;
  /**
   * Wake phrase gating: while `needed()` says so, each new utterance goes to the spotter instead of
   * the recognizer (src/wake/spotter.ts); utterances without the phrase are dropped, and a request
   * said in the same breath as the phrase is decoded by the recognizer from where the phrase ended.
   */
  wake?: { spotter: Recognizer; needed: () => boolean };
}

/** One utterance heard live. */
export interface LiveUtterance {
  result: RecognitionResult;
  /** Utterance bounds in the stream, seconds (pre-roll and trailing silence included). */
  start: number;
  end: number;
  /** End of the last speech the VAD found, seconds. */
  speechEnd: number;
  /**
   * Which silence ended it: "short" (a whole sentence that cannot go on), "medium" (a whole sentence
   * that can), "long" (not a whole sentence), "max" (too long), "eof" (input ended).
   */
  endpoint: "short" | "medium" | "long" | "max" | "eof";
  /** The streamed decode was used ("stream"), or the utterance was decoded again whole ("batch"). */
  decode: "stream" | "batch";
  /**
   * The wake phrase was heard in this utterance (wake gating): `result` is then the request said
   * after it in the same breath, or the spotter's own result (text = the phrase) when there was none.
   */
  wake?: WakeDetail & { phrase: string; /** A request followed in the same breath (it is `result`). */ request: boolean };
}

/** Recent audio with absolute sample positions. */
class Ring {
  private buf: Float32Array;
  total = 0;
  constructor(readonly cap: number) {
    this.buf = new Float32Array(cap);
  }
  push(x: Float32Array): void {
    for (let i = 0; i < x.length; i++) this.buf[(this.total + i) % this.cap] = x[i]!;
    this.total += x.length;
  }
  slice(a: number, b: number): Float32Array {
    const s = Math.max(0, a, this.total - this.cap);
    const e = Math.min(b, this.total);
    const out = new Float32Array(Math.max(0, e - s));
    for (let i = 0; i < out.length; i++) out[i] = this.buf[(s + i) % this.cap]!;
    return out;
  }
}

interface Utterance {
  start: number; // sample index of the first sample fed
  /** Who decodes it: the recognizer, or the wake spotter while a wake phrase is needed. */
  rec: Recognizer;
  stream: RecognizerStream;
  fed: number; // samples fed so far (absolute index of the next one)
  runs: Array<[number, number]>; // VAD speech runs, absolute samples
  waitUntil: number; // long-silence deadline (absolute samples), once a run has ended
  partial: string;
  /** End of the last frame with speech the VAD had not confirmed (absolute samples). */
  lastLoud: number;
  /** Loud frames in a row since the early decision. */
  loudFrames: number;
  /** Decided early (whole sentence, silence begun): kept unless speech resumes before `wait` has passed. */
  pending?: { result: RecognitionResult; decode: LiveUtterance["decode"]; at: number; wait: number; endpoint: "short" | "medium" };
  /** An early decision was rejected: decide only at the long silence. */
  lateOnly?: boolean;
}

/** Words heard after the wake phrase shorter than this are not a request (a cough, an "uh"), s. */
const MIN_REQUEST_SECONDS = 0.3;
/** Loud frames in a row (20 ms each) that undo an early decision. */
const RESUME_LOUD_FRAMES = 3;
const ms2s = (ms: number): number => Math.round((ms * SAMPLE_RATE) / 1000);
/** The VAD ends its speech runs after this much silence; the listener's endpoints count from there. */
const VAD_SILENCE_MS = 64;

/** The VAD the listener needs: runs end after a brief silence and carry no padding. */
export function liveVadOptions(vad: VadOptions | undefined): VadOptions {
  return { ...vad, trailingSilenceMs: VAD_SILENCE_MS, padMs: 0 };
}

/** Level of a 10 ms hop, dBFS. */
function hopDb(x: Float32Array, a: number): number {
  let e = 0;
  const b = Math.min(x.length, a + 160);
  for (let i = a; i < b; i++) e += x[i]! * x[i]!;
  return 10 * Math.log10(e / Math.max(1, b - a) + 1e-12);
}

export class Listener {
  private readonly ring: Ring;
  private utt: Utterance | undefined;
  private readonly short: number;
  private readonly medium: number;
  private readonly long: number;
  private readonly preRoll: number;
  private readonly maxSpeech: number;
  private readonly onsetDelay: number;
  private readonly wakeLeadIn: number;
  private speaking = false;

  /** `endpointer` must be made with liveVadOptions(). */
  constructor(
    private readonly recognizer: Recognizer,
    private readonly endpointer: Endpointer,
    private readonly o: ListenOptions = {},
  ) {
    if (!recognizer.stream) throw new Error(`the ${recognizer.engine} ASR engine cannot decode live`);
    this.short = ms2s(o.shortSilenceMs ?? 120);
    this.medium = ms2s(o.mediumSilenceMs ?? 400);
    this.long = ms2s(o.longSilenceMs ?? 600);
    this.preRoll = ms2s(o.preRollMs ?? 300);
    this.maxSpeech = Math.round((o.maxSpeechSec ?? 20) * SAMPLE_RATE);
    this.onsetDelay = ms2s((o.onsetDelayMs ?? 250) + 64);
    this.wakeLeadIn = ms2s(700);
    this.ring = new Ring(this.maxSpeech + this.preRoll + this.long + 2 * SAMPLE_RATE);
  }

  /** Forget any utterance in progress and start a new stream at time 0. */
  reset(): void {
    this.utt?.stream.abort?.();
    this.utt = undefined;
    this.endpointer.reset();
    this.ring.total = 0;
  }

  /** Feed one frame; returns the utterances it ended (usually none). */
  async accept(frame: Float32Array): Promise<LiveUtterance[]> {
    this.ring.push(frame);
    const now = this.ring.total;
    const segs = this.endpointer.accept(frame);
    if (this.endpointer.speaking !== this.speaking) this.o.onVad?.((this.speaking = this.endpointer.speaking));
    if (!this.utt && (this.endpointer.speaking || segs.length)) {
      const onset = segs.length ? Math.round(segs[0]!.start * SAMPLE_RATE) : now - this.onsetDelay;
      this.begin(Math.max(0, onset - this.preRoll));
    }
    const u = this.utt;
    if (!u) return [];
    for (const s of segs) {
      u.runs.push([Math.round(s.start * SAMPLE_RATE), Math.round(s.end * SAMPLE_RATE)]);
      u.waitUntil = Math.round(s.end * SAMPLE_RATE) + this.long;
    }
    const speaking = this.endpointer.speaking;
    if (u.pending) {
      // Decided early: speech again before the wait is over undoes it (the decoder goes on).
      // Loud frames in a row, not one: the fricative tail of a word the VAD cut short is not new speech.
      u.loudFrames = this.loud(u, frame) ? u.loudFrames + 1 : 0;
      if (speaking || u.loudFrames >= RESUME_LOUD_FRAMES) this.resume(u, now);
      else if (now - u.pending.at >= u.pending.wait) return this.ended(u, u.pending.endpoint);
      return [];
    }
    this.feed(u, now);
    // Speech the VAD has not (yet) confirmed, e.g. a short word after a pause, keeps the utterance open.
    if (!speaking && u.runs.length && this.loud(u, frame)) {
      u.waitUntil = Math.max(u.waitUntil, now + this.long);
      u.lastLoud = now;
    }
    if (!speaking && u.runs.length) {
      // A whole sentence that cannot go on and silence begun: decide now (final search + evidence),
      // while the silence that confirms the decision is still arriving.
      // A sentence that can go on is decided only once its medium silence has passed: speakers often
      // resume there (each resumption costs a decode of the utterance again), and decided at once its
      // last word's tail is still open to fillers ("twenty five" → "twenty five hmm").
      const ending = u.stream.ending?.() ?? "none";
      const speechEnd = Math.max(u.runs[u.runs.length - 1]![1], u.lastLoud);
      if (!u.lateOnly && ((ending === "closed" && speechEnd < now) || (ending === "open" && now - speechEnd >= this.medium))) {
        const decided = await this.decide(u);
        if (!decided.result.rejected) {
          u.pending = { ...decided, at: speechEnd, wait: ending === "closed" ? this.short : this.medium, endpoint: ending === "closed" ? "short" : "medium" };
          return now - u.pending.at >= u.pending.wait ? this.ended(u, u.pending.endpoint) : [];
        }
        // Rejected when decided early: a gap inside a word ("I'm co-ld") taken for its end leaves a
        // sentence that fits badly. Heard again, whole, at the long silence ("I'm cold": 3 of 4 lost).
        u.lateOnly = true;
        this.resume(u, now);
      }
      if (now >= u.waitUntil) return this.ended(u, "long", await this.decide(u));
    }
    if (now - u.start >= this.maxSpeech) return this.ended(u, "max", await this.decide(u));
    return [];
  }

  /** End of input: the utterance in progress, if any. */
  async flush(): Promise<LiveUtterance[]> {
    for (const s of this.endpointer.flush()) {
      if (!this.utt) this.begin(Math.max(0, Math.round(s.start * SAMPLE_RATE) - this.preRoll));
      this.utt!.runs.push([Math.round(s.start * SAMPLE_RATE), Math.round(s.end * SAMPLE_RATE)]);
    }
    const u = this.utt;
    if (!u) return [];
    if (u.pending) return this.ended(u, u.pending.endpoint);
    if (!u.runs.length) {
      u.stream.abort?.();
      this.utt = undefined;
      return [];
    }
    this.feed(u, this.ring.total);
    return this.ended(u, "eof", await this.decide(u));
  }

  private begin(start: number): void {
    const rec = this.o.wake?.needed() ? this.o.wake.spotter : this.recognizer;
    // The spotter gets a longer lead-in: its denoiser learns the room's noise from it.
    if (rec !== this.recognizer) start = Math.max(0, start - this.wakeLeadIn, this.ring.total - this.ring.cap);
    this.utt = { start, rec, stream: rec.stream!(), fed: start, runs: [], waitUntil: Infinity, partial: "", lastLoud: 0, loudFrames: 0 };
    // Speech that must first say the wake phrase is not yet addressed to the assistant (no barge-in).
    if (rec === this.recognizer) this.o.onSpeechStart?.(start / SAMPLE_RATE);
  }

  private feed(u: Utterance, now: number): void {
    if (now <= u.fed) return;
    u.stream.accept(this.ring.slice(u.fed, now));
    u.fed = now;
    if (this.o.onPartial) {
      const p = u.stream.partial();
      if (p !== u.partial) this.o.onPartial((u.partial = p));
    }
  }

  /**
   * Does the frame hold speech the VAD has not confirmed? It reports new speech only after its minimum
   * speech duration; a 10 ms hop halfway between the utterance's quiet and loud levels is enough here.
   */
  private loud(u: Utterance, frame: Float32Array): boolean {
    const x = this.ring.slice(u.start, u.runs[u.runs.length - 1]![1]);
    const levels: number[] = [];
    for (let a = 0; a + 160 <= x.length; a += 160) levels.push(hopDb(x, a));
    if (levels.length < 10) return false;
    levels.sort((p, q) => p - q);
    const quiet = levels[Math.floor(levels.length * 0.1)]!;
    const loud = levels[Math.floor(levels.length * 0.9)]!;
    for (let a = 0; a + 160 <= frame.length; a += 160) if (hopDb(frame, a) > (quiet + loud) / 2) return true;
    return false;
  }

  /** Undo an early decision: a new stream decodes the utterance so far, and listening goes on. */
  private resume(u: Utterance, now: number): void {
    u.pending = undefined;
    u.loudFrames = 0;
    u.stream = u.rec.stream!();
    u.fed = u.start;
    this.feed(u, now);
  }

  /** The utterance's result: the streamed decode when the input is clean, else recognize() on its audio. */
  private async decide(u: Utterance): Promise<{ result: RecognitionResult; decode: LiveUtterance["decode"] }> {
    // The SNR over the utterance and up to a second of what came before it (the noise to compare with).
    const from = Math.max(0, u.start - SAMPLE_RATE, this.ring.total - this.ring.cap);
    const context = this.ring.slice(from, u.fed);
    const snrDb = estimateSnr(context, u.runs.map(([a, b]) => ({ start: (a - from) / SAMPLE_RATE, end: (b - from) / SAMPLE_RATE })));
    const speech = u.runs.map(([a, b]): [number, number] => [Math.max(0, (a - u.start) / SAMPLE_RATE), (b - u.start) / SAMPLE_RATE]);
    // The spotter decides on the whole utterance anyway, and denoises it itself when the SNR is low.
    if (u.rec !== this.recognizer) return { result: await u.stream.finish({ ...(snrDb !== undefined ? { snrDb } : {}), speech }), decode: "stream" };
    if (snrDb === undefined || snrDb >= (this.o.cleanAboveDb ?? 35)) return { result: await u.stream.finish({ ...(snrDb !== undefined ? { snrDb } : {}), speech }), decode: "stream" };
    u.stream.abort?.();
    return { result: await this.recognizer.recognize(this.ring.slice(u.start, u.fed)), decode: "batch" };
  }

  /** The utterance as the caller gets it; a spotter's utterance: none without the phrase, else the request after it. */
  private async ended(u: Utterance, endpoint: LiveUtterance["endpoint"], decided: Pick<LiveUtterance, "result" | "decode"> = u.pending!): Promise<LiveUtterance[]> {
    const heard = this.end(u, endpoint, decided);
    if (u.rec === this.recognizer) return [heard];
    const r = decided.result;
    if (r.rejected || !r.detail) return [];
    const detail = r.detail as unknown as WakeDetail;
    const wake = { ...detail, phrase: r.text, request: false };
    // Words after the phrase in the same breath: the request, decoded whole from where the phrase ended.
    if (detail.after < MIN_REQUEST_SECONDS) return [{ ...heard, wake }];
    wake.request = true;
    const from = u.start + Math.round(detail.wakeEnd * SAMPLE_RATE);
    const result = await this.recognizer.recognize(this.ring.slice(from, u.fed));
    return [{ ...heard, wake, result, decode: "batch" }];
  }

  private end(u: Utterance, endpoint: LiveUtterance["endpoint"], decided: Pick<LiveUtterance, "result" | "decode"> = u.pending!): LiveUtterance {
    this.utt = undefined;
    const speechEnd = u.runs.length ? u.runs[u.runs.length - 1]![1] : u.fed;
    // Decided early, the utterance ends when its silence has passed, not when the decoder last got audio.
    const end = u.pending ? Math.max(u.fed, this.ring.total) : u.fed;
    return { result: decided.result, decode: decided.decode, start: u.start / SAMPLE_RATE, end: end / SAMPLE_RATE, speechEnd: speechEnd / SAMPLE_RATE, endpoint };
  }
}
