// Model weights encrypted at rest (docs/models.md "Encrypted weights"): AES-256-GCM with a device key.
// An encrypted file is  "HARKENC1" (8 bytes) | IV (12) | GCM tag (16) | ciphertext  — the magic is the
// additional authenticated data. The manifest keeps the sha256 of the plaintext, so the integrity check
// at load still compares what llama.cpp will read with what was registered. node-llama-cpp loads only
// from a path, so the SLM loader decrypts into a private file (0600, in a 0700 folder) on a tmpfs
// ($XDG_RUNTIME_DIR, else /dev/shm), loads it and removes it at once.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, readSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { harkEnv, type HarkEnv } from "../platform/env.js";
import { ModelError } from "./manifest.js";

export const ENC_MAGIC = Buffer.from("HARKENC1");
const IV = 12;
const TAG = 16;
const HEAD = ENC_MAGIC.length + IV + TAG;

/** The file starts with the encryption magic. */
export function isEncrypted(file: string): boolean {
  if (!existsSync(file)) return false;
  const fd = openSync(file, "r");
  try {
    const b = Buffer.alloc(ENC_MAGIC.length);
    return readSync(fd, b, 0, b.length, 0) === b.length && b.equals(ENC_MAGIC);
  } finally {
    closeSync(fd);
  }
}

function parseKey(text: string, where: string): Buffer {
  const t = text.trim();
  if (!/^[0-9a-fA-F]{64}$/.test(t)) throw new ModelError(`${where}: a device key is 64 hex digits (32 bytes)`);
  return Buffer.from(t, "hex");
}

/** Read a key file; refuse one that group or others may read (one line). */
export function readKeyFile(file: string): Buffer {
  if (!existsSync(file)) throw new ModelError(`${file}: no such key file`);
  const mode = statSync(file).mode & 0o777;
  if (mode & 0o077) throw new ModelError(`${file}: key file is readable by others (mode ${mode.toString(8).padStart(4, "0")}); chmod 600 ${file}`);
  return parseKey(readFileSync(file, "utf8"), file);
}

/** Write a new random device key (mode 0600); refuses to overwrite. */
export function writeNewKeyFile(file: string): Buffer {
  if (existsSync(file)) throw new ModelError(`${file}: already exists (not overwritten)`);
  const key = randomBytes(32);
  writeFileSync(file, key.toString("hex") + "\n", { mode: 0o600, flag: "wx" });
  return key;
}

/** The device key: a given key file, else $HARK_MODELS_KEY, else $HARK_MODELS_KEY_FILE; undefined when none. */
export function deviceKey(keyFile?: string, env: HarkEnv = harkEnv()): Buffer | undefined {
  if (keyFile) return readKeyFile(keyFile);
  if (env.modelsKey) return parseKey(env.modelsKey, "$HARK_MODELS_KEY");
  if (env.modelsKeyFile) return readKeyFile(env.modelsKeyFile);
  return undefined;
}

export function encryptBuffer(plain: Buffer, key: Buffer): Buffer {
  const iv = randomBytes(IV);
  const c = createCipheriv("aes-256-gcm", key, iv);
  c.setAAD(ENC_MAGIC);
  const body = Buffer.concat([c.update(plain), c.final()]);
  return Buffer.concat([ENC_MAGIC, iv, c.getAuthTag(), body]);
}

/** Decrypt; a wrong key or a damaged file fails authentication (ModelError naming the file). */
export function decryptBuffer(data: Buffer, key: Buffer, file = "model"): Buffer {
  if (data.length < HEAD || !data.subarray(0, ENC_MAGIC.length).equals(ENC_MAGIC)) throw new ModelError(`${file}: not an encrypted model file`);
  const d = createDecipheriv("aes-256-gcm", key, data.subarray(ENC_MAGIC.length, ENC_MAGIC.length + IV));
  d.setAAD(ENC_MAGIC);
  d.setAuthTag(data.subarray(ENC_MAGIC.length + IV, HEAD));
  try {
    return Buffer.concat([d.update(data.subarray(HEAD)), d.final()]);
  } catch {
    throw new ModelError(`${file}: cannot decrypt (wrong device key, or the file is damaged): refusing to load it`);
  }
}

/** Replace a file atomically (temp file beside it, then rename), keeping its mode. */
function replaceFile(file: string, data: Buffer): void {
  const tmp = join(dirname(file), `.${Date.now()}.${process.pid}.tmp`);
  writeFileSync(tmp, data, { mode: statSync(file).mode & 0o777 });
  renameSync(tmp, file);
}

/** Encrypt a file in place; false when it already was. */
export function encryptFile(file: string, key: Buffer): boolean {
  if (isEncrypted(file)) return false;
  replaceFile(file, encryptBuffer(readFileSync(file), key));
  return true;
}

/** Decrypt a file in place; false when it was not encrypted. */
export function decryptFile(file: string, key: Buffer): boolean {
  if (!isEncrypted(file)) return false;
  replaceFile(file, decryptBuffer(readFileSync(file), key, file));
  return true;
}

/** A private folder (0700) on a tmpfs when there is one: $XDG_RUNTIME_DIR, else /dev/shm, else the OS temp folder. */
function privateDir(env: NodeJS.ProcessEnv = process.env): string {
  const bases = [env.XDG_RUNTIME_DIR, "/dev/shm", tmpdir()].filter((b): b is string => !!b && existsSync(b));
  for (const base of bases) {
    try {
      return mkdtempSync(join(base, "hark-model-"));
    } catch {
      /* next */
    }
  }
  throw new ModelError("no private folder to decrypt the model into ($XDG_RUNTIME_DIR, /dev/shm)");
}

export interface Decrypted {
  /** The plaintext file to load (0600, private folder). */
  path: string;
  sha256: string;
  /** Remove the plaintext file and its folder (call right after loading). */
  remove(): void;
}

/** Decrypt an encrypted model into a private file; the caller loads it and removes it. */
export function decryptToPrivateFile(file: string, key: Buffer): Decrypted {
  const plain = decryptBuffer(readFileSync(file), key, file);
  const sha256 = createHash("sha256").update(plain).digest("hex");
  const dir = privateDir();
  const path = join(dir, "model.gguf");
  writeFileSync(path, plain, { mode: 0o600 });
  plain.fill(0);
  return { path, sha256, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
