// hark run: the living assistant. Embedded broker + simulated home and car by default; input from
// stdin text, a WAV file or the microphone; each answer printed as one JSON line (or its text) on stdout.
import { Command, Option } from "commander";
import { spawnSync } from "node:child_process";
import { createInterface } from "node:readline";
import { existsSync } from "node:fs";
import { loadConfig } from "../../run/config.js";
import { HarkRuntime, type Answer } from "../../run/runtime.js";
import { CommandError, UsageError } from "../errors.js";
import { writeLine } from "../io.js";

export function register(program: Command): void {
  program
    .command("run")
    .description("run the assistant: text on stdin (one utterance per line, or {\"session\",\"text\"} JSON), a WAV file, or the microphone")
    .option("--config <file>", "configuration file (default: ./hark.yaml when present)")
    .option("--broker <url>", "external MQTT broker (default: embedded broker on 127.0.0.1 with simulated devices)")
    .option("--input <src>", "mic | FILE.wav | - (stdin; the default when stdin is not a terminal)")
    .addOption(new Option("--profile <profile>", "session for plain text input").choices(["home", "car"]))
    .addOption(new Option("--output <format>", "answer format on stdout").choices(["json", "text"]))
    .addOption(new Option("--log-level <level>", "log level (logs go to stderr)").choices(["fatal", "error", "warn", "info", "debug", "trace", "silent"]))
    .option("--no-simulate", "do not start the simulated home and car")
    .option("--grammar <dir>", "grammar folder (default: grammars/en)")
    .option("--devices <dir>", "devices folder (default: devices/)")
    .action(async (opts: RunOptions) => {
      process.exitCode = await runCommand(opts);
    });
}

interface RunOptions {
  config?: string;
  broker?: string;
  input?: string;
  profile?: "home" | "car";
  output?: "json" | "text";
  logLevel?: string;
  simulate?: boolean;
  grammar?: string;
  devices?: string;
}

function hasTool(name: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${name}`], { stdio: "ignore" }).status === 0;
}

export async function runCommand(opts: RunOptions): Promise<number> {
  if (opts.config && !existsSync(opts.config)) throw new UsageError(`${opts.config}: no such config file`);
  const config = await loadConfig(opts.config);
  if (opts.broker) {
    if (!/^(mqtts?|wss?|tcp):\/\//.test(opts.broker)) throw new UsageError(`--broker: not an MQTT URL: ${opts.broker}`);
    config.broker = { ...config.broker, url: opts.broker };
  }
  if (opts.profile) config.profile = opts.profile;
  if (opts.output) config.output = opts.output;
  if (opts.logLevel) config.logLevel = opts.logLevel as typeof config.logLevel;
  if (opts.simulate === false) config.simulate = false;
  if (opts.grammar) config.grammar = opts.grammar;
  if (opts.devices) config.devices = opts.devices;

  const input = opts.input ?? (process.stdin.isTTY ? "tty" : "-");
  if (input === "mic") {
    if (!hasTool("arecord") && !hasTool("sox"))
      throw new CommandError("no microphone capture tool found: install alsa-utils (arecord) or sox, or use --input - for text");
    throw new CommandError("microphone input needs voice activity detection, which is not wired into `hark run` yet; use --input FILE.wav or --input -");
  }
  if (input !== "-" && input !== "tty" && input !== "mic") {
    if (!existsSync(input)) throw new UsageError(`--input: no such file: ${input}`);
    if (!/\.wav$/i.test(input)) throw new UsageError(`--input: expected mic, -, or a .wav file: ${input}`);
  }

  const print = (a: Answer) => {
    if (config.output === "text") {
      if (a.speech) void writeLine(a.speech);
    } else void writeLine(JSON.stringify(a));
  };
  const rt = await HarkRuntime.start({ config, onAnswer: print });

  let stopping: Promise<void> | undefined;
  const stop = () => (stopping ??= rt.stop());
  const onSignal = (sig: NodeJS.Signals) => {
    rt.log.info({ signal: sig }, "shutting down");
    void stop().then(() => process.exit(0));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    if (input === "-" || input === "tty") await readText(rt, input === "tty");
    else await wavInput(rt, input);
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    await stop();
  }
  return 0;
}

async function readText(rt: HarkRuntime, interactive: boolean): Promise<void> {
  const rl = createInterface({ input: process.stdin, ...(interactive ? { output: process.stderr, prompt: "you> " } : {}), crlfDelay: Infinity });
  if (interactive) {
    process.stderr.write(`hark is listening (session ${rt.defaultSession.info.id}); type a request, Ctrl-D to quit\n`);
    rl.prompt();
  }
  for await (const line of rl) {
    try {
      await rt.handleLine(line);
    } catch (err) {
      rt.log.error({ err: err instanceof Error ? err.message : String(err) }, "input line failed");
    }
    if (interactive) rl.prompt();
  }
}

async function wavInput(rt: HarkRuntime, file: string): Promise<void> {
  let text: string;
  try {
    const [{ createRecognizer }, { readAudioFile }] = await Promise.all([import("../../asr/index.js"), import("../../audio/source.js")]);
    const recognizer = await createRecognizer(undefined, { grammar: rt.grammar });
    try {
      const { samples } = await readAudioFile(file);
      const r = await recognizer.recognize(samples);
      rt.log.info({ file, text: r.text, confidence: r.confidence, ms: r.ms, rejected: r.rejected }, "transcribed");
      text = r.rejected ? "" : r.text;
    } finally {
      recognizer.close();
    }
  } catch (err) {
    throw new CommandError(`WAV input needs the speech recognizer, which failed: ${err instanceof Error ? err.message.split("\n")[0] : String(err)}`);
  }
  if (!text) {
    // Heard something, understood no words: the dialog says so.
    await rt.handle({ event: "ptt" });
    const s = rt.defaultSession;
    s.send({ type: "ASR_ERROR", message: "nothing recognized" });
    await s.settled();
    return;
  }
  await rt.handle({ text });
}
