// Embedded MQTT broker (aedes, in process, MQTT 3.1.1) for when no --broker URL is given.
// With `users` it refuses anonymous clients and wrong passwords and holds every account to its ACL
// (src/bus/acl.ts): a publish outside it is acknowledged and dropped (as mosquitto does), a subscription
// outside it gets the failure code. Secrets are never logged; refusals are logged once per account.

import { spawnSync } from "node:child_process";
import { createServer, type Server, type Socket } from "node:net";
import { createServer as createTlsServer } from "node:tls";
import { Aedes } from "aedes";
import type { Logger } from "pino";
import { mayPublish, mayRead, maySubscribe, type AclRule, type Role } from "./acl.js";
import { sameSecret } from "./credentials.js";

/** An account of the embedded broker: its password check and its ACL. */
export interface BrokerAccount {
  username: string;
  role: Role;
  rules: AclRule[];
  /** Does this password belong to the account? */
  verify(password: Buffer): Promise<boolean> | boolean;
}

/** Where a denied publish goes: no client may subscribe to it, nothing is retained. */
const DROPPED = "$hark/denied";

export interface BrokerOptions {
  /** TCP port; 0 (the default) picks a free one. */
  port?: number;
  /** Only loopback by default. */
  host?: string;
  logger?: Logger;
  /** Require this username/password from every client (default: anonymous allowed); full access. */
  auth?: { username: string; password: string };
  /** Accounts with their ACLs (src/bus/acl.ts); anonymous clients are refused. Adds to `auth`. */
  users?: BrokerAccount[];
  /** Serve MQTT over TLS (mqtts://) with this key and certificate (PEM). */
  tls?: { key: string | Buffer; cert: string | Buffer };
}

export interface EmbeddedBroker {
  /** mqtt://127.0.0.1:<port> (mqtts:// with TLS) */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly aedes: Aedes;
  /** Close every client connection and the listening socket. Idempotent. */
  stop(): Promise<void>;
}

/** Start aedes on host:port. Resolves once the socket listens (a few ms). */
export async function startBroker(options: BrokerOptions = {}): Promise<EmbeddedBroker> {
  const host = options.host ?? "127.0.0.1";
  const accounts = new Map<string, BrokerAccount>();
  if (options.auth) {
    const a = options.auth;
    accounts.set(a.username, { username: a.username, role: "admin", rules: [{ access: "readwrite", topic: "#" }], verify: (p) => sameSecret(p, a.password) });
  }
  for (const u of options.users ?? []) accounts.set(u.username, u);
  const locked = accounts.size > 0;
  const log = options.logger;
  // One warning per account and reason, then debug: a client retrying every second fills no log.
  const said = new Set<string>();
  const once = (key: string, fields: Record<string, unknown>, msg: string) => {
    if (said.has(key) || said.size >= 1000) return log?.debug(fields, msg); // bounded: usernames are the clients' to choose
    said.add(key);
    log?.warn(fields, msg);
  };
  const userOf = new WeakMap<object, BrokerAccount>();
  // Decisions per account and topic, remembered (a device's few topics are asked about on every message).
  const decisions = new WeakMap<BrokerAccount, Map<string, boolean>>();
  const decide = (account: BrokerAccount, kind: "p" | "r", topic: string, rule: (rules: AclRule[], topic: string) => boolean): boolean => {
    let m = decisions.get(account);
    if (!m) decisions.set(account, (m = new Map()));
    const key = kind + topic;
    let ok = m.get(key);
    if (ok === undefined) {
      if (m.size > 10_000) m.clear();
      m.set(key, (ok = rule(account.rules, topic)));
    }
    return ok;
  };
  const refuse = (returnCode: 4 | 5, message: string) => Object.assign(new Error(message), { returnCode });
  const aedes = await Aedes.createBroker(
    locked
      ? {
          authenticate: (client, username, password, done) => {
            const fail = (code: 4 | 5, why: string) => {
              once(`connect:${username ?? ""}:${why}`, { client: client.id, ...(username ? { username } : {}), why }, `mqtt connection refused: ${why}`);
              done(refuse(code, why) as Parameters<typeof done>[0], false);
            };
            if (!username) return fail(5, "no username (anonymous clients are refused)");
            const account = accounts.get(username);
            if (!account || !password) return fail(4, "bad username or password");
            Promise.resolve(account.verify(password)).then(
              (ok) => {
                if (!ok) return fail(4, "bad username or password");
                userOf.set(client, account);
                done(null, true);
              },
              () => fail(4, "bad username or password"),
            );
          },
          authorizePublish: (client, packet, done) => {
            const account = client ? userOf.get(client) : undefined;
            if (account && !packet.topic.startsWith("$") && decide(account, "p", packet.topic, mayPublish)) return done(null);
            once(`pub:${account?.username ?? ""}`, { client: client?.id, username: account?.username, topic: packet.topic }, "mqtt publish denied (dropped)");
            // Acknowledged and dropped, as mosquitto does: an error here would close the connection, and the
            // client would send the same message again on every reconnect.
            packet.topic = DROPPED;
            packet.retain = false;
            packet.payload = Buffer.alloc(0);
            done(null);
          },
          authorizeSubscribe: (client, sub, done) => {
            const account = userOf.get(client);
            if (account && !sub.topic.startsWith("$") && maySubscribe(account.rules, sub.topic)) return done(null, sub);
            once(`sub:${account?.username ?? ""}`, { client: client.id, username: account?.username, topic: sub.topic }, "mqtt subscription denied");
            done(null, null);
          },
          // Retained messages and deliveries: only what the account may read (an admin's # sees all).
          authorizeForward: (client, packet) => {
            const account = userOf.get(client);
            return account && packet.topic !== DROPPED && decide(account, "r", packet.topic, mayRead) ? packet : null;
          },
        }
      : {},
  );
  const sockets = new Set<Socket>();
  const onSocket = (socket: Socket) => {
    sockets.add(socket);
    socket.setNoDelay(true); // no Nagle: small MQTT packets go out at once (≈88 ms → ≈1 ms per command)
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => socket.destroy());
    aedes.handle(socket);
  };
  const server: Server = options.tls ? createTlsServer({ key: options.tls.key, cert: options.tls.cert }, onSocket) : createServer(onSocket);
  aedes.on("clientError", (client, err) => options.logger?.debug({ client: client.id, err: err.message }, "mqtt client error"));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : (options.port ?? 0);
  options.logger?.debug({ host, port }, "embedded broker listening");
  let stopped: Promise<void> | undefined;
  return {
    url: `${options.tls ? "mqtts" : "mqtt"}://${host === "0.0.0.0" ? "127.0.0.1" : host === "::" ? "[::1]" : host}:${port}`,
    host,
    port,
    aedes,
    stop() {
      stopped ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        for (const s of sockets) s.destroy();
        await new Promise<void>((resolve) => aedes.close(() => resolve()));
        await closed;
        options.logger?.debug({ port }, "embedded broker stopped");
      })();
      return stopped;
    },
  };
}

/** A TCP port free on loopback right now (for a broker started next: tests, the soak suite). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Path of Debian's mosquitto binary on this machine, or undefined (tests and the soak suite run it). */
export function mosquittoBinary(): string | undefined {
  for (const p of ["/usr/sbin/mosquitto", "/usr/bin/mosquitto", "/usr/local/sbin/mosquitto"]) if (spawnSync("test", ["-x", p]).status === 0) return p;
  const r = spawnSync("sh", ["-c", "command -v mosquitto"], { encoding: "utf8" });
  return r.status === 0 && r.stdout.trim() ? r.stdout.trim() : undefined;
}
