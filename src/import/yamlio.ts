// YAML reading and writing shared by the importers: every problem in a source file is reported as
// one line with file:line:col, and written files never fold long sentences.

import { existsSync, statSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { Document, LineCounter, parseDocument, type Node } from "yaml";
import { CommandError } from "../platform/errors.js";
import { GrammarError } from "../grammar/errors.js";

export interface ImportReport {
  /** Files written (absolute or as given by outDir). */
  files: string[];
  intents: number;
  lists: number;
  sentences: number;
  /** Devices written (hassil-fixtures only). */
  devices?: number;
  warnings: string[];
}

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonMap = { [key: string]: Json };

/** A parsed YAML source file that can say where any of its nodes was written. */
export class YamlSource {
  constructor(
    readonly file: string,
    readonly doc: Document.Parsed,
    readonly lines: LineCounter,
    readonly data: unknown,
  ) {}

  /** "file:line:col" of the node at `keys` (or of the nearest ancestor that exists). */
  where(...keys: (string | number)[]): string {
    for (let n = keys.length; n >= 0; n--) {
      const node = (n === 0 ? this.doc.contents : this.doc.getIn(keys.slice(0, n), true)) as Node | null;
      const start = node?.range?.[0];
      if (start !== undefined) {
        const { line, col } = this.lines.linePos(start);
        return `${this.file}:${line}:${col}`;
      }
    }
    return this.file;
  }

  /** A GrammarError located at the node at `keys`. */
  error(message: string, ...keys: (string | number)[]): GrammarError {
    return new GrammarError(`${this.where(...keys)}: ${message}`);
  }
}

/** Read and parse a YAML file; syntax errors become one-line GrammarErrors with file:line:col. */
export async function readYaml(file: string): Promise<YamlSource> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (e) {
    throw new CommandError(`${file}: cannot read file (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: false });
  const err = doc.errors[0];
  if (err) {
    const pos = err.linePos?.[0] ?? (err.pos ? lines.linePos(err.pos[0]) : undefined);
    const where = pos ? `${file}:${pos.line}:${pos.col}` : file;
    throw new GrammarError(`${where}: invalid YAML: ${err.message.split("\n")[0]}`);
  }
  return new YamlSource(file, doc, lines, doc.toJS({ maxAliasCount: 10_000 }));
}

/** Write `data` as YAML (never folding long sentences), with an optional header comment. */
export async function writeYaml(file: string, data: unknown, header?: string): Promise<void> {
  const doc = new Document(data);
  if (header) doc.commentBefore = header;
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, doc.toString({ lineWidth: 0, minContentWidth: 0 }), "utf8");
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Fail with a CommandError unless `p` exists (and is a directory / a file when asked). */
export function requirePath(p: string, kind: "dir" | "file"): void {
  if (!existsSync(p)) throw new CommandError(`${p}: no such ${kind === "dir" ? "directory" : "file"}`);
  const st = statSync(p);
  if (kind === "dir" && !st.isDirectory()) throw new CommandError(`${p}: not a directory`);
  if (kind === "file" && !st.isFile()) throw new CommandError(`${p}: not a file`);
}

/** Collects warnings that repeat across many places as one line: "message (N places)". */
export class WarningSink {
  private readonly grouped = new Map<string, string[]>();
  constructor(readonly lines: string[] = []) {}

  add(line: string): void {
    this.lines.push(line);
  }

  /** A warning that may repeat: reported once, at its first place, with the count. */
  group(message: string, where: string): void {
    const arr = this.grouped.get(message) ?? [];
    arr.push(where);
    this.grouped.set(message, arr);
  }

  /** All warnings, the grouped ones last. */
  flush(): string[] {
    for (const [msg, wheres] of this.grouped)
      this.lines.push(`${wheres[0]}: ${msg}${wheres.length > 1 ? ` (${wheres.length} places)` : ""}`);
    this.grouped.clear();
    return this.lines;
  }
}
