import { readFileSync } from "node:fs";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { hark } from "./helpers/cli.js";
import { tmpFiles } from "./helpers/tmpGrammar.js";

const dir = tmpFiles({
  "g/g.yaml": `language: en
intents:
  HassTurnOn:
    data:
      - sentences: ["turn on [the] {area} lights"]
        slots: { domain: light }
lists:
  area: { values: [kitchen, { in: "(living room|lounge)", out: living_room }] }
`,
  "bad/unknown.yaml": "language: en\nintents:\n  X:\n    data:\n      - sentences: [\"set {rooom}\"]\n",
  "bad2/broken.yaml": "language: en\nintents: {X: [\n",
  "bad3/dup.yaml": "language: en\nlists:\n  a: {values: [x]}\n  a: {values: [y]}\n",
});
const G = ["--grammar", join(dir, "g"), "--no-devices"];
const oneLine = (s: string) => s.trim().split("\n").length === 1;

describe("hark understand", () => {
  it("prints the contract's JSON for one utterance", () => {
    const r = hark(["understand", ...G, "turn on the lounge lights"]);
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ text: "turn on the lounge lights", intents: [{ intent: "HassTurnOn", slots: { domain: "light", area: "living_room" }, confidence: 1, source: "matcher" }] });
    expect(typeof out.ms).toBe("number");
  });

  it("exits 0 with an empty result and a reason when nothing matches, or the text is empty", () => {
    for (const text of ["tell me a joke", ""]) {
      const r = hark(["understand", ...G, text]);
      expect(r.status, text).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ intents: [], reason: expect.any(String) });
    }
  });

  it("handles 100 KB of text without crashing", () => {
    const r = hark(["understand", ...G], "turn on the kitchen lights ".repeat(4000));
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ intents: [], reason: expect.stringMatching(/too long/) });
  });

  it("batch: plain and JSON lines in, one JSON line out each, ids kept", () => {
    const input = ['turn on the kitchen lights', '{"id": 7, "text": "turn on the lounge lights"}', "", "gibberish"].join("\n") + "\n";
    const r = hark(["understand", "--jsonl", ...G], input);
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split("\n").map((l) => JSON.parse(l));
    expect(lines).toHaveLength(4);
    expect(lines[0].intents[0].slots.area).toBe("kitchen");
    expect(lines[1]).toMatchObject({ id: 7, intents: [{ slots: { area: "living_room" } }] });
    expect(lines[2]).toMatchObject({ intents: [], reason: "empty input" });
    expect(lines[3].intents).toEqual([]);
  });

  it("batch: binary garbage on stdin gives empty results, not a crash", () => {
    const garbage = Buffer.concat([randomBytes(20_000), Buffer.from("\nturn on the kitchen lights\n"), randomBytes(5000)]);
    const r = hark(["understand", "--jsonl", ...G], garbage);
    expect([0, 1]).toContain(r.status);
    const lines = r.stdout.trim().split("\n").map((l) => JSON.parse(l));
    expect(lines.some((l) => l.intents?.[0]?.slots?.area === "kitchen")).toBe(true);
    expect(lines.filter((l) => l.intents?.length).length).toBe(1);
    expect(r.stderr).not.toMatch(/at .*\.js:\d+/); // no stack trace
  });

  it("batch: an invalid JSON line is reported in place, the rest still runs, exit 1", () => {
    const r = hark(["understand", "--jsonl", ...G], '{"text": broken\nturn on the kitchen lights\n');
    expect(r.status).toBe(1);
    const lines = r.stdout.trim().split("\n").map((l) => JSON.parse(l));
    expect(lines[0]).toMatchObject({ line: 1, error: expect.stringMatching(/invalid JSON/) });
    expect(lines[1].intents).toHaveLength(1);
    expect(oneLine(r.stderr)).toBe(true);
  });

  it.each([
    ["bad", /unknown\.yaml:5:\d+: unknown list \{rooom\}/],
    ["bad2", /broken\.yaml:\d+:\d+: /],
    ["bad3", /dup\.yaml:4:3: Map keys must be unique/],
  ])("grammar error in %s: one line on stderr, exit 1", (sub, pattern) => {
    const r = hark(["understand", "--grammar", join(dir, sub), "--no-devices", "hello"]);
    expect(r.status).toBe(1);
    expect(oneLine(r.stderr)).toBe(true);
    expect(r.stderr).toMatch(pattern);
  });

  it("--area and \"area\" on --jsonl lines: the satellite's room fills requests that name none; an unknown room is an error", () => {
    const M = ["--engine", "matcher"];
    const one = JSON.parse(hark(["understand", ...M, "--area", "Kitchen", "turn on the lights in here"]).stdout);
    expect(one.intents).toMatchObject([{ intent: "HassTurnOn", slots: { domain: "light", area: "Kitchen" } }]);
    const bad = hark(["understand", ...M, "--area", "Nowhere", "turn on the lights"]);
    expect(bad.status).toBe(2);
    expect(oneLine(bad.stderr)).toBe(true);
    expect(bad.stderr).toMatch(/unknown area 'Nowhere'/);
    const batch = hark(["understand", ...M, "--jsonl"], '{"id":"a","text":"lights on","area":"Living Room"}\n{"id":"b","text":"lights on","area":"Nowhere"}\n');
    expect(batch.status).toBe(1);
    const lines = batch.stdout.trim().split("\n").map((l) => JSON.parse(l));
    expect(lines[0]).toMatchObject({ id: "a", intents: [{ slots: { area: "Living Room" } }] });
    expect(lines[1]).toMatchObject({ line: 2, error: expect.stringMatching(/unknown area 'Nowhere'/), intents: [] });
    expect(oneLine(batch.stderr)).toBe(true);
  });

  it("usage errors exit 2; --help exits 0", () => {
    expect(hark(["understand", "--engine", "bogus", "x"]).status).toBe(2);
    expect(hark(["understand", "--jsonl", "text"], "").status).toBe(2);
    expect(hark(["nonsense"]).status).toBe(2);
    const help = hark(["understand", "--help"]);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain("--jsonl");
  });
});

describe("hark grammar", () => {
  it("check summarizes a valid grammar", () => {
    const r = hark(["grammar", "check", ...G]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^ok: 1 intents, 1 sentence templates, 1 lists/);
  });

  it("sample is reproducible and understood by understand --jsonl", () => {
    const a = hark(["grammar", "sample", ...G, "-n", "30", "--seed", "4"]);
    const b = hark(["grammar", "sample", ...G, "-n", "30", "--seed", "4"]);
    expect(a.status).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    const samples = a.stdout.trim().split("\n").map((l) => JSON.parse(l));
    const u = hark(["understand", "--jsonl", ...G], samples.map((s) => s.text).join("\n"));
    const results = u.stdout.trim().split("\n").map((l) => JSON.parse(l));
    results.forEach((r, i) => expect(r.intents.map((x: { intent: string; slots: object }) => ({ intent: x.intent, slots: x.slots }))).toEqual(samples[i].intents));
  });

  it("compile writes the matcher graph, the recognizer's FSG and dictionary, the SLM language; --jsgf adds the JSGF export", () => {
    const out = join(dir, "out");
    const r = hark(["grammar", "compile", ...G, "-o", out]);
    expect(r.status).toBe(0);
    const files = ["matcher.json", "asr.fsg", "asr.dict", "asr.guessed.json", "slm.gbnf"];
    for (const f of files) expect(r.stdout).toContain(join(out, f));
    expect(r.stdout).not.toContain("grammar.jsgf");
    expect(readFileSync(join(out, "asr.fsg"), "utf8")).toMatch(/^TRANSITION \d+ \d+ \S+ lounge$/m);
    expect(readFileSync(join(out, "slm.gbnf"), "utf8")).toContain(`i-hassturnon ::= "HassTurnOn"`);
    const j = hark(["grammar", "compile", ...G, "-o", out, "--jsgf"]);
    expect(j.status).toBe(0);
    expect(readFileSync(join(out, "grammar.jsgf"), "utf8")).toMatch(/^#JSGF V1.0;/);
  });

  it("sample with a bad count is a usage error", () => {
    expect(hark(["grammar", "sample", ...G, "-n", "-3"]).status).toBe(2);
  });
});
