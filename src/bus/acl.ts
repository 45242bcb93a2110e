// Who may publish and subscribe to what on the broker, by role, derived from the topic layout
// (src/bus/topics.ts) and the devices' own topics (src/devices/codec.ts, discovery.ts). One list of
// rules per user serves both brokers: the embedded aedes checks it on every PUBLISH and SUBSCRIBE
// (src/bus/broker.ts), and `hark broker config --mosquitto` writes it as mosquitto's acl_file.
//
//   admin      readwrite #                                    (tools, `hark fleet publish`, a Home Assistant bridge)
//   hark       write  hark/home/+/set, hark/home/+/set/+      commands to every device
//              write  hark/car/#                              car commands (and the speed signal it may set)
//              write  hark/satellite/#                        talking to satellites
//              read   hark/#, homeassistant/#
//              write  hark/fleet/status/+                     its model status as a fleet device
//   satellite  write  hark/satellite/<id>/#                   its own topics only
//              write  hark/fleet/status/<id>                  its own fleet status (src/fleet/protocol.ts)
//              write  the command topics of its `devices`     (none unless listed)
//              read   hark/satellite/<id>/#, hark/home/+/state, hark/car/#, homeassistant/#,
//                     hark/fleet/announce/+, hark/fleet/bundle/#  (model updates it may take)
//   device     write  its state topics (+ its HA discovery config), read its command topics
//
// Anything else is refused: a publish is dropped (mosquitto acknowledges it and drops it, and so does hark's
// broker), a subscription gets the failure return code (0x80).

import type { DeviceCatalog } from "../devices/catalog.js";
import { commandTopics, stateTopics } from "../devices/codec.js";
import { discoveryTopic } from "../devices/discovery.js";
import type { Device } from "../devices/types.js";
import { CAR_PREFIX, DISCOVERY_PREFIX, HOME_PREFIX, SATELLITE_PREFIX, satelliteTopic, topicSegment } from "./topics.js";

/** Fleet delivery's topics (src/fleet/protocol.ts, which the bus does not import; test/broker-acl.test.ts checks they agree). */
export const FLEET_TOPICS = {
  announce: "hark/fleet/announce/+",
  bundle: "hark/fleet/bundle/#",
  status: (device: string) => `hark/fleet/status/${topicSegment(device)}`,
  anyStatus: "hark/fleet/status/+",
} as const;

export const ROLES = ["hark", "satellite", "device", "admin"] as const;
export type Role = (typeof ROLES)[number];
export type Access = "read" | "write" | "readwrite";

export interface AclRule {
  access: Access;
  /** An MQTT topic filter (+ and # allowed). */
  topic: string;
}

/** A broker account as the ACL sees it. */
export interface AclUser {
  username: string;
  role: Role;
  /** role satellite: its id (its topics are hark/satellite/<id>/…). Default: the username. */
  satellite?: string;
  /**
   * role device: the devices it is (it publishes their state); role satellite: the devices it may command.
   * Device ids, `*` wildcards within an id (`light.kitchen_*`), or `*` for all.
   */
  devices?: string[];
}

const canWrite = (a: Access) => a !== "read";
const canRead = (a: Access) => a !== "write";

/** Does a topic match an MQTT filter? ($-topics never match a leading wildcard.) */
export function topicMatches(filter: string, topic: string): boolean {
  const f = filter.split("/");
  const t = topic.split("/");
  if (topic.startsWith("$") && (f[0] === "+" || f[0] === "#")) return false;
  for (let i = 0; i < f.length; i++) {
    if (f[i] === "#") return true;
    if (i >= t.length) return false;
    if (f[i] !== "+" && f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}

/** Is every topic `filter` can match also matched by `rule`? (A subscription within what a read rule allows.) */
export function filterCovers(rule: string, filter: string): boolean {
  const r = rule.split("/");
  const f = filter.split("/");
  if (filter.startsWith("$") && (r[0] === "+" || r[0] === "#")) return false;
  for (let i = 0; i < r.length; i++) {
    if (r[i] === "#") return true;
    if (i >= f.length) return false;
    if (f[i] === "#") return false; // the filter reaches deeper than the rule
    if (r[i] === "+") continue;
    if (f[i] === "+" || f[i] !== r[i]) return false;
  }
  return r.length === f.length;
}

export const mayPublish = (rules: readonly AclRule[], topic: string): boolean => rules.some((r) => canWrite(r.access) && topicMatches(r.topic, topic));
export const mayRead = (rules: readonly AclRule[], topic: string): boolean => rules.some((r) => canRead(r.access) && topicMatches(r.topic, topic));
export const maySubscribe = (rules: readonly AclRule[], filter: string): boolean => rules.some((r) => canRead(r.access) && filterCovers(r.topic, filter));

/** The catalog's devices a list of ids / globs names; an entry naming none is an error. */
export function selectDevices(catalog: DeviceCatalog, patterns: readonly string[], who: string): Device[] {
  const out = new Map<string, Device>();
  for (const p of patterns) {
    const re = new RegExp(`^${p.split("*").map((s) => s.replace(/[.?+^$()[\]{}|\\]/g, "\\$&")).join(".*")}$`);
    const hits = catalog.devices.filter((d) => re.test(d.id));
    if (!hits.length) throw new Error(`${who}: devices: no device matches '${p}'`);
    for (const d of hits) out.set(d.id, d);
  }
  return [...out.values()];
}

/** The rules of one account. */
export function aclRules(user: AclUser, catalog: DeviceCatalog): AclRule[] {
  const who = `broker user '${user.username}'`;
  const rules: AclRule[] = [];
  const add = (access: Access, topic: string) => {
    if (!rules.some((r) => r.access === access && r.topic === topic)) rules.push({ access, topic });
  };
  switch (user.role) {
    case "admin":
      add("readwrite", "#");
      break;
    case "hark":
      add("write", `${HOME_PREFIX}/+/set`);
      add("write", `${HOME_PREFIX}/+/set/+`);
      add("write", `${CAR_PREFIX}/#`);
      add("write", `${SATELLITE_PREFIX}/#`);
      add("write", FLEET_TOPICS.anyStatus);
      add("read", "hark/#");
      add("read", `${DISCOVERY_PREFIX}/#`);
      break;
    case "satellite": {
      const id = user.satellite ?? user.username;
      add("readwrite", satelliteTopic(id, "#"));
      add("write", FLEET_TOPICS.status(id));
      for (const d of selectDevices(catalog, user.devices ?? [], who)) for (const t of commandTopics(d)) add("write", t);
      add("read", `${HOME_PREFIX}/+/state`);
      add("read", `${CAR_PREFIX}/#`);
      add("read", `${DISCOVERY_PREFIX}/#`);
      add("read", FLEET_TOPICS.announce);
      add("read", FLEET_TOPICS.bundle);
      add("read", FLEET_TOPICS.status(id));
      break;
    }
    case "device": {
      if (!user.devices?.length) throw new Error(`${who}: role device needs devices: [the device ids it is]`);
      for (const d of selectDevices(catalog, user.devices, who)) {
        for (const t of stateTopics(d)) add("write", t);
        const disc = discoveryTopic(d);
        if (disc) add("write", disc);
        for (const t of commandTopics(d)) add("read", t);
      }
      break;
    }
  }
  return rules;
}

/** mosquitto's acl_file for these accounts (anonymous clients: nothing). */
export function mosquittoAcl(users: ReadonlyArray<{ username: string; rules: readonly AclRule[] }>): string {
  const lines = ["# written by `hark broker config --mosquitto`: one block per account, from hark's topic layout (docs/security.md)", "# anonymous clients: no rules, nothing allowed", ""];
  for (const u of users) {
    lines.push(`user ${u.username}`);
    for (const r of u.rules) lines.push(`topic ${r.access} ${r.topic}`);
    lines.push("");
  }
  return lines.join("\n");
}
