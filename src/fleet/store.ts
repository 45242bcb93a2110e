// A device's side of fleet delivery on disk (docs/fleet.md), inside its models folder:
//
//   fleet/state.json            {current, previous, active per kept version, failed, recalled, checking}
//   fleet/download/V.part       the bundle being received, chunk i at offset i × chunkSize
//   fleet/download/V.json       {sha256, have: [chunk indexes]}: a restart or reconnect resumes from it
//   fleet/versions/V/           the files of an installed version (GGUFs, words, tokenizer)
//   manifest.yaml               the models' manifest: entries "NAME@V" point into fleet/versions/V/
//
// Every change that matters for booting is one rename: a version folder appears whole (staged under
// another name, then renamed); the manifest and state.json are written to a temporary file and renamed.
// So a crash at any point leaves either the old or the new active models, both complete.
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import { readManifest, writeManifest, type Manifest, type ModelEntry } from "../models/manifest.js";
import type { BundleManifest } from "../models/bundle.js";

export interface FleetState {
  /** The version in use ("" = the models the device came with). */
  current: string;
  /** The version to go back to (undefined: none kept). */
  previous?: string;
  /** The manifest's active models per kept version ("" included). */
  active: Record<string, { slm?: string; draft?: string }>;
  /** Versions refused (bad bundle, failed check), by version → sha256 of the refused bundle. */
  failed: Record<string, string>;
  /** Versions rolled back by order, by version → the order's seq (a newer announce may install it again). */
  recalled: Record<string, number>;
  /** Set while a staged version's check runs: found at start, the process died checking it. */
  checking?: string;
}

function writeAtomic(file: string, text: string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

export class FleetStore {
  readonly root: string;
  constructor(readonly modelsDir: string) {
    this.root = join(modelsDir, "fleet");
    mkdirSync(join(this.root, "download"), { recursive: true });
    mkdirSync(join(this.root, "versions"), { recursive: true });
  }

  get stateFile(): string {
    return join(this.root, "state.json");
  }

  readState(): FleetState {
    if (existsSync(this.stateFile)) {
      try {
        const s = JSON.parse(readFileSync(this.stateFile, "utf8")) as Partial<FleetState>;
        return { current: s.current ?? "", active: s.active ?? {}, failed: s.failed ?? {}, recalled: s.recalled ?? {}, ...(s.previous !== undefined ? { previous: s.previous } : {}), ...(s.checking ? { checking: s.checking } : {}) };
      } catch {
        /* an unreadable state: start over from the manifest (which alone decides what boots) */
      }
    }
    return { current: "", active: { "": readManifest(this.modelsDir).active }, failed: {}, recalled: {} };
  }

  writeState(s: FleetState): void {
    writeAtomic(this.stateFile, JSON.stringify(s, null, 1) + "\n");
  }

  versionDir(version: string): string {
    return join(this.root, "versions", version);
  }

  partFile(version: string): string {
    return join(this.root, "download", `${version}.part`);
  }

  progressFile(version: string): string {
    return join(this.root, "download", `${version}.json`);
  }

  /** Chunks already held for this version and bundle (none when the bundle changed). */
  readProgress(version: string, sha256: string): Set<number> {
    try {
      const p = JSON.parse(readFileSync(this.progressFile(version), "utf8")) as { sha256?: string; have?: number[] };
      if (p.sha256 === sha256 && Array.isArray(p.have) && existsSync(this.partFile(version))) return new Set(p.have);
    } catch {
      /* none */
    }
    this.dropDownload(version);
    // Chunks are written at their offsets (i × chunkSize), in whatever order they come.
    writeFileSync(this.partFile(version), "");
    return new Set();
  }

  writeProgress(version: string, sha256: string, have: Set<number>): void {
    writeAtomic(this.progressFile(version), JSON.stringify({ sha256, have: [...have].sort((a, b) => a - b) }));
  }

  dropDownload(version: string): void {
    for (const f of [this.partFile(version), this.progressFile(version), join(this.root, "download", `${version}.tar`)]) rmSync(f, { force: true });
  }

  /**
   * Copy a verified bundle's files (from the folder checkBundle unpacked it into) into fleet/versions/V,
   * whole or not at all; returns the model files as the check needs them.
   */
  stage(version: string, from: string, bundle: BundleManifest): { model: string; draft?: string; words?: string } {
    const dest = this.versionDir(version);
    const tmp = `${dest}.staging-${process.pid}`;
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { recursive: true });
    for (const f of bundle.files) {
      try {
        renameSync(join(from, f.path), join(tmp, f.path));
      } catch {
        copyFileSync(join(from, f.path), join(tmp, f.path));
      }
    }
    rmSync(dest, { recursive: true, force: true });
    renameSync(tmp, dest);
    return this.filesOf(version, bundle);
  }

  filesOf(version: string, bundle: BundleManifest): { model: string; draft?: string; words?: string } {
    const dir = this.versionDir(version);
    const slm = bundle.models.find((m) => m.name === bundle.active.slm) ?? bundle.models.find((m) => m.role === "slm");
    if (!slm) throw new Error(`bundle ${version} has no SLM model`);
    const draft = bundle.active.draft ? bundle.models.find((m) => m.name === bundle.active.draft) : undefined;
    return { model: join(dir, slm.file), ...(draft ? { draft: join(dir, draft.file) } : {}), ...(slm.words ? { words: join(dir, slm.words) } : {}) };
  }

  unstage(version: string): void {
    rmSync(this.versionDir(version), { recursive: true, force: true });
  }

  /**
   * Make a staged version the active models: its entries ("NAME@V") registered, made active, the previous
   * choice pushed on the history — one manifest write (a rename). Then keep only the new version and the
   * one before it on disk.
   */
  switchTo(version: string, bundle: BundleManifest): FleetState {
    const s = this.readState();
    const m = readManifest(this.modelsDir);
    const rename = (n?: string) => (n ? `${n}@${version}` : undefined);
    const rel = (f: string) => `fleet/versions/${version}/${f}`;
    for (const e of bundle.models) {
      const entry: ModelEntry = { ...e, name: rename(e.name)!, file: rel(e.file), source: `hark fleet (bundle ${version})`, ...(e.words ? { words: rel(e.words) } : {}), ...(e.pairs_with ? { pairs_with: rename(e.pairs_with)! } : {}) };
      const i = m.models.findIndex((x) => x.name === entry.name);
      if (i >= 0) m.models[i] = entry;
      else m.models.push(entry);
    }
    if (!(s.current in s.active)) s.active[s.current] = { ...m.active };
    if (m.active.slm || m.active.draft) m.history.push({ ...m.active, at: new Date().toISOString() });
    const next = { slm: rename(bundle.active.slm), ...(bundle.active.draft ? { draft: rename(bundle.active.draft) } : {}) };
    m.active = next;
    s.active[version] = next;
    const before = s.current;
    s.previous = before === version ? s.previous : before;
    s.current = version;
    delete s.checking;
    delete s.recalled[version];
    this.commit(m, s);
    return s;
  }

  /** Go back to the kept previous version (its models made active again); the one left is removed. */
  rollBack(): FleetState | undefined {
    const s = this.readState();
    if (s.previous === undefined || !s.active[s.previous]) return undefined;
    const m = readManifest(this.modelsDir);
    const back = s.active[s.previous]!;
    if (m.active.slm || m.active.draft) m.history.push({ ...m.active, at: new Date().toISOString() });
    m.active = { ...back };
    s.current = s.previous;
    delete s.previous;
    this.commit(m, s);
    return s;
  }

  /** Write the manifest and the state (each a rename), then remove what neither keeps. */
  private commit(m: Manifest, s: FleetState): void {
    const keep = new Set([s.current, ...(s.previous !== undefined ? [s.previous] : [])]);
    const gone = (e: ModelEntry) => {
      const v = /^fleet\/versions\/([^/]+)\//.exec(e.file)?.[1];
      return v !== undefined && !keep.has(v);
    };
    const removed = new Set(m.models.filter(gone).map((e) => e.name));
    m.models = m.models.filter((e) => !removed.has(e.name));
    m.history = m.history.filter((h) => !(h.slm && removed.has(h.slm)) && !(h.draft && removed.has(h.draft)));
    for (const v of Object.keys(s.active)) if (!keep.has(v)) delete s.active[v];
    writeManifest(m, this.modelsDir);
    this.writeState(s);
    this.sweep(keep, null);
  }

  /**
   * Remove version folders (and staging leftovers) that are not kept, and downloads other than `downloading`
   * (with `downloading` null: only unpacked leftovers, *.tar and temporary files; partial downloads stay to resume).
   */
  sweep(keep: Set<string>, downloading: string | null): void {
    for (const name of readdirSync(join(this.root, "versions"))) if (!keep.has(name)) rmSync(join(this.root, "versions", name), { recursive: true, force: true });
    for (const name of readdirSync(join(this.root, "download"))) {
      const partial = /\.(part|json)$/.test(name);
      const v = name.replace(/\.(part|json|tar)$/, "");
      if (downloading === null ? !partial : v !== downloading) rmSync(join(this.root, "download", name), { force: true });
    }
  }

  /**
   * At start: a manifest whose active models point to files that are gone (a version folder removed by
   * hand, a crash in an older release) goes back to the models the device came with, or the previous version.
   */
  repair(): string | undefined {
    const m = readManifest(this.modelsDir);
    const missing = (name?: string) => {
      if (!name) return false;
      const e = m.models.find((x) => x.name === name);
      return !e || !existsSync(isAbsolute(e.file) ? e.file : join(this.modelsDir, e.file));
    };
    if (!missing(m.active.slm) && !missing(m.active.draft)) return undefined;
    const s = this.readState();
    for (const v of [s.previous, ""]) {
      const a = v !== undefined ? s.active[v] : undefined;
      if (a && !missing(a.slm) && !missing(a.draft)) {
        m.active = { ...a };
        s.current = v!;
        delete s.previous;
        this.commit(m, s);
        return `the active models were missing on disk: back to ${v || "the models the device came with"}`;
      }
    }
    return undefined;
  }
}
