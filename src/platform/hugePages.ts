// Transparent huge pages for large WebAssembly memories (the grammar decoder's heap), through the
// optional native helper in native/hugepages (built by native/build.mjs at `npm install`; hark works
// the same without it, only its start-up pays more page faults where they are expensive).
//
// Set HARK_HUGEPAGES=0 to turn it off (A/B measurements: `hark bench --suite asr` reports which).
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { harkEnv } from "./env.js";

interface Helper {
  madviseHuge(buffer: ArrayBuffer, reserveBytes?: number): number;
}

let helper: Helper | null | undefined;
/** The last madvise's result: MiB advised, or -errno. */
let last: number | undefined;

function load(enabled: boolean): Helper | null {
  if (helper !== undefined) return helper;
  helper = null;
  if (!enabled || process.platform !== "linux") return helper;
  // native/ at the package root: two levels up from src/platform, three from dist/src/platform.
  for (const up of ["../../", "../../../"]) {
    const file = fileURLToPath(new URL(`${up}native/hugepages/build/Release/hugepages.node`, import.meta.url));
    if (!existsSync(file)) continue;
    try {
      helper = createRequire(import.meta.url)(file) as Helper;
      break;
    } catch {
      // built for another Node ABI or platform: 4 KiB pages as before
    }
  }
  return helper;
}

/** What the last advice did: "on", "off" (HARK_HUGEPAGES=0), "missing" (no helper), "refused" (the kernel said no). */
export function hugePagesState(enabled = harkEnv().hugePages): "on" | "off" | "missing" | "refused" {
  if (!enabled) return "off";
  if (!load(enabled)) return "missing";
  return last !== undefined && last < 0 ? "refused" : "on";
}

/**
 * Advise huge pages for `memory` and the `reserveBytes` of address space from its start that it may
 * grow into (a WebAssembly memory's growth stays in the range V8 reserved for it). Returns the MiB
 * advised, 0 when not possible. Only memory touched after the call gets huge pages. `enabled` false
 * (HARK_HUGEPAGES=0, read at the first call by default) leaves every memory as it is.
 */
export function adviseHugePages(memory: ArrayBuffer, reserveBytes = 0, enabled = harkEnv().hugePages): number {
  const h = load(enabled);
  if (!h) return 0;
  last = h.madviseHuge(memory, reserveBytes);
  return last > 0 ? last : 0;
}
