import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { GrammarError } from "../src/grammar/errors.js";
import { loadGrammar } from "../src/grammar/load.js";
import { tmpFiles } from "./helpers/tmpGrammar.js";

const good = `language: en
intents:
  HassTurnOn:
    slots:
      area: { prompt: "Which room?" }
    responses: { default: "Turned on {area}" }
    data:
      - sentences:
          - "turn on [the] {area} lights"
        slots: { domain: light }
lists:
  area: { values: [], multiple: true }
`;

async function loadError(files: Record<string, string>): Promise<string> {
  const dir = tmpFiles(files);
  try {
    await loadGrammar({ grammar: join(dir, "g"), devices: join(dir, "d") });
  } catch (err) {
    expect(err).toBeInstanceOf(GrammarError);
    return (err as Error).message.replace(dir + "/", "");
  }
  throw new Error("expected a GrammarError");
}

describe("grammar loading", () => {
  it("loads intents, slots, responses and device-filled lists", async () => {
    const dir = tmpFiles({
      "g/home.yaml": good,
      "d/home.yaml": "areas: [{id: k, name: Kitchen, aliases: [cookhouse]}]\n",
    });
    const g = await loadGrammar({ grammar: join(dir, "g"), devices: join(dir, "d") });
    const intent = g.intents.get("HassTurnOn")!;
    expect(intent.slots.get("area")?.prompt).toBe("Which room?");
    expect(intent.responses.default).toBe("Turned on {area}");
    const area = g.lists.get("area");
    expect(area?.kind).toBe("values");
    expect(area?.kind === "values" && area.values.map((v) => [v.inText, v.out])).toEqual([
      ["Kitchen", "Kitchen"],
      ["cookhouse", "Kitchen"],
    ]);
    expect(g.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it("points at the unknown slot with file:line:col", async () => {
    const bad = good.replace("{area} lights", "{rooom} lights");
    expect(await loadError({ "g/home.yaml": bad, "d/x.yaml": "{}\n" })).toBe("g/home.yaml:9:28: unknown list {rooom}");
  });

  it("reports malformed YAML with its position", async () => {
    const msg = await loadError({ "g/home.yaml": "language: en\nintents: [unclosed\n", "d/x.yaml": "{}\n" });
    expect(msg).toMatch(/^g\/home\.yaml:\d+:\d+: /);
    expect(msg.split("\n")).toHaveLength(1);
  });

  it("rejects duplicate keys in one file", async () => {
    const msg = await loadError({ "g/home.yaml": good + "lists:\n  x: {values: [a]}\n", "d/x.yaml": "{}\n" });
    expect(msg).toMatch(/^g\/home\.yaml:13:1: Map keys must be unique$/);
  });

  it("rejects a list defined in two files, naming the first", async () => {
    const msg = await loadError({ "g/a.yaml": good, "g/b.yaml": "language: en\nlists:\n  area: {values: []}\n", "d/x.yaml": "{}\n" });
    expect(msg).toMatch(/^g\/b\.yaml:3:9: duplicate list 'area' \(first defined at \/.*\/g\/a\.yaml:12:9\)$/);
  });

  it("rejects unknown keys (typos) at the key", async () => {
    const msg = await loadError({ "g/home.yaml": good.replace("- sentences:", "- sentence:"), "d/x.yaml": "{}\n" });
    expect(msg).toMatch(/^g\/home\.yaml:8:\d+: /);
  });

  it("rejects a template syntax error at the exact column", async () => {
    const msg = await loadError({ "g/home.yaml": good.replace("turn on [the]", "turn on (the"), "d/x.yaml": "{}\n" });
    expect(msg).toBe("g/home.yaml:9:22: unclosed '('");
  });

  it("rejects self-referencing expansion rules", async () => {
    const msg = await loadError({ "g/home.yaml": good + "expansion_rules:\n  a: \"x <b>\"\n  b: \"<a>\"\n", "d/x.yaml": "{}\n" });
    expect(msg).toContain("refers to itself");
  });

  it("rejects duplicate device ids", async () => {
    const dup = "areas: [{id: k, name: Kitchen}]\ndevices:\n  - {id: l1, name: Lamp, domain: light, area: k}\n  - {id: l1, name: Lamp 2, domain: light}\n";
    expect(await loadError({ "g/home.yaml": good, "d/h.yaml": dup })).toMatch(/^d\/h\.yaml:4:10: duplicate device id 'l1' \(also in \/.*\/d\/h\.yaml\)$/);
  });

  it("rejects a device in an unknown area", async () => {
    const msg = await loadError({ "g/home.yaml": good, "d/h.yaml": "devices:\n  - {id: l1, name: Lamp, domain: light, area: attic}\n" });
    expect(msg).toBe("d/h.yaml:2:47: device 'l1' is in unknown area 'attic'");
  });

  it("says which path is missing", async () => {
    await expect(loadGrammar({ grammar: "/nonexistent/grammar" })).rejects.toThrow("/nonexistent/grammar: no such file or folder");
  });
});
