// Real single words said alone (Google Speech Commands: "left", "marvin", "one", "yes") are no
// command. The grammar ASR of `hark run` (default grammars, dialog replies left out, trust words in)
// hears them as what they are — common words heard alone are a branch of their own that is rejected
// (src/trust/spoken.ts `alone`, src/compile/fsg.ts) — instead of forcing them onto the nearest short
// command ("left" → "less heat", "yes" → "next"), which it did without that branch.
import { readdirSync } from "node:fs";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRecognizer } from "../src/asr/index.js";
import type { Recognizer } from "../src/asr/types.js";
import { readAudioFile } from "../src/audio/source.js";
import { loadSources, loadUnderstander } from "../src/nlu/index.js";
import type { Understander } from "../src/nlu/types.js";
import { loadTrust } from "../src/trust/index.js";
import { spokenTrustWords, trustAsrGrammar } from "../src/trust/spoken.js";

const DIR = join(import.meta.dirname, "fixtures", "audio", "speech-commands");
const files = readdirSync(DIR).filter((f) => f.endsWith(".wav")).sort();
const cache = mkdtempSync(join(tmpdir(), "hark-alone-"));

let understander: Understander & { dispose?(): Promise<void> };
let withAlone: Recognizer;
let without: Recognizer;

beforeAll(async () => {
  const grammar = await loadSources();
  understander = await loadUnderstander();
  const words = trustAsrGrammar(spokenTrustWords(loadTrust(grammar).cues));
  withAlone = await createRecognizer("grammar", { grammar, cacheDir: cache, compile: words.compile, around: words.around });
  without = await createRecognizer("grammar", { grammar, cacheDir: cache, compile: words.compile, around: { ...words.around, alone: [] } });
}, 300_000);
afterAll(async () => {
  withAlone?.close();
  without?.close();
  await understander?.dispose?.();
});

async function heard(r: Recognizer, file: string): Promise<{ text: string; intents: string[] }> {
  const { samples } = await readAudioFile(join(DIR, file));
  const res = await r.recognize(samples);
  const u = res.text ? await understander.understand(res.text) : { intents: [] };
  return { text: res.text, intents: u.intents.map((i) => i.intent) };
}

describe("single words said alone are no command", () => {
  it("none of the four becomes a command", async () => {
    expect(files).toHaveLength(4);
    for (const f of files) expect((await heard(withAlone, f)).intents, f).toEqual([]);
  }, 120_000);

  it("without the branch of common words, most of them were forced onto a command", async () => {
    let commands = 0;
    for (const f of files) if ((await heard(without, f)).intents.length) commands++;
    expect(commands).toBeGreaterThanOrEqual(3);
  }, 120_000);
});
