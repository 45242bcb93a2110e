// Reads a YAML file keeping node positions, so that schema and semantic errors point at file:line:col.
import { readFile } from "node:fs/promises";
import { LineCounter, parseDocument, isScalar, type Document, type Node } from "yaml";
import type { ZodType } from "zod";
import { GrammarError } from "./errors.js";
import type { SourceLoc } from "./types.js";

export class YamlSource {
  private constructor(
    readonly file: string,
    readonly text: string,
    private readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

  static async read(file: string): Promise<YamlSource> {
    let text: string;
    try {
      text = await readFile(file, "utf8");
    } catch (err) {
      throw new GrammarError(`${file}: cannot read: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
    return YamlSource.parse(file, text);
  }

  static parse(file: string, text: string): YamlSource {
    const lines = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false });
    const first = doc.errors[0];
    if (first) {
      const pos = lines.linePos(first.pos[0]);
      const message = first.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "");
      throw new GrammarError(message, { file, line: pos.line, col: pos.col });
    }
    return new YamlSource(file, text, doc, lines);
  }

  toJS(): unknown {
    return this.doc.toJS();
  }

  /** Location of the node at a path; falls back to the nearest existing ancestor. */
  loc(path: ReadonlyArray<string | number>): SourceLoc {
    for (let n = path.length; n >= 0; n--) {
      const node = this.doc.getIn(path.slice(0, n), true) as Node | undefined;
      if (node && typeof node === "object" && "range" in node && node.range) {
        let offset = node.range[0];
        // Point inside quotes so that template offsets line up with characters.
        if (isScalar(node) && (node.type === "QUOTE_DOUBLE" || node.type === "QUOTE_SINGLE")) offset += 1;
        const pos = this.lines.linePos(offset);
        return { file: this.file, line: pos.line, col: pos.col };
      }
    }
    return { file: this.file, line: 1, col: 1 };
  }

  /** Validate against a schema; the first issue becomes a GrammarError at its node. */
  validate<T>(schema: ZodType<T>): T {
    const result = schema.safeParse(this.toJS());
    if (result.success) return result.data;
    const issue = result.error.issues[0]!;
    const path = issue.path.filter((p): p is string | number => typeof p !== "symbol");
    const where = path.length ? ` (at ${path.join(".")})` : "";
    let message = issue.message;
    if (issue.code === "unrecognized_keys") message = `unknown key${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => `'${k}'`).join(", ")}`;
    const keyPath = issue.code === "unrecognized_keys" ? [...path, issue.keys[0]!] : path;
    throw new GrammarError(`${message}${where}`, this.loc(keyPath));
  }
}
