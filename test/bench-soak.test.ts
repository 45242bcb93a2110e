// `hark bench --suite soak`, small: a few hundred typed commands from the six default satellites through a
// runtime child, one broker restart, two devices that never acknowledge, a short throttled stretch (the
// SIGSTOP/SIGCONT duty cycle, which needs no cgroup). Nothing lost, nothing done twice, and every command
// to a mute device is reported to the user as a failure. No timing is asserted.
import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { schedule } from "../src/bench/soak.js";
import { HARK, hark } from "./helpers/cli.js";

function harkAsync(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [HARK, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

describe("bench soak", () => {
  it("bad options are one line and exit 2", () => {
    for (const [args, message] of [
      [["--throttle", "bogus"], /^hark: --throttle: .*got 'bogus'$/],
      [["-n", "-5"], /^hark: --count must be a positive whole number, got '-5'$/],
    ] as const) {
      const r = hark(["bench", "--suite", "soak", ...args]);
      expect(r.status).toBe(2);
      expect(r.stderr.trim()).toMatch(message);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
    }
  });

  it("spreads spoken and mute commands over the run", () => {
    const k = schedule(1000, 100, 4);
    expect(k.length).toBe(1100);
    expect(k.filter((x) => x === 1).length).toBe(100);
    expect(k.filter((x) => x === 2).length).toBe(4);
    // No mute command during warm-up (the first 5 %).
    expect([...k.slice(0, 50)].includes(2)).toBe(false);
  });

  it("loses and duplicates nothing across a broker restart, and reports the mute devices' commands as failures", async () => {
    const r = await harkAsync(["bench", "--suite", "soak", "-n", "300", "--spoken-count", "0", "--restarts", "1", "--mute", "2", "--throttle", "duty", "--json"]);
    expect(r.stderr).toContain("soak: broker restarted");
    expect(r.status).toBe(0);
    const rep = JSON.parse(r.stdout) as {
      complete: boolean;
      runtimeCrashed: boolean;
      pass: boolean;
      done: { total: number; mute: number };
      commands: { deviceCommands: number; lost: number; duplicated: number; unreportedApplied: number; unattributedAcks: number; refusedWithReason: Record<string, number> };
      utterances: { lost: number; noAnswer: number; handlerErrors: number };
      mute: { utterances: number; commands: number; reportedFailed: number; claimedOk: number; answersSayingSo: number };
      faults: { restarts: unknown[]; throttle: { method: string } | null };
    };
    expect(rep.complete).toBe(true);
    expect(rep.runtimeCrashed).toBe(false);
    expect(rep.done.total).toBe(300);
    expect(rep.faults.restarts).toHaveLength(1);
    expect(rep.faults.throttle?.method).toBe("duty");
    // Every device command accounted for on the device side.
    expect(rep.commands.deviceCommands).toBeGreaterThanOrEqual(300);
    expect(rep.commands.lost).toBe(0);
    expect(rep.commands.duplicated).toBe(0);
    expect(rep.commands.unreportedApplied).toBe(0);
    expect(rep.commands.unattributedAcks).toBe(0);
    expect(rep.utterances.lost).toBe(0);
    expect(rep.utterances.noAnswer).toBe(0);
    expect(rep.utterances.handlerErrors).toBe(0);
    // The mute devices: the runtime timed out and said so; nothing claimed done.
    expect(rep.done.mute).toBe(2);
    expect(rep.mute.commands).toBe(2);
    expect(rep.mute.reportedFailed).toBe(2);
    expect(rep.mute.claimedOk).toBe(0);
    expect(rep.mute.answersSayingSo).toBe(2);
    expect(rep.commands.refusedWithReason.timeout).toBeGreaterThanOrEqual(2);
    expect(rep.pass).toBe(true);
  }, 60_000);
});
