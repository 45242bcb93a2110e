// Runs the real `hark` binary (built into dist/ by `npm test`).
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

export const HARK = fileURLToPath(new URL("../../bin/hark.js", import.meta.url));

export interface CliResult {
  status: number | null;
  /** The signal that ended the process, when one did (status is then null). */
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function hark(args: string[], input?: string | Buffer, env: Record<string, string> = {}): CliResult {
  const r = spawnSync(process.execPath, [HARK, ...args], {
    input,
    encoding: "utf8",
    env: { ...process.env, ...env },
    maxBuffer: 64 * 1024 * 1024,
    timeout: 120_000,
  });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}
