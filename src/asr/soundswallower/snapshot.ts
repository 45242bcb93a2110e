// Decoder snapshots: the WASM memory of a soundswallower instance right after its decoder was
// initialised, cached on disk. A warm start copies the memory back into a fresh instance instead of
// parsing the acoustic model and building the grammar's lextree again (most of the start-up work).
//
// Only the non-zero 4 KiB pages are stored, as runs; a fresh instance's memory is zero except what its
// start-up wrote, which is checked and cleared. The file is written atomically and carries the key of
// everything the decoder was built from, so a stale or foreign snapshot is never used.
import { closeSync, fstatSync, futimesSync, mkdirSync, openSync, readdirSync, readSync, renameSync, rmSync, statSync, writeSync } from "node:fs";
import { dirname, join } from "node:path";

const MAGIC = 0x5353_4b48; // "HKSS"
const VERSION = 1;
const PAGE = 4096;
/** Snapshots kept per cache folder, most recently used first (each is the size of its decoder, ≈ 46 MB for the default grammars). */
export const KEEP_SNAPSHOTS = 6;

/** What a snapshot needs of a soundswallower instance. */
export interface SnapshotHeap {
  HEAPU8: Uint8Array;
  _malloc(n: number): number;
  _free(p: number): void;
}

interface Header {
  v: number;
  key: string;
  /** Memory size in bytes when saved. */
  size: number;
  /** The C decoder's address. */
  decoder: number;
  /** Non-zero pages: [first page, page count]. */
  runs: Array<[number, number]>;
}

/** Whether page `p` of the memory seen as 32-bit `words` holds any non-zero byte. */
function pageUsed(words: Uint32Array, p: number): boolean {
  const per = PAGE >>> 2;
  for (let i = p * per, end = i + per; i < end; i++) if (words[i] !== 0) return true;
  return false;
}

/** Runs of pages of `mem` that hold any non-zero byte. */
function nonZeroRuns(mem: Uint8Array): Array<[number, number]> {
  const words = new Uint32Array(mem.buffer, mem.byteOffset, mem.byteLength >>> 2);
  const pages = mem.byteLength / PAGE;
  const runs: Array<[number, number]> = [];
  let start = -1;
  for (let p = 0; p <= pages; p++) {
    const used = p < pages && pageUsed(words, p);
    if (used && start < 0) start = p;
    else if (!used && start >= 0) {
      runs.push([start, p - start]);
      start = -1;
    }
  }
  return runs;
}

/** Write the instance's memory (its decoder at `decoder`, initialised and unused) to `file`. False when it could not be written. */
export function saveSnapshot(file: string, heap: SnapshotHeap, decoder: number, key: string): boolean {
  const mem = heap.HEAPU8;
  const runs = nonZeroRuns(mem);
  const header = Buffer.from(JSON.stringify({ v: VERSION, key, size: mem.byteLength, decoder, runs } satisfies Header));
  const prefix = Buffer.alloc(8);
  prefix.writeUInt32LE(MAGIC, 0);
  prefix.writeUInt32LE(header.length, 4);
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    mkdirSync(dirname(file), { recursive: true });
    const fd = openSync(tmp, "w");
    try {
      writeSync(fd, prefix);
      writeSync(fd, header);
      for (const [first, count] of runs) {
        let off = first * PAGE;
        const end = off + count * PAGE;
        while (off < end) off += writeSync(fd, mem, off, end - off);
      }
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file); // a concurrent reader never sees half a snapshot
    prune(dirname(file), KEEP_SNAPSHOTS);
    return true;
  } catch {
    rmSync(tmp, { force: true }); // a full or read-only disk only costs the next start its build
    return false;
  }
}

/**
 * Copy a snapshot into `heap`, which must be a fresh instance nothing was allocated in yet. Returns the
 * decoder's address, or undefined when there is no usable snapshot for `key` (the heap is then unchanged
 * apart from having grown).
 */
export function restoreSnapshot(file: string, heap: SnapshotHeap, key: string): number | undefined {
  let fd: number;
  try {
    fd = openSync(file, "r");
  } catch {
    return undefined;
  }
  try {
    const prefix = Buffer.alloc(8);
    if (readSync(fd, prefix, 0, 8, 0) !== 8 || prefix.readUInt32LE(0) !== MAGIC) return undefined;
    const len = prefix.readUInt32LE(4);
    const raw = Buffer.alloc(len);
    if (readSync(fd, raw, 0, len, 8) !== len) return undefined;
    const h = JSON.parse(raw.toString("utf8")) as Header;
    if (h.v !== VERSION || h.key !== key || !Array.isArray(h.runs)) return undefined;
    const body = 8 + len;
    const pages = h.runs.reduce((n, [, c]) => n + c, 0);
    if (fstatSync(fd).size !== body + pages * PAGE) return undefined; // truncated
    // Grow through the instance's own allocator, so its views of the memory follow.
    if (heap.HEAPU8.byteLength < h.size) {
      const p = heap._malloc(h.size);
      if (!p) return undefined;
      heap._free(p);
      // The allocator left a chunk header past the end of that block, beyond what the snapshot covers.
      const end = p + h.size;
      heap.HEAPU8.fill(0, Math.max(h.size, end - 64), Math.min(heap.HEAPU8.byteLength, end + 64));
    }
    const mem = heap.HEAPU8;
    if (mem.byteLength < h.size) return undefined;
    let pos = body;
    for (const [first, count] of h.runs) {
      let off = first * PAGE;
      const end = off + count * PAGE;
      while (off < end) {
        const n = readSync(fd, mem, off, end - off, pos);
        if (n <= 0) throw new Error("short read");
        off += n;
        pos += n;
      }
    }
    clearGaps(mem, h.runs, h.size);
    try {
      const now = new Date();
      futimesSync(fd, now, now); // recently used: pruned last
    } catch {
      // someone else's file: it is only pruned earlier
    }
    return h.decoder;
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/** Zero the pages between runs (below `size`) that the fresh instance wrote at start-up. */
function clearGaps(mem: Uint8Array, runs: Array<[number, number]>, size: number): void {
  const words = new Uint32Array(mem.buffer, 0, size >>> 2);
  let page = 0;
  for (const [first, count] of [...runs, [size / PAGE, 0] as [number, number]]) {
    for (; page < first; page++) if (pageUsed(words, page)) mem.fill(0, page * PAGE, (page + 1) * PAGE);
    page = first + count;
  }
}

/** Remove all but the `keep` most recently used snapshots of `dir`. */
function prune(dir: string, keep: number): void {
  const snaps = readdirSync(dir)
    .filter((f) => f.endsWith(".snap"))
    .map((f) => {
      const path = join(dir, f);
      return { path, mtime: statSync(path, { throwIfNoEntry: false })?.mtimeMs ?? 0 };
    })
    .sort((a, b) => b.mtime - a.mtime);
  for (const s of snaps.slice(keep)) rmSync(s.path, { force: true });
}
