// Speak labelled utterances with a voice and store them as audio fixtures (WAV + sidecar JSON),
// e.g. grammar samples → test/fixtures/audio/<set>/. See docs/audio.md for the format.
import { fixtureId, writeFixture, type Fixture, type FixtureLabel } from "../audio/fixtures.js";
import { DEFAULT_VOICE, createSynthesizer } from "./index.js";
import type { Synthesizer } from "./types.js";

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
