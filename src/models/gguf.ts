// GGUF header check: enough to verify a model file (magic, version, metadata, tensor table, data size)
// and to read its vocabulary, without loading it. The header is parsed by node-llama-cpp's
// readGgufFileInfo (the reader of the runtime that loads the model); hark adds what that reader leaves
// out: a header or tensor data cut short (the reader pads a short file with zeros) is refused here,
// because llama.cpp may abort the process on such a file.
import { closeSync, openSync, readSync, statSync } from "node:fs";

export interface GgufInfo {
  version: number;
  tensors: number;
  /** Metadata by its GGUF key ("general.architecture", "tokenizer.ggml.tokens", …); 64-bit integers as numbers. */
  metadata: Record<string, unknown>;
  /** Bytes of tensor data the tensor table asks for (null when a tensor type's size is not known here). */
  dataBytes: number | null;
  fileBytes: number;
}

/**
 * Bytes per block and elements per block of the ggml types hark's models use (F32, F16, Q8_0, BF16);
 * a tensor of another type leaves the data size unknown (the file is not refused for it). The sizes are
 * in llama.cpp's bindings, which node-llama-cpp reaches only with the native library loaded.
 */
const TYPE_SIZE: Record<number, [number, number]> = { 0: [4, 1], 1: [2, 1], 8: [34, 32], 30: [2, 1] };

export class GgufError extends Error {}

/** GGUF metadata keys from node-llama-cpp's nested form back to flat keys; bigint → number where exact. */
function flatten(node: unknown, prefix: string, out: Record<string, unknown>): Record<string, unknown> {
  if (node !== null && typeof node === "object" && !Array.isArray(node)) {
    for (const [k, v] of Object.entries(node)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else out[prefix] = plain(node);
  return out;
}

function plain(v: unknown): unknown {
  if (typeof v === "bigint") return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(v) : v;
  if (Array.isArray(v)) return v.some((x) => typeof x === "bigint" || Array.isArray(x)) ? v.map(plain) : v;
  return v;
}

/**
 * The reader loops over the tensor and key counts the file states, reading zeros past its end: counts
 * that cannot fit in the file (a damaged header) are refused before it starts. A key/value takes at
 * least 13 bytes (key length, type, one byte), a tensor entry at least 24 (name length, dims, type, offset).
 */
function checkCounts(file: string, size: number): void {
  const head = Buffer.alloc(24);
  const fd = openSync(file, "r");
  try {
    readSync(fd, head, 0, 24, 0);
  } finally {
    closeSync(fd);
  }
  if (size < 24 || head.toString("latin1", 0, 4) !== "GGUF") return; // the reader reports these
  const tensors = head.readBigUInt64LE(8);
  const keys = head.readBigUInt64LE(16);
  if (tensors * 24n + keys * 13n > BigInt(size)) throw new GgufError(`${file}: truncated GGUF header (${tensors} tensors and ${keys} keys cannot fit in ${size} bytes)`);
}

export async function readGguf(file: string): Promise<GgufInfo> {
  const size = statSync(file).size;
  checkCounts(file, size);
  const { readGgufFileInfo } = await import("node-llama-cpp");
  let info: Awaited<ReturnType<typeof readGgufFileInfo>>;
  try {
    info = await readGgufFileInfo(file, { sourceType: "filesystem", spliceSplitFiles: false, logWarnings: false });
  } catch (err) {
    const e = err as Error;
    if (e.constructor?.name === "InvalidGgufMagicError" || /GGUF magic/i.test(e.message)) throw new GgufError(`${file}: not a GGUF file (bad magic)`);
    if (e.constructor?.name === "UnsupportedGgufValueTypeError") throw new GgufError(`${file}: ${e.message}`);
    // A damaged header (a length or count read from garbage) fails while reading it.
    throw new GgufError(`${file}: damaged GGUF header (${e.message.split("\n")[0]})`);
  }
  if (info.version < 2 || info.version > 3) throw new GgufError(`${file}: unsupported GGUF version ${info.version}`);
  const dataStart = info.infoEndOffset ?? 0;
  if (dataStart > size) throw new GgufError(`${file}: truncated GGUF header`);
  let dataBytes: number | null = 0;
  for (const t of info.tensorInfo ?? []) {
    const ts = TYPE_SIZE[t.ggmlType];
    if (!ts) {
      dataBytes = null;
      break;
    }
    const n = t.dimensions.reduce<number>((a, d) => a * Number(d), 1);
    dataBytes = Math.max(dataBytes, Number(t.offset) + (n / ts[1]) * ts[0]);
  }
  if (dataBytes !== null && dataStart + dataBytes > size)
    throw new GgufError(`${file}: truncated GGUF (tensor data needs ${dataStart + dataBytes} bytes, the file has ${size})`);
  return { version: info.version, tensors: Number(info.tensorCount), metadata: flatten(info.metadata, "", {}), dataBytes, fileBytes: size };
}

export function vocabOf(info: GgufInfo): string[] {
  return (info.metadata["tokenizer.ggml.tokens"] as string[] | undefined) ?? [];
}
