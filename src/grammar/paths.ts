// Where hark finds its shipped grammars and devices, independent of the working directory.
import { fileURLToPath } from "node:url";
import { dirname, join, resolve } from "node:path";
import { existsSync } from "node:fs";

/** The repository/package root (the folder holding package.json). */
export function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json"))) {
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return dir;
}

export function defaultGrammarDir(language = "en"): string {
  return join(projectRoot(), "grammars", language);
}

export function defaultDevicesDir(): string {
  return join(projectRoot(), "devices");
}

export function resolvePaths(paths: string | string[] | undefined, fallback: string): string[] {
  if (paths === undefined || (Array.isArray(paths) && paths.length === 0)) return [fallback];
  return (Array.isArray(paths) ? paths : [paths]).map((p) => resolve(p));
}
