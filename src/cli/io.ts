// Line-oriented stdin for batch commands: reads bytes, never assumes valid UTF-8, bounds line length.
import { createInterface } from "node:readline";

export async function* stdinLines(input: NodeJS.ReadableStream = process.stdin): AsyncGenerator<string> {
  const rl = createInterface({ input, crlfDelay: Infinity });
  for await (const line of rl) yield line;
}

export async function readAllStdin(limitBytes = 1 << 20): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buf.length;
    if (size > limitBytes) break; // longer input cannot be a command; what was read decides
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** Write a line and respect back-pressure, so huge batches don't pile up in memory. */
export async function writeLine(text: string, out: NodeJS.WritableStream = process.stdout): Promise<void> {
  if (!out.write(text + "\n")) await new Promise<void>((resolve) => out.once("drain", resolve));
}
