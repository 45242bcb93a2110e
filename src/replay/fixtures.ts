// Speak labelled utterances with a voice and store them as audio fixtures (WAV + sidecar JSON),
// e.g. grammar samples → test/fixtures/audio/<set>/. See docs/audio.md for the format.
import { fixtureId, writeFixture, type Fixture, type FixtureLabel } from "../audio/fixtures.js";
import { basename } from "node:path";
import { Sampler } from "../compile/sample.js";
import type { Grammar } from "../grammar/types.js";
import { DEFAULT_VOICE, createSynthesizer } from "../tts/index.js";
import type { Synthesizer } from "../tts/types.js";

export interface GenerateOptions {
  /** Voice spec (default flite:slt) or a ready synthesizer. */
  voice?: string | Synthesizer;
  /** Silence added before and after the speech, seconds (default 0.3, like a real recording's margins). */
  marginSeconds?: number;
  /** Called after each fixture is written. */
  onProgress?: (done: number, total: number, fixture: Fixture) => void;
}

/** Synthesize each label's text and write `NNNN-words.wav` + `.json` into `dir`. */
export async function generateFixtures(labels: FixtureLabel[], dir: string, opts: GenerateOptions = {}): Promise<Fixture[]> {
  const own = typeof opts.voice !== "object";
  const synth = typeof opts.voice === "object" ? opts.voice : createSynthesizer(opts.voice ?? DEFAULT_VOICE);
  const margin = opts.marginSeconds ?? 0.3;
  const out: Fixture[] = [];
  try {
    for (const [i, label] of labels.entries()) {
      const audio = await synth.synthesize(label.text);
      const m = Math.round(margin * audio.sampleRate);
      const samples = new Float32Array(audio.samples.length + 2 * m);
      samples.set(audio.samples, m);
      const fx = writeFixture(dir, fixtureId(label.text, i + 1), { samples, sampleRate: audio.sampleRate }, { ...label, voice: label.voice ?? synth.voice });
      out.push(fx);
      opts.onProgress?.(i + 1, labels.length, fx);
    }
  } finally {
    if (own) synth.close();
  }
  return out;
}

/**
 * Labels for `count` distinct generated command utterances of a grammar (src/compile/sample.ts
 * `Sampler`, seeded, so the same grammar and seed give the same set). Numbers are spoken as words
 * unless `numberWords` says otherwise (the voice reads digits too, but words say exactly what the
 * label means).
 */
export function grammarSampleLabels(
  grammar: Grammar,
  count: number,
  opts: { seed?: number; numberWords?: number; intents?: string[]; maxTries?: number } = {},
): FixtureLabel[] {
  const seed = opts.seed ?? 1;
  const sampler = new Sampler(grammar, { seed, numberWords: opts.numberWords ?? 1, ...(opts.intents ? { intents: opts.intents } : {}) });
  const seen = new Set<string>();
  const out: FixtureLabel[] = [];
  const tries = opts.maxTries ?? count * 20;
  for (let i = 0; i < tries && out.length < count; i++) {
    const s = sampler.next();
    const key = s.text.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ text: s.text, intents: s.intents.map((x) => ({ intent: x.intent, slots: { ...x.slots } })), source: `grammar sample ${i + 1} (seed ${seed})` });
  }
  return out;
}

/** The replay labels file (`hark replay --expect`) for fixtures: `{"NAME.wav": {"intent", "slots"}}`; no intent → null. */
export function replayLabels(fixtures: ReadonlyArray<Pick<Fixture, "wav" | "label">>): Record<string, { intent: string | null; slots?: Record<string, string | number> }> {
  const out: Record<string, { intent: string | null; slots?: Record<string, string | number> }> = {};
  for (const f of fixtures) {
    const first = f.label.intents[0];
    out[basename(f.wav)] = first ? { intent: first.intent, slots: first.slots } : { intent: null };
  }
  return out;
}
