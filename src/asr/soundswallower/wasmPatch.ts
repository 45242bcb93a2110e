// A speed patch to soundswallower's WebAssembly binary, applied when hark compiles it.
//
// PocketSphinx's fsg_history_end_frame (fsg_history.c) runs after every frame and walks every FSG
// state × left-context phone cell, moving that cell's new history entries to the frame's list and
// freeing the list — a function call and a store even for the empty cells, which are nearly all of
// them. With the default grammars (662 states × 42 phones ≈ 28,000 cells a frame) that walk alone took
// ≈ 30 % of decoding time (V8 profile: this function 24 %, the glist_free it calls 5 %). The
// replacement does exactly the same for every non-empty cell and only reads the empty ones.
//
// The patch is applied only to the function body it was written for (matched by its SHA-256, so
// another soundswallower build is left alone) and can be turned off with HARK_ASR_PATCH=0.
import { createHash } from "node:crypto";
import { harkEnv } from "../../platform/env.js";

/** The body of fsg_history_end_frame in soundswallower 0.6.3's soundswallower.node.wasm (func 358): size, SHA-256. */
const END_FRAME_BYTES = 190;
const END_FRAME_SHA256 = "0af62bedb9bdfee5722b464dd02c1bdef55ddec96acea0930b3f7c6e35f6e3a3";
/** Functions that body calls: blkarray_list_append(list, ptr) and glist_free(list). */
const APPEND_FN = 315;
const GLIST_FREE_FN = 35;

export interface PatchResult {
  bytes: Uint8Array<ArrayBuffer>;
  /** Names of the patches applied (empty: the binary is unchanged). */
  applied: string[];
}

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
}

function readUleb(b: Uint8Array, o: number): [value: number, next: number] {
  let r = 0;
  let shift = 0;
  let x: number;
  do {
    x = b[o++]!;
    r += (x & 0x7f) * 2 ** shift;
    shift += 7;
  } while (x & 0x80);
  return [r, o];
}

// WebAssembly opcodes used below.
const OP = {
  block: 0x02, loop: 0x03, if: 0x04, end: 0x0b, br: 0x0c, brIf: 0x0d, call: 0x10, select: 0x1b,
  get: 0x20, set: 0x21, tee: 0x22, load: 0x28, store: 0x36, const: 0x41,
  eq: 0x46, gtS: 0x4a, add: 0x6a, shl: 0x74, void: 0x40, i32: 0x7f,
} as const;

/**
 * The new fsg_history_end_frame(h). Locals: 0 h, 1 s, 2 lc, 3 n_state, 4 n_ciphone, 5 row, 6 cell, 7 gn.
 * h: +0 fsg (fsg->n_state at +32), +4 entries, +8 frame_entries (rows of cells), +12 n_ciphone;
 * a list node: +0 the entry, +8 next.
 *
 *   np = max(h->n_ciphone, 0); ns = max(h->fsg->n_state, 0)
 *   for (s = 0; s != ns; s++) { row = h->frame_entries[s];
 *     for (lc = 0; lc != np; lc++) { cell = &row[lc];
 *       if ((gn = *cell)) { do append(h->entries, gn->data); while ((gn = gn->next));
 *                           glist_free(*cell); *cell = 0; } } }
 */
function endFrameBody(): Uint8Array {
  const load = (offset: number) => [OP.load, 2, ...uleb(offset)];
  const nonNegative = (local: number) => [OP.tee, local, OP.const, 0, OP.get, local, OP.const, 0, OP.gtS, OP.select, OP.set, local];
  const code = [
    1, 7, OP.i32, // one group of 7 i32 locals
    OP.get, 0, ...load(12), ...nonNegative(4),
    OP.get, 0, ...load(0), ...load(32), ...nonNegative(3),
    OP.block, OP.void, OP.loop, OP.void,
    OP.get, 1, OP.get, 3, OP.eq, OP.brIf, 1,
    OP.get, 0, ...load(8), OP.get, 1, OP.const, 2, OP.shl, OP.add, ...load(0), OP.set, 5,
    OP.const, 0, OP.set, 2,
    OP.block, OP.void, OP.loop, OP.void,
    OP.get, 2, OP.get, 4, OP.eq, OP.brIf, 1,
    OP.get, 5, OP.get, 2, OP.const, 2, OP.shl, OP.add, OP.tee, 6, ...load(0), OP.tee, 7,
    OP.if, OP.void,
    OP.loop, OP.void,
    OP.get, 0, ...load(4), OP.get, 7, ...load(0), OP.call, ...uleb(APPEND_FN),
    OP.get, 7, ...load(8), OP.tee, 7, OP.brIf, 0,
    OP.end,
    OP.get, 6, ...load(0), OP.call, ...uleb(GLIST_FREE_FN),
    OP.get, 6, OP.const, 0, OP.store, 2, 0,
    OP.end,
    OP.get, 2, OP.const, 1, OP.add, OP.set, 2, OP.br, 0,
    OP.end, OP.end,
    OP.get, 1, OP.const, 1, OP.add, OP.set, 1, OP.br, 0,
    OP.end, OP.end,
    OP.end,
  ];
  return Uint8Array.from(code);
}

/** soundswallower's binary with the speed patch applied where its function is found unchanged. */
/** `enabled` false (HARK_ASR_PATCH=0, read at the call by default) returns the binary unchanged. */
export function patchSoundSwallower(wasm: Uint8Array, enabled = harkEnv().asrPatch): PatchResult {
  const unchanged = (): PatchResult => ({ bytes: new Uint8Array(wasm), applied: [] });
  if (!enabled) return unchanged();
  if (wasm.length < 8 || wasm[0] !== 0 || wasm[1] !== 0x61 || wasm[2] !== 0x73 || wasm[3] !== 0x6d) return unchanged();
  let o = 8;
  while (o < wasm.length) {
    const id = wasm[o]!;
    const [size, payload] = readUleb(wasm, o + 1);
    const end = payload + size;
    if (id === 10) {
      const [count, first] = readUleb(wasm, payload);
      let p = first;
      for (let i = 0; i < count; i++) {
        const [len, body] = readUleb(wasm, p);
        if (len === END_FRAME_BYTES && createHash("sha256").update(wasm.subarray(body, body + len)).digest("hex") === END_FRAME_SHA256) {
          // Same module with this one body replaced: the code section's and the body's sizes change.
          const replacement = endFrameBody();
          const bodySize = uleb(replacement.length);
          const sectionSize = uleb(size - (body - p) - len + bodySize.length + replacement.length);
          const parts = [wasm.subarray(0, o + 1), sectionSize, wasm.subarray(payload, p), bodySize, replacement, wasm.subarray(body + len)];
          const out = new Uint8Array(parts.reduce((n, x) => n + x.length, 0));
          let w = 0;
          for (const x of parts) {
            out.set(x, w);
            w += x.length;
          }
          return { bytes: out, applied: ["fsg_history_end_frame"] };
        }
        p = body + len;
      }
    }
    o = end;
  }
  return unchanged();
}
