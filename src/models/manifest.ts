// models/manifest.yaml: the SLM models hark knows (shipped, trained or added), which are in use, and the
// history of that choice (for rollback). A model is only made active after it verified (sha256, GGUF
// header and size, draft vocabulary = target vocabulary); a failed check leaves the previous model active.
import { createHash } from "node:crypto";
import { createReadStream, existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, isAbsolute, join } from "node:path";
import { Document, parse, parseDocument } from "yaml";
import { projectRoot } from "../grammar/paths.js";
import { harkEnv } from "../platform/env.js";
import { readGguf, vocabOf, GgufError } from "./gguf.js";

export type Role = "slm" | "draft";

export interface ModelEntry {
  name: string;
  role: Role;
  file: string;
  sha256: string;
  bytes: number;
  params?: number;
  format?: string;
  vocab?: number;
  licence?: string;
  source?: string;
  grammar_hash?: string;
  data_hash?: string;
  /** Words the model saw in training (file next to the model), for the out-of-domain check. */
  words?: string;
  /** Intents the model was trained on (the cascade only uses the SLM when the grammar has them). */
  intents?: string[];
  /** Which target a draft belongs to. */
  pairs_with?: string;
  metrics?: Record<string, unknown>;
}

export interface Manifest {
  active: { slm?: string; draft?: string };
  history: Array<{ slm?: string; draft?: string; at: string }>;
  models: ModelEntry[];
}

/** HARK_MODELS_DIR (read at the call unless given), else models/ in the package. */
export function modelsDir(env = harkEnv().modelsDir): string {
  return env ?? join(projectRoot(), "models");
}

export function manifestPath(dir = modelsDir()): string {
  return join(dir, "manifest.yaml");
}

export function readManifest(dir = modelsDir()): Manifest {
  const file = manifestPath(dir);
  if (!existsSync(file)) return { active: {}, history: [], models: [] };
  const m = parse(readFileSync(file, "utf8")) as Partial<Manifest> | null;
  return { active: m?.active ?? {}, history: m?.history ?? [], models: m?.models ?? [] };
}

const HEADER = ` hark SLM models (written by \`hark models\`; see docs/slm.md).
 active: the models in use; history: earlier choices (\`hark models rollback\`).`;

/**
 * Write the SLM part (active, history, models). The file also holds the speech engines' section
 * (src/asr/manifest.ts reads it): every other key and comment of the file on disk is kept as it is.
 */
export function writeManifest(m: Manifest, dir = modelsDir()): void {
  const file = manifestPath(dir);
  let doc: Document | undefined = existsSync(file) ? parseDocument(readFileSync(file, "utf8")) : undefined;
  if (doc?.errors.length) throw new Error(`${file}: ${doc.errors[0]!.message.split("\n")[0]} (fix or remove the file; nothing was written)`);
  if (!doc || doc.contents === null) {
    doc = new Document({});
    doc.commentBefore = HEADER;
  }
  doc.set("active", m.active);
  doc.set("history", m.history);
  doc.set("models", m.models);
  // A temporary file renamed over the old one: a crash while writing never leaves half a manifest.
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, doc.toString({ lineWidth: 0 }));
  renameSync(tmp, file);
}

export function resolveFile(entry: ModelEntry, dir = modelsDir()): string {
  return isAbsolute(entry.file) ? entry.file : join(dir, entry.file);
}

export async function sha256File(file: string): Promise<string> {
  const h = createHash("sha256");
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  return h.digest("hex");
}

export class ModelError extends Error {}

/** Verify a model file: exists, GGUF header + size, sha256 (when expected), draft vocabulary (when a target is given). */
export async function verifyModel(file: string, expect: { sha256?: string; target?: string } = {}): Promise<{ sha256: string; bytes: number; vocab: number; params?: number; meta: Record<string, unknown> }> {
  if (!existsSync(file)) throw new ModelError(`${file}: no such file`);
  let info;
  try {
    info = await readGguf(file);
  } catch (err) {
    throw new ModelError(err instanceof GgufError ? err.message : `${file}: ${(err as Error).message}`);
  }
  const sha256 = await sha256File(file);
  if (expect.sha256 && expect.sha256 !== sha256) throw new ModelError(`${file}: sha256 mismatch (expected ${expect.sha256.slice(0, 12)}…, file is ${sha256.slice(0, 12)}…)`);
  const vocab = vocabOf(info);
  if (expect.target) {
    const tv = vocabOf(await readGguf(expect.target));
    if (tv.length !== vocab.length || tv.some((t, i) => t !== vocab[i]))
      throw new ModelError(`${file}: vocabulary does not match the target model (${vocab.length} vs ${tv.length} tokens); a draft must share its target's tokenizer`);
  }
  return { sha256, bytes: info.fileBytes, vocab: vocab.length, meta: info.metadata };
}

/**
 * Paths of the active models, as the manifest names them. Nothing is substituted: a file that went bad on
 * disk is refused when it is loaded (src/models/integrity.ts: sha256 against its entry, then the GGUF
 * header), with the reason, rather than silently replaced by an earlier choice; `hark models rollback`
 * is the explicit way back.
 */
export function activeModels(dir = modelsDir()): { slm?: string; draft?: string; slmEntry?: ModelEntry; words?: string } {
  const m = readManifest(dir);
  const entry = (name?: string): ModelEntry | undefined => (name ? m.models.find((x) => x.name === name) : undefined);
  const slm = entry(m.active.slm);
  const draft = slm ? entry(m.active.draft) : undefined;
  const words = slm?.words ? (isAbsolute(slm.words) ? slm.words : join(dir, slm.words)) : undefined;
  return { slm: slm && resolveFile(slm, dir), draft: draft && resolveFile(draft, dir), slmEntry: slm, words };
}

export function benchFile(dir = modelsDir()): string {
  return join(dir, "bench-slm.json");
}

export { dirname };
