// The dialog scenarios tagged `wav` (test/helpers/scenarios.ts), spoken: every `say` becomes a WAV file
// in hark's default voice, heard through the VAD endpointer and the grammar ASR, then dialog → MQTT on
// the embedded aedes broker. In a file (a test process) of its own: every vitest worker crash seen
// (SIGSEGV, cause unknown) came here, after the text scenarios had run in the same process.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadSources, loadUnderstander, type Understander } from "../src/nlu/index.js";
import { Hearing } from "../src/run/voice.js";
import { runScenario, wavMaker, wavScenarios } from "./helpers/scenarios.js";

let understander: Understander;
beforeAll(async () => {
  understander = await loadUnderstander();
});

describe("e2e scenarios spoken as WAV (flite → VAD endpointer → grammar ASR → dialog → MQTT), embedded aedes", () => {
  let hearing: Hearing;
  let maker: ReturnType<typeof wavMaker>;
  beforeAll(async () => {
    hearing = await Hearing.create({ grammar: await loadSources() });
    maker = wavMaker(mkdtempSync(join(tmpdir(), "hark-e2e-wav-")));
  });
  afterAll(() => {
    hearing?.close();
    maker?.close();
  });

  it("at least a dozen scenarios across home and car are also driven by audio", () => {
    console.log(`e2e WAV scenarios: ${wavScenarios.length} (home ${wavScenarios.filter((s) => s.file === "home").length}, car ${wavScenarios.filter((s) => s.file === "car").length})`);
    expect(wavScenarios.length).toBeGreaterThanOrEqual(12);
    expect(new Set(wavScenarios.map((s) => s.file))).toEqual(new Set(["home", "car"]));
  });

  it.each(wavScenarios.map((s) => [`${s.file}: ${s.name}`, s] as const))("%s", async (_n, s) => {
    await runScenario(s, understander, {}, { hearing, wavOf: maker.wavOf });
  });
});
