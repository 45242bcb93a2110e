// Fleet delivery over MQTT (docs/fleet.md): the topics and payloads the publisher (`hark fleet publish`)
// and the device agent (`hark run` with `fleet:`) agree on. The broker is the only distribution channel.
//
//   hark/fleet/announce/<cohort>          retained JSON Announce: which bundle a cohort should run (or a
//                                         rollback order); cohort "all" reaches every device
//   hark/fleet/bundle/<version>/<index>   retained, QoS 1: chunk <index> of the bundle's bytes (raw); its
//                                         sha256 is in the announce (chunkHashes[index])
//   hark/fleet/status/<device>            retained JSON DeviceStatus: what a device runs and how its last
//                                         update went
import { createHash } from "node:crypto";
import { topicSegment } from "../bus/topics.js";

export const FLEET_PREFIX = "hark/fleet";
export const ANNOUNCE_FORMAT = "hark-fleet/1";
/** Announces to this cohort reach every device (with --percent: a stable share of them). */
export const ALL_COHORT = "all";
export const DEFAULT_CHUNK_SIZE = 64 * 1024;
/** Announces of larger bundles (or larger chunks) are ignored: a device never reserves more disk than this. */
export const MAX_BUNDLE_BYTES = 4 * 1024 ** 3;
export const MAX_CHUNK_SIZE = 16 * 1024 * 1024;

export const announceTopic = (cohort: string): string => `${FLEET_PREFIX}/announce/${topicSegment(cohort)}`;
export const chunkTopic = (version: string, index: number): string => `${FLEET_PREFIX}/bundle/${topicSegment(version)}/${index}`;
export const statusTopic = (device: string): string => `${FLEET_PREFIX}/status/${topicSegment(device)}`;
export const ANNOUNCE_FILTER = `${FLEET_PREFIX}/announce/+`;
export const STATUS_FILTER = `${FLEET_PREFIX}/status/+`;

/** A bundle to install. */
export interface InstallAnnounce {
  format: typeof ANNOUNCE_FORMAT;
  action: "install";
  version: string;
  /** sha256 of the whole bundle file. */
  sha256: string;
  bytes: number;
  chunkSize: number;
  chunks: number;
  /** sha256 of each chunk, in order. */
  chunkHashes: string[];
  /** Only devices whose bucket (0..99, from the device id) is below this take it (default 100: all). */
  percent?: number;
  /** Publication time (ms since the epoch): the newest announce that selects a device wins. */
  seq: number;
}

/** Devices of the cohort running `from` go back to the version they ran before it. */
export interface RollbackAnnounce {
  format: typeof ANNOUNCE_FORMAT;
  action: "rollback";
  from: string;
  percent?: number;
  seq: number;
}

export type Announce = InstallAnnounce | RollbackAnnounce;

export type DeviceState = "idle" | "downloading" | "verifying" | "checking" | "active" | "rolled_back" | "failed";

export interface DeviceStatus {
  device: string;
  cohort: string;
  /** The bundle version in use ("" for the models the device came with). */
  version: string;
  /** The version kept to go back to. */
  previous?: string;
  status: DeviceState;
  /** The version this status is about (being installed, or refused). */
  target?: string;
  /** Download progress: chunks held / chunks. */
  progress?: { chunks: number; of: number };
  /** The acceptance check's numbers (accuracy, latency, load time). */
  metrics?: Record<string, number>;
  error?: string;
  at: string;
}

/** 0..99, stable per device: --percent N reaches the devices below N (and raising N keeps them). */
export function bucketOf(device: string): number {
  return createHash("sha256").update(device).digest().readUInt32BE(0) % 100;
}

export function selects(a: { percent?: number }, device: string): boolean {
  return a.percent === undefined || a.percent >= 100 || bucketOf(device) < a.percent;
}

/** Parse an announce payload; undefined for an empty (cleared) or foreign one. */
export function parseAnnounce(payload: Buffer | string): Announce | undefined {
  const text = payload.toString();
  if (!text) return undefined;
  let a: Partial<Omit<InstallAnnounce, "action">> & { action?: string; from?: unknown };
  try {
    a = JSON.parse(text) as typeof a;
  } catch {
    return undefined;
  }
  if (a.format !== ANNOUNCE_FORMAT || typeof a.seq !== "number") return undefined;
  if (a.action === "rollback") return typeof a.from === "string" ? (a as unknown as RollbackAnnounce) : undefined;
  if (a.action !== "install") return undefined;
  if (typeof a.version !== "string" || !a.version || !/^[0-9a-f]{64}$/.test(String(a.sha256))) return undefined;
  if (!Number.isInteger(a.chunks) || !Number.isInteger(a.chunkSize) || !Number.isInteger(a.bytes) || a.chunkSize! <= 0) return undefined;
  if (a.bytes! <= 0 || a.bytes! > MAX_BUNDLE_BYTES || a.chunkSize! > MAX_CHUNK_SIZE) return undefined;
  if (!Array.isArray(a.chunkHashes) || a.chunkHashes.length !== a.chunks || a.chunks !== Math.ceil(a.bytes! / a.chunkSize!)) return undefined;
  return a as unknown as InstallAnnounce;
}

export function sha256Of(data: Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}

/** A version is one topic level and one folder name. */
export function validVersion(v: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(v);
}
