// Out-of-grammar test audio: inputs that are NOT commands and must be rejected by the ASR.
//
// `buildNegatives` assembles a reproducible set from four sources (docs/audio.md, "Negative set"):
//   noise     — N segments of a noise recording (default 12 × 3 s, taken every 9 s from 1 s on,
//               peak-normalised to −6 dBFS), e.g. the speech-to-intent benchmark's kitchen.wav;
//   silence   — digital zero (3 s and 20 s) and a low dither (uniform white noise ±0.0005, 3 s);
//   testdata  — every *.wav under a folder (and *.raw s16le 16 kHz directly in it) such as Debian's
//               pocketsphinx-testdata (/usr/share/pocketsphinx/test/data: cards, librivox,
//               goforward, numbers, something), resampled to 16 kHz;
//   chatter   — sentences spoken by a voice: everyday talk, some with in-domain words ("coffee",
//               "milk", "kitchen lights", "timer") that a grammar ASR is tempted to force into a command.
// Every input is written as NAME.wav + NAME.json (sidecar with `"intents": []`) and listed in
// labels.json as {"intent": null}, so `hark replay DIR --expect DIR/labels.json` counts false accepts.
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { basename, extname, join, relative, resolve } from "node:path";
import { AudioError } from "./errors.js";
import { fixtureId, writeFixture, type FixtureLabel } from "./fixtures.js";
import { seededRandom } from "./mix.js";
import { resample } from "./resample.js";
import { readAudioFile, SAMPLE_RATE } from "./source.js";

/** Everyday sentences for the chatter part; the ones marked in-domain use words of hark's grammars. */
export const CHATTER_SENTENCES: ReadonlyArray<{ text: string; inDomain?: boolean }> = [
  { text: "turn left at the next traffic light and keep going" },
  { text: "my favourite coffee shop closed last week", inDomain: true },
  { text: "the dark roast at that cafe is way too bitter for me", inDomain: true },
  { text: "did you remember to call your sister back" },
  { text: "i think it is going to rain all afternoon" },
  { text: "the meeting got moved to thursday after lunch" },
  { text: "she bought a new pair of running shoes" },
  { text: "we should paint the fence before the summer" },
  { text: "the milk in the fridge smells a bit funny", inDomain: true },
  { text: "grandma left the kitchen lights on again last night", inDomain: true },
  { text: "the car radio has been making a strange noise", inDomain: true },
  { text: "how was the football game on sunday" },
  { text: "a large pizza with extra cheese would be nice", inDomain: true },
  { text: "the cat is sleeping on the warm blanket" },
  { text: "thanks for the sugar cookies you sent us", inDomain: true },
  { text: "the timer on the old oven broke last year", inDomain: true },
];

export type NegativeKind = "noise" | "silence" | "testdata" | "chatter";

export interface NegativeItem {
  id: string;
  kind: NegativeKind;
  samples: Float32Array;
  /** What the audio is (sentence for chatter/testdata transcripts when known, else a description). */
  text: string;
  source: string;
}

export interface NegativesOptions {
  /** Noise recording at 16 kHz (e.g. readAudioFile("kitchen.wav").samples) and its name. */
  noise?: { samples: Float32Array; name: string };
  /** Number of noise segments (default 12). */
  noiseSegments?: number;
  /** Segment length, stride and first offset in seconds (defaults 3, 9, 1). */
  segmentSeconds?: number;
  strideSeconds?: number;
  offsetSeconds?: number;
  /** Include digital silence and dither (default true). */
  silence?: boolean;
  /** Folder searched recursively for *.wav and *.raw (s16le, 16 kHz) speech that is not a command. */
  testdataDir?: string;
  /** Sentences to speak (default CHATTER_SENTENCES); [] for none. */
  chatter?: ReadonlyArray<string>;
  /** Speaks a sentence; needed when `chatter` is non-empty. */
  speak?: (text: string) => Promise<{ samples: Float32Array; sampleRate: number }>;
  /** Silence around spoken sentences, seconds (default 0.3, as `hark fixtures generate`). */
  marginSeconds?: number;
  /** Seed of the dither (default 1). */
  seed?: number;
}

const PEAK_DBFS = -6;

function normalizePeak(x: Float32Array, dbfs = PEAK_DBFS): Float32Array {
  let peak = 0;
  for (const v of x) peak = Math.max(peak, Math.abs(v));
  if (peak === 0) return x;
  const g = 10 ** (dbfs / 20) / peak;
  return x.map((v) => v * g);
}

/** The `count` noise segments of the noise recording; segments past its end are skipped. */
export function noiseSegments(noise: Float32Array, opts: Pick<NegativesOptions, "noiseSegments" | "segmentSeconds" | "strideSeconds" | "offsetSeconds"> = {}): Float32Array[] {
  const count = opts.noiseSegments ?? 12;
  const len = Math.round((opts.segmentSeconds ?? 3) * SAMPLE_RATE);
  const stride = Math.round((opts.strideSeconds ?? 9) * SAMPLE_RATE);
  const first = Math.round((opts.offsetSeconds ?? 1) * SAMPLE_RATE);
  const out: Float32Array[] = [];
  for (let i = 0; i < count; i++) {
    const a = first + i * stride;
    if (a + len > noise.length) break;
    out.push(normalizePeak(noise.slice(a, a + len)));
  }
  return out;
}

/**
 * Speech files under `dir`, sorted by path: *.wav anywhere below it (they carry their rate), *.raw
 * only directly in it (raw files carry no rate; they are taken as s16le 16 kHz — in Debian's
 * pocketsphinx-testdata the top-level ones are, tidigits/ holds 8 kHz raw audio).
 */
export function listSpeechFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string, top: boolean): void => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p, false);
      else if (/\.wav$/i.test(e.name) || (top && /\.raw$/i.test(e.name))) out.push(p);
    }
  };
  walk(dir, true);
  return out;
}

/** Read a *.wav (any rate, resampled) or *.raw (s16le mono at `rawRate`, default 16 kHz) file as 16 kHz samples. */
export async function readSpeechFile(path: string, rawRate = SAMPLE_RATE): Promise<Float32Array> {
  if (extname(path).toLowerCase() !== ".raw") return (await readAudioFile(path)).samples;
  const b = readFileSync(path);
  const n = b.length >> 1;
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = b.readInt16LE(2 * i) / 32768;
  return rawRate === SAMPLE_RATE ? x : resample(x, rawRate, SAMPLE_RATE);
}

/** Transcripts next to Debian's test files ("<s> ten of clubs </s> (001)"), by file stem. */
function transcripts(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/transcription$/.test(e.name))
        for (const line of readFileSync(p, "utf8").split("\n")) {
          const m = /^(.*)\(([^()]+)\)\s*$/.exec(line.trim());
          if (m) out.set(m[2] as string, (m[1] as string).replace(/<\/?s>/g, "").trim());
        }
    }
  };
  walk(dir);
  return out;
}

/** Assemble the negative set in memory (see the file header for what goes in). */
export async function buildNegatives(opts: NegativesOptions): Promise<NegativeItem[]> {
  const items: NegativeItem[] = [];
  if (opts.noise) {
    noiseSegments(opts.noise.samples, opts).forEach((samples, i) => {
      const at = (opts.offsetSeconds ?? 1) + i * (opts.strideSeconds ?? 9);
      const name = basename(opts.noise!.name);
      items.push({ id: `noise-${String(i + 1).padStart(2, "0")}`, kind: "noise", samples, text: `${name} from ${at} s for ${opts.segmentSeconds ?? 3} s, peak ${PEAK_DBFS} dBFS`, source: name });
    });
  }
  if (opts.silence ?? true) {
    items.push({ id: "silence-3s", kind: "silence", samples: new Float32Array(3 * SAMPLE_RATE), text: "digital silence, 3 s", source: "generated" });
    items.push({ id: "silence-20s", kind: "silence", samples: new Float32Array(20 * SAMPLE_RATE), text: "digital silence, 20 s", source: "generated" });
    const rnd = seededRandom(opts.seed ?? 1);
    const d = new Float32Array(3 * SAMPLE_RATE).map(() => (2 * rnd() - 1) * 0.0005);
    items.push({ id: "dither-3s", kind: "silence", samples: d, text: "white noise ±0.0005, 3 s", source: "generated" });
  }
  if (opts.testdataDir) {
    if (!existsSync(opts.testdataDir) || !statSync(opts.testdataDir).isDirectory()) throw new AudioError(`${opts.testdataDir}: no such folder`);
    const said = transcripts(opts.testdataDir);
    for (const f of listSpeechFiles(opts.testdataDir)) {
      const rel = relative(opts.testdataDir, f);
      const stem = basename(f).replace(/\.(wav|raw)$/i, "");
      const samples = await readSpeechFile(f);
      if (!samples.length) continue;
      items.push({ id: `testdata-${fixtureId(rel.replace(/\.(wav|raw)$/i, ""))}`, kind: "testdata", samples, text: said.get(stem) ?? `speech from ${rel}`, source: f });
    }
  }
  const chatter = opts.chatter ?? CHATTER_SENTENCES.map((c) => c.text);
  if (chatter.length) {
    if (!opts.speak) throw new AudioError("chatter sentences need a voice to speak them");
    const margin = Math.round((opts.marginSeconds ?? 0.3) * SAMPLE_RATE);
    for (const [i, text] of chatter.entries()) {
      const a = await opts.speak(text);
      const x = a.sampleRate === SAMPLE_RATE ? a.samples : resample(a.samples, a.sampleRate, SAMPLE_RATE);
      const padded = new Float32Array(x.length + 2 * margin);
      padded.set(x, margin);
      const words = fixtureId(text).split("-").slice(0, 6).join("-");
      items.push({ id: `chatter-${String(i + 1).padStart(2, "0")}-${words}`, kind: "chatter", samples: padded, text, source: "spoken" });
    }
  }
  return items;
}

/** Write the set: NAME.wav + NAME.json per input and labels.json ({"NAME.wav": {"intent": null}}). */
export function writeNegatives(dir: string, items: NegativeItem[], voice?: string): { dir: string; files: number; byKind: Record<NegativeKind, number> } {
  const out = resolve(dir);
  const labels: Record<string, { intent: null }> = {};
  const byKind: Record<NegativeKind, number> = { noise: 0, silence: 0, testdata: 0, chatter: 0 };
  for (const it of items) {
    const label: FixtureLabel = { text: it.text, intents: [], source: `${it.kind}: ${it.source}`, ...(it.kind === "chatter" && voice ? { voice } : {}) };
    writeFixture(out, it.id, { samples: it.samples, sampleRate: SAMPLE_RATE }, label);
    labels[`${it.id}.wav`] = { intent: null };
    byKind[it.kind]++;
  }
  writeFileSync(join(out, "labels.json"), `${JSON.stringify(labels, null, 1)}\n`);
  return { dir: out, files: items.length, byKind };
}
