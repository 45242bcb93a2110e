/** A failure the user caused (bad flag, bad input): exit status 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** A failure to do what was asked (missing file, broken grammar, device timeout): exit status 1. */
export class CommandError extends Error {
  override name = "CommandError";
}

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
