// Weights encrypted at rest (src/models/crypt.ts, `hark models encrypt|decrypt`): the SLM decrypts with
// the device key at load and understands the same; a wrong key or a group/world-readable key file is
// refused in one line (exit 1); the plaintext copy is removed after loading.
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { projectRoot } from "../src/grammar/paths.js";
import { decryptBuffer, encryptBuffer, ENC_MAGIC } from "../src/models/crypt.js";
import { readManifest, sha256File } from "../src/models/manifest.js";
import { hark } from "./helpers/cli.js";

const shipped = join(projectRoot(), "models");
const hasModels = readManifest(shipped).active.slm === "hark-target";
const root = mkdtempSync(join(tmpdir(), "hark-encrypt-test-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const TEXT = "turn on the kitchen lights";

let n = 0;
function setup(): { dir: string; models: string; env: Record<string, string> } {
  const dir = join(root, `case${++n}`);
  const models = join(dir, "models");
  mkdirSync(models, { recursive: true });
  mkdirSync(join(dir, "cache"));
  mkdirSync(join(dir, "run"), { mode: 0o700 });
  for (const f of readdirSync(shipped, { withFileTypes: true })) if (f.isFile()) copyFileSync(join(shipped, f.name), join(models, f.name));
  return { dir, models, env: { HARK_MODELS_DIR: models, HARK_CACHE_DIR: join(dir, "cache"), HARK_SLM: "1", HARK_MODELS_KEY: "", HARK_MODELS_KEY_FILE: "", XDG_RUNTIME_DIR: join(dir, "run") } };
}
const intents = (stdout: string) => (JSON.parse(stdout) as { intents: unknown }).intents;

describe("AES-256-GCM container", () => {
  it("round-trips and refuses another key", () => {
    const k = Buffer.alloc(32, 7);
    const e = encryptBuffer(Buffer.from("weights"), k);
    expect(e.subarray(0, 8).equals(ENC_MAGIC)).toBe(true);
    expect(decryptBuffer(e, k).toString()).toBe("weights");
    expect(() => decryptBuffer(e, Buffer.alloc(32, 8), "m.gguf")).toThrow(/^m\.gguf: cannot decrypt \(wrong device key/);
  });
});

describe.skipIf(!hasModels)("encrypted model files", () => {
  it("encrypt → the SLM understands the same as unencrypted; the plaintext copy is gone; decrypt restores the files", () => {
    const d = setup();
    const plain = hark(["understand", "--engine", "slm", TEXT], undefined, d.env);
    expect(plain.status).toBe(0);
    const sha = readManifest(d.models).models.find((e) => e.name === "hark-target")!.sha256;
    const key = join(d.dir, "device.key");
    const enc = hark(["models", "encrypt", "--key-file", key], undefined, d.env);
    expect(enc.status).toBe(0);
    expect(enc.stdout).toBe("encrypted hark-target\nencrypted hark-target-draft\n");
    expect(statSync(key).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(d.models, "hark-target-q8_0.gguf")).subarray(0, 8).equals(ENC_MAGIC)).toBe(true);
    const r = hark(["understand", "--engine", "slm", TEXT], undefined, { ...d.env, HARK_MODELS_KEY_FILE: key });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(intents(r.stdout)).toEqual(intents(plain.stdout));
    expect(intents(r.stdout)).toMatchObject([{ intent: "HassTurnOn", source: "slm" }]);
    expect(readdirSync(join(d.dir, "run"))).toEqual([]);
    const viaEnv = hark(["understand", "--engine", "slm", TEXT], undefined, { ...d.env, HARK_MODELS_KEY: readFileSync(key, "utf8").trim() });
    expect(intents(viaEnv.stdout)).toEqual(intents(plain.stdout));
    expect(hark(["models", "decrypt", "--key-file", key], undefined, d.env).status).toBe(0);
    return sha256File(join(d.models, "hark-target-q8_0.gguf")).then((s) => expect(s).toBe(sha));
  });

  it("a wrong key: exit 1, one clear line; no key: one line saying so", () => {
    const d = setup();
    const key = join(d.dir, "device.key");
    expect(hark(["models", "encrypt", "--key-file", key], undefined, d.env).status).toBe(0);
    const r = hark(["understand", "--engine", "slm", TEXT], undefined, { ...d.env, HARK_MODELS_KEY: "0".repeat(64) });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^hark: .*hark-target-q8_0\.gguf: cannot decrypt \(wrong device key, or the file is damaged\): refusing to load it\n$/);
    const none = hark(["understand", "--engine", "slm", TEXT], undefined, d.env);
    expect(none.status).toBe(1);
    expect(none.stderr).toMatch(/^hark: .*hark-target-q8_0\.gguf: encrypted at rest; give the device key/);
  });

  it("a key file readable by group or others (0644) is refused", () => {
    const d = setup();
    const key = join(d.dir, "device.key");
    expect(hark(["models", "encrypt", "--key-file", key], undefined, d.env).status).toBe(0);
    chmodSync(key, 0o644);
    const r = hark(["understand", "--engine", "slm", TEXT], undefined, { ...d.env, HARK_MODELS_KEY_FILE: key });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^hark: .*device\.key: key file is readable by others \(mode 0644\); chmod 600 .*\n$/);
    const dec = hark(["models", "decrypt", "--key-file", key], undefined, d.env);
    expect(dec.status).toBe(1);
    expect(dec.stderr).toMatch(/key file is readable by others/);
  });
});
