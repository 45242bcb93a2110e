// Real brokers for tests on loopback: aedes in process, or Debian's mosquitto when installed.

import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import pino, { type Logger } from "pino";
import { startBroker, type EmbeddedBroker } from "../../src/bus/index.js";
import { freePort, mosquittoBinary } from "../../src/bus/broker.js";

/** A restartable broker on a fixed loopback port. */
export interface TestBroker {
  readonly name: string;
  readonly url: string;
  readonly port: number;
  /** 4 for aedes (MQTT 3.1.1 only), 5 for mosquitto. */
  readonly protocolVersion: 4 | 5;
  /** Kill the broker (all connections drop). */
  stop(): Promise<void>;
  /** Start it again on the same port. */
  restart(): Promise<void>;
}

export { freePort };

export async function aedesBroker(port = 0): Promise<TestBroker> {
  let broker: EmbeddedBroker | undefined = await startBroker({ port });
  const fixed = broker.port;
  return {
    name: "aedes",
    url: broker.url,
    port: fixed,
    protocolVersion: 4,
    async stop() {
      await broker?.stop();
      broker = undefined;
    },
    async restart() {
      broker = await startBroker({ port: fixed });
    },
  };
}

/** Path of the mosquitto binary, or undefined. */
export const mosquittoPath = mosquittoBinary;

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, "127.0.0.1");
      s.once("connect", () => {
        s.destroy();
        resolve(true);
      });
      s.once("error", () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > until) throw new Error(`broker did not listen on ${port}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export async function mosquittoBroker(): Promise<TestBroker> {
  const bin = mosquittoPath();
  if (!bin) throw new Error("mosquitto is not installed");
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "hark-mosquitto-"));
  const conf = join(dir, "mosquitto.conf");
  writeFileSync(conf, `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence false\nset_tcp_nodelay true\n`);
  let proc: ChildProcess | undefined;
  const launch = async () => {
    proc = spawn(bin, ["-c", conf], { stdio: "ignore" });
    await waitForPort(port, 5000);
  };
  await launch();
  return {
    name: "mosquitto",
    url: `mqtt://127.0.0.1:${port}`,
    port,
    protocolVersion: 5,
    async stop() {
      const p = proc;
      proc = undefined;
      if (p && p.exitCode === null) {
        const exited = new Promise((r) => p.once("exit", r));
        p.kill("SIGKILL");
        await exited;
      }
    },
    async restart() {
      await launch();
    },
  };
}


/** A pino logger whose lines the test can read. */
export function captureLogger(): { logger: Logger; lines: () => Array<Record<string, unknown>> } {
  const out: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      out.push(...String(chunk).split("\n").filter(Boolean));
      cb();
    },
  });
  const logger = pino({ level: "debug" }, stream);
  return { logger, lines: () => out.map((l) => JSON.parse(l) as Record<string, unknown>) };
}
