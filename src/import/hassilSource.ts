// Where Home Assistant's intents repository keeps things: sentences/<lang>/*.yaml (and the newer
// sentences/<lang>/<Intent>/<combination>.yaml), intents.yaml at the root, responses/<lang>/<Intent>.yaml.

import { existsSync, readdirSync, statSync } from "node:fs";
import { readdir } from "node:fs/promises";
import path from "node:path";
import { CommandError } from "../platform/errors.js";
import { requirePath } from "./yamlio.js";

export interface Located {
  sentencesDir: string;
  lang: string;
  /** The repository root (holds intents.yaml and responses/), when it can be found. */
  root?: string;
}

/** Locate sentences/<lang>, intents.yaml and responses/<lang> from a repo root or a sentences/<lang> folder. */
export function locate(srcDir: string, warnings: string[]): Located {
  requirePath(srcDir, "dir");
  const sentences = path.join(srcDir, "sentences");
  if (existsSync(sentences) && statSync(sentences).isDirectory()) {
    const langs = readdirSync(sentences, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort();
    const lang = langs.includes("en") ? "en" : langs.length === 1 ? langs[0] : undefined;
    if (!lang)
      throw new CommandError(
        `${sentences}: several languages (${langs.join(", ") || "none"}); pass one folder, e.g. ${path.join(sentences, langs[0] ?? "en")}`,
      );
    if (langs.length > 1) warnings.push(`${sentences}: several languages found, importing "${lang}" only`);
    return { sentencesDir: path.join(sentences, lang), lang, root: srcDir };
  }
  // A sentences/<lang> folder (or any folder of sentence files).
  const lang = path.basename(path.resolve(srcDir));
  const inRepo = path.basename(path.dirname(path.resolve(srcDir))) === "sentences";
  return { sentencesDir: srcDir, lang, root: inRepo ? path.resolve(srcDir, "..", "..") : undefined };
}

export interface SentenceFile {
  file: string;
  /** Output file name (flat: hark loads every .yaml of one folder). */
  outName: string;
  /** Newer layout: the intent named by the folder and the slot combination named by the file. */
  folderIntent?: string;
  combination?: string;
}

export async function listSentenceFiles(dir: string): Promise<SentenceFile[]> {
  const out: SentenceFile[] = [];
  for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
    const full = path.join(dir, entry.name);
    if (entry.isFile() && /\.ya?ml$/.test(entry.name)) {
      out.push({ file: full, outName: entry.name.replace(/\.yml$/, ".yaml") });
    } else if (entry.isDirectory()) {
      for (const sub of (await readdir(full)).sort()) {
        if (!/\.ya?ml$/.test(sub)) continue;
        const combination = sub.replace(/\.ya?ml$/, "");
        out.push({ file: path.join(full, sub), outName: `${entry.name}_${combination}.yaml`, folderIntent: entry.name, combination });
      }
    }
  }
  return out;
}
