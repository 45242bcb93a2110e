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
}

/** Play mono float samples; resolves when playback ends, rejects with a one-line AudioError. */
export async function play(samples: Float32Array, sampleRate: number, opts: PlayOptions = {}): Promise<void> {
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
  const code = await new Promise<number>((resolve) => {
    child.on("error", (err) => {
      stderr ||= err.message;
      resolve(-1);
    });
    child.on("close", (c) => resolve(c ?? -1));
  });
  if (code !== 0) {
    const line = stderrReason(stderr, `exit status ${code}`);
    throw new AudioError(`cannot play audio (no sound device?): ${player}: ${line}; write a file with -o OUT.wav instead`);
  }
}
