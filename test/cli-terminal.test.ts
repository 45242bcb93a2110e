// The terminal a person meets: usage errors and a refused broker in one `hark: …` line with a non-zero
// exit; piped `hark run` keeps JSON lines (answers on stdout, pino logs on stderr); on a terminal (a
// pseudo-terminal through util-linux `script`) answers are plain sentences and only warnings are logged,
// as plain lines; --log-level / --log-file give the full logs. Runs the built CLI (bin/hark.js → dist/).
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { usageLine } from "../src/cli/main.js";
import { plainLines } from "../src/cli/runLog.js";
import { progressGroup } from "../src/cli/progress.js";
import { hark, HARK } from "./helpers/cli.js";

const tmp = mkdtempSync(join(tmpdir(), "hark-terminal-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** stderr as its non-empty lines. */
const lines = (s: string) => s.split("\n").filter((l) => l.trim() !== "");

/** A TCP port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe("usage errors: one line on stderr, exit 2", () => {
  const cases: Array<[string, string[], RegExp]> = [
    ["unknown option", ["run", "--bogus"], /^hark: unknown option '--bogus' \(see `hark run --help`\)$/],
    ["missing option argument", ["run", "--broker"], /^hark: option '--broker <url>' argument missing \(see `hark run --help`\)$/],
    ["missing argument of a nested command", ["models", "add"], /^hark: missing required argument 'file' \(see `hark models add --help`\)$/],
    ["unknown command", ["frobnicate"], /^hark: unknown command 'frobnicate' \(see `hark --help`\)$/],
    ["bad choice", ["understand", "--engine", "psychic", "hi"], /^hark: option '--engine <engine>' argument 'psychic' is invalid\. Allowed choices are matcher, slm, cascade\. \(see `hark understand --help`\)$/],
  ];
  for (const [name, args, line] of cases) {
    it(name, () => {
      const r = hark(args, "");
      expect(r.status).toBe(2);
      expect(r.stdout).toBe("");
      expect(lines(r.stderr)).toHaveLength(1);
      expect(r.stderr.trimEnd()).toMatch(line);
    });
  }

  it("usageLine joins commander's lines (a suggestion included) into one", () => {
    expect(usageLine("error: unknown command 'tarin'\n(Did you mean train?)\n", "hark models")).toBe("hark: unknown command 'tarin' (Did you mean train?) (see `hark models --help`)\n");
  });
});

describe("hark run against a broker that refuses", () => {
  it("says so in one line and exits 1 at once, not after the connect timeout", async () => {
    const port = await closedPort();
    const t0 = Date.now();
    const r = hark(["run", "--broker", `mqtt://127.0.0.1:${port}`, "--no-speak"], "turn on the kitchen lights\n");
    const ms = Date.now() - t0;
    expect(r.status).toBe(1);
    expect(r.stdout).toBe("");
    expect(lines(r.stderr)).toEqual([`hark: cannot connect to MQTT broker mqtt://127.0.0.1:${port}: connection refused`]);
    expect(ms).toBeLessThan(20_000);
  });

  it("an unknown host is named as such", () => {
    const r = hark(["run", "--broker", "mqtt://no-such-host.invalid:1883", "--no-speak"], "");
    expect(r.status).toBe(1);
    expect(lines(r.stderr)).toEqual(["hark: cannot connect to MQTT broker mqtt://no-such-host.invalid:1883: host not found"]);
  });
});

describe("piped hark run", () => {
  it("answers as JSON lines on stdout, logs as JSON lines on stderr", () => {
    const r = hark(["run", "--no-speak"], "turn on the kitchen lights\nturn off the kitchen lights\n");
    expect(r.status).toBe(0);
    const out = lines(r.stdout).map((l) => JSON.parse(l) as { session: string; speech: string; kind: string; commands?: Array<{ ok: boolean }> });
    expect(out).toHaveLength(2);
    expect(out[0]).toMatchObject({ session: "living-room", kind: "answer", speech: "Turned on the lights in the Kitchen." });
    expect(out[0]!.commands!.every((c) => c.ok)).toBe(true);
    const logs = lines(r.stderr).map((l) => JSON.parse(l) as { level: number; msg: string });
    expect(logs.some((l) => l.msg === "hark ready" && l.level === 30)).toBe(true);
  });

  it("--log-file: every log line in the file, warnings only on stderr", () => {
    const file = join(tmp, "logs", "hark.jsonl");
    const r = hark(["run", "--no-speak", "--log-file", file], "turn on the kitchen lights\n");
    expect(r.status).toBe(0);
    expect(lines(r.stdout)).toHaveLength(1);
    expect(r.stderr).toBe("");
    const logged = lines(readFileSync(file, "utf8")).map((l) => JSON.parse(l) as { msg: string });
    expect(logged.map((l) => l.msg)).toEqual(expect.arrayContaining(["hark ready", "acted"]));
  });
});

const hasScript = spawnSync("script", ["--version"], { encoding: "utf8" }).status === 0;

/**
 * `hark run ARGS` on a pseudo-terminal (stdin, stdout and stderr): types `line` at the first `you> `
 * prompt (when given), then Ctrl-D once hark has answered. Resolves with everything the terminal showed.
 */
function onTerminal(args: string[], line?: string, timeoutMs = 60_000): Promise<{ code: number | null; screen: string }> {
  const cmd = [process.execPath, HARK, "run", ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(" ");
  const child = spawn("script", ["-qec", cmd, "/dev/null"], { stdio: ["pipe", "pipe", "pipe"], env: { ...process.env, CI: "", TERM: "xterm" } });
  let screen = "";
  let typed = line === undefined;
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.stdout.on("data", (d: Buffer) => {
      screen += d.toString();
      if (!typed && screen.includes("you> ")) {
        typed = true;
        child.stdin.write(`${line}\r`);
      }
      if (typed && line !== undefined && /hark> .*\r?\n/.test(screen)) child.stdin.write("\x04");
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, screen: screen.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, "").replace(/\r/g, "") });
    });
  });
}

describe.skipIf(!hasScript)("hark run on a terminal", () => {
  it("prints the answer as a sentence and no JSON logs", async () => {
    const { code, screen } = await onTerminal(["--no-speak"], "turn on the kitchen lights");
    expect(code).toBe(0);
    expect(screen).toContain("hark> Turned on the lights in the Kitchen.");
    expect(screen).not.toMatch(/\{"level"/);
    expect(screen).not.toContain("hark ready");
  });

  it("a warning is one plain `hark: …` line", async () => {
    // Playing answers is asked for (play: true): where no player or sound device exists, that is a warning.
    const noSound = spawnSync("aplay", ["-l"], { encoding: "utf8" });
    if (noSound.status === 0 && /card \d+/i.test(noSound.stdout)) return; // a machine with a sound card: nothing to warn about
    const config = join(tmp, "play.yaml");
    writeFileSync(config, "speech:\n  play: true\n");
    const { code, screen } = await onTerminal(["--config", config], "turn on the kitchen lights");
    expect(code).toBe(0);
    expect(screen).toMatch(/^hark: .*answers are printed as text only.*$/m);
    expect(screen).not.toMatch(/\{"level"/);
  });

  it("--log-level info gives the full logs (JSON lines) on a terminal too", async () => {
    const { code, screen } = await onTerminal(["--no-speak", "--log-level", "info"], "turn on the kitchen lights");
    expect(code).toBe(0);
    expect(screen).toMatch(/\{"level":30,.*"msg":"hark ready"\}/);
    expect(screen).toContain("hark> Turned on the lights in the Kitchen.");
  });

  it("a WAV input shows what was heard, then the answer", async () => {
    const { code, screen } = await onTerminal(["--no-speak", "--input", "test/fixtures/asr/temperature-21.wav"]);
    expect(code).toBe(0);
    expect(screen).toMatch(/you> set the temperature to twenty one degrees\nhark> Set the temperature to 21 degrees\./);
  });
});

describe("terminal helpers", () => {
  it("plainLines: a warning and an error as `hark: …` lines, the detail once", () => {
    let out = "";
    const sink = plainLines({ write: (s: string) => ((out += s), true) } as unknown as NodeJS.WritableStream);
    sink.write(`${JSON.stringify({ level: 40, msg: "mqtt error", err: "connect ECONNREFUSED" })}\n`);
    sink.write(`${JSON.stringify({ level: 40, msg: "SLM not available (bad file): the matcher alone understands", err: "bad file" })}\n`);
    sink.write(`${JSON.stringify({ level: 50, msg: "input line failed", err: "boom" })}\n`);
    expect(out).toBe("hark: mqtt error: connect ECONNREFUSED\nhark: SLM not available (bad file): the matcher alone understands\nhark: error: input line failed: boom\n");
  });

  it("progress: nothing drawn off a terminal, log lines stay plain", () => {
    let out = "";
    const stream = { isTTY: false, write: (s: string) => ((out += s), true) } as unknown as NodeJS.WriteStream;
    const g = progressGroup(stream);
    expect(g.shown).toBe(false);
    const bar = g.bar("replay", 3);
    bar.tick("a.wav");
    bar.update(3, 3);
    g.log("a message");
    g.stop();
    expect(out).toBe("a message\n");
  });

  it("progress: on a terminal a bar is drawn and cleared, log lines come above it", () => {
    let out = "";
    const stream = { isTTY: true, columns: 80, write: (s: string) => ((out += s), true) } as unknown as NodeJS.WriteStream;
    const prev = { CI: process.env.CI, TERM: process.env.TERM };
    delete process.env.CI;
    process.env.TERM = "xterm";
    try {
      const g = progressGroup(stream);
      expect(g.shown).toBe(true);
      const bar = g.bar("replay", 4);
      bar.tick("a.wav");
      g.log("a message");
      g.stop();
    } finally {
      for (const [k, v] of Object.entries(prev)) if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    expect(out).toContain("a message\n");
    expect(out).toMatch(/replay \[#+-+\] 1\/4 25%/);
  });
});
