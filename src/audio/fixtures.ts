// Audio fixtures: NAME.wav plus a sidecar NAME.json describing what was said and what it means.
//   {"text": "turn on the kitchen light",
//    "intents": [{"intent": "HassTurnOn", "slots": {"name": "kitchen light"}}],
//    "voice": "flite:slt", "source": "grammar sample home/lights#12"}        ← optional fields
// "intents": [] marks audio that must NOT become a command (noise, chatter, silence).
// See docs/audio.md for the full format.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { z } from "zod";
import { AudioError } from "./errors.js";
import { encodeWav16 } from "./wav.js";

const SlotValue = z.union([z.string(), z.number()]);

export const FixtureLabelSchema = z
  .object({
    text: z.string(),
    intents: z.array(z.object({ intent: z.string().min(1), slots: z.record(z.string(), SlotValue).default({}) }).loose()),
    voice: z.string().optional(),
    source: z.string().optional(),
    notes: z.string().optional(),
  })
  .loose();

export type FixtureLabel = z.infer<typeof FixtureLabelSchema>;

export interface Fixture {
  /** Name without extension (file stem). */
  id: string;
  wav: string;
  json: string;
  label: FixtureLabel;
}

export function sidecarPath(wavPath: string): string {
  return wavPath.replace(/\.wav$/i, "") + ".json";
}

/** Parse and validate a sidecar; throws AudioError naming the file and the first problem. */
export function parseLabel(text: string, file: string): FixtureLabel {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new AudioError(`${file}: not valid JSON (${(err as Error).message})`);
  }
  const r = FixtureLabelSchema.safeParse(data);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new AudioError(`${file}: bad fixture label at ${issue?.path.join(".") || "(root)"}: ${issue?.message ?? "invalid"}`);
  }
  return r.data;
}

/** Read one fixture given its WAV path. */
export function readFixture(wavPath: string): Fixture {
  const json = sidecarPath(wavPath);
  if (!existsSync(wavPath)) throw new AudioError(`${wavPath}: no such file`);
  if (!existsSync(json)) throw new AudioError(`${wavPath}: no sidecar ${basename(json)}`);
  return { id: basename(wavPath).replace(/\.wav$/i, ""), wav: wavPath, json, label: parseLabel(readFileSync(json, "utf8"), json) };
}

/** Every WAV in `dir` (not recursive) that has a sidecar, sorted by name; WAVs without one are listed in `unlabelled`. */
export function listFixtures(dir: string): { fixtures: Fixture[]; unlabelled: string[] } {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => /\.wav$/i.test(n)).sort();
  } catch (err) {
    throw new AudioError(`${dir}: cannot list fixtures (${(err as NodeJS.ErrnoException).code ?? err})`);
  }
  const fixtures: Fixture[] = [];
  const unlabelled: string[] = [];
  for (const n of names) {
    const wav = join(dir, n);
    if (existsSync(sidecarPath(wav))) fixtures.push(readFixture(wav));
    else unlabelled.push(wav);
  }
  return { fixtures, unlabelled };
}

/** Make a safe file stem from free text ("Turn on the lights!" → "turn-on-the-lights"). */
export function fixtureId(text: string, index?: number): string {
  const stem = text.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 60) || "utterance";
  return index === undefined ? stem : `${String(index).padStart(4, "0")}-${stem}`;
}

/**
 * Write NAME.wav (16-bit mono) and NAME.json into `dir`. Returns the paths. The label is validated
 * first, so a bad label never leaves a WAV without a sidecar.
 */
export function writeFixture(
  dir: string,
  id: string,
  audio: { samples: Float32Array; sampleRate: number },
  label: FixtureLabel,
): Fixture {
  if (!/^[A-Za-z0-9._-]+$/.test(id) || id.startsWith(".")) throw new AudioError(`bad fixture id "${id}" (use letters, digits, . _ -)`);
  const checked = parseLabel(JSON.stringify(label), `${id}.json`);
  mkdirSync(dir, { recursive: true });
  const wav = resolve(dir, `${id}.wav`);
  const json = sidecarPath(wav);
  mkdirSync(dirname(wav), { recursive: true });
  writeFileSync(wav, encodeWav16(audio.samples, audio.sampleRate));
  writeFileSync(json, `${JSON.stringify(checked, null, 2)}\n`);
  return { id, wav, json, label: checked };
}
