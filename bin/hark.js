#!/usr/bin/env node
// Thin launcher: the CLI is compiled to dist/ by `npm install` (prepare) and `npm test`.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const entry = new URL("../dist/src/cli/main.js", import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write("hark: not built yet; run `npm install` (or `npm run build`) first\n");
  process.exit(1);
}
const { main } = await import(entry.href);
const code = await main(process.argv.slice(2));
process.exitCode = code;
// A failed command has said why; whatever it left open (a broker, a worker) must not keep it hanging.
if (code !== 0) process.stdout.write("", () => process.exit(code));
