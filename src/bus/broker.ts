// Embedded MQTT broker (aedes, in process, MQTT 3.1.1) for when no --broker URL is given.

import { createServer, type Server, type Socket } from "node:net";
import { createServer as createTlsServer } from "node:tls";
import { Aedes } from "aedes";
import type { Logger } from "pino";

export interface BrokerOptions {
  /** TCP port; 0 (the default) picks a free one. */
  port?: number;
  /** Only loopback by default. */
  host?: string;
  logger?: Logger;
  /** Require this username/password from every client (default: anonymous allowed). */
  auth?: { username: string; password: string };
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
  const auth = options.auth;
  const aedes = await Aedes.createBroker(
    auth
      ? {
          authenticate: (_client, username, password, done) => {
            const ok = username === auth.username && password?.toString() === auth.password;
            if (ok) return done(null, true);
            const err = Object.assign(new Error("bad username or password"), { returnCode: 4 as const });
            done(err as Parameters<typeof done>[0], false);
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
    url: `${options.tls ? "mqtts" : "mqtt"}://${host}:${port}`,
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
