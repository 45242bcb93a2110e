// The optional native helper that asks Linux for transparent huge pages on the decoder's WASM memory
// (native/hugepages, src/platform/hugePages.ts). CI builds it at `npm install` and must have it; on
// other machines a missing helper only skips these tests (hark runs without it).
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { newSoundSwallower } from "../src/asr/soundswallower/index.js";
import { adviseHugePages, hugePagesState } from "../src/platform/hugePages.js";

const state = hugePagesState();
const required = !!process.env.CI && process.platform === "linux";

/** Size in MiB of each mapping of this process whose VmFlags carry "hg" (MADV_HUGEPAGE). */
function advisedMappings(): number[] {
  const out: number[] = [];
  let size = 0;
  for (const line of readFileSync("/proc/self/smaps", "utf8").split("\n")) {
    const m = /^Size:\s+(\d+) kB/.exec(line);
    if (m) size = Number(m[1]) / 1024;
    if (line.startsWith("VmFlags:") && line.split(/\s+/).includes("hg")) out.push(size);
  }
  return out;
}

describe("huge pages for WASM memories", () => {
  it.skipIf(!required)("the helper is built where CI runs (linux, a compiler, npm install)", () => {
    expect(state).toBe("on");
  });

  it.skipIf(state !== "on")("advises a WebAssembly memory and the address space it grows into", () => {
    const mem = new WebAssembly.Memory({ initial: 64 * 16, maximum: 16384 }); // 64 MiB, may grow to 1 GiB
    const before = advisedMappings().filter((mb) => mb >= 512).length;
    const mb = adviseHugePages(mem.buffer, 2 ** 30);
    // Whole 2 MiB pages inside [start, start + 1 GiB): at least 1 GiB minus the unaligned head.
    expect(mb).toBeGreaterThanOrEqual(1022);
    expect(mb).toBeLessThanOrEqual(1024);
    expect(advisedMappings().filter((m) => m >= 512).length).toBeGreaterThan(before);
    // Growing keeps working and the memory stays zeroed and writable.
    mem.grow(32 * 16);
    const u = new Uint8Array(mem.buffer);
    expect(u.length).toBe(96 << 20);
    expect(u[u.length - 1]).toBe(0);
    u[u.length - 1] = 7;
    expect(u[u.length - 1]).toBe(7);
  });

  it.skipIf(state !== "on")("advises nothing for a buffer smaller than one huge page, and rejects what is not an ArrayBuffer", () => {
    expect(adviseHugePages(new ArrayBuffer(4096))).toBe(0);
    expect(() => adviseHugePages("x" as unknown as ArrayBuffer)).toThrow(/ArrayBuffer/);
  });

  it.skipIf(state !== "on")("every soundswallower instance (the grammar decoder's heap) is advised up to its 2 GiB limit", async () => {
    const before = advisedMappings().filter((mb) => mb >= 1024).length;
    const ss = await newSoundSwallower();
    expect(ss.HEAPU8.length).toBeGreaterThan(0);
    expect(advisedMappings().filter((mb) => mb >= 1024).length).toBe(before + 1);
  });

  it("HARK_HUGEPAGES=0 turns it off", () => {
    // The built module (npm test builds first), in a process of its own: the setting is read once.
    const code = `import("${new URL("../dist/src/platform/hugePages.js", import.meta.url).pathname}").then(m => { const mem = new WebAssembly.Memory({ initial: 1024 }); console.log(m.hugePagesState(), m.adviseHugePages(mem.buffer)); })`;
    const r = spawnSync(process.execPath, ["-e", code], { env: { ...process.env, HARK_HUGEPAGES: "0" }, encoding: "utf8" });
    expect(r.stdout.trim()).toBe("off 0");
  });

  it("a helper that does not compile leaves `npm install` going: exit 0 and a warning", () => {
    const dir = mkdtempSync(join(tmpdir(), "hark-native-"));
    copyFileSync(new URL("../native/build.mjs", import.meta.url), join(dir, "build.mjs"));
    mkdirSync(join(dir, "broken"));
    writeFileSync(join(dir, "broken", "binding.gyp"), JSON.stringify({ targets: [{ target_name: "broken", sources: ["broken.c"] }] }));
    writeFileSync(join(dir, "broken", "broken.c"), "this is not C\n");
    const r = spawnSync(process.execPath, [join(dir, "build.mjs")], { encoding: "utf8" });
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/native\/broken not built \(hark works without it\)/);
  });
});
