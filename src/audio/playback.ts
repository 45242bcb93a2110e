// Playback through `aplay` (alsa-utils). No native audio module: the `speaker` package aborts the
// whole process when no sound device exists, a spawned player just fails with a message.
import { spawn } from "node:child_process";
import { AudioError } from "./errors.js";
import { stderrReason, which } from "./source.js";
import { encodeWav16 } from "./wav.js";

export interface PlayOptions {
  /** Player command (default "aplay"); receives a WAV on stdin. */
  player?: string;
  /** Extra arguments before "-" (default ["-q"]). */
  args?: string[];
  /** Stop playing (barge-in): the player is killed and play() resolves false. */
  signal?: AbortSignal;
}

/**
 * Play mono float samples; resolves true when playback ended, false when `signal` stopped it, and
 * rejects with a one-line AudioError when the player fails.
 */
export async function play(samples: Float32Array, sampleRate: number, opts: PlayOptions = {}): Promise<boolean> {
  const player = opts.player ?? "aplay";
  if (!which(player)) {
    throw new AudioError(`cannot play audio: ${player} not found (install alsa-utils, or write a file with -o OUT.wav)`);
  }
  const wav = encodeWav16(samples, sampleRate);
  const child = spawn(player, [...(opts.args ?? ["-q"]), "-"], { stdio: ["pipe", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (d: string) => {
    if (stderr.length < 4096) stderr += d;
  });
  child.stdin.on("error", () => {}); // EPIPE when the player dies early: reported through the exit status
  child.stdin.end(Buffer.from(wav.buffer, wav.byteOffset, wav.byteLength));
  let stopped = false;
  const stop = (): void => {
    stopped = true;
    child.kill("SIGTERM");
  };
  if (opts.signal?.aborted) stop();
  else opts.signal?.addEventListener("abort", stop, { once: true });
  const code = await new Promise<number>((resolve) => {
    child.on("error", (err) => {
      stderr ||= err.message;
      resolve(-1);
    });
    child.on("close", (c) => resolve(c ?? -1));
  });
  opts.signal?.removeEventListener("abort", stop);
  if (stopped) return false;
  if (code !== 0) {
    const line = stderrReason(stderr, `exit status ${code}`);
    throw new AudioError(`cannot play audio (no sound device?): ${player}: ${line}; write a file with -o OUT.wav instead`);
  }
  return true;
}
