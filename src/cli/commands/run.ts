// hark run: the living assistant. Embedded broker + simulated home and car by default; input from
// stdin text, a WAV file or the microphone; each answer printed as one JSON line (or its text) on stdout.
import { Command, Option } from "commander";
import { createInterface } from "node:readline";
import { existsSync } from "node:fs";
import { loadConfig } from "../../run/config.js";
import { HarkRuntime, type Answer } from "../../run/runtime.js";
import { CommandError, UsageError } from "../../platform/errors.js";
import { writeLine } from "../io.js";
import { runLogger, type LogLevel } from "../runLog.js";
import { Voice } from "../../run/voice.js";
import { checkListen, parseListen } from "../../console/auth.js";

export function register(program: Command): void {
  program
    .command("run")
    .description("run the assistant: text on stdin (one utterance per line, or {\"session\",\"text\"} JSON), a WAV file, or the microphone")
    .option("--config <file>", "configuration file (default: ./hark.yaml when present)")
    .option("--broker <url>", "external MQTT broker (default: embedded broker on 127.0.0.1 with simulated devices)")
    .option("--input <src>", "mic | FILE.wav | - (stdin; the default when stdin is not a terminal)")
    .addOption(new Option("--profile <profile>", "session for plain text input").choices(["home", "car"]))
    .addOption(new Option("--output <format>", "answer format on stdout (default: text when stdout is a terminal, else json)").choices(["json", "text"]))
    .addOption(new Option("--log-level <level>", "pino JSON logs on stderr from this level (default: on a terminal warnings only, as plain lines; in a pipe JSON lines from info)").choices(["fatal", "error", "warn", "info", "debug", "trace", "silent"]))
    .option("--log-file <path>", "write the logs (JSON lines, from --log-level or info) to this file; stderr shows warnings only")
    .option("--no-simulate", "do not start the simulated home and car")
    .option("--grammar <dir>", "grammar folder (default: grammars/en)")
    .option("--devices <dir>", "devices folder (default: devices/)")
    .option("--say-to <dir>", "also write every spoken answer as NNN-SESSION.wav in DIR")
    .option("--voice <voice>", "voice for spoken answers (default flite:slt; as `hark say --voice`)")
    .option("--no-speak", "text answers only: no synthesis, no playback")
    .option("--wake [phrase]", "with --input mic: act only on speech after the wake phrase (default \"hey hark\"; config wake.*)")
    .option("--console <host:port>", "also serve the web console there (e.g. 127.0.0.1:8080; beyond loopback only with a token: console.token or $HARK_CONSOLE_TOKEN); hark then runs until Ctrl-C (docs/console.md)")
    .option("--wyoming <uri>", "also serve the Wyoming protocol on tcp://HOST:PORT (Home Assistant); hark then runs until Ctrl-C (docs/wyoming.md, `hark wyoming`)")
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
  logLevel?: LogLevel;
  logFile?: string;
  simulate?: boolean;
  grammar?: string;
  devices?: string;
  sayTo?: string;
  voice?: string;
  speak?: boolean;
  wake?: boolean | string;
  wyoming?: string;
  console?: string;
}


export async function runCommand(opts: RunOptions): Promise<number> {
  if (opts.config && !existsSync(opts.config)) throw new UsageError(`${opts.config}: no such config file`);
  if (opts.wyoming) {
    const { parseWyomingUri } = await import("../../wyoming/index.js");
    try {
      parseWyomingUri(opts.wyoming);
    } catch (err) {
      throw new UsageError(`--wyoming: ${(err as Error).message}`);
    }
  }
  const config = await loadConfig(opts.config);
  if (opts.broker) {
    if (!/^(mqtts?|wss?|tcp):\/\//.test(opts.broker)) throw new UsageError(`--broker: not an MQTT URL: ${opts.broker}`);
    config.broker = { ...config.broker, url: opts.broker };
  }
  if (opts.profile) config.profile = opts.profile;
  if (opts.wake) config.wake = { ...config.wake, enabled: true, ...(typeof opts.wake === "string" ? { phrase: opts.wake } : {}) };
  if (opts.output) config.output = opts.output;
  // A person at a terminal reads sentences, not JSON (pipes and files keep JSON unless --output says).
  else if (process.stdout.isTTY) config.output = "text";
  const configLevel = config.logLevel;
  if (opts.logLevel) config.logLevel = opts.logLevel;
  if (opts.simulate === false) config.simulate = false;
  if (opts.grammar) config.grammar = opts.grammar;
  if (opts.devices) config.devices = opts.devices;
  if (opts.sayTo) config.speech = { ...config.speech, say_to: opts.sayTo };
  if (opts.voice) config.speech = { ...config.speech, voice: opts.voice };
  if (opts.speak === false) config.speech = { ...config.speech, enabled: false };

  // The console: a bad address, or one beyond loopback without a token, is a usage error before anything starts.
  const listen = opts.console !== undefined ? parseListen(opts.console) : undefined;
  if (listen) checkListen(listen, config.console.token);

  const input = opts.input ?? (process.stdin.isTTY ? "tty" : "-");
  if (input === "mic") {
    const { findCaptureTool } = await import("../../audio/source.js");
    if (!findCaptureTool()) throw new CommandError("no microphone capture tool found: install alsa-utils (arecord) or sox, or use --input - for text");
  }
  if (input !== "-" && input !== "tty" && input !== "mic") {
    if (!existsSync(input)) throw new UsageError(`--input: no such file: ${input}`);
    if (!/\.wav$/i.test(input)) throw new UsageError(`--input: expected mic, -, or a .wav file: ${input}`);
  }

  // Speaking needs the voice; a bad voice spec is a usage error before anything starts.
  let voice: Voice | undefined;
  const log = runLogger({ ...(opts.logLevel ? { level: opts.logLevel } : {}), ...(configLevel ? { configLevel } : {}), ...(opts.logFile ? { file: opts.logFile } : {}) });
  if (config.speech.enabled) {
    const { parseVoice } = await import("../../tts/index.js");
    try {
      parseVoice(config.speech.voice);
    } catch (err) {
      throw new UsageError(`--voice: ${err instanceof Error ? err.message : String(err)}`);
    }
    voice = Voice.create({
      voice: config.speech.voice,
      ...(config.speech.say_to ? { sayTo: config.speech.say_to } : {}),
      play: config.speech.play,
      log: log.child({ mod: "voice" }),
    });
  }
  // On a terminal, what hark heard in audio input comes before its answer (typed text is on screen already).
  const showHeard = process.stdout.isTTY && config.output === "text" && input !== "-" && input !== "tty";
  const print = (a: Answer) => {
    if (config.output === "text") {
      if (showHeard && a.text) void writeLine(`you> ${a.text}`);
      if (a.speech) void writeLine(process.stdout.isTTY ? `hark> ${a.speech}` : a.speech);
    } else void writeLine(JSON.stringify(a));
    if (a.speech) void voice?.say(a.speech, a.session);
  };
  const rt = await HarkRuntime.start({ config, logger: log, onAnswer: print });
  // Model updates over MQTT (docs/fleet.md): the agent works in the background on the runtime's broker.
  // A switched model is loaded into the running cascade (no restart); with the matcher alone there is nothing to load.
  const reload = (rt.understander as { reload?: () => Promise<void> }).reload?.bind(rt.understander);
  const fleet = config.fleet ? (await import("../../fleet/device.js")).startFleet(config, { url: rt.brokerUrl, ...rt.devices.connection }, rt.grammar, log.child({ mod: "fleet" }), reload) : undefined;
  let wyoming: { uri: string; stop(): Promise<void> } | undefined;
  if (opts.wyoming) {
    try {
      const { serveWyoming } = await import("../../wyoming/index.js");
      const w = await serveWyoming(rt, opts.wyoming, { log: log.child({ mod: "wyoming" }) });
      process.stderr.write(`hark: Wyoming service on ${w.server.uri}\n`);
      wyoming = { uri: w.server.uri, stop: w.stop };
    } catch (err) {
      await fleet?.stop();
      await rt.stop();
      throw new CommandError(err instanceof Error ? err.message : String(err));
    }
  }
  let web: { url: string; close(): Promise<void> } | undefined;
  if (listen) {
    const { startConsole } = await import("../../console/server.js");
    try {
      web = await startConsole({
        rt,
        ...listen,
        ...(config.console.token ? { token: config.console.token } : {}),
        log: log.child({ mod: "console" }),
        warm: true,
        // One microphone path at a time: the recognizer decodes one stream.
        ...(input === "mic" ? { audioInput: { reason: "hark listens to its own microphone (--input mic): the page's push-to-talk and WAV files are off" } } : {}),
      });
    } catch (err) {
      await wyoming?.stop();
      await fleet?.stop();
      await rt.stop();
      throw new CommandError(`--console: cannot listen on ${opts.console}: ${err instanceof Error ? err.message : String(err)}`);
    }
    process.stderr.write(`hark console: ${web.url}${config.console.token ? " (open it with ?token=<your token>)" : ""}\n`);
  }

  let stopping: Promise<void> | undefined;
  const stop = () => (stopping ??= (wyoming?.stop() ?? Promise.resolve()).then(() => fleet?.stop()).then(() => rt.stop()));
  const onSignal = (sig: NodeJS.Signals) => {
    rt.log.info({ signal: sig }, "shutting down");
    void stop().then(() => process.exit(0));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  let code = 0;
  try {
    if (input === "-" || input === "tty") await readText(rt, input === "tty");
    else if (input === "mic") code = await micInput(rt, voice);
    else await wavInput(rt, input);
    await voice?.drain();
    if (web || wyoming) {
      // The console and the Wyoming service go on after the input ends, until Ctrl-C (the signal handler stops hark).
      const open = [...(web ? [`the console stays open at ${web.url}`] : []), ...(wyoming ? [`the Wyoming service stays on ${wyoming.uri}`] : [])];
      process.stderr.write(`hark: input ended; ${open.join(", ")} (Ctrl-C to quit)\n`);
      await new Promise<never>(() => undefined);
    }
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    voice?.close();
    await web?.close();
    await stop();
  }
  return code;
}

async function readText(rt: HarkRuntime, interactive: boolean): Promise<void> {
  const rl = createInterface({ input: process.stdin, ...(interactive ? { output: process.stderr, prompt: "you> " } : {}), crlfDelay: Infinity });
  // Ctrl-C on a terminal reaches readline, not the process: end the input like Ctrl-D.
  rl.on("SIGINT", () => {
    process.stderr.write("\n");
    rl.close();
  });
  if (interactive) {
    process.stderr.write(`hark is listening (session ${rt.defaultSession.info.id}); type a request, Ctrl-D or Ctrl-C to quit\n`);
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
  try {
    await rt.ears();
  } catch (err) {
    throw new CommandError(`WAV input needs the speech recognizer, which failed: ${err instanceof Error ? err.message.split("\n")[0] : String(err)}`);
  }
  // VAD endpointer → one utterance per speech segment → ASR → dialog ("unlock the door … yes" works in one file).
  await rt.handle({ wav: file });
}

/**
 * The microphone through arecord/sox, decoded while the user speaks (src/run/live.ts); speech over an
 * answer stops it. Ctrl-C ends it.
 */
async function micInput(rt: HarkRuntime, voice: Voice | undefined): Promise<number> {
  const [{ micSource }, { runLive }, ears] = await Promise.all([import("../../audio/source.js"), import("../../run/live.js"), rt.ears()]);
  // The first utterance would otherwise pay for compiling the decoder's hot paths (≈ 150 ms).
  const warmMs = await ears.warmUp().catch(() => NaN);
  rt.log.debug({ ms: Math.round(warmMs) }, "hearing warmed up");
  const source = micSource({ frameSamples: 320 });
  const stopMic = () => source.close();
  process.once("SIGINT", stopMic);
  process.once("SIGTERM", stopMic);
  const wakeNote = rt.config.wake.enabled ? `, say "${rt.config.wake.phrase}" first` : "";
  process.stderr.write(`hark is listening on the microphone (session ${rt.defaultSession.info.id}, VAD ${ears.vadEngine}${wakeNote}); Ctrl-C to quit\n`);
  try {
    const w = rt.config.wake;
    await runLive(rt, source, { ...(voice ? { voice } : {}), bargeIn: rt.config.speech.barge_in, ...(w.enabled ? { wake: { phrase: w.phrase, sensitivity: w.sensitivity } } : {}) });
  } catch (err) {
    throw new CommandError(`microphone: ${err instanceof Error ? err.message.split("\n")[0] : String(err)}`);
  } finally {
    process.off("SIGINT", stopMic);
    process.off("SIGTERM", stopMic);
    source.close();
  }
  return 0;
}
