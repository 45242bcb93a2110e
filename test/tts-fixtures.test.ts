import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { listFixtures } from "../src/audio/fixtures.js";
import { loadSources } from "../src/nlu/index.js";
import { grammarSampleLabels, replayLabels } from "../src/replay/fixtures.js";
import { hark } from "./helpers/cli.js";

describe("fixtures from grammar samples", () => {
  it("samples distinct, seeded utterances with their intents", async () => {
    const g = await loadSources({});
    const a = grammarSampleLabels(g, 25, { seed: 3 });
    const b = grammarSampleLabels(g, 25, { seed: 3 });
    expect(a).toEqual(b);
    expect(new Set(a.map((l) => l.text)).size).toBe(25);
    expect(a.every((l) => l.intents.length === 1 && !/\d/.test(l.text))).toBe(true); // numbers spoken as words
    const labels = replayLabels(a.map((l, i) => ({ wav: `/x/${i}.wav`, label: l })));
    expect(labels["0.wav"]).toEqual({ intent: a[0]!.intents[0]!.intent, slots: a[0]!.intents[0]!.slots });
    expect(replayLabels([{ wav: "n.wav", label: { text: "hi", intents: [] } }])).toEqual({ "n.wav": { intent: null } });
  });

  it("hark fixtures generate writes WAV + sidecar pairs and labels.json", () => {
    const out = mkdtempSync(join(tmpdir(), "hark-fx-"));
    const r = hark(["fixtures", "generate", "-n", "3", "--seed", "5", "-o", out]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ fixtures: 3, voice: "flite:slt", seed: 5 });
    const { fixtures } = listFixtures(out);
    expect(fixtures).toHaveLength(3);
    expect(fixtures[0]!.label.source).toMatch(/grammar sample/);
    const labels = JSON.parse(readFileSync(join(out, "labels.json"), "utf8")) as Record<string, unknown>;
    expect(Object.keys(labels)).toHaveLength(3);
    expect(hark(["fixtures", "generate", "-n", "0", "-o", out]).status).toBe(2);
  }, 60_000);
});
