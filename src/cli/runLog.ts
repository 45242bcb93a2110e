// `hark run`'s logger (pino). A person at a terminal sees answers, not logs: warnings and errors only,
// as plain `hark: …` lines. The full logs (pino JSON lines) are there on request: `--log-level LEVEL`
// (or `log_level` in hark.yaml) on stderr, `--log-file PATH` in a file. In a pipe stderr keeps the JSON
// lines at info, as before.
import pino, { type DestinationStream, type Level, type Logger } from "pino";
import { CommandError } from "../platform/errors.js";

export type LogLevel = Level | "silent";

export interface RunLogOptions {
  /** --log-level */
  level?: LogLevel;
  /** --log-file */
  file?: string;
  /** `log_level` in hark.yaml (undefined: the file does not set it). */
  configLevel?: LogLevel;
  stderr?: NodeJS.WriteStream;
}

/** Warnings and errors as one plain line each: `hark: msg: detail` (`hark: error: …` for errors). */
export function plainLines(out: NodeJS.WritableStream): DestinationStream {
  return {
    write(line: string) {
      let o: { level?: number; msg?: string; err?: unknown; reason?: unknown };
      try {
        o = JSON.parse(line) as typeof o;
      } catch {
        out.write(line.endsWith("\n") ? line : `${line}\n`);
        return;
      }
      const msg = o.msg ?? "";
      const errText = typeof o.err === "string" ? o.err : o.err && typeof o.err === "object" && "message" in o.err ? String((o.err as { message: unknown }).message) : undefined;
      const detail = errText && !msg.includes(errText) ? `: ${errText}` : "";
      out.write(`hark: ${(o.level ?? 0) >= 50 ? "error: " : ""}${msg}${detail}\n`);
    },
  };
}

export function runLogger(o: RunLogOptions = {}): Logger {
  const stderr = o.stderr ?? process.stderr;
  const tty = stderr.isTTY === true;
  const base = { base: undefined };
  const level: LogLevel = o.level ?? o.configLevel ?? "info";
  if (o.file) {
    let file: DestinationStream;
    try {
      file = pino.destination({ dest: o.file, append: true, mkdir: true, sync: true });
    } catch (err) {
      throw new CommandError(`--log-file: cannot write ${o.file}: ${(err as Error).message}`);
    }
    // The file gets every line at the level; stderr the warnings (plain on a terminal).
    const warnings = { level: "warn" as Level, stream: tty ? plainLines(stderr) : stderr };
    if (level === "silent") return pino({ level: "warn", ...base }, pino.multistream([warnings]));
    const lowest = pino.levels.values[level]! < pino.levels.values.warn! ? level : "warn";
    return pino({ level: lowest, ...base }, pino.multistream([{ level, stream: file }, warnings]));
  }
  if (o.level || o.configLevel || !tty) return pino({ level, ...base }, pino.destination(2));
  return pino({ level: "warn", ...base }, plainLines(stderr));
}
