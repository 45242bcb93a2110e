// The publishing side (docs/fleet.md): a bundle cut in chunks, each published retained with QoS 1 on its
// own topic, then the retained announce for a cohort. Devices fetch the chunks they lack by subscribing to
// them; a publisher that stays (`--expect N`) serves them again after the broker restarts and watches the
// devices' status topics until N devices settled on the version.
import { readFileSync } from "node:fs";
import type { MqttClient } from "mqtt";
import { checkBundle } from "../models/bundle.js";
import { connectFleet, firstConnect, type FleetBrokerOptions } from "./client.js";
import {
  ALL_COHORT, ANNOUNCE_FILTER, ANNOUNCE_FORMAT, announceTopic, chunkTopic, DEFAULT_CHUNK_SIZE, FLEET_PREFIX, parseAnnounce, sha256Of, STATUS_FILTER, validVersion,
  type Announce, type DeviceStatus, type InstallAnnounce, type RollbackAnnounce,
} from "./protocol.js";

export interface PreparedBundle {
  announce: Omit<InstallAnnounce, "seq" | "percent">;
  chunks: Buffer[];
}

/** Read a bundle file (hark models pack): its version from bundle.json, its chunks and their hashes. */
export async function prepareBundle(file: string, chunkSize = DEFAULT_CHUNK_SIZE): Promise<PreparedBundle> {
  const r = await checkBundle(file);
  r.cleanup();
  if (!r.manifest) throw new Error(r.problems[0] ?? `${file}: not a model bundle`);
  if (r.problems.length) throw new Error(`${file}: ${r.problems[0]} (hark models verify ${file})`);
  const version = r.manifest.version;
  if (!validVersion(version)) throw new Error(`${file}: version '${version}' cannot be a topic level (letters, digits, . _ -)`);
  const data = readFileSync(file);
  const chunks: Buffer[] = [];
  for (let o = 0; o < data.length; o += chunkSize) chunks.push(data.subarray(o, Math.min(data.length, o + chunkSize)));
  return {
    announce: { format: ANNOUNCE_FORMAT, action: "install", version, sha256: sha256Of(data), bytes: data.length, chunkSize, chunks: chunks.length, chunkHashes: chunks.map(sha256Of) },
    chunks,
  };
}

function publishAsync(client: MqttClient, topic: string, payload: Buffer | string, retain = true): Promise<void> {
  return new Promise((resolve, reject) => client.publish(topic, payload, { qos: 1, retain }, (err) => (err ? reject(err) : resolve())));
}

export interface PublishOptions {
  broker: FleetBrokerOptions;
  cohort: string;
  percent?: number;
  /** Called with (chunks published, chunks) while publishing. */
  onProgress?: (done: number, of: number) => void;
}

/**
 * A connection that serves one bundle: publish() puts chunks and announce on the broker, and again after
 * every reconnect (a broker without persistence lost them when it restarted).
 */
export class FleetPublisher {
  private readonly client: MqttClient;
  private readonly statuses = new Map<string, DeviceStatus>();
  private readonly listeners = new Set<() => void>();
  private announce!: InstallAnnounce;
  private serving: Promise<void> | undefined;
  private closed = false;

  private constructor(private readonly prepared: PreparedBundle, private readonly o: PublishOptions) {
    this.client = connectFleet(o.broker);
    this.client.on("message", (_topic, payload) => {
      try {
        const s = JSON.parse(payload.toString()) as DeviceStatus;
        if (s && typeof s.device === "string") this.statuses.set(s.device, s);
      } catch {
        return;
      }
      for (const l of this.listeners) l();
    });
  }

  static async start(prepared: PreparedBundle, o: PublishOptions): Promise<FleetPublisher> {
    const p = new FleetPublisher(prepared, o);
    try {
      await firstConnect(p.client, o.broker.url);
    } catch (err) {
      p.client.end(true);
      throw err;
    }
    p.announce = { ...prepared.announce, ...(o.percent !== undefined && o.percent < 100 ? { percent: o.percent } : {}), seq: Date.now() };
    p.client.subscribe(STATUS_FILTER, { qos: 1 });
    p.serving = p.serve();
    await p.serving;
    // After a broker restart: everything again (retained messages may be gone).
    p.client.on("connect", () => {
      if (p.closed) return;
      p.client.subscribe(STATUS_FILTER, { qos: 1 });
      p.serving = p.serve().catch(() => undefined);
    });
    return p;
  }

  get version(): string {
    return this.announce.version;
  }

  get topic(): string {
    return announceTopic(this.o.cohort);
  }

  private async serve(): Promise<void> {
    const { chunks } = this.prepared;
    let done = 0;
    // A window of outstanding QoS 1 publishes, not all at once.
    const window = 8;
    let next = 0;
    const worker = async () => {
      while (next < chunks.length && !this.closed) {
        const i = next++;
        await publishAsync(this.client, chunkTopic(this.announce.version, i), chunks[i]!);
        this.o.onProgress?.(++done, chunks.length);
      }
    };
    await Promise.all(Array.from({ length: Math.min(window, chunks.length) }, worker));
    if (!this.closed) await publishAsync(this.client, this.topic, JSON.stringify(this.announce));
  }

  /** The devices' latest statuses (retained ones included). */
  devices(): DeviceStatus[] {
    return [...this.statuses.values()];
  }

  /**
   * Wait until `expect` devices settled on this version: active on it, or refused it (failed / rolled back
   * with it as the target). Resolves with those statuses; rejects after timeoutMs.
   */
  waitFor(expect: number, timeoutMs: number, onChange?: (settled: DeviceStatus[], all: DeviceStatus[]) => void): Promise<DeviceStatus[]> {
    const v = this.announce.version;
    const settled = () =>
      this.devices().filter((s) => (s.status === "active" && s.version === v) || ((s.status === "failed" || s.status === "rolled_back") && s.target === v));
    return new Promise((resolve, reject) => {
      const check = () => {
        const s = settled();
        onChange?.(s, this.devices());
        if (s.length >= expect) {
          clearTimeout(timer);
          this.listeners.delete(check);
          resolve(s);
        }
      };
      const timer = setTimeout(() => {
        this.listeners.delete(check);
        reject(new Error(`${settled().length} of ${expect} devices settled on ${v} within ${Math.round(timeoutMs / 1000)} s`));
      }, timeoutMs);
      this.listeners.add(check);
      check();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.serving?.catch(() => undefined);
    await new Promise<void>((resolve) => this.client.end(false, {}, () => resolve()));
  }
}

/** Read the retained messages under a filter for a moment: the broker sends them right after SUBSCRIBE. */
export async function readRetained(broker: FleetBrokerOptions, filter: string, quietMs = 400): Promise<Map<string, Buffer>> {
  const client = connectFleet(broker, { reconnectPeriod: 0 });
  try {
    await firstConnect(client, broker.url);
    const out = new Map<string, Buffer>();
    await new Promise<void>((resolve) => {
      let timer = setTimeout(resolve, quietMs * 2);
      client.on("message", (topic, payload, packet) => {
        if (!packet.retain) return;
        if (payload.length) out.set(topic, payload);
        clearTimeout(timer);
        timer = setTimeout(resolve, quietMs);
      });
      client.subscribe(filter, { qos: 1 });
    });
    return out;
  } finally {
    client.end(true);
  }
}

/** The device statuses on the broker (retained), sorted by device. */
export async function fleetStatus(broker: FleetBrokerOptions): Promise<{ devices: DeviceStatus[]; announces: Array<{ cohort: string; announce: Announce }> }> {
  const [statuses, announces] = await Promise.all([readRetained(broker, STATUS_FILTER), readRetained(broker, ANNOUNCE_FILTER)]);
  const devices: DeviceStatus[] = [];
  for (const p of statuses.values()) {
    try {
      devices.push(JSON.parse(p.toString()) as DeviceStatus);
    } catch {
      /* not ours */
    }
  }
  devices.sort((a, b) => a.device.localeCompare(b.device, undefined, { numeric: true }));
  const list: Array<{ cohort: string; announce: Announce }> = [];
  for (const [topic, p] of announces) {
    const a = parseAnnounce(p);
    if (a) list.push({ cohort: topic.split("/").pop()!, announce: a });
  }
  return { devices, announces: list };
}

/** Order the devices of a cohort running `from` (default: the version announced there) back to their previous version. */
export async function orderRollback(broker: FleetBrokerOptions, cohort: string, from?: string, percent?: number): Promise<RollbackAnnounce> {
  let version = from;
  if (!version) {
    const retained = await readRetained(broker, announceTopic(cohort));
    const a = parseAnnounce(retained.get(announceTopic(cohort)) ?? "");
    if (!a) throw new Error(`nothing is announced to cohort '${cohort}' (give the version to leave with --from)`);
    if (a.action === "rollback") throw new Error(`cohort '${cohort}' was already ordered back from ${a.from}`);
    version = a.version;
  }
  const order: RollbackAnnounce = { format: ANNOUNCE_FORMAT, action: "rollback", from: version, ...(percent !== undefined && percent < 100 ? { percent } : {}), seq: Date.now() };
  const client = connectFleet(broker, { reconnectPeriod: 0 });
  try {
    await firstConnect(client, broker.url);
    await publishAsync(client, announceTopic(cohort), JSON.stringify(order));
  } finally {
    await new Promise<void>((resolve) => client.end(false, {}, () => resolve()));
  }
  return order;
}

/**
 * Remove a version's chunks from the broker (empty retained messages): what a broker holds stays bounded.
 * Refused while a cohort's announce still installs it. Resolves with the number of chunks removed.
 */
export async function clearVersion(broker: FleetBrokerOptions, version: string): Promise<number> {
  if (!validVersion(version)) throw new Error(`'${version}' is not a version (letters, digits, . _ -)`);
  const { announces } = await fleetStatus(broker);
  const still = announces.find((x) => x.announce.action === "install" && x.announce.version === version);
  if (still) throw new Error(`${version} is still announced to cohort ${still.cohort}: publish another version there first (or order a rollback)`);
  const retained = await readRetained(broker, `${FLEET_PREFIX}/bundle/${version}/+`);
  const client = connectFleet(broker, { reconnectPeriod: 0 });
  try {
    await firstConnect(client, broker.url);
    for (const topic of retained.keys()) await publishAsync(client, topic, Buffer.alloc(0));
  } finally {
    await new Promise<void>((resolve) => client.end(false, {}, () => resolve()));
  }
  return retained.size;
}

export { ALL_COHORT };
