// Model integrity at load (src/models/integrity.ts): a model file whose sha256 differs from its manifest
// entry is refused when the SLM loads it — `hark understand --engine slm` fails in one line, the cascade
// and `hark run` fall back to the matcher and say why — and the hash is cached per file stamp.
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { readGguf } from "../src/models/gguf.js";
import { checkModelFile, fileSha256, IntegrityError } from "../src/models/integrity.js";
import { readManifest, writeManifest } from "../src/models/manifest.js";
import { projectRoot } from "../src/grammar/paths.js";
import { parseConfig } from "../src/run/config.js";
import { HarkRuntime } from "../src/run/runtime.js";
import { hark } from "./helpers/cli.js";

const shipped = join(projectRoot(), "models");
const TARGET = "hark-target-q8_0.gguf";
const DRAFT = "hark-target-draft-q8_0.gguf";
const hasModels = readManifest(shipped).active.slm === "hark-target";
/** The shipped target model's recorded sha256 (what a corrupted copy is checked against). */
const TARGET_SHA = readManifest(shipped).models.find((m) => m.file === TARGET)?.sha256 ?? "";
const root = mkdtempSync(join(tmpdir(), "hark-integrity-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let n = 0;
/** A copy of models/ (top-level files) with settled timestamps, and a fresh cache folder. */
function copyModels(): { models: string; cache: string } {
  const dir = join(root, `case${++n}`);
  const models = join(dir, "models");
  const cache = join(dir, "cache");
  mkdirSync(models, { recursive: true });
  mkdirSync(cache);
  for (const f of readdirSync(shipped, { withFileTypes: true })) if (f.isFile()) copyFileSync(join(shipped, f.name), join(models, f.name));
  for (const f of [TARGET, DRAFT]) settle(join(models, f));
  return { models, cache };
}

/** A fixed, old mtime: the file counts as settled (its hash may be cached), and the same value every time. */
const SETTLED = new Date("2024-01-01T00:00:00Z");
function settle(file: string): void {
  utimesSync(file, SETTLED, SETTLED);
}

/** Flip one byte inside the tensor data (the GGUF header stays valid: a header check alone would load it). */
function flip(file: string, at = 3_000_000): void {
  const b = readFileSync(file);
  b[at] = b[at]! ^ 0x01;
  writeFileSync(file, b);
}

const env = (d: { models: string; cache: string }) => ({ HARK_MODELS_DIR: d.models, HARK_CACHE_DIR: d.cache, HARK_SLM: "1" });
const MISMATCH = (file: string) => new RegExp(`${file.replace(/[.]/g, "\\.")}: sha256 mismatch \\(manifest [0-9a-f]{8}…, file [0-9a-f]{8}…\\): refusing to load it`);

describe.skipIf(!hasModels)("model integrity at load", () => {
  it("hark understand --engine slm refuses a model with one flipped byte: exit 1, one line naming the file and sha256", async () => {
    const d = copyModels();
    flip(join(d.models, TARGET));
    await expect(readGguf(join(d.models, TARGET))).resolves.toMatchObject({ version: 3 });
    const r = hark(["understand", "--engine", "slm", "turn on the kitchen lights"], undefined, env(d));
    expect(r.status).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/^hark: /);
    expect(r.stderr).toMatch(MISMATCH(join(d.models, TARGET)));
    expect(r.stderr).toContain(`manifest ${TARGET_SHA.slice(0, 8)}…`);
  });

  it("refuses a corrupted draft too", () => {
    const d = copyModels();
    flip(join(d.models, DRAFT), 400_000);
    const r = hark(["understand", "--engine", "slm", "turn on the kitchen lights"], undefined, env(d));
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(MISMATCH(join(d.models, DRAFT)));
  });

  it("a damaged active model is refused, not silently replaced by an intact earlier choice in history", () => {
    const d = copyModels();
    // An earlier choice: the same (intact) bytes under another name; the active file loses its second half.
    copyFileSync(join(shipped, TARGET), join(d.models, "earlier.gguf"));
    const m = readManifest(d.models);
    const target = m.models.find((e) => e.name === "hark-target")!;
    writeManifest({ ...m, models: [...m.models, { ...target, name: "earlier", file: "earlier.gguf" }], history: [{ slm: "earlier", at: "2024-01-01T00:00:00Z" }] }, d.models);
    const full = readFileSync(join(d.models, TARGET));
    writeFileSync(join(d.models, TARGET), full.subarray(0, full.length / 2));
    const r = hark(["understand", "--engine", "slm", "turn on the kitchen lights"], undefined, env(d));
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(MISMATCH(join(d.models, TARGET)));
  });

  it("the cascade answers from the matcher and says why when it would need the SLM", () => {
    const d = copyModels();
    flip(join(d.models, TARGET));
    const r = hark(["understand", "--jsonl"], "turn on the kitchen lights\nthe office could do with some light\n", env(d));
    expect(r.status).toBe(0);
    const [direct, needsSlm] = r.stdout.trim().split("\n").map((l) => JSON.parse(l));
    expect(direct.intents).toMatchObject([{ intent: "HassTurnOn", source: "matcher" }]);
    expect(needsSlm.intents).toEqual([]);
    expect(needsSlm.reason).toMatch(/SLM unavailable: /);
    expect(needsSlm.reason).toMatch(MISMATCH(join(d.models, TARGET)));
  });

  it("an intact copy loads and answers as before, and its hash is cached by the load", () => {
    const d = copyModels();
    const r = hark(["understand", "--engine", "slm", "turn on the kitchen lights"], undefined, env(d));
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).intents).toMatchObject([{ intent: "HassTurnOn", slots: { area: "Kitchen" }, source: "slm" }]);
    const entries = readdirSync(d.cache).filter((f) => f.startsWith("model-sha256-")).map((f) => JSON.parse(readFileSync(join(d.cache, f), "utf8")));
    const target = entries.find((e) => e.stamp.path === join(d.models, TARGET));
    expect(target?.sha256).toBe(readManifest(d.models).models.find((m) => m.name === "hark-target")!.sha256);
  });

  describe("the hash cache", () => {
    const saved = { models: process.env.HARK_MODELS_DIR, cache: process.env.HARK_CACHE_DIR };
    let d: { models: string; cache: string };
    beforeEach(() => {
      d = copyModels();
      process.env.HARK_MODELS_DIR = d.models;
      process.env.HARK_CACHE_DIR = d.cache;
    });
    afterEach(() => {
      for (const [k, v] of [["HARK_MODELS_DIR", saved.models], ["HARK_CACHE_DIR", saved.cache]] as const)
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
    });

    it("hashes once, then answers from the cache; a file modified after caching is hashed again and refused", async () => {
      const file = join(d.models, TARGET);
      const first = await checkModelFile(file);
      expect(first).toMatchObject({ cached: false, sha256: TARGET_SHA });
      expect(first.entry?.name).toBe("hark-target");
      expect(await checkModelFile(file)).toMatchObject({ cached: true, sha256: first.sha256 });
      flip(file); // same size, same inode: only the timestamps tell
      expect((await fileSha256(file)).cached).toBe(false);
      await expect(checkModelFile(file)).rejects.toThrow(IntegrityError);
      await expect(checkModelFile(file)).rejects.toThrow(MISMATCH(file));
    });

    it("a cached hash of a bad file still fails: the manifest comparison is made at every load", async () => {
      const file = join(d.models, TARGET);
      flip(file);
      settle(file);
      await expect(checkModelFile(file)).rejects.toThrow(/sha256 mismatch/);
      expect((await fileSha256(file)).cached).toBe(true);
      await expect(checkModelFile(file)).rejects.toThrow(/sha256 mismatch/);
    });

    it("a rewrite that restores the old mtime is still seen (ctime is part of the stamp)", async () => {
      const file = join(d.models, TARGET);
      expect((await checkModelFile(file)).cached).toBe(false);
      flip(file);
      settle(file); // same size, inode and mtime as when it was hashed: only ctime differs
      await expect(checkModelFile(file)).rejects.toThrow(/sha256 mismatch/);
    });

    it("a file written moments ago is not cached yet (timestamps are too coarse to tell a second write)", async () => {
      const file = join(d.models, DRAFT);
      copyFileSync(join(shipped, DRAFT), file);
      expect((await checkModelFile(file)).cached).toBe(false);
      expect((await checkModelFile(file)).cached).toBe(false);
      settle(file);
      expect((await checkModelFile(file)).cached).toBe(false);
      expect((await checkModelFile(file)).cached).toBe(true);
    });

    it("hark run falls back to the matcher and warns once, naming the file and sha256", async () => {
      flip(join(d.models, TARGET));
      const lines: string[] = [];
      const logger = pino({ level: "warn", base: undefined }, { write: (s: string) => void lines.push(s) });
      const rt = await HarkRuntime.start({ config: parseConfig("log_level: warn\n"), logger });
      try {
        const warned = async () => {
          for (let i = 0; i < 200 && !lines.some((l) => l.includes("SLM not available")); i++) await new Promise((r) => setTimeout(r, 50));
          return lines.filter((l) => l.includes("SLM not available"));
        };
        const warn = await warned();
        expect(warn).toHaveLength(1);
        expect(warn[0]!.trim().split("\n")).toHaveLength(1);
        const rec = JSON.parse(warn[0]!) as { level: number; msg: string; err: string };
        expect(rec.level).toBe(40);
        expect(rec.msg).toMatch(MISMATCH(join(d.models, TARGET)));
        expect(rec.msg).toMatch(/the matcher alone understands/);
        const answers = await rt.handle({ text: "turn on the kitchen lights" });
        expect(answers[0]?.intents?.[0]).toMatchObject({ intent: "HassTurnOn", source: "matcher" });
      } finally {
        await rt.stop();
      }
    });
  });
});
