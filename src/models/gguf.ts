// GGUF header reader: enough to verify a model file (magic, version, metadata, tensor table, data size)
// and to read its vocabulary, without loading it.
import { openSync, readSync, closeSync, fstatSync } from "node:fs";

export interface GgufInfo {
  version: number;
  tensors: number;
  metadata: Record<string, unknown>;
  dataBytes: number | null;
  fileBytes: number;
}

/** Bytes per block and elements per block of the ggml types we can size (others: unknown size). */
const TYPE_SIZE: Record<number, [number, number]> = { 0: [4, 1], 1: [2, 1], 8: [34, 32], 30: [2, 1] };

export class GgufError extends Error {}

export function readGguf(file: string, maxHeader = 64 * 1024 * 1024): GgufInfo {
  const fd = openSync(file, "r");
  try {
    const size = fstatSync(fd).size;
    const len = Math.min(size, maxHeader);
    const buf = Buffer.alloc(len);
    readSync(fd, buf, 0, len, 0);
    let p = 0;
    const need = (n: number) => {
      if (p + n > buf.length) throw new GgufError(`${file}: truncated GGUF header`);
    };
    const u32 = () => (need(4), (p += 4), buf.readUInt32LE(p - 4));
    const u64 = () => (need(8), (p += 8), Number(buf.readBigUInt64LE(p - 8)));
    const str = () => {
      const n = u64();
      need(n);
      p += n;
      return buf.toString("utf8", p - n, p);
    };
    const val = (t: number): unknown => {
      switch (t) {
        case 0: return (need(1), buf.readUInt8(p++));
        case 1: return (need(1), buf.readInt8(p++));
        case 2: return (need(2), (p += 2), buf.readUInt16LE(p - 2));
        case 3: return (need(2), (p += 2), buf.readInt16LE(p - 2));
        case 4: return u32();
        case 5: return (need(4), (p += 4), buf.readInt32LE(p - 4));
        case 6: return (need(4), (p += 4), buf.readFloatLE(p - 4));
        case 7: return (need(1), buf.readUInt8(p++) !== 0);
        case 8: return str();
        case 9: {
          const et = u32();
          const n = u64();
          const arr: unknown[] = [];
          for (let i = 0; i < n; i++) arr.push(val(et));
          return arr;
        }
        case 10: return u64();
        case 11: return (need(8), (p += 8), Number(buf.readBigInt64LE(p - 8)));
        case 12: return (need(8), (p += 8), buf.readDoubleLE(p - 8));
        default: throw new GgufError(`${file}: unknown GGUF value type ${t}`);
      }
    };
    if (len < 4 || buf.toString("latin1", 0, 4) !== "GGUF") throw new GgufError(`${file}: not a GGUF file (bad magic)`);
    p = 4;
    const version = u32();
    if (version < 2 || version > 3) throw new GgufError(`${file}: unsupported GGUF version ${version}`);
    const tensors = u64();
    const nkv = u64();
    const metadata: Record<string, unknown> = {};
    for (let i = 0; i < nkv; i++) {
      const k = str();
      metadata[k] = val(u32());
    }
    let dataBytes: number | null = 0;
    for (let i = 0; i < tensors; i++) {
      str();
      const nd = u32();
      let n = 1;
      for (let d = 0; d < nd; d++) n *= u64();
      const type = u32();
      const off = u64();
      const ts = TYPE_SIZE[type];
      if (!ts) dataBytes = null;
      else if (dataBytes !== null) dataBytes = Math.max(dataBytes, off + (n / ts[1]) * ts[0]);
    }
    const align = Number(metadata["general.alignment"] ?? 32);
    const dataStart = Math.ceil(p / align) * align;
    if (dataBytes !== null && dataStart + dataBytes > size)
      throw new GgufError(`${file}: truncated GGUF (tensor data needs ${dataStart + dataBytes} bytes, the file has ${size})`);
    return { version, tensors, metadata, dataBytes, fileBytes: size };
  } finally {
    closeSync(fd);
  }
}

export function vocabOf(info: GgufInfo): string[] {
  return (info.metadata["tokenizer.ggml.tokens"] as string[] | undefined) ?? [];
}
