// Embedded MQTT broker (aedes, in process, MQTT 3.1.1) for when no --broker URL is given.

import { createServer, type Server, type Socket } from "node:net";
import { Aedes } from "aedes";
import type { Logger } from "pino";

export interface BrokerOptions {
  /** TCP port; 0 (the default) picks a free one. */
  port?: number;
  /** Only loopback by default. */
  host?: string;
  logger?: Logger;
}

export interface EmbeddedBroker {
  /** mqtt://127.0.0.1:<port> */
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
  const aedes = await Aedes.createBroker();
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => socket.destroy());
    aedes.handle(socket);
  });
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
    url: `mqtt://${host}:${port}`,
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
