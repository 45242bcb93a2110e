// Signed model bundles (src/models/bundle.ts, `hark models keygen|pack|verify|add`): a packed bundle
// verifies; a flipped byte in any file or in the manifest, or another key, fails naming the file (exit 1);
// with a trusted key configured, unsigned bundles and bundles signed by another key are refused.
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tar from "tar";
import { afterAll, describe, expect, it } from "vitest";
import { projectRoot } from "../src/grammar/paths.js";
import { readManifest } from "../src/models/manifest.js";
import { hark } from "./helpers/cli.js";

const shipped = join(projectRoot(), "models");
const hasModels = readManifest(shipped).active.slm === "hark-target";
const root = mkdtempSync(join(tmpdir(), "hark-bundle-test-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let n = 0;
function setup(): { dir: string; env: Record<string, string> } {
  const dir = join(root, `case${++n}`);
  const models = join(dir, "models");
  mkdirSync(models, { recursive: true });
  mkdirSync(join(dir, "cache"));
  for (const f of readdirSync(shipped, { withFileTypes: true })) if (f.isFile()) copyFileSync(join(shipped, f.name), join(models, f.name));
  return { dir, env: { HARK_MODELS_DIR: models, HARK_CACHE_DIR: join(dir, "cache"), HARK_MODELS_PUBKEY: "" } };
}

/** keygen + pack; returns the bundle path. */
function packed(d: { dir: string; env: Record<string, string> }): string {
  expect(hark(["models", "keygen", "--out", join(d.dir, "keys")], undefined, d.env).status).toBe(0);
  const out = join(d.dir, "b.tar");
  const r = hark(["models", "pack", "--key", join(d.dir, "keys/hark-models.key"), "-o", out, "--bundle-version", "7.1"], undefined, d.env);
  expect(r.stderr).toBe("");
  expect(r.status).toBe(0);
  return out;
}

/** Flip one byte of `member`'s content inside the tar (uncompressed: contents are stored as they are). */
function flipIn(bundle: string, member: string, at: number): void {
  const b = readFileSync(bundle);
  let off = 0;
  while (off + 512 <= b.length) {
    const name = b.subarray(off, off + 100).toString("latin1").replace(/\0.*$/s, "");
    const size = parseInt(b.subarray(off + 124, off + 136).toString("latin1").replace(/\0.*$/s, "").trim() || "0", 8);
    if (!name) break;
    if (name === member) {
      const i = off + 512 + Math.min(at, size - 1);
      b[i] = b[i]! ^ 0x01;
      writeFileSync(bundle, b);
      return;
    }
    off += 512 + Math.ceil(size / 512) * 512;
  }
  throw new Error(`${member} not in ${bundle}`);
}

describe.skipIf(!hasModels)("signed model bundles", () => {
  it("keygen writes a 0600 private key and refuses to overwrite it", () => {
    const d = setup();
    expect(hark(["models", "keygen", "--out", join(d.dir, "k")], undefined, d.env).status).toBe(0);
    expect(statSync(join(d.dir, "k/hark-models.key")).mode & 0o777).toBe(0o600);
    const again = hark(["models", "keygen", "--out", join(d.dir, "k")], undefined, d.env);
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/^hark: .*hark-models\.key: already exists \(not overwritten\)\n$/);
  });

  it("pack → verify: ok with the signer's public key; the bundle holds models, tokenizer, words and a signed manifest", async () => {
    const d = setup();
    const b = packed(d);
    const names: string[] = [];
    await tar.t({ file: b, onReadEntry: (e) => void names.push(e.path) });
    expect(names.sort()).toEqual(["bundle.json", "bundle.sig", "hark-target-draft-q8_0.gguf", "hark-target-q8_0.gguf", "hark-target.words.txt", "tokenizer.model"]);
    const r = hark(["models", "verify", b, "--pubkey", join(d.dir, "keys/hark-models.pub")], undefined, d.env);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^ok {3}.*b\.tar: version 7\.1, 4 files, sha256 ok, signature ok/);
  });

  it.each(["hark-target-q8_0.gguf", "hark-target-draft-q8_0.gguf", "tokenizer.model", "hark-target.words.txt"])("a flipped byte in %s fails verify, naming it", (member) => {
    const d = setup();
    const b = packed(d);
    flipIn(b, member, 20_000);
    const r = hark(["models", "verify", b, "--pubkey", join(d.dir, "keys/hark-models.pub")], undefined, d.env);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain(`FAIL ${member}: sha256 mismatch`);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
  });

  it("a flipped byte in the manifest fails verify (signature)", () => {
    const d = setup();
    const b = packed(d);
    flipIn(b, "bundle.json", 40);
    const r = hark(["models", "verify", b, "--pubkey", join(d.dir, "keys/hark-models.pub")], undefined, d.env);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain("FAIL bundle.json: signature does not verify");
  });

  it("another public key fails verify; an unpacked folder verifies the same way", async () => {
    const d = setup();
    const b = packed(d);
    hark(["models", "keygen", "--out", join(d.dir, "other")], undefined, d.env);
    const r = hark(["models", "verify", b, "--pubkey", join(d.dir, "other/hark-models.pub")], undefined, d.env);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain("FAIL bundle.json: signature does not verify");
    const x = join(d.dir, "x");
    mkdirSync(x);
    await tar.x({ file: b, cwd: x });
    expect(hark(["models", "verify", x, "--pubkey", join(d.dir, "keys/hark-models.pub")], undefined, d.env).status).toBe(0);
    writeFileSync(join(x, "tokenizer.model"), "changed");
    const bad = hark(["models", "verify", x, "--pubkey", join(d.dir, "keys/hark-models.pub")], undefined, d.env);
    expect(bad.status).toBe(1);
    expect(bad.stdout).toContain("FAIL tokenizer.model: size 7 bytes");
  });

  it("with a trusted key: add accepts the signer's bundle, refuses another key's and an unsigned one (nothing changed)", async () => {
    const d = setup();
    const b = packed(d);
    hark(["models", "keygen", "--out", join(d.dir, "other")], undefined, d.env);
    const before = readFileSync(join(d.env.HARK_MODELS_DIR!, "manifest.yaml"), "utf8");
    const other = hark(["models", "add", b], undefined, { ...d.env, HARK_MODELS_PUBKEY: join(d.dir, "other/hark-models.pub") });
    expect(other.status).toBe(1);
    expect(other.stderr).toMatch(/^hark: .*b\.tar: not signed by the trusted key .*nothing changed\n$/);
    // Unsigned: the same bundle without bundle.sig.
    const x = join(d.dir, "u");
    mkdirSync(x);
    await tar.x({ file: b, cwd: x });
    rmSync(join(x, "bundle.sig"));
    const unsigned = join(d.dir, "unsigned.tar");
    await tar.c({ file: unsigned, cwd: x, portable: true }, readdirSync(x));
    const trusted = { ...d.env, HARK_MODELS_PUBKEY: join(d.dir, "keys/hark-models.pub") };
    const u = hark(["models", "add", unsigned], undefined, trusted);
    expect(u.status).toBe(1);
    expect(u.stderr).toMatch(/unsigned bundle refused/);
    const gguf = hark(["models", "add", join(d.env.HARK_MODELS_DIR!, "hark-target-q8_0.gguf")], undefined, trusted);
    expect(gguf.status).toBe(1);
    expect(gguf.stderr).toMatch(/only signed bundles can be added/);
    expect(readFileSync(join(d.env.HARK_MODELS_DIR!, "manifest.yaml"), "utf8")).toBe(before);
    const ok = hark(["models", "add", b, "--use"], undefined, trusted);
    expect(ok.stderr).toBe("");
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/added bundle 7\.1: hark-target, hark-target-draft \(signature ok\), now active/);
    expect(readManifest(d.env.HARK_MODELS_DIR!).models.find((e) => e.name === "hark-target")?.source).toMatch(/bundle 7\.1/);
  });

  it("models.trusted_key in hark.yaml is the trusted key too", () => {
    const d = setup();
    const b = packed(d);
    hark(["models", "keygen", "--out", join(d.dir, "other")], undefined, d.env);
    const cfg = join(d.dir, "hark.yaml");
    writeFileSync(cfg, `models:\n  trusted_key: ${join(d.dir, "other/hark-models.pub")}\n`);
    const r = hark(["models", "add", b, "--config", cfg], undefined, d.env);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/not signed by the trusted key/);
  });
});
