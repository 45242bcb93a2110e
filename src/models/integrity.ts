// Model integrity at load: a registered model whose sha256 differs from its manifest entry is refused.
// Hashing is cached per file stamp (path, size, mtime, ctime, inode) in hark's cache folder, so an
// unchanged file is hashed once; any write to it changes the stamp and it is hashed again. The cache
// only remembers which hash a stamp had: the comparison with the manifest is made at every load.
import { createHash } from "node:crypto";
import { existsSync, type Stats } from "node:fs";
import { stat } from "node:fs/promises";
import { isAbsolute, relative, resolve } from "node:path";
import { readCached, writeCached } from "../compile/cache.js";
import { decryptToPrivateFile, deviceKey, isEncrypted, type Decrypted } from "./crypt.js";
import { ModelError, modelsDir, readManifest, resolveFile, sha256File, type ModelEntry } from "./manifest.js";

const KIND = "model-sha256";
/**
 * File timestamps are coarse (a kernel tick; 2 s on FAT): a file written again within the same tick keeps
 * its stamp. So a hash is only cached once the file had been left alone this long before it was read
 * (git's "racily clean" rule); a fresher file is hashed at every load until then.
 */
const SETTLE_MS = 2000;

interface Stamp {
  path: string;
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  ino: number;
  dev: number;
}

interface Entry {
  stamp: Stamp;
  sha256: string;
}

const stampOf = (path: string, s: Stats): Stamp => ({ path, size: s.size, mtimeMs: s.mtimeMs, ctimeMs: s.ctimeMs, ino: s.ino, dev: s.dev });
const sameStamp = (a: Stamp, b: Stamp): boolean =>
  a.path === b.path && a.size === b.size && a.mtimeMs === b.mtimeMs && a.ctimeMs === b.ctimeMs && a.ino === b.ino && a.dev === b.dev;

export class IntegrityError extends ModelError {
  override name = "IntegrityError";
}

/** sha256 of a file, and whether it came from the cache (true) or was computed now (false). */
export async function fileSha256(file: string): Promise<{ sha256: string; cached: boolean }> {
  const path = resolve(file);
  const at = Date.now();
  const before = stampOf(path, await stat(path));
  const key = createHash("sha256").update(path).digest("hex");
  const hit = await readCached<Entry>(KIND, key);
  if (hit?.stamp && sameStamp(hit.stamp, before) && /^[0-9a-f]{64}$/.test(String(hit.sha256))) return { sha256: hit.sha256, cached: true };
  const sha256 = await sha256File(path);
  // Cache only what was hashed from a settled file that did not change while it was read.
  const after = stampOf(path, await stat(path));
  if (sameStamp(before, after) && before.mtimeMs <= at - SETTLE_MS) await writeCached(KIND, key, { stamp: before, sha256 } satisfies Entry);
  return { sha256, cached: false };
}

/** The manifest entry that registers this file (in the models folder's manifest), if any. */
function registeredEntry(file: string, models: ModelEntry[], dir: string): ModelEntry | undefined {
  const path = resolve(file);
  return models.find((e) => resolve(resolveFile(e, dir)) === path);
}

/** A path as the user knows it: relative to the working folder when inside it. */
function shown(file: string): string {
  const rel = relative(process.cwd(), resolve(file));
  return rel && !rel.startsWith("..") && !isAbsolute(rel) ? rel : resolve(file);
}

export interface IntegrityResult {
  file: string;
  /** The manifest entry compared against; undefined for a file no manifest entry registers (nothing to compare). */
  entry?: ModelEntry;
  sha256?: string;
  /** The hash came from the cache (the file's stamp had not changed since it was last hashed). */
  cached?: boolean;
}

/**
 * Refuse a registered model file whose sha256 differs from its manifest entry (IntegrityError, one line
 * naming the file). Files no manifest entry registers (a bench's HARK_SLM_MODEL, a test's model) pass:
 * there is nothing to compare them with.
 */
export async function checkModelFile(file: string, dir = modelsDir()): Promise<IntegrityResult> {
  return (await checkModelFiles([file], dir))[0]!;
}

/** checkModelFile for several files (target and draft), reading the manifest once. */
export async function checkModelFiles(files: string[], dir = modelsDir()): Promise<IntegrityResult[]> {
  const models = readManifest(dir).models;
  const results: IntegrityResult[] = [];
  for (const file of files) {
    if (!existsSync(file)) throw new ModelError(`${shown(file)}: no such file`);
    const entry = registeredEntry(file, models, dir);
    if (!entry?.sha256) {
      results.push({ file, ...(entry ? { entry } : {}) });
      continue;
    }
    const { sha256, cached } = await fileSha256(file);
    if (sha256 !== entry.sha256.toLowerCase())
      throw new IntegrityError(`${shown(file)}: sha256 mismatch (manifest ${entry.sha256.slice(0, 8)}…, file ${sha256.slice(0, 8)}…): refusing to load it`);
    results.push({ file, entry, sha256, cached });
  }
  return results;
}

export interface LoadableModels {
  /** The paths to hand to llama.cpp, in the order given (a decrypted copy for an encrypted file). */
  paths: string[];
  /** Files that were encrypted at rest, and how long decrypting them took (ms). */
  decrypted: Array<{ file: string; ms: number }>;
  /** Remove every decrypted copy (call as soon as the models are loaded, also on failure). */
  cleanup(): void;
}

/**
 * The model files ready to load: plaintext files are checked against their manifest entry
 * (checkModelFiles); an encrypted file (src/models/crypt.ts) is decrypted with the device key into a
 * private tmpfs file, and the sha256 of its plaintext is compared with the entry the same way.
 */
export async function loadableModelFiles(files: string[], dir = modelsDir()): Promise<LoadableModels> {
  const copies: Decrypted[] = [];
  const cleanup = () => {
    for (const c of copies) c.remove();
  };
  try {
    const paths: string[] = [];
    const decrypted: LoadableModels["decrypted"] = [];
    const models = readManifest(dir).models;
    for (const file of files) {
      if (!isEncrypted(file)) {
        await checkModelFiles([file], dir);
        paths.push(file);
        continue;
      }
      const key = deviceKey();
      if (!key) throw new ModelError(`${shown(file)}: encrypted at rest; give the device key ($HARK_MODELS_KEY or $HARK_MODELS_KEY_FILE)`);
      const t0 = performance.now();
      const copy = decryptToPrivateFile(file, key);
      copies.push(copy);
      decrypted.push({ file, ms: performance.now() - t0 });
      const entry = registeredEntry(file, models, dir);
      if (entry?.sha256 && copy.sha256 !== entry.sha256.toLowerCase())
        throw new IntegrityError(`${shown(file)}: sha256 mismatch after decryption (manifest ${entry.sha256.slice(0, 8)}…, file ${copy.sha256.slice(0, 8)}…): refusing to load it`);
      paths.push(copy.path);
    }
    return { paths, decrypted, cleanup };
  } catch (err) {
    cleanup();
    throw err;
  }
}
