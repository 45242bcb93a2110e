// A deterministic two-way split of a recording set by file name, so that a threshold or a fit can
// be tuned on one half and reported on the other: FNV-1a (32 bit) of the base name, even → "A".
import { basename } from "node:path";

export type Half = "A" | "B";

export function halfOf(file: string): Half {
  const name = basename(file);
  let h = 2166136261;
  for (const byte of Buffer.from(name, "utf8")) h = Math.imul(h ^ byte, 16777619) >>> 0;
  return h % 2 === 0 ? "A" : "B";
}
