// Signed model bundles (docs/models.md): one uncompressed tar holding the model files (GGUFs, tokenizer,
// words file), `bundle.json` — {format, version, created, files: [{path, sha256, bytes}], models, active},
// written as canonical JSON (keys sorted, no spaces) — and `bundle.sig`, the base64 Ed25519 signature of
// bundle.json's exact bytes. Verification checks the signature against a trusted public key, then the
// sha256 and size of every listed file, and that the bundle holds nothing else; each problem is one line.
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from "node:crypto";
import { closeSync, copyFileSync, existsSync, linkSync, mkdtempSync, openSync, readdirSync, readFileSync, readSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import * as tar from "tar";
import { ModelError, sha256File, type ModelEntry } from "./manifest.js";

export const BUNDLE_FORMAT = "hark-bundle/1";
export const BUNDLE_MANIFEST = "bundle.json";
export const BUNDLE_SIGNATURE = "bundle.sig";

export interface BundleFile {
  path: string;
  sha256: string;
  bytes: number;
}

export interface BundleManifest {
  format: string;
  version: string;
  created: string;
  files: BundleFile[];
  /** The manifest entries of the models (file names relative to the bundle). */
  models: ModelEntry[];
  active: { slm?: string; draft?: string };
}

/** JSON with object keys sorted at every level and no whitespace: the bytes that are signed. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(",")}]`;
  if (v && typeof v === "object")
    return `{${Object.keys(v as Record<string, unknown>)
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  return JSON.stringify(v);
}

/** A PEM text, or the path of a PEM file. */
function pemOf(spec: string): string {
  if (spec.includes("-----BEGIN")) return spec;
  if (!existsSync(spec)) throw new ModelError(`${spec}: no such key file`);
  return readFileSync(spec, "utf8");
}

export function loadPublicKey(spec: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPublicKey(pemOf(spec));
  } catch (err) {
    if (err instanceof ModelError) throw err;
    throw new ModelError(`${spec.includes("-----BEGIN") ? "public key" : spec}: not a PEM public key`);
  }
  if (key.asymmetricKeyType !== "ed25519") throw new ModelError(`${spec.includes("-----BEGIN") ? "public key" : spec}: not an Ed25519 key (${key.asymmetricKeyType})`);
  return key;
}

export function loadPrivateKey(file: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey(pemOf(file));
  } catch (err) {
    if (err instanceof ModelError) throw err;
    throw new ModelError(`${file}: not a PEM private key`);
  }
  if (key.asymmetricKeyType !== "ed25519") throw new ModelError(`${file}: not an Ed25519 key (${key.asymmetricKeyType})`);
  return key;
}

/** Write an Ed25519 key pair: DIR/hark-models.key (PKCS#8 PEM, mode 0600) and DIR/hark-models.pub (SPKI PEM). */
export function writeKeyPair(dir: string): { privateKey: string; publicKey: string } {
  const privateKey = join(dir, "hark-models.key");
  const publicKey = join(dir, "hark-models.pub");
  for (const f of [privateKey, publicKey]) if (existsSync(f)) throw new ModelError(`${f}: already exists (not overwritten)`);
  const pair = generateKeyPairSync("ed25519");
  writeFileSync(privateKey, pair.privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600, flag: "wx" });
  writeFileSync(publicKey, pair.publicKey.export({ type: "spki", format: "pem" }), { mode: 0o644, flag: "wx" });
  return { privateKey, publicKey };
}

/** A tar file (the "ustar" magic at offset 257). */
export function isBundleFile(file: string): boolean {
  if (!existsSync(file) || !statSync(file).isFile()) return false;
  const fd = openSync(file, "r");
  try {
    const b = Buffer.alloc(5);
    return readSync(fd, b, 0, 5, 257) === 5 && b.toString("latin1") === "ustar";
  } finally {
    closeSync(fd);
  }
}

/** Write a bundle: `files` (absolute paths, stored by their base names), signed with `privateKey` (a PEM file). */
export async function packBundle(o: { out: string; files: string[]; models: ModelEntry[]; active: BundleManifest["active"]; version: string; privateKey: string }): Promise<BundleManifest> {
  const key = loadPrivateKey(o.privateKey);
  const stage = mkdtempSync(join(tmpdir(), "hark-pack-"));
  try {
    const files: BundleFile[] = [];
    for (const f of o.files) files.push({ path: basename(f), sha256: await sha256File(f), bytes: statSync(f).size });
    const manifest: BundleManifest = { format: BUNDLE_FORMAT, version: o.version, created: new Date().toISOString(), files, models: o.models, active: o.active };
    const body = Buffer.from(canonicalJson(manifest));
    writeFileSync(join(stage, BUNDLE_MANIFEST), body);
    writeFileSync(join(stage, BUNDLE_SIGNATURE), sign(null, body, key).toString("base64") + "\n");
    // The model files go in by name beside the manifest: hard links (a copy across file systems).
    for (const f of o.files) {
      try {
        linkSync(f, join(stage, basename(f)));
      } catch {
        copyFileSync(f, join(stage, basename(f)));
      }
    }
    await tar.c({ file: o.out, cwd: stage, portable: true, noDirRecurse: true }, [BUNDLE_MANIFEST, BUNDLE_SIGNATURE, ...files.map((f) => f.path)]);
    return manifest;
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

export interface BundleCheck {
  /** The folder holding the bundle's files (a temporary one for a tar: call cleanup). */
  dir: string;
  manifest?: BundleManifest;
  /** A signature was present. */
  signed: boolean;
  /** The signature verified with the given key (undefined: no key given, not checked). */
  signatureOk?: boolean;
  /** One line per problem; empty when the bundle is good. */
  problems: string[];
  cleanup(): void;
}

/**
 * Verify a bundle (tar file or unpacked folder): signature (when a public key is given), then sha256 and
 * size of every listed file, nothing missing and nothing extra.
 */
export async function checkBundle(path: string, publicKey?: KeyObject): Promise<BundleCheck> {
  let dir = path;
  let cleanup = () => {};
  const problems: string[] = [];
  const result = (extra: Partial<BundleCheck> = {}): BundleCheck => ({ dir, signed: false, problems, cleanup, ...extra });
  if (!existsSync(path)) return result({ problems: [`${path}: no such file or folder`] });
  if (statSync(path).isFile()) {
    if (!isBundleFile(path)) return result({ problems: [`${path}: not a model bundle (a tar file written by hark models pack)`] });
    dir = mkdtempSync(join(tmpdir(), "hark-bundle-"));
    const tmp = dir;
    cleanup = () => rmSync(tmp, { recursive: true, force: true });
    try {
      await tar.x({ file: path, cwd: dir, strict: true, preservePaths: false });
    } catch (err) {
      return result({ problems: [`${path}: not a readable bundle (${(err as Error).message.split("\n")[0]})`] });
    }
  }
  const mpath = join(dir, BUNDLE_MANIFEST);
  if (!existsSync(mpath)) return result({ problems: [`${BUNDLE_MANIFEST}: missing (not a hark model bundle)`] });
  const body = readFileSync(mpath);
  const sigPath = join(dir, BUNDLE_SIGNATURE);
  const signed = existsSync(sigPath);
  let signatureOk: boolean | undefined;
  if (publicKey) {
    if (!signed) problems.push(`${BUNDLE_SIGNATURE}: missing: the bundle is unsigned`);
    else {
      const sig = Buffer.from(readFileSync(sigPath, "utf8").trim(), "base64");
      signatureOk = sig.length === 64 && verify(null, body, publicKey, sig);
      if (!signatureOk) problems.push(`${BUNDLE_MANIFEST}: signature does not verify with the public key (the manifest was changed, or another key signed it)`);
    }
  }
  let manifest: BundleManifest;
  try {
    manifest = JSON.parse(body.toString("utf8")) as BundleManifest;
    if (manifest.format !== BUNDLE_FORMAT || !Array.isArray(manifest.files)) throw new Error(`format is not ${BUNDLE_FORMAT}`);
  } catch (err) {
    problems.push(`${BUNDLE_MANIFEST}: unreadable (${(err as Error).message})`);
    return result({ signed, ...(signatureOk !== undefined ? { signatureOk } : {}) });
  }
  const listed = new Set<string>([BUNDLE_MANIFEST, BUNDLE_SIGNATURE]);
  for (const f of manifest.files) {
    if (typeof f.path !== "string" || f.path.includes("/") || f.path.startsWith(".")) {
      problems.push(`${String(f.path)}: not a plain file name`);
      continue;
    }
    listed.add(f.path);
    const file = join(dir, f.path);
    if (!existsSync(file)) {
      problems.push(`${f.path}: missing from the bundle`);
      continue;
    }
    const bytes = statSync(file).size;
    if (bytes !== f.bytes) {
      problems.push(`${f.path}: size ${bytes} bytes, manifest ${f.bytes}`);
      continue;
    }
    const sha = await sha256File(file);
    if (sha !== f.sha256) problems.push(`${f.path}: sha256 mismatch (manifest ${String(f.sha256).slice(0, 12)}…, file ${sha.slice(0, 12)}…)`);
  }
  for (const name of readdirSync(dir)) if (!listed.has(name)) problems.push(`${name}: in the bundle but not in its manifest`);
  return result({ manifest, signed, ...(signatureOk !== undefined ? { signatureOk } : {}) });
}

export function sha256Hex(data: Buffer | string): string {
  return createHash("sha256").update(data).digest("hex");
}
