#!/usr/bin/env node
// Builds hark's optional native helpers (native/*/binding.gyp) with the node-gyp that npm carries.
// Run by `npm install` (the prepare script). It never fails the install: without a C compiler or
// Node's headers hark runs without the helpers (src/platform/hugePages.ts falls back).
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const here = fileURLToPath(new URL(".", import.meta.url));
// npm sets npm_config_node_gyp for the scripts it runs; elsewhere look where npm keeps its own copy.
const npmDir = process.env.npm_execpath ? join(process.env.npm_execpath, "..", "..") : undefined;
const gyp = [process.env.npm_config_node_gyp, npmDir && join(npmDir, "node_modules", "node-gyp", "bin", "node-gyp.js")].find((p) => p && existsSync(p));

for (const name of readdirSync(here, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name)) {
  const dir = join(here, name);
  if (!existsSync(join(dir, "binding.gyp"))) continue;
  if (process.platform !== "linux") {
    console.log(`hark: native/${name} is for Linux only; skipped`);
    continue;
  }
  if (!gyp) {
    console.warn(`hark: node-gyp not found; native/${name} not built (hark works without it)`);
    continue;
  }
  const r = spawnSync(process.execPath, [gyp, "rebuild", "--directory", dir], { stdio: ["ignore", "ignore", "pipe"], encoding: "utf8" });
  if (r.status === 0) console.log(`hark: built native/${name}`);
  else console.warn(`hark: native/${name} not built (hark works without it): ${(r.stderr || r.error?.message || "").trim().split("\n").slice(-3).join(" | ")}`);
}
