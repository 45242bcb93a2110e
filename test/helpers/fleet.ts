// Simulated fleet devices for tests: model folders whose manifest points at the shipped models (no copies),
// signed bundles made from the shipped models (good, damaged, signed by another key), and agents that run
// the real acceptance check with one shared grammar.
import { copyFileSync, mkdirSync, mkdtempSync, openSync, truncateSync, writeSync, closeSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { packBundle, writeKeyPair } from "../../src/models/bundle.js";
import { readManifest, sha256File, writeManifest, type ModelEntry } from "../../src/models/manifest.js";
import { projectRoot } from "../../src/grammar/paths.js";
import { loadSources } from "../../src/nlu/index.js";
import { acceptanceCheck, defaultCheckSet, readCheckSet, type CheckResult } from "../../src/fleet/check.js";
import { FleetAgent } from "../../src/fleet/agent.js";
import type { FleetBrokerOptions } from "../../src/fleet/client.js";
import type { LoadedGrammar } from "../../src/grammar/load.js";

export const SHIPPED = join(projectRoot(), "models");

/** The shipped active models' entries, with absolute file paths. */
export function shippedEntries(): { entries: ModelEntry[]; active: { slm?: string; draft?: string } } {
  const m = readManifest(SHIPPED);
  const entries = m.models
    .filter((e) => e.name === m.active.slm || e.name === m.active.draft)
    .map((e) => ({ ...e, file: join(SHIPPED, e.file), ...(e.words ? { words: join(SHIPPED, e.words) } : {}) }));
  return { entries, active: { ...m.active } };
}

/** A device's models folder as it came from the factory: the shipped models, active. */
export function deviceDir(root: string, id: string): string {
  const dir = join(root, id);
  mkdirSync(dir, { recursive: true });
  const { entries, active } = shippedEntries();
  writeManifest({ active, history: [], models: entries }, dir);
  return dir;
}

export interface Keys {
  dir: string;
  privateKey: string;
  publicKey: string;
  otherPrivateKey: string;
}

export function makeKeys(): Keys {
  const dir = mkdtempSync(join(tmpdir(), "hark-fleet-keys-"));
  const k = writeKeyPair(dir);
  const other = join(dir, "other");
  mkdirSync(other);
  const o = writeKeyPair(other);
  return { dir, privateKey: k.privateKey, publicKey: k.publicKey, otherPrivateKey: o.privateKey };
}

export type Damage = "none" | "zeroed" | "truncated";

/**
 * A bundle of the shipped models (≈ 4.8 MB: target, draft, words, tokenizer) as `hark models pack`
 * writes it. "zeroed": the target's weights after the first 1.5 MB are zeros (loads, answers wrongly);
 * "truncated": the target file is cut short (fails to load). Either is signed as it is.
 */
export async function makeBundle(out: string, version: string, key: string, damage: Damage = "none"): Promise<string> {
  const { entries, active } = shippedEntries();
  const work = mkdtempSync(join(tmpdir(), "hark-fleet-pack-"));
  const files: string[] = [];
  const models: ModelEntry[] = [];
  for (const e of entries) {
    let file = e.file;
    if (e.role === "slm" && damage !== "none") {
      file = join(work, basename(e.file));
      copyFileSync(e.file, file);
      const size = statSync(file).size;
      if (damage === "truncated") truncateSync(file, Math.floor(size * 0.7));
      else {
        const fd = openSync(file, "r+");
        writeSync(fd, Buffer.alloc(size - 1_500_000), 0, size - 1_500_000, 1_500_000);
        closeSync(fd);
      }
    }
    files.push(file);
    models.push({ ...e, file: basename(file), sha256: await sha256File(file), bytes: statSync(file).size, ...(e.words ? { words: basename(e.words) } : {}) });
  }
  const words = entries.find((e) => e.role === "slm")?.words;
  if (words) files.push(words);
  files.push(join(SHIPPED, "tokenizer.model"));
  await packBundle({ out, files, models, active, version, privateKey: key });
  return out;
}

let grammar: Promise<LoadedGrammar> | undefined;

/** One grammar and check set for every simulated device of the process. */
export async function sharedCheck(bounds = { minAccuracy: 0.8, maxLatencyMs: 10_000 }): Promise<(files: { model: string; draft?: string; words?: string }) => Promise<CheckResult>> {
  grammar ??= loadSources({});
  const g = await grammar;
  // The first 12 items of the shipped set: the same check, less of the shared CPU per device.
  const items = readCheckSet(defaultCheckSet(), 12);
  return (files) => acceptanceCheck(files, { grammar: g, items, bounds });
}

export async function startDevices(o: { root: string; count: number; cohort: string; broker: FleetBrokerOptions; publicKey: string; prefix?: string }): Promise<FleetAgent[]> {
  const check = await sharedCheck();
  const agents: FleetAgent[] = [];
  for (let i = 0; i < o.count; i++) {
    const id = `${o.prefix ?? "dev"}-${String(i + 1).padStart(2, "0")}`;
    agents.push(FleetAgent.start({ device: id, cohort: o.cohort, modelsDir: deviceDir(o.root, id), broker: o.broker, trustedKey: o.publicKey, check }));
  }
  return agents;
}

/** Poll until cond() holds (no timing assertion: the test's own timeout is the limit). */
export async function until(cond: () => boolean, stepMs = 50): Promise<void> {
  while (!cond()) await new Promise((r) => setTimeout(r, stepMs));
}
