// Decoder snapshots (src/asr/soundswallower/snapshot.ts): a warm start copies the initialised decoder's
// memory back instead of building it, and must then hear exactly what a built decoder hears.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { GrammarRecognizer } from "../src/asr/index.js";
import { readAll, fileSource } from "../src/audio/source.js";
import { loadSources } from "../src/nlu/index.js";

const FIX = join(import.meta.dirname, "fixtures", "audio", "commands");
const files = readdirSync(FIX).filter((f) => f.endsWith(".wav")).sort().slice(0, 5);
const grammar = await loadSources({});
const cache = mkdtempSync(join(tmpdir(), "hark-snapshot-test-"));
afterAll(() => rmSync(cache, { recursive: true, force: true }));

const snapshots = (): string[] => {
  const dir = join(cache, "asr", "decoders");
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".snap")).map((f) => join(dir, f)) : [];
};

/** What the recognizer makes of the fixtures: text, confidence and score, per file. */
async function hear(r: GrammarRecognizer): Promise<unknown[]> {
  const out: unknown[] = [];
  for (const f of files) {
    const { samples } = await readAll(fileSource(join(FIX, f)));
    const x = await r.recognize(samples);
    out.push({ file: f, text: x.text, confidence: x.confidence, rejected: x.rejected ?? false, score: (x.detail as { score?: unknown } | undefined)?.score });
  }
  return out;
}

async function withRecognizer<T>(opts: Partial<Parameters<typeof GrammarRecognizer.create>[0]>, f: (r: GrammarRecognizer) => Promise<T>): Promise<T> {
  const r = await GrammarRecognizer.create({ grammar, cacheDir: cache, ...opts });
  try {
    return await f(r);
  } finally {
    r.close();
  }
}

describe("grammar ASR decoder snapshots", () => {
  let built: unknown[];
  let defaultSnapshot: string | undefined;

  it("builds the decoder once, then starts from its snapshot and hears exactly the same", async () => {
    built = await withRecognizer({}, async (r) => {
      expect(r.startup.decoder).toBe("build");
      return hear(r);
    });
    expect(snapshots()).toHaveLength(1);
    defaultSnapshot = snapshots()[0];
    expect(built.filter((b) => (b as { text: string }).text !== "").length).toBeGreaterThanOrEqual(4);
    const restored = await withRecognizer({}, async (r) => {
      expect(r.startup.decoder).toBe("snapshot");
      expect(r.startup.snapshotSaveMs).toBe(0);
      return hear(r);
    });
    expect(restored).toEqual(built);
  });

  it("never uses the snapshot of another configuration", async () => {
    await withRecognizer({ beam: 1e-70 }, async (r) => expect(r.startup.decoder).toBe("build"));
    expect(snapshots()).toHaveLength(2);
  });

  it("builds instead when a snapshot is truncated or foreign, and replaces it", async () => {
    const file = defaultSnapshot;
    expect(file).toBeDefined();
    expect(snapshots()).toContain(file);
    const size = readFileSync(file!).length;
    truncateSync(file!, size - 4096 * 3);
    const after = await withRecognizer({}, async (r) => {
      expect(r.startup.decoder).toBe("build");
      return hear(r);
    });
    expect(after).toEqual(built);
    expect(readFileSync(file!).length).toBe(size); // rewritten whole

    // Same file name, another key inside (as if written by a different model or engine version).
    const bytes = readFileSync(file!);
    const headerLen = bytes.readUInt32LE(4);
    const header = bytes.subarray(8, 8 + headerLen).toString("utf8");
    const forged = header.replace(/"key":"([0-9a-f])/, (_, c: string) => `"key":"${c === "0" ? "1" : "0"}`);
    expect(forged).not.toBe(header);
    writeFileSync(file!, Buffer.concat([bytes.subarray(0, 8), Buffer.from(forged, "utf8"), bytes.subarray(8 + headerLen)]));
    await withRecognizer({}, async (r) => expect(r.startup.decoder).toBe("build"));

    // Garbage with the right length and magic number: the configuration check refuses it.
    const good = readFileSync(file!);
    const garbage = Buffer.from(good);
    garbage.fill(0x5a, 8 + good.readUInt32LE(4));
    writeFileSync(file!, garbage);
    const rebuilt = await withRecognizer({}, async (r) => {
      expect(r.startup.decoder).toBe("build");
      return hear(r);
    });
    expect(rebuilt).toEqual(built);
  });

  it("writes nothing with snapshot: false", async () => {
    rmSync(join(cache, "asr", "decoders"), { recursive: true, force: true });
    await withRecognizer({ snapshot: false }, async (r) => expect(r.startup.decoder).toBe("build"));
    expect(snapshots()).toHaveLength(0);
  });
});
