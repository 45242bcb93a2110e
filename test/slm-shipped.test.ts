// The SLM models committed under models/ (what `npm install` users get): they load through node-llama-cpp,
// every decode mode gives byte-identical outputs, the cascade uses them for what the matcher cannot parse,
// out-of-domain requests get no intent and a reason, and a new devices file works without retraining.
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileGraph } from "../src/compile/graph.js";
import { Sampler } from "../src/compile/sample.js";
import { intentsEqual } from "../src/nlu/intentsEqual.js";
import { activeModels } from "../src/models/manifest.js";
import { Cascade } from "../src/nlu/cascade.js";
import { loadSources, Matcher } from "../src/nlu/index.js";
import { DECODE_MODES, SlmEngine } from "../src/nlu/slm/engine.js";
import { projectRoot } from "../src/grammar/paths.js";

const models = activeModels();
const grammar = await loadSources({});

describe.skipIf(!models.slm)(`shipped SLM${models.slm ? "" : " (skipped: no active model in models/manifest.yaml)"}`, () => {
  let engine: SlmEngine;
  beforeAll(async () => {
    engine = await SlmEngine.load({ model: models.slm!, draft: models.draft, grammar, wordsFile: models.words });
  });
  afterAll(async () => engine?.dispose());

  it("every decode mode produces the same output on generated samples", async () => {
    const texts = [...new Sampler(grammar, { seed: 4242 }).take(24)].map((s) => s.text);
    const modes = DECODE_MODES.filter((m) => m !== "auto" && (models.draft || (m !== "draft" && m !== "hdraft")));
    const ref: string[] = [];
    for (const t of texts) ref.push((await engine.decode(t, { mode: "plain" })).output);
    for (const mode of modes)
      for (let i = 0; i < texts.length; i++) expect((await engine.decode(texts[i]!, { mode })).output, `${mode}: ${texts[i]}`).toBe(ref[i]);
  });

  it("the spec mode verifies a right hint in one batch and ignores a wrong one", async () => {
    const text = "turn on the kitchen lights";
    const plain = await engine.decode(text, { mode: "plain" });
    const right = new Matcher(compileGraph(grammar)).understand(text).intents;
    const hinted = await engine.decode(text, { mode: "spec", hint: right });
    expect(hinted.output).toBe(plain.output);
    expect(hinted.evaluations).toBe(1);
    expect(plain.evaluations).toBeGreaterThan(1);
    const wrong = await engine.decode(text, { mode: "spec", hint: [{ intent: "HassMediaNext", slots: {} }] });
    expect(wrong.output).toBe(plain.output);
  });

  it("understands most generated held-out commands on its own", async () => {
    // The intents the model was trained on (a grammar that grew since has intents it never saw).
    const trained = activeModels().slmEntry?.intents;
    const samples = [...new Sampler(grammar, { seed: 2_000_004, ...(trained ? { intents: trained.filter((i) => grammar.intents.has(i)) } : {}) }).take(60)];
    let ok = 0;
    for (const s of samples) if (intentsEqual((await engine.understand(s.text)).intents, s.intents)) ok++;
    // 57 of 60 on the grammar it was trained on; the grammar has grown since (stop 21 added phrasings such as
    // "bring the lawnmower in", "turn off navigation", "are we nearly there" that it never saw, 4 of these
    // 60; the matcher reads them in the cascade). A retrained model reads them but was not shipped.
    expect(ok).toBeGreaterThanOrEqual(55);
  });

  it("answers out-of-domain requests with no intent and a reason", async () => {
    for (const t of ["what's the tallest building in europe", "my aunt makes great lasagna", "turn on the jacuzzi"]) {
      const r = await engine.understand(t);
      expect(r.intents, t).toEqual([]);
      expect(r.reason, t).toMatch(/out of domain|unknown|not in the language/);
    }
  });

  it("a room or device the home lacks is no other intent, whatever the model says", async () => {
    for (const [t, what] of [["boil the kettle for me", "device: kettle"], ["turn on the lights in the sauna", "room: sauna"]]) {
      const r = await engine.understand(t!);
      expect(r.intents, t).toEqual([]);
      if (r.reason?.startsWith("unknown")) expect(r.reason).toBe(`unknown ${what}`);
    }
    // a word of the grammar is no unknown device ("the kitchen lights")
    expect((await engine.understand("could you put the kitchen lights on for me")).intents.length).toBeGreaterThan(0);
  });

  it("the cascade hands what the matcher cannot parse to the SLM", async () => {
    const c = new Cascade(new Matcher(compileGraph(grammar)), grammar, async () => engine);
    const direct = await c.understand("turn on the kitchen lights");
    expect(direct.intents[0]?.source).toBe("matcher");
    // Phrasings outside the templates (from the held-out natural set): whatever the SLM answers is marked so.
    const items = readFileSync(join(projectRoot(), "test/fixtures/natural/heldout.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as { text: string; intents: unknown[] });
    let viaSlm = 0;
    for (const it of items) {
      const r = await c.understand(it.text);
      if (r.intents.some((i) => i.source === "slm")) viaSlm++;
    }
    expect(viaSlm).toBeGreaterThan(5);
  });

  it("a devices file the model never saw is understood without retraining", async () => {
    const others = ["devices/car.yaml"].map((f) => join(projectRoot(), f));
    const ug = await loadSources({ devices: [...others, join(projectRoot(), "models/eval/unseen-home.yaml")] });
    engine.setGrammar(ug);
    try {
      for (const [text, name] of [["switch on the pottery kiln", "Pottery Kiln"], ["turn off the moonbeam pendant", "Moonbeam Pendant"]] as const) {
        const r = await engine.understand(text);
        expect(r.intents[0]?.slots.name, text).toBe(name);
      }
    } finally {
      engine.setGrammar(grammar);
    }
  });
});

describe.skipIf(!models.slm)("a corrupt model file", () => {
  const dir = mkdtempSync(join(tmpdir(), "hark-slm-corrupt-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  it("fails to load with a clear error; the intact model keeps working", async () => {
    const bad = join(dir, "bad.gguf");
    copyFileSync(models.slm!, bad);
    const buf = readFileSync(bad);
    writeFileSync(bad, buf.subarray(0, Math.floor(buf.length / 2)));
    await expect(SlmEngine.load({ model: bad, grammar })).rejects.toThrow();
    const ok = await SlmEngine.load({ model: models.slm!, grammar });
    try {
      expect((await ok.decode("turn on the kitchen lights")).output).toMatch(/^HassTurnOn/);
    } finally {
      await ok.dispose();
    }
  });
});
