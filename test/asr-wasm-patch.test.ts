// The speed patch to soundswallower's binary (src/asr/soundswallower/wasmPatch.ts): it must apply to the
// shipped binary, leave anything else alone, and the patched decoder must hear exactly what the
// original one hears (texts, confidences, acoustic scores, streaming included).
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SOUNDSWALLOWER_WASM as WASM } from "../src/asr/soundswallower/index.js";
import { patchSoundSwallower } from "../src/asr/soundswallower/wasmPatch.js";

const ROOT = join(import.meta.dirname, "..");
const FIX = join(import.meta.dirname, "fixtures", "audio");
const files = [
  ...readdirSync(join(FIX, "commands")).filter((f) => f.endsWith(".wav")).sort().slice(0, 12).map((f) => join(FIX, "commands", f)),
  ...readdirSync(join(FIX, "chatter")).filter((f) => f.endsWith(".wav")).sort().slice(0, 4).map((f) => join(FIX, "chatter", f)),
];

/** Batch and streaming results of the default grammar ASR on `files`, in a process of its own (the patch is chosen when the binary is compiled). */
function hear(patch: "0" | "1"): { patches: string; results: unknown[] } {
  const script = `
    const { GrammarRecognizer } = await import(${JSON.stringify(join(ROOT, "dist/src/asr/soundswallower/index.js"))});
    const { readAll, fileSource } = await import(${JSON.stringify(join(ROOT, "dist/src/audio/source.js"))});
    const { loadSources } = await import(${JSON.stringify(join(ROOT, "dist/src/nlu/index.js"))});
    const r = await GrammarRecognizer.create({ grammar: await loadSources({}) });
    const results = [];
    for (const f of ${JSON.stringify(files)}) {
      const { samples } = await readAll(fileSource(f));
      const x = await r.recognize(samples);
      const s = r.stream();
      for (let o = 0; o < samples.length; o += 320) s.accept(samples.subarray(o, o + 320));
      const y = await s.finish();
      results.push({ text: x.text, confidence: x.confidence, rejected: x.rejected ?? false, score: x.detail?.score, stream: [y.text, y.confidence, y.detail?.score] });
    }
    r.close();
    console.log(JSON.stringify({ patches: r.startup.patches, results }));`;
  const p = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8", env: { ...process.env, HARK_ASR_PATCH: patch, HARK_SLM: "0" }, maxBuffer: 1 << 24 });
  if (p.status !== 0) throw new Error(p.stderr);
  return JSON.parse(p.stdout.trim().split("\n").pop()!) as { patches: string; results: unknown[] };
}

describe("soundswallower speed patch", () => {
  it("applies to the shipped binary, which then still validates", () => {
    const original = new Uint8Array(readFileSync(WASM));
    const r = patchSoundSwallower(original);
    expect(r.applied).toEqual(["fsg_history_end_frame"]);
    expect(r.bytes).not.toEqual(original);
    expect(WebAssembly.validate(r.bytes)).toBe(true);
    // Same sections and functions, one body changed: the module's imports and exports are unchanged.
    const a = new WebAssembly.Module(original), b = new WebAssembly.Module(r.bytes);
    expect(WebAssembly.Module.exports(b)).toEqual(WebAssembly.Module.exports(a));
    expect(WebAssembly.Module.imports(b)).toEqual(WebAssembly.Module.imports(a));
  });

  it("leaves other binaries alone, and everything with HARK_ASR_PATCH=0", () => {
    const tiny = Uint8Array.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);
    expect(patchSoundSwallower(tiny)).toEqual({ bytes: tiny, applied: [] });
    expect(patchSoundSwallower(Uint8Array.from([1, 2, 3]))).toEqual({ bytes: Uint8Array.from([1, 2, 3]), applied: [] });
    const before = process.env.HARK_ASR_PATCH;
    process.env.HARK_ASR_PATCH = "0";
    try {
      const original = new Uint8Array(readFileSync(WASM));
      expect(patchSoundSwallower(original).applied).toEqual([]);
    } finally {
      if (before === undefined) delete process.env.HARK_ASR_PATCH;
      else process.env.HARK_ASR_PATCH = before;
    }
  });

  it("the patched decoder hears exactly what the original hears (commands and chatter, batch and streaming)", () => {
    const patched = hear("1");
    const original = hear("0");
    expect(patched.patches).toBe("fsg_history_end_frame");
    expect(original.patches).toBe("none");
    expect(patched.results).toEqual(original.results);
    const heard = (patched.results as Array<{ text: string }>).filter((x) => x.text !== "").length;
    expect(heard).toBeGreaterThanOrEqual(10); // the commands are understood, not all rejected
  }, 120_000);
});
