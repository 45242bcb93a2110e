// A YAML data file read and checked against its schema, with a one-line error naming the file and the
// first field that is wrong (the language data beside a grammar: trust cues, clause words, answers).
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import type { z } from "zod";

export function readYamlFile<T>(file: string, schema: z.ZodType<T>): T {
  let raw: unknown;
  try {
    raw = parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new Error(`${file}: ${(err as Error).message.split("\n")[0]}`);
  }
  const r = schema.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new Error(`${file}: ${issue.path.join(".") || "(top)"}: ${issue.message}`);
  }
  return r.data;
}
