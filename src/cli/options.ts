// Options shared by the commands that load a grammar.
import type { Command } from "commander";
import type { SourceOptions } from "../nlu/index.js";

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function addSourceOptions(cmd: Command): Command {
  return cmd
    .option("--grammar <dir>", "grammar folder or file (repeatable; default: the shipped grammars/en)", collect)
    .option("--devices <dir>", "devices folder or file (repeatable; default: the shipped devices/)", collect)
    .option("--no-devices", "load no devices at all");
}

export function sourceOptions(opts: { grammar?: string[]; devices?: string[] | boolean }, positional?: string): SourceOptions {
  const grammar = positional ? [positional, ...(opts.grammar ?? [])] : opts.grammar;
  const devices = opts.devices === false ? [] : Array.isArray(opts.devices) ? opts.devices : undefined;
  return { grammar, devices };
}
