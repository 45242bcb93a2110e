// The device agent (docs/fleet.md): follows the announces of its cohort (and of "all") on the broker,
// downloads an announced bundle chunk by chunk in the background (each chunk's sha256 checked, progress on
// disk: a reconnect, a broker restart or a restart of hark resumes with the chunks still missing), verifies
// the whole (sha256, Ed25519 signature with the trusted key, every file's sha256: src/models/bundle.ts),
// stages it, runs the acceptance check (src/fleet/check.ts), switches the active models in one rename and
// reports {version, status, metrics} on its retained status topic. A bundle that fails anywhere is never
// made active; a rollback order makes the previous version active again. Only the current version and the
// one before it stay on disk.
import { closeSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import type { MqttClient } from "mqtt";
import pino, { type Logger } from "pino";
import { checkBundle, loadPublicKey } from "../models/bundle.js";
import { sha256File } from "../models/manifest.js";
import type { CheckFiles, CheckResult } from "./check.js";
import { connectFleet, type FleetBrokerOptions } from "./client.js";
import {
  ALL_COHORT, announceTopic, chunkTopic, FLEET_PREFIX, parseAnnounce, selects, sha256Of, statusTopic, validVersion,
  type Announce, type DeviceState, type DeviceStatus, type InstallAnnounce,
} from "./protocol.js";
import { FleetStore } from "./store.js";

export interface FleetAgentOptions {
  device: string;
  cohort: string;
  /** The device's models folder (its manifest.yaml decides what the runtime loads). */
  modelsDir: string;
  broker: FleetBrokerOptions;
  /** The Ed25519 public key bundles must be signed with (PEM path or text). */
  trustedKey: string;
  /** The acceptance check on a staged version's files (src/fleet/check.ts acceptanceCheck with the device's set and bounds). */
  check: (files: CheckFiles) => Promise<CheckResult>;
  logger?: Logger;
  /** Called after the active models changed (a new version, or back to an older one). */
  onSwitch?: (version: string) => void;
}

/** Chunks asked for at a time (64 KiB each by default: 2 MB in flight per device). */
const WINDOW = 32;

interface Download {
  announce: InstallAnnounce;
  have: Set<number>;
  fd: number;
  /** Chunks subscribed to and not yet received. */
  requested: Set<number>;
  /** Chunks whose payload did not match its hash (reported once per chunk). */
  bad: Set<number>;
  lastReport: number;
  lastSaved: number;
}

export class FleetAgent {
  private readonly store: FleetStore;
  private readonly log: Logger;
  private readonly key;
  private client!: MqttClient;
  private readonly announces = new Map<string, Announce>();
  private download: Download | undefined;
  /** A version being verified, checked or switched to (announces wait for it). */
  private busy: Promise<void> | undefined;
  private last: DeviceStatus;
  private stopped = false;

  private constructor(private readonly o: FleetAgentOptions) {
    this.store = new FleetStore(o.modelsDir);
    this.log = o.logger ?? pino({ level: "silent" });
    this.key = loadPublicKey(o.trustedKey);
    const s = this.store.readState();
    this.last = this.statusOf("idle", s.current);
  }

  /** Start following the broker; returns at once (the connection is made in the background). */
  static start(o: FleetAgentOptions): FleetAgent {
    if (!o.trustedKey) throw new Error("fleet: a trusted key is needed (models.trusted_key or $HARK_MODELS_PUBKEY)");
    const a = new FleetAgent(o);
    a.boot();
    return a;
  }

  /** Chunks written to disk by this agent, per version (a resumed download writes only what was missing). */
  readonly written = new Map<string, number>();

  /** The download in progress: chunks held of chunks. */
  get progress(): { version: string; chunks: number; of: number } | undefined {
    const d = this.download;
    return d && { version: d.announce.version, chunks: d.have.size, of: d.announce.chunks };
  }

  /** The last status reported. */
  get status(): DeviceStatus {
    return this.last;
  }

  private statusOf(status: DeviceState, version: string, extra: Partial<DeviceStatus> = {}): DeviceStatus {
    const s = this.store.readState();
    return { device: this.o.device, cohort: this.o.cohort, version, ...(s.previous !== undefined ? { previous: s.previous } : {}), status, ...extra, at: new Date().toISOString() };
  }

  private report(status: DeviceState, extra: Partial<DeviceStatus> = {}): void {
    const s = this.store.readState();
    this.last = this.statusOf(status, s.current, extra);
    if (status !== "downloading") this.log.info({ fleet: this.last }, `fleet: ${status}${extra.target ? ` ${extra.target}` : ""}${extra.error ? `: ${extra.error}` : ""}`);
    if (this.client?.connected) this.client.publish(statusTopic(this.o.device), JSON.stringify(this.last), { qos: 1, retain: true });
  }

  private boot(): void {
    const s = this.store.readState();
    // The process died while a staged version was being checked: that version crashed at load.
    if (s.checking) {
      const v = s.checking;
      s.failed[v] = "crashed";
      delete s.checking;
      this.store.writeState(s);
      this.store.unstage(v);
      this.last = this.statusOf("rolled_back", s.current, { target: v, error: `${v} crashed while it was being checked (the process ended): not used` });
    }
    const repaired = this.store.repair();
    if (repaired) {
      this.log.warn(`fleet: ${repaired}`);
      this.last = this.statusOf("rolled_back", this.store.readState().current, { error: repaired });
    }
    this.store.sweep(new Set([s.current, ...(s.previous !== undefined ? [s.previous] : [])]), null);
    this.client = connectFleet({ ...this.o.broker, clientId: this.o.broker.clientId ?? `hark-fleet-${this.o.device}`.slice(0, 64) });
    this.client.on("connect", () => this.onConnect());
    this.client.on("message", (topic, payload) => this.onMessage(topic, payload));
  }

  private onConnect(): void {
    this.client.publish(statusTopic(this.o.device), JSON.stringify(this.last), { qos: 1, retain: true });
    const topics = [announceTopic(this.o.cohort), ...(this.o.cohort !== ALL_COHORT ? [announceTopic(ALL_COHORT)] : [])];
    this.client.subscribe(topics, { qos: 1 });
    this.requestMissing(true);
  }

  /**
   * Subscribe to chunks still missing (the broker sends the retained ones at once), at most WINDOW at a
   * time: the broker's queue for this client stays small (mosquitto drops QoS 1 messages beyond
   * max_queued_messages), and each chunk that arrives asks for the next. After a reconnect the
   * subscriptions are gone: `fresh` asks again for everything missing.
   */
  private requestMissing(fresh = false): void {
    const d = this.download;
    if (!d || !this.client.connected) return;
    if (fresh) d.requested.clear();
    const topics: string[] = [];
    for (let i = 0; i < d.announce.chunks && d.requested.size < WINDOW; i++)
      if (!d.have.has(i) && !d.requested.has(i)) {
        d.requested.add(i);
        topics.push(chunkTopic(d.announce.version, i));
      }
    if (topics.length) this.client.subscribe(topics, { qos: 1 });
  }

  private onMessage(topic: string, payload: Buffer): void {
    if (this.stopped) return;
    if (topic.startsWith(`${FLEET_PREFIX}/bundle/`)) return this.onChunk(topic, payload);
    if (topic.startsWith(`${FLEET_PREFIX}/announce/`)) {
      const a = parseAnnounce(payload);
      if (a) this.announces.set(topic, a);
      else this.announces.delete(topic);
      this.evaluate();
    }
  }

  /** The newest announce that selects this device. */
  private effective(): Announce | undefined {
    let best: Announce | undefined;
    for (const a of this.announces.values()) if (selects(a, this.o.device) && (!best || a.seq > best.seq)) best = a;
    return best;
  }

  /** Act on the effective announce (after whatever is being installed now). */
  private evaluate(): void {
    if (this.busy) return void this.busy.then(() => this.evaluate());
    const a = this.effective();
    if (!a || this.stopped) return;
    const s = this.store.readState();
    if (a.action === "rollback") {
      if (this.download?.announce.version === a.from) {
        this.stopDownload();
        this.store.dropDownload(a.from);
        this.report("idle", { target: a.from, error: `download of ${a.from} stopped: rolled back by order` });
      }
      if (s.current !== a.from) return;
      const done = this.store.rollBack();
      if (!done) return this.report("failed", { target: a.from, error: `rollback of ${a.from} ordered, but no earlier version is kept` });
      done.recalled[a.from] = a.seq;
      this.store.writeState(done);
      this.report("rolled_back", { target: a.from, error: `rolled back from ${a.from} by order` });
      this.o.onSwitch?.(done.current);
      return;
    }
    if (!validVersion(a.version)) return;
    if (a.version === s.current) {
      if (this.last.status !== "active" || this.last.target !== a.version) this.report("active", { target: a.version, ...(this.last.metrics ? { metrics: this.last.metrics } : {}) });
      return;
    }
    if (s.failed[a.version] === a.sha256 || s.failed[a.version] === "crashed") return;
    if ((s.recalled[a.version] ?? -1) >= a.seq) return;
    if (this.download?.announce.version === a.version && this.download.announce.sha256 === a.sha256) return;
    this.startDownload(a);
  }

  private startDownload(a: InstallAnnounce): void {
    this.stopDownload();
    const have = this.store.readProgress(a.version, a.sha256);
    const fd = openSync(this.store.partFile(a.version), "r+");
    this.download = { announce: a, have, fd, requested: new Set(), bad: new Set(), lastReport: 0, lastSaved: Date.now() };
    const s = this.store.readState();
    this.store.sweep(new Set([s.current, ...(s.previous !== undefined ? [s.previous] : [])]), a.version);
    this.report("downloading", { target: a.version, progress: { chunks: have.size, of: a.chunks } });
    if (have.size === a.chunks) return this.complete();
    this.requestMissing();
  }

  private stopDownload(): void {
    const d = this.download;
    if (!d) return;
    this.download = undefined;
    closeSync(d.fd);
    const topics = [...d.requested].map((i) => chunkTopic(d.announce.version, i));
    if (topics.length && this.client.connected) this.client.unsubscribe(topics);
  }

  private onChunk(topic: string, payload: Buffer): void {
    const d = this.download;
    if (!d) return;
    const prefix = `${FLEET_PREFIX}/bundle/${d.announce.version}/`;
    if (!topic.startsWith(prefix)) return;
    const i = Number(topic.slice(prefix.length));
    if (!Number.isInteger(i) || i < 0 || i >= d.announce.chunks || d.have.has(i)) return;
    if (sha256Of(payload) !== d.announce.chunkHashes[i]) {
      // Wait for the chunk to be served again (the publisher republishes on reconnect); say so once.
      if (!d.bad.has(i)) {
        d.bad.add(i);
        this.report("failed", { target: d.announce.version, progress: { chunks: d.have.size, of: d.announce.chunks }, error: `chunk ${i} of ${d.announce.version}: sha256 mismatch (damaged in transit or on the broker); not used` });
      }
      return;
    }
    writeSync(d.fd, payload, 0, payload.length, i * d.announce.chunkSize);
    d.have.add(i);
    if (d.requested.delete(i) && this.client.connected) this.client.unsubscribe(topic);
    d.bad.delete(i);
    this.written.set(d.announce.version, (this.written.get(d.announce.version) ?? 0) + 1);
    const now = Date.now();
    const done = d.have.size === d.announce.chunks;
    if (done || now - d.lastSaved > 200) {
      this.store.writeProgress(d.announce.version, d.announce.sha256, d.have);
      d.lastSaved = now;
    }
    if (done) return this.complete();
    this.requestMissing();
    if (now - d.lastReport > 1000) {
      d.lastReport = now;
      // A damaged chunk still missing keeps the status "failed" with its reason.
      const bad = [...d.bad][0];
      this.report(bad === undefined ? "downloading" : "failed", {
        target: d.announce.version, progress: { chunks: d.have.size, of: d.announce.chunks },
        ...(bad !== undefined ? { error: `chunk ${bad} of ${d.announce.version}: sha256 mismatch (damaged in transit or on the broker); not used` } : {}),
      });
    }
  }

  /** Every chunk is here: verify, stage, check, switch — one version at a time. */
  private complete(): void {
    const d = this.download!;
    this.stopDownload();
    this.busy = this.install(d.announce)
      .catch((err: unknown) => {
        const msg = (err instanceof Error ? err.message : String(err)).split("\n")[0]!;
        this.log.warn({ err: msg }, `fleet: installing ${d.announce.version} failed`);
        this.report("failed", { target: d.announce.version, error: msg });
      })
      .finally(() => {
        this.busy = undefined;
        // An announce that came meanwhile (or the same one, now settled) is looked at again.
        this.evaluate();
      });
  }

  private refuse(a: InstallAnnounce, status: "failed" | "rolled_back", error: string, metrics?: Record<string, number>): void {
    const s = this.store.readState();
    s.failed[a.version] = a.sha256;
    delete s.checking;
    this.store.writeState(s);
    this.store.unstage(a.version);
    this.store.dropDownload(a.version);
    this.report(status, { target: a.version, error, ...(metrics ? { metrics } : {}) });
  }

  private async install(a: InstallAnnounce): Promise<void> {
    const v = a.version;
    this.report("verifying", { target: v });
    const part = this.store.partFile(v);
    const sha = await sha256File(part);
    if (sha !== a.sha256) {
      // Every chunk matched its hash but the whole does not: the announce itself is inconsistent.
      this.store.dropDownload(v);
      return this.refuse(a, "failed", `${v}: the bundle's sha256 does not match the announce`);
    }
    const tarFile = part.replace(/\.part$/, ".tar");
    renameSync(part, tarFile);
    const r = await checkBundle(tarFile, this.key);
    try {
      rmSync(tarFile, { force: true });
      rmSync(this.store.progressFile(v), { force: true });
      if (!r.signed) return this.refuse(a, "failed", `${v}: unsigned bundle refused`);
      if (r.signatureOk === false) return this.refuse(a, "failed", `${v}: not signed by the trusted key: refused`);
      if (r.problems.length) return this.refuse(a, "failed", `${v}: ${r.problems[0]}`);
      if (r.manifest!.version !== v) return this.refuse(a, "failed", `${v}: the bundle says it is version ${r.manifest!.version}: refused`);
      if (this.stopped) return;
      const files = this.store.stage(v, r.dir, r.manifest!);
      const s = this.store.readState();
      s.checking = v;
      this.store.writeState(s);
      this.report("checking", { target: v });
      const result = await this.o.check(files);
      if (!result.ok) return this.refuse(a, "rolled_back", `${v}: ${result.reason ?? "check failed"}; staying on ${this.store.readState().current || "the models the device came with"}`, result.metrics as Record<string, number>);
      if (this.stopped) return;
      this.store.switchTo(v, r.manifest!);
      this.report("active", { target: v, metrics: result.metrics as Record<string, number> });
      this.o.onSwitch?.(v);
    } finally {
      r.cleanup();
    }
  }

  /** Stop following the broker (a download in progress is kept on disk and resumed at the next start). */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.busy?.catch(() => undefined);
    const d = this.download;
    if (d) {
      this.store.writeProgress(d.announce.version, d.announce.sha256, d.have);
      this.download = undefined;
      closeSync(d.fd);
    }
    await new Promise<void>((resolve) => this.client.end(false, {}, () => resolve()));
  }
}
