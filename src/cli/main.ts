// hark's command line. Each subcommand lives in commands/<name>.ts and registers itself on the program.
// Exit status: 0 success (also when nothing was understood), 2 usage error, 1 failure; one line on stderr.
import { Command, CommanderError } from "commander";
import { GrammarError } from "../grammar/errors.js";
import { CommandError, EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError } from "../platform/errors.js";
import { harkEnv } from "../platform/env.js";
import * as understand from "./commands/understand.js";
import * as transcribe from "./commands/transcribe.js";
import * as replay from "./commands/replay.js";
import * as grammar from "./commands/grammar.js";
import * as say from "./commands/say.js";
import * as bench from "./commands/bench.js";
import * as models from "./commands/models.js";
import * as run from "./commands/run.js";
import * as fixtures from "./commands/fixtures.js";
import * as wyoming from "./commands/wyoming.js";
import * as fleet from "./commands/fleet.js";
import * as broker from "./commands/broker.js";

/** Every subcommand module exports `register(program)`; add new ones here. */
const commands: Array<{ register(program: Command): void }> = [understand, grammar, bench, transcribe, replay, say, run, models, fixtures, wyoming, broker, fleet];

export function buildProgram(): Command {
  const program = new Command("hark")
    .description("Offline voice assistant for smart homes and vehicle cabins")
    .version("0.1.0");
  for (const c of commands) c.register(program);
  // Every command, nested ones too: usage errors come back here instead of exiting, and commander's
  // message (unknown option, missing argument, bad choice …) is one line naming the help to read.
  const setUp = (cmd: Command, path: string): void => {
    cmd
      .exitOverride()
      .showHelpAfterError(false)
      .configureOutput({ writeErr: (s) => process.stderr.write(s), outputError: (s, write) => write(usageLine(s, path)) });
    for (const sub of cmd.commands) setUp(sub, `${path} ${sub.name()}`);
  };
  setUp(program, "hark");
  return program;
}

/** "error: unknown option '--x'\n(Did you mean --y?)\n" → "hark: unknown option '--x' (Did you mean --y?) (see `hark run --help`)". */
export function usageLine(message: string, path: string): string {
  const text = message.replace(/^error:\s*/i, "").replace(/\s*\n\s*/g, " ").trim();
  return `hark: ${text} (see \`${path} --help\`)\n`;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: "user" });
    return process.exitCode === undefined ? EXIT_OK : Number(process.exitCode);
  } catch (err) {
    return reportError(err);
  }
}

function reportError(err: unknown): number {
  if (err instanceof CommanderError) {
    // --help and --version are "errors" to commander; they are successes to the user.
    if (err.code === "commander.helpDisplayed" || err.code === "commander.version" || err.code === "commander.help") return EXIT_OK;
    return EXIT_USAGE; // commander has already printed the one-line reason
  }
  if (err instanceof UsageError) {
    process.stderr.write(`hark: ${err.message}\n`);
    return EXIT_USAGE;
  }
  if (err instanceof GrammarError || err instanceof CommandError) {
    process.stderr.write(`hark: ${err.message}\n`);
    return EXIT_FAILURE;
  }
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`hark: ${message.split("\n")[0]}\n`);
  if (harkEnv().debug && err instanceof Error) process.stderr.write(`${err.stack}\n`);
  return EXIT_FAILURE;
}
