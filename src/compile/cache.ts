// Compiled artifacts are cached by the content hash of their sources, so start-up stays fast as grammars grow.
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { tmpdir } from "node:os";

/** HARK_CACHE_DIR, else hark-cache in the OS temp dir. */
export function cacheDir(): string {
  return process.env.HARK_CACHE_DIR ?? join(tmpdir(), "hark-cache");
}

export async function readCached<T>(kind: string, hash: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(join(cacheDir(), `${kind}-${hash}.json`), "utf8")) as T;
  } catch {
    return undefined; // missing or unreadable: recompile
  }
}

export async function writeCached(kind: string, hash: string, value: unknown): Promise<void> {
  try {
    const dir = cacheDir();
    await mkdir(dir, { recursive: true });
    const file = join(dir, `${kind}-${hash}.json`);
    const tmp = `${file}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify(value));
    await rename(tmp, file); // atomic: a concurrent reader never sees half a file
  } catch {
    // A read-only or full disk only costs recompilation next time.
  }
}
