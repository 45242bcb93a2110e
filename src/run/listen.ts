// The live hearing path: frames from a live source (microphone, paced PCM) → VAD → the recognizer's
// streaming decoder while the user speaks → an endpoint that knows the grammar:
//   - after a short silence (default 120 ms) when the words so far make a whole sentence that cannot
//     go on, 200 ms when only the number it ends in can go on ("twenty" … "two", "forty" … "percent"),
//     400 ms when it can go on with more content ("set the volume to thirty" … "in the kitchen");
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
  /**
   * Silence that ends a whole sentence that can go on only with the number it ends in or that
   * number's unit ("set the temperature to twenty" … "two", … "degrees"), ms (default 200): those
   * follow fluently, not after a pause.
   */
  numberSilenceMs?: number;
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
   * Which silence ended it: "short" (a whole sentence that cannot go on), "number" (one that can go on
   * only with its number or unit), "medium" (a whole sentence that can go on), "long" (not a whole
   * sentence), "max" (too long), "eof" (input ended).
   */
  endpoint: "short" | "number" | "medium" | "long" | "max" | "eof";
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
  /** Levels of the 10 ms hops from `start` on, dBFS (what loud() compares with). */
  levels: number[];
  /** loud()'s threshold and the number of hops it was taken over. */
  threshold?: { hops: number; db: number };
  /**
   * Decided early (whole sentence, silence begun): kept unless speech resumes before `wait` has passed
   * since `at`. Decided on the listener's own evidence (quiet hops) before the VAD ended its speech
   * run, `at` is undefined until the VAD does; `cut` is where the decided audio ends.
   */
  pending?: { result: RecognitionResult; decode: LiveUtterance["decode"]; at: number | undefined; cut: number; wait: number; endpoint: "short" | "number" | "medium" };
  /** An early decision was rejected: decide only at the long silence. */
  lateOnly?: boolean;
  /** A decision ahead of the VAD was rejected: none again until the speech is loud again. */
  aheadRejected?: boolean;
}

/** Words heard after the wake phrase shorter than this are not a request (a cough, an "uh"), s. */
const MIN_REQUEST_SECONDS = 0.3;
/** Loud frames in a row (20 ms each) that undo an early decision. */
const RESUME_LOUD_FRAMES = 3;
const ms2s = (ms: number): number => Math.round((ms * SAMPLE_RATE) / 1000);
/** The VAD ends its speech runs after this much silence; the listener's endpoints count from there. */
const VAD_SILENCE_MS = 64;
/**
 * Quiet 10 ms hops in a row (below loud()'s threshold) at which a whole sentence is decided ahead of the
 * VAD, whose speech run ends ≈ 80 ms later (silero reports a run's end ≈ 150 ms after the last voiced
 * sample): the decision overlaps the VAD's delay and the short silence.
 */
const AHEAD_QUIET_HOPS = 8;
/** Silence fed after the audio of a decision ahead of the VAD, besides its wait: where the VAD's run would end, ms. */
const AHEAD_PAD_MS = 80;
/** A decision ahead of the VAD stands if the VAD's run ends at most this long after its cut (and nothing loud came between), ms. */
const AHEAD_SLACK_MS = 150;
/** …and if the VAD ends its run at most this long after the cut (else it hears speech loud() does not), ms. */
const AHEAD_CONFIRM_MS = 400;

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
  private readonly number: number;
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
    this.number = ms2s(o.numberSilenceMs ?? 200);
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
    this.measure(u, now);
    if (u.pending) {
      // Decided early: speech again before the wait is over undoes it (the decoder goes on).
      // Loud frames in a row, not one: the fricative tail of a word the VAD cut short is not new speech.
      u.loudFrames = this.loud(u, frame) ? u.loudFrames + 1 : 0;
      const p = u.pending;
      if (p.at === undefined && segs.length) {
        // Decided ahead of the VAD: its run must end about where the decided audio does.
        const end = u.runs[u.runs.length - 1]![1];
        if (end <= p.cut + ms2s(AHEAD_SLACK_MS)) p.at = Math.max(end, u.lastLoud);
        else return (this.resume(u, now), []);
      }
      if (p.at === undefined) {
        // Before the VAD's end any loud frame is speech the decision did not hear.
        if (u.loudFrames > 0 || now - p.cut > ms2s(AHEAD_CONFIRM_MS)) this.resume(u, now);
      } else if (speaking || u.loudFrames >= RESUME_LOUD_FRAMES) this.resume(u, now);
      else if (now - p.at >= p.wait) return this.ended(u, p.endpoint);
      return [];
    }
    this.feed(u, now);
    if (this.loud(u, frame)) u.aheadRejected = false;
    // Speech the VAD has not (yet) confirmed, e.g. a short word after a pause, keeps the utterance open.
    if (!speaking && u.runs.length && this.loud(u, frame)) {
      u.waitUntil = Math.max(u.waitUntil, now + this.long);
      u.lastLoud = now;
    }
    if (speaking && !u.lateOnly && !u.aheadRejected && this.quietTail(u)) {
      // The VAD still says speech, but the last hops are quiet: a whole sentence that cannot go on (or
      // only with its number) is decided now, and kept once the VAD ends its run about here.
      const ending = u.stream.ending?.() ?? "none";
      if (ending === "closed" || ending === "number") {
        // The decoder gets the silence the decision will have been kept through (the quiet hops
        // repeated): decided this close to the speech, a word's tail is otherwise open to fillers
        // ("lights hmm"). Any loud frame before the VAD's end undoes the decision.
        const wait = ending === "closed" ? this.short : this.number;
        this.pad(u, ms2s(AHEAD_PAD_MS) + wait, this.quietest(u));
        const judged = u.stream.partial();
        const decided = await this.decide(u);
        // Kept only if the final search heard the words that were judged whole ("lights to" may still be
        // a partial path when "two" was the best guess).
        if (!decided.result.rejected && decided.result.text === judged) {
          u.pending = { ...decided, at: undefined, cut: now, wait, endpoint: ending === "closed" ? "short" : "number" };
          return [];
        }
        // Too early, or not a command: decided again once the VAD has ended the run.
        u.aheadRejected = true;
        this.resume(u, now);
      }
    }
    if (!speaking && u.runs.length) {
      // A whole sentence and silence begun: decide now (final search + evidence), while the silence
      // that confirms the decision is still arriving (short, number or medium, by what may follow).
      // Speech before it has passed undoes the decision (a decode of the utterance again). The decoder
      // gets the silence the decision will have been kept through, not just what has come of it:
      // decided at once, the last word's tail is otherwise open to fillers ("twenty five hmm").
      const ending = u.stream.ending?.() ?? "none";
      const speechEnd = Math.max(u.runs[u.runs.length - 1]![1], u.lastLoud);
      if (!u.lateOnly && ending !== "none" && speechEnd < now) {
        const wait = ending === "closed" ? this.short : ending === "number" ? this.number : this.medium;
        this.pad(u, speechEnd + wait - now, this.quietest(u));
        let decided = await this.decide(u);
        if (decided.result.rejected && decided.result.reason === "score") {
          // The score floor is a mean per decoded frame, and the trailing silence raises it: judged as the
          // long silence would judge it, with that much silence after the speech (the room's own, repeated).
          this.resume(u, now);
          this.pad(u, speechEnd + this.long - now, u.runs[u.runs.length - 1]![1]);
          decided = await this.decide(u);
        }
        if (!decided.result.rejected) {
          const endpoint = ending === "closed" ? "short" : ending === "number" ? "number" : "medium";
          u.pending = { ...decided, at: speechEnd, cut: now, wait, endpoint };
          return now - speechEnd >= u.pending.wait ? this.ended(u, u.pending.endpoint) : [];
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
    this.utt = { start, rec, stream: rec.stream!(), fed: start, runs: [], waitUntil: Infinity, partial: "", lastLoud: 0, loudFrames: 0, levels: [] };
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
    const db = this.threshold(u, u.runs.length ? u.runs[u.runs.length - 1]![1] : (u.pending?.cut ?? u.fed));
    if (db === undefined) return false;
    for (let a = 0; a + 160 <= frame.length; a += 160) if (hopDb(frame, a) > db) return true;
    return false;
  }

  /** The utterance's hop levels up to now (`levels`), kept as the audio comes. */
  private measure(u: Utterance, now: number): void {
    const from = u.start + u.levels.length * 160;
    if (now - from < 160) return;
    const x = this.ring.slice(from, now);
    for (let a = 0; a + 160 <= x.length; a += 160) u.levels.push(hopDb(x, a));
  }

  /**
   * Halfway between the utterance's quiet and loud levels (10th and 90th percentiles of its hops
   * before `upTo`), dBFS; undefined before 10 hops. Taken again only when 10 more hops have come.
   */
  private threshold(u: Utterance, upTo: number): number | undefined {
    const hops = Math.min(u.levels.length, Math.floor((upTo - u.start) / 160));
    if (hops < 10) return undefined;
    if (u.threshold && hops >= u.threshold.hops && hops - u.threshold.hops < 10) return u.threshold.db;
    const levels = u.levels.slice(0, hops).sort((p, q) => p - q);
    const db = (levels[Math.floor(hops * 0.1)]! + levels[Math.floor(hops * 0.9)]!) / 2;
    u.threshold = { hops, db };
    return db;
  }

  /** The last AHEAD_QUIET_HOPS hops fed are quiet, after louder ones: the speech seems to have ended. */
  private quietTail(u: Utterance): boolean {
    const n = Math.floor((u.fed - u.start) / 160);
    if (n < AHEAD_QUIET_HOPS + 10 || n > u.levels.length) return false;
    const db = this.threshold(u, u.fed);
    if (db === undefined) return false;
    let quiet = 0;
    while (quiet < n && u.levels[n - 1 - quiet]! <= db) quiet++;
    // Just now (a frame holds a few hops), not in a pause the VAD already heard as speech.
    return quiet >= AHEAD_QUIET_HOPS && quiet < AHEAD_QUIET_HOPS + 4 && quiet < n;
  }

  /**
   * Where the utterance's quietest 100 ms begin (its hops' levels): the room without speech (usually
   * in the pre-roll), not the fading tail of a word that a decision ahead of the VAD may be cut in.
   */
  private quietest(u: Utterance): number {
    const n = Math.min(u.levels.length, Math.floor((u.fed - u.start) / 160));
    let best = 0;
    let bestSum = Infinity;
    let sum = 0;
    for (let h = 0; h < n; h++) {
      sum += u.levels[h]! - (h >= 10 ? u.levels[h - 10]! : 0);
      if (h >= 9 && sum < bestSum) (bestSum = sum), (best = h - 9);
    }
    return u.start + best * 160;
  }

  /** Feed the stream `n` more samples of silence: the 100 ms from `from` on, repeated (not counted in `fed`). */
  private pad(u: Utterance, n: number, from: number): void {
    const src = this.ring.slice(from, Math.min(from + SAMPLE_RATE / 10, u.fed));
    if (n <= 0 || src.length < 160) return;
    const x = new Float32Array(n);
    for (let i = 0; i < n; i += src.length) x.set(src.subarray(0, Math.min(src.length, n - i)), i);
    u.stream.accept(x);
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
