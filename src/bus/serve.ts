// hark.yaml's `broker.serve`: the embedded broker's accounts, ACLs and TLS, and the same as a mosquitto
// configuration (`hark broker config --mosquitto`). docs/security.md.
//
// With users (or broker.username/password and no url) the embedded broker refuses anonymous clients;
// hark's own clients get accounts of their own: the runtime (role hark: broker.username when it is one
// of the users, else a random one for this run) and each simulated device file (role device, its own
// devices only). Generated passwords live in memory only; no secret is ever logged.

import { X509Certificate } from "node:crypto";
import { spawnSync } from "node:child_process";
import { chmodSync, chownSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { randomBytes } from "node:crypto";
import { z } from "zod";
import type { DeviceCatalog } from "../devices/catalog.js";
import type { DeviceFile } from "../devices/types.js";
import { CommandError } from "../platform/errors.js";
import { aclRules, mosquittoAcl, ROLES, type AclRule, type Role } from "./acl.js";
import type { BrokerAccount, BrokerOptions } from "./broker.js";
import { hashKind, mosquittoHash, randomSecret, readSecretFile, sameSecret, verifyPassword } from "./credentials.js";
import type { MqttTlsOptions } from "./mqttBus.js";

export const brokerUserSchema = z
  .strictObject({
    username: z.string().regex(/^[^\s:]+$/, "no spaces or ':' in a username"),
    /** The password in clear (prefer password_file or password_hash). */
    password: z.string().min(1).optional(),
    /** A file (mode 0600) whose first line is the password. */
    password_file: z.string().min(1).optional(),
    /** `hark broker passwd` ($scrypt$…) or mosquitto_passwd's ($7$…) hash. */
    password_hash: z.string().optional(),
    role: z.enum(ROLES),
    /** role satellite: its id, its topics hark/satellite/<id>/… (default: the username). */
    satellite: z.string().min(1).optional(),
    /** role device: the devices it is; role satellite: the devices it may command (ids, `*` globs). */
    devices: z.array(z.string().min(1)).optional(),
  })
  .superRefine((u, ctx) => {
    const given = [u.password, u.password_file, u.password_hash].filter((x) => x !== undefined).length;
    if (given !== 1) ctx.addIssue({ code: "custom", message: "give exactly one of password, password_file, password_hash" });
    if (u.password_hash !== undefined) {
      const k = hashKind(u.password_hash);
      if (typeof k === "object") ctx.addIssue({ code: "custom", path: ["password_hash"], message: k.error });
    }
    if (u.satellite !== undefined && u.role !== "satellite") ctx.addIssue({ code: "custom", path: ["satellite"], message: "only for role satellite" });
    if (u.role === "device" && !u.devices?.length) ctx.addIssue({ code: "custom", path: ["devices"], message: "role device needs the device ids it is" });
    if ((u.role === "admin" || u.role === "hark") && u.devices) ctx.addIssue({ code: "custom", path: ["devices"], message: `role ${u.role} reaches every device; devices: is for satellite and device accounts` });
  });

export const brokerServeSchema = z
  .strictObject({
    /** Address to listen on (default 127.0.0.1; beyond loopback only with users). */
    host: z.string().min(1).optional(),
    /** Serve mqtts:// with this certificate and key (PEM files). */
    tls: z.strictObject({ cert: z.string().min(1), key: z.string().min(1) }).optional(),
    /** The accounts; with any, anonymous clients are refused. */
    users: z.array(brokerUserSchema).optional(),
  })
  .superRefine((s, ctx) => {
    const seen = new Set<string>();
    s.users?.forEach((u, i) => {
      if (seen.has(u.username)) ctx.addIssue({ code: "custom", path: ["users", i, "username"], message: `'${u.username}' is listed twice` });
      seen.add(u.username);
    });
  });

export type BrokerUserConfig = z.infer<typeof brokerUserSchema>;
export type BrokerServeConfig = z.infer<typeof brokerServeSchema>;

/** The part of hark.yaml's `broker:` this module reads. */
export interface BrokerSection {
  serve?: BrokerServeConfig | undefined;
  username?: string | undefined;
  password?: string | undefined;
  password_file?: string | undefined;
  ca?: string | undefined;
}

export interface Credentials {
  username: string;
  password: string;
}

/** What `hark run` needs to start the embedded broker locked and to connect its own clients to it. */
export interface EmbeddedServe {
  broker: Pick<BrokerOptions, "host" | "users" | "tls">;
  /** The runtime's own account. */
  hark?: Credentials;
  /** Each simulated device file's own account. */
  simulator?: (file: DeviceFile) => Credentials | undefined;
  /** How hark's own clients trust the broker's certificate. */
  clientTls?: MqttTlsOptions;
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1"]);

function readPem(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch {
    throw new CommandError(`${what} ${path}: cannot read it`);
  }
}

/** The password a configured account has in clear (password or password_file), if any. */
function clearPassword(u: BrokerUserConfig, where: string): string | undefined {
  if (u.password !== undefined) return u.password;
  if (u.password_file !== undefined) {
    try {
      return readSecretFile(u.password_file, `${where}.password_file`);
    } catch (err) {
      throw new CommandError((err as Error).message);
    }
  }
  return undefined;
}

/** The client side's password: broker.password or broker.password_file. */
export function clientPassword(b: BrokerSection): string | undefined {
  if (b.password !== undefined) return b.password;
  if (b.password_file !== undefined) {
    try {
      return readSecretFile(b.password_file, "password_file");
    } catch (err) {
      throw new CommandError((err as Error).message);
    }
  }
  return undefined;
}

/** broker.simulator's account (the simulated devices on an external broker). */
export function simulatorCredentials(sim: { username: string; password?: string | undefined; password_file?: string | undefined } | undefined): Credentials | undefined {
  if (!sim) return undefined;
  const password = sim.password ?? (sim.password_file !== undefined ? clientPassword({ password_file: sim.password_file }) : undefined);
  if (password === undefined) throw new CommandError("broker.simulator: give password or password_file");
  return { username: sim.username, password };
}

function rulesOf(u: { username: string; role: Role; satellite?: string | undefined; devices?: string[] | undefined }, catalog: DeviceCatalog): AclRule[] {
  try {
    return aclRules({ username: u.username, role: u.role, ...(u.satellite ? { satellite: u.satellite } : {}), ...(u.devices ? { devices: u.devices } : {}) }, catalog);
  } catch (err) {
    throw new CommandError(`broker.serve.users: ${(err as Error).message}`);
  }
}

/** The accounts of broker.serve.users, with their ACLs. */
export function configuredAccounts(serve: BrokerServeConfig | undefined, catalog: DeviceCatalog): BrokerAccount[] {
  return (serve?.users ?? []).map((u, i) => {
    const where = `broker.serve.users[${i}]`;
    const clear = clearPassword(u, where);
    const hash = u.password_hash;
    return {
      username: u.username,
      role: u.role,
      rules: rulesOf(u, catalog),
      verify: (p: Buffer) => (clear !== undefined ? sameSecret(p, clear) : verifyPassword(p, hash!)),
    };
  });
}

/** The servername that makes the certificate's own names match when hark connects to `host`. */
function servernameFor(cert: Buffer, host: string): string | undefined {
  try {
    const x = new X509Certificate(cert);
    if (x.checkIP(host) || x.checkHost(host)) return undefined;
    const dns = /DNS:([^,\s]+)/.exec(x.subjectAltName ?? "")?.[1];
    return dns && !dns.includes("*") ? dns : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The embedded broker's settings from hark.yaml's broker section, or undefined when it stays as it
 * always was (anonymous, loopback, plain TCP).
 */
export function embeddedServe(b: BrokerSection, catalog: DeviceCatalog): EmbeddedServe | undefined {
  const serve = b.serve;
  const host = serve?.host ?? "127.0.0.1";
  const accounts = configuredAccounts(serve, catalog);
  const clientPw = clientPassword(b);
  let hark: Credentials | undefined;
  if (b.username !== undefined) {
    const own = serve?.users?.find((u) => u.username === b.username);
    if (serve?.users?.length && !own) throw new CommandError(`broker.username '${b.username}' is not one of broker.serve.users`);
    const password = clientPw ?? (own ? clearPassword(own, "broker.serve.users") : undefined);
    if (password === undefined) throw new CommandError(`broker.username '${b.username}': give broker.password or broker.password_file (hark connects to its own broker with it)`);
    if (!own) accounts.push({ username: b.username, role: "hark", rules: rulesOf({ username: b.username, role: "hark" }, catalog), verify: (p) => sameSecret(p, password) });
    hark = { username: b.username, password };
  }
  const locked = accounts.length > 0;
  if (!locked && !serve?.tls && !serve?.host) return undefined;
  if (!locked && !LOOPBACK.has(host)) throw new CommandError(`broker.serve.host ${host}: listening beyond loopback needs broker.serve.users (anonymous clients could command every device)`);
  const tls = serve?.tls ? { cert: readPem(serve.tls.cert, "broker.serve.tls.cert"), key: readPem(serve.tls.key, "broker.serve.tls.key") } : undefined;
  let simulator: EmbeddedServe["simulator"];
  if (locked) {
    // hark's own clients: accounts made for this run, passwords in memory only.
    const tag = randomBytes(4).toString("hex");
    if (!hark) {
      hark = { username: `hark-runtime-${tag}`, password: randomSecret() };
      const pw = hark.password;
      accounts.push({ username: hark.username, role: "hark", rules: rulesOf({ username: hark.username, role: "hark" }, catalog), verify: (p) => sameSecret(p, pw) });
    }
    const sims = new Map<DeviceFile, Credentials>();
    catalog.files.forEach((f, i) => {
      if (!f.devices.length) return;
      const c = { username: `hark-sim-${i}-${tag}`, password: randomSecret() };
      sims.set(f, c);
      accounts.push({ username: c.username, role: "device", rules: rulesOf({ username: c.username, role: "device", devices: f.devices.map((d) => d.id) }, catalog), verify: (p) => sameSecret(p, c.password) });
    });
    simulator = (f) => sims.get(f) ?? sims.get(catalog.files.find((g) => g.file === f.file && g.name === f.name)!);
  }
  const connectHost = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host;
  let clientTls: MqttTlsOptions | undefined;
  if (tls) {
    const ca = b.ca ? readPem(b.ca, "broker.ca") : tls.cert;
    const servername = servernameFor(tls.cert, connectHost);
    clientTls = { ca, ...(servername ? { servername } : {}) };
  }
  return {
    broker: { host, ...(locked ? { users: accounts } : {}), ...(tls ? { tls } : {}) },
    ...(hark ? { hark } : {}),
    ...(simulator ? { simulator } : {}),
    ...(clientTls ? { clientTls } : {}),
  };
}

export interface MosquittoFiles {
  /** file name → text */
  files: Record<string, string>;
  warnings: string[];
}

/** mosquitto.conf, passwd and acl for the same accounts and ACLs, and the TLS files (`hark broker config --mosquitto`). */
export async function mosquittoConfig(b: BrokerSection, catalog: DeviceCatalog, options: { dir: string; port?: number }): Promise<MosquittoFiles> {
  const serve = b.serve;
  const users = serve?.users ?? [];
  if (!users.length) throw new CommandError("broker.serve.users is empty: nothing to lock (docs/security.md)");
  const warnings: string[] = [];
  const passwd: string[] = [];
  const acl: Array<{ username: string; rules: AclRule[] }> = [];
  for (const [i, u] of users.entries()) {
    const where = `broker.serve.users[${i}] (${u.username})`;
    const clear = clearPassword(u, where);
    let hash: string;
    if (clear !== undefined) hash = await mosquittoHash(clear);
    else if (hashKind(u.password_hash!) === "mosquitto") hash = u.password_hash!;
    else throw new CommandError(`${where}: mosquitto cannot check a $scrypt$ hash; give password_file, or a mosquitto hash (hark broker passwd --mosquitto)`);
    passwd.push(`${u.username}:${hash}`);
    acl.push({ username: u.username, rules: rulesOf(u, catalog) });
  }
  if (!users.some((u) => u.role === "hark" || u.role === "admin")) warnings.push("no account with role hark: `hark run --broker …` cannot command devices on this broker");
  if (!users.some((u) => u.role === "device" && (u.devices ?? []).includes("*"))) warnings.push("no device account with devices: ['*']: the simulated home and car (broker.simulator) need one to publish their state");
  const dir = resolve(options.dir);
  const port = options.port ?? 1883;
  const host = serve?.host ?? "127.0.0.1";
  const conf = [
    "# written by `hark broker config --mosquitto` (docs/security.md): the accounts and ACLs of hark.yaml's broker.serve",
    "per_listener_settings false",
    "allow_anonymous false",
    `password_file ${join(dir, "passwd")}`,
    `acl_file ${join(dir, "acl")}`,
    "set_tcp_nodelay true",
    `listener ${port} ${host}`,
    // Copies beside the rest: mosquitto started as root reads them as the mosquitto account.
    ...(serve?.tls ? [`certfile ${join(dir, "cert.pem")}`, `keyfile ${join(dir, "key.pem")}`] : []),
    "",
  ];
  const tls: Record<string, string> = serve?.tls ? { "cert.pem": readPem(serve.tls.cert, "broker.serve.tls.cert").toString(), "key.pem": readPem(serve.tls.key, "broker.serve.tls.key").toString() } : {};
  return { files: { "mosquitto.conf": conf.join("\n"), passwd: passwd.join("\n") + "\n", acl: mosquittoAcl(acl), ...tls }, warnings };
}

/** uid and gid of a system account, if it exists. */
function account(name: string): { uid: number; gid: number } | undefined {
  const uid = spawnSync("id", ["-u", name], { encoding: "utf8" });
  const gid = spawnSync("id", ["-g", name], { encoding: "utf8" });
  return uid.status === 0 && gid.status === 0 ? { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) } : undefined;
}

/**
 * Write mosquittoConfig's files into dir (passwd and acl 0600). Run as root, they are given to the
 * `mosquitto` account when it exists: mosquitto started as root drops to it before reading them.
 */
export async function writeMosquittoConfig(b: BrokerSection, catalog: DeviceCatalog, options: { dir: string; port?: number }): Promise<MosquittoFiles> {
  const out = await mosquittoConfig(b, catalog, options);
  mkdirSync(options.dir, { recursive: true });
  const owner = process.getuid?.() === 0 ? account("mosquitto") : undefined;
  for (const [name, text] of Object.entries(out.files)) {
    const path = join(options.dir, name);
    writeFileSync(path, text, { mode: 0o600 });
    const open = name === "mosquitto.conf" || name === "cert.pem";
    chmodSync(path, open ? 0o644 : 0o600);
    if (owner && !open) chownSync(path, owner.uid, owner.gid);
  }
  return out;
}

/** A refused connection's error with who hark tried to be ("Not authorized" alone does not say what to fix). */
export function withAccountHint(err: unknown, username: string | undefined): unknown {
  if (!(err instanceof Error) || !/not authori[sz]ed|bad user ?name or password/i.test(err.message)) return err;
  const hint = username !== undefined ? `as user '${username}'` : "no username given: set broker.username and broker.password or password_file, docs/security.md";
  return Object.assign(new Error(`${err.message} (${hint})`), { code: (err as { code?: unknown }).code });
}
