// The HARK_* environment variables: declared once (src/platform/env.ts), read nowhere else in src/,
// every one documented in docs/config.md, and every one a test sets is declared.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { HARK_TEST_VARIABLES, HARK_VARIABLES, harkEnv, jsonVariable, readHarkEnv } from "../src/platform/env.js";
import { UsageError } from "../src/platform/errors.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const files = (dir: string): string[] =>
  readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : /\.(ts|mts|js|mjs)$/.test(f) ? [p] : [];
  });
/** HARK_* variable names in a text (not the module's own HARK_VARIABLES / HARK_TEST_VARIABLES tables). */
const names = (text: string) => new Set([...text.matchAll(/\bHARK_[A-Z0-9_]+/g)].map((m) => m[0]).filter((n) => !/^HARK_(TEST_)?VARIABLES$/.test(n)));

describe("HARK_* environment variables", () => {
  it("typed values, with the defaults of an empty environment", () => {
    expect(readHarkEnv({})).toEqual({
      modelsDir: undefined,
      cacheDir: undefined,
      slm: true,
      slmModel: undefined,
      slmDraft: undefined,
      slmWords: undefined,
      asrModel: undefined,
      asrPatch: true,
      asrFrontend: undefined,
      asrDecoder: undefined,
      asrEvidence: undefined,
      vadModel: undefined,
      hugePages: true,
      debug: false,
      python: undefined,
      keepData: false,
      consoleToken: undefined,
    });
    const e = readHarkEnv({ HARK_SLM: "0", HARK_ASR_PATCH: "0", HARK_HUGEPAGES: "0", HARK_DEBUG: "1", HARK_KEEP_DATA: "yes", HARK_MODELS_DIR: "/m", HARK_ASR_EVIDENCE: "off" });
    expect(e).toMatchObject({ slm: false, asrPatch: false, hugePages: false, debug: true, keepData: true, modelsDir: "/m", asrEvidence: "off" });
    expect(readHarkEnv({ HARK_SLM: "1", HARK_HUGEPAGES: "" }).slm && readHarkEnv({ HARK_HUGEPAGES: "" }).hugePages).toBe(true);
  });

  it("harkEnv() reads the process environment at the call (tests set it before a call)", () => {
    const saved = process.env.HARK_MODELS_DIR;
    try {
      process.env.HARK_MODELS_DIR = "/somewhere/models";
      expect(harkEnv().modelsDir).toBe("/somewhere/models");
    } finally {
      if (saved === undefined) delete process.env.HARK_MODELS_DIR;
      else process.env.HARK_MODELS_DIR = saved;
    }
  });

  it("a JSON variable: {} when unset, an object, else a usage error naming it", () => {
    expect(jsonVariable("HARK_ASR_DECODER", undefined, "x")).toEqual({});
    expect(jsonVariable("HARK_ASR_DECODER", '{"topn":2}', "x")).toEqual({ topn: 2 });
    expect(() => jsonVariable("HARK_ASR_DECODER", "[1]", "a JSON object")).toThrow(UsageError);
    expect(() => jsonVariable("HARK_ASR_DECODER", "topn=2", "a JSON object")).toThrow("$HARK_ASR_DECODER must be a JSON object, got topn=2");
  });

  // src/compile/cache.ts still reads HARK_CACHE_DIR itself: src/compile/ was being reorganised when the
  // variables moved here (issue 16 item 3); its cacheDir() is the one reader left to convert.
  const LEFT = ["src/compile/cache.ts"];

  it("no module under src/ but src/platform/env.ts reads process.env.HARK_*", () => {
    const readers = files(join(ROOT, "src"))
      .filter((f) => !f.endsWith(join("platform", "env.ts")) && !LEFT.includes(relative(ROOT, f)))
      .filter((f) => /process\.env(\.HARK_|\[\s*["'`]HARK_)/.test(readFileSync(f, "utf8")))
      .map((f) => relative(ROOT, f));
    expect(readers).toEqual([]);
  });

  it("every HARK_* named in src/ is declared, and every declared one is used", () => {
    const declared = new Set([...Object.keys(HARK_VARIABLES), ...Object.keys(HARK_TEST_VARIABLES)]);
    const inSrc = new Set(files(join(ROOT, "src")).flatMap((f) => [...names(readFileSync(f, "utf8"))]));
    expect([...inSrc].filter((n) => !declared.has(n))).toEqual([]);
    expect(Object.keys(HARK_VARIABLES).filter((n) => !inSrc.has(n) || readFileSync(join(ROOT, "src/platform/env.ts"), "utf8").split(n).length < 3)).toEqual([]);
  });

  it("every variable a test uses is declared (HARK_VARIABLES or HARK_TEST_VARIABLES)", () => {
    const declared = new Set([...Object.keys(HARK_VARIABLES), ...Object.keys(HARK_TEST_VARIABLES)]);
    const inTests = new Set(files(join(ROOT, "test")).flatMap((f) => [...names(readFileSync(f, "utf8"))]));
    expect([...inTests].filter((n) => !declared.has(n) && !n.endsWith("_"))).toEqual([]);
  });

  it("docs/config.md lists every variable", () => {
    const doc = readFileSync(join(ROOT, "docs/config.md"), "utf8");
    const missing = [...Object.keys(HARK_VARIABLES), ...Object.keys(HARK_TEST_VARIABLES)].filter((n) => !doc.includes(`| \`${n}\` |`));
    expect(missing).toEqual([]);
  });
});
