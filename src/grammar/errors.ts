import type { SourceLoc } from "./types.js";

/** A user-facing error in a grammar or device file: printed as one line, never as a stack trace. */
export class GrammarError extends Error {
  constructor(
    message: string,
    readonly loc?: SourceLoc,
  ) {
    super(loc ? `${loc.file}:${loc.line}:${loc.col}: ${message}` : message);
    this.name = "GrammarError";
  }
}

/** Shift a location by a character offset inside a single-line string value. */
export function offsetLoc(loc: SourceLoc | undefined, offset: number): SourceLoc | undefined {
  return loc ? { ...loc, col: loc.col + offset } : undefined;
}
