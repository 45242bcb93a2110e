import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadGraph } from "../src/nlu/index.js";
import { Matcher } from "../src/nlu/matcher.js";
import { tmpFiles } from "./helpers/tmpGrammar.js";

const grammar = (word: string) => `language: en
intents:
  Greet:
    data:
      - sentences: ["${word} there"]
`;

describe("compiled-artifact cache", () => {
  const saved = process.env.HARK_CACHE_DIR;
  afterEach(() => {
    if (saved === undefined) delete process.env.HARK_CACHE_DIR;
    else process.env.HARK_CACHE_DIR = saved;
  });

  it("reuses the compile while sources are unchanged and recompiles when they change", async () => {
    const dir = tmpFiles({ "g/g.yaml": grammar("hello") });
    process.env.HARK_CACHE_DIR = join(dir, "cache");
    const opts = { grammar: join(dir, "g"), devices: [] };

    const first = await loadGraph(opts);
    expect(readdirSync(join(dir, "cache")).filter((f) => f.startsWith("graph-"))).toHaveLength(1);
    const again = await loadGraph(opts);
    expect(again).toEqual(first);
    expect(readdirSync(join(dir, "cache"))).toHaveLength(1);

    writeFileSync(join(dir, "g/g.yaml"), grammar("hi"));
    const changed = await loadGraph(opts);
    expect(readdirSync(join(dir, "cache")).filter((f) => f.startsWith("graph-"))).toHaveLength(2);
    expect(new Matcher(changed).understand("hi there").intents[0]?.intent).toBe("Greet");
    expect(new Matcher(changed).understand("hello there").intents[0]?.confidence ?? 0).toBeLessThan(1);
  });

  it("ignores a corrupt cache entry and recompiles", async () => {
    const dir = tmpFiles({ "g/g.yaml": grammar("hello") });
    process.env.HARK_CACHE_DIR = join(dir, "cache");
    const opts = { grammar: join(dir, "g"), devices: [] };
    await loadGraph(opts);
    const file = readdirSync(join(dir, "cache"))[0]!;
    writeFileSync(join(dir, "cache", file), "{not json");
    const graph = await loadGraph(opts);
    expect(new Matcher(graph).understand("hello there").intents[0]?.intent).toBe("Greet");
  });
});
