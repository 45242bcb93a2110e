// hark bench --suite e2e: end-of-input → MQTT publish latency for typed and spoken (WAV) input, and the
// start-up time of a fresh `hark run` process (process start → "hark ready" log line).
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { benchE2e } from "./latency.js";

export interface StartupSample {
  /** Spawn → the "hark ready" log line on stderr, ms. */
  readyMs: number;
  /** Spawn → the answer to "turn on the kitchen lights" on stdout, ms. */
  answerMs: number;
  /** The light was commanded and confirmed by the device. */
  ok: boolean;
}

const ROOT = fileURLToPath(new URL("../../../", import.meta.url)); // dist/src/bench → repo root

/** Start `node bin/hark.js run` (or `npm start`) fresh, type one request, end input; time the milestones. */
export async function startupOnce(how: "node" | "npm" = "node", timeoutMs = 30_000): Promise<StartupSample> {
  const t0 = performance.now();
  const child =
    how === "npm"
      ? spawn("npm", ["start", "--silent", "--", "--log-level", "info", "--no-speak"], { cwd: ROOT, stdio: ["pipe", "pipe", "pipe"] })
      : spawn(process.execPath, ["bin/hark.js", "run", "--log-level", "info", "--no-speak"], { cwd: ROOT, stdio: ["pipe", "pipe", "pipe"] });
  let readyMs = NaN;
  let answerMs = NaN;
  let ok = false;
  let err = "";
  let out = "";
  const done = new Promise<void>((resolve) => {
    child.stderr.on("data", (d: Buffer) => {
      err += d.toString();
      if (Number.isNaN(readyMs) && err.includes('"hark ready"')) {
        readyMs = performance.now() - t0;
        child.stdin.end("turn on the kitchen lights\n");
      }
    });
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      if (Number.isNaN(answerMs) && out.includes("\n")) {
        answerMs = performance.now() - t0;
        try {
          const a = JSON.parse(out.split("\n")[0]!) as { commands?: Array<{ device: string; ok: boolean }> };
          ok = !!a.commands?.some((c) => c.device === "light.kitchen_pendants" && c.ok);
        } catch {
          ok = false;
        }
      }
    });
    child.on("close", () => resolve());
  });
  const timer = setTimeout(() => child.kill("SIGTERM"), timeoutMs);
  await done;
  clearTimeout(timer);
  if (Number.isNaN(readyMs)) throw new Error(`hark run never became ready: ${err.trim().split("\n").slice(-8).join(" | ")}`);
  const r = (x: number) => Math.round(x);
  return { readyMs: r(readyMs), answerMs: r(answerMs), ok };
}

/** The suite (registered as "e2e" in src/cli/commands/bench.ts; -n sets the rounds, default 10). */
export async function e2eSuite(opts: Record<string, unknown>): Promise<unknown> {
  const rounds = typeof opts.count === "number" ? opts.count : 10;
  const progress = (m: string) => process.stderr.write(`${m}\n`);
  progress("e2e: text input");
  const text = await benchE2e({ rounds, input: "text" });
  progress("e2e: WAV input (flite → VAD → grammar ASR)");
  const wav = await benchE2e({ rounds, input: "wav" });
  progress("e2e: live input (paced 20 ms PCM chunks → live listener → publish)");
  const live = await benchE2e({ rounds: Math.max(1, Math.ceil(rounds / 2)), input: "live" });
  progress("e2e: start-up of fresh processes");
  const node: StartupSample[] = [];
  // One retry per sample: dist/ may be rebuilt underneath a running bench.
  const once = (how: "node" | "npm") => startupOnce(how).catch(() => startupOnce(how));
  for (let i = 0; i < 5; i++) node.push(await once("node"));
  const npm: StartupSample[] = [];
  for (let i = 0; i < 3; i++) npm.push(await once("npm"));
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
  return {
    suite: "e2e",
    latency: { text, wav, live },
    startup: {
      "node bin/hark.js run": { readyMedianMs: med(node.map((s) => s.readyMs)), readyMaxMs: Math.max(...node.map((s) => s.readyMs)), samples: node },
      "npm start": { readyMedianMs: med(npm.map((s) => s.readyMs)), readyMaxMs: Math.max(...npm.map((s) => s.readyMs)), samples: npm },
    },
  };
}
