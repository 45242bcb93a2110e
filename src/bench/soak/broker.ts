// The soak suite's loopback broker, stopped and started again on the same port to stand for a broker
// restart: the embedded aedes broker (default) or Debian's mosquitto (/usr/sbin/mosquitto), SIGKILLed.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, mosquittoBinary, startBroker, type EmbeddedBroker } from "../../bus/broker.js";

export type SoakBrokerKind = "aedes" | "mosquitto";

export interface SoakBroker {
  readonly kind: SoakBrokerKind;
  readonly url: string;
  readonly port: number;
  /** Every connection drops, nothing listens on the port (in-flight messages and retained states are gone). */
  stop(): Promise<void>;
  /** Listen again on the same port (an empty broker: clients reconnect and re-announce). */
  start(): Promise<void>;
  /** Stop for good and clean up. */
  close(): Promise<void>;
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, "127.0.0.1");
      s.once("connect", () => (s.destroy(), resolve(true)));
      s.once("error", () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > until) throw new Error(`broker did not listen on 127.0.0.1:${port} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}


export async function startSoakBroker(kind: SoakBrokerKind): Promise<SoakBroker> {
  if (kind === "mosquitto") {
    const bin = mosquittoBinary();
    if (!bin) throw new Error("mosquitto is not installed (apt-get install mosquitto), or use --broker aedes");
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), "hark-soak-mosquitto-"));
    const conf = join(dir, "mosquitto.conf");
    writeFileSync(conf, `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence false\nset_tcp_nodelay true\nmax_queued_messages 100000\n`);
    let proc: ChildProcess | undefined;
    const stop = async () => {
      const p = proc;
      proc = undefined;
      if (p && p.exitCode === null && p.signalCode === null) {
        const exited = new Promise((r) => p.once("exit", r));
        p.kill("SIGKILL");
        await exited;
      }
    };
    const start = async () => {
      if (proc) return;
      proc = spawn(bin, ["-c", conf], { stdio: "ignore" });
      await waitForPort(port, 5000);
    };
    await start();
    return {
      kind,
      url: `mqtt://127.0.0.1:${port}`,
      port,
      stop,
      start,
      async close() {
        await stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  let broker: EmbeddedBroker | undefined = await startBroker({ port: 0 });
  const port = broker.port;
  return {
    kind,
    url: broker.url,
    port,
    async stop() {
      const b = broker;
      broker = undefined;
      await b?.stop();
    },
    async start() {
      broker ??= await startBroker({ port });
    },
    async close() {
      const b = broker;
      broker = undefined;
      await b?.stop();
    },
  };
}
