// hark wyoming --uri tcp://HOST:PORT: hark as a Wyoming service for Home Assistant (docs/wyoming.md):
// speech to text, intent recognition, intent handling on hark's devices, text to speech, wake phrase.
// The same runtime as `hark run` (embedded broker + simulated home and car unless --broker is given).
import { Command, Option } from "commander";
import { existsSync } from "node:fs";
import { loadConfig } from "../../run/config.js";
import { HarkRuntime } from "../../run/runtime.js";
import { CommandError, UsageError } from "../../platform/errors.js";
import { runLogger, type LogLevel } from "../runLog.js";
import { parseWyomingUri, serveWyoming } from "../../wyoming/index.js";

export const DEFAULT_WYOMING_URI = "tcp://127.0.0.1:10500";

interface WyomingOptions {
  uri: string;
  config?: string;
  broker?: string;
  simulate?: boolean;
  grammar?: string;
  devices?: string;
  session?: string;
  voice?: string;
  wake?: boolean | string;
  conversation: "handle" | "intent";
  idleTimeout: string;
  maxClients: string;
  logLevel?: LogLevel;
  logFile?: string;
}

export function register(program: Command): void {
  program
    .command("wyoming")
    .description("serve hark over the Wyoming protocol (Home Assistant: Settings → Devices & services → Add integration → Wyoming Protocol): asr, intent, handle, tts, wake")
    .option("--uri <uri>", "where to listen: tcp://HOST:PORT (0.0.0.0 for every interface; Wyoming has no authentication)", DEFAULT_WYOMING_URI)
    .option("--config <file>", "configuration file (default: ./hark.yaml when present)")
    .option("--broker <url>", "external MQTT broker (default: embedded broker on 127.0.0.1 with simulated devices)")
    .option("--no-simulate", "do not start the simulated home and car")
    .option("--grammar <dir>", "grammar folder (default: grammars/en)")
    .option("--devices <dir>", "devices folder (default: devices/)")
    .option("--session <id>", "the dialog session `handle` speaks to (default: the first session of the configured profile)")
    .option("--voice <voice>", "voice when `synthesize` names none (default: speech.voice, flite:slt)")
    .option("--wake <phrase>", "wake phrase `detect` spots (default: wake.phrase, \"hey hark\")")
    .option("--no-wake", "offer no wake service")
    .addOption(new Option("--conversation <mode>", "what a `transcript` event (Home Assistant's conversation agent) gets: handle = hark acts and answers `handled`; intent = `intent` for the client to act on").choices(["handle", "intent"]).default("handle"))
    .option("--idle-timeout <s>", "close a client that sends nothing for this long, seconds (0 = never)", "300")
    .option("--max-clients <n>", "clients served at once", "32")
    .addOption(new Option("--log-level <level>", "pino JSON logs on stderr from this level (default: info in a pipe, warnings on a terminal)").choices(["fatal", "error", "warn", "info", "debug", "trace", "silent"]))
    .option("--log-file <path>", "write the logs (JSON lines) to this file; stderr shows warnings only")
    .action(async (opts: WyomingOptions) => {
      process.exitCode = await wyomingCommand(opts);
    });
}

export async function wyomingCommand(opts: WyomingOptions): Promise<number> {
  try {
    parseWyomingUri(opts.uri);
  } catch (err) {
    throw new UsageError(`--uri: ${(err as Error).message}`);
  }
  const idle = Number(opts.idleTimeout);
  if (!(idle >= 0)) throw new UsageError(`--idle-timeout must be a number of seconds ≥ 0, got ${opts.idleTimeout}`);
  const maxClients = Number(opts.maxClients);
  if (!(Number.isInteger(maxClients) && maxClients >= 1)) throw new UsageError(`--max-clients must be a whole number ≥ 1, got ${opts.maxClients}`);
  if (opts.config && !existsSync(opts.config)) throw new UsageError(`${opts.config}: no such config file`);
  const config = await loadConfig(opts.config);
  if (opts.broker) {
    if (!/^(mqtts?|wss?|tcp):\/\//.test(opts.broker)) throw new UsageError(`--broker: not an MQTT URL: ${opts.broker}`);
    config.broker = { ...config.broker, url: opts.broker };
  }
  if (opts.simulate === false) config.simulate = false;
  if (opts.grammar) config.grammar = opts.grammar;
  if (opts.devices) config.devices = opts.devices;
  if (opts.voice) {
    const { parseVoice } = await import("../../tts/index.js");
    try {
      parseVoice(opts.voice);
    } catch (err) {
      throw new UsageError(`--voice: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  const configLevel = config.logLevel;
  const log = runLogger({ ...(opts.logLevel ? { level: opts.logLevel } : {}), ...(configLevel ? { configLevel } : {}), ...(opts.logFile ? { file: opts.logFile } : {}) });
  const rt = await HarkRuntime.start({ config, logger: log });
  let wy: Awaited<ReturnType<typeof serveWyoming>>;
  try {
    if (opts.session && !rt.sessions.get(opts.session)) throw new UsageError(`--session: no session called ${opts.session} (sessions: ${rt.sessions.all.map((s) => s.info.id).join(", ")})`);
    const wake = opts.wake === false ? false : typeof opts.wake === "string" ? { phrase: opts.wake, sensitivity: config.wake.sensitivity } : undefined;
    wy = await serveWyoming(rt, opts.uri, {
      ...(opts.session ? { session: opts.session } : {}),
      ...(opts.voice ? { voice: opts.voice } : {}),
      ...(wake !== undefined ? { wake } : {}),
      conversation: opts.conversation,
      idleMs: idle * 1000,
      maxConnections: maxClients,
      log: log.child({ mod: "wyoming" }),
    }).catch((err: unknown) => {
      throw err instanceof UsageError ? err : new CommandError(err instanceof Error ? err.message : String(err));
    });
  } catch (err) {
    await rt.stop();
    throw err;
  }
  process.stderr.write(`hark: Wyoming service on ${wy.server.uri} (asr, intent, handle, tts${opts.wake === false ? "" : ", wake"}); Ctrl-C to stop\n`);
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  rt.log.info("shutting down");
  await wy.stop();
  await rt.stop();
  return 0;
}
