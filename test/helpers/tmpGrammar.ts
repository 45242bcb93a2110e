// Writes small grammar/device files into a fresh temp folder for a test.
import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

export function tmpFiles(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), "hark-test-"));
  for (const [name, text] of Object.entries(files)) {
    const path = join(root, name);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  }
  return root;
}
