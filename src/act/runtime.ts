// Everything `hark run` needs on the device side in one call: the embedded broker (when no broker
// URL is given), the simulated home and car (optional), and a connected DeviceBus (by name, default mqtt).

import type { Logger } from "pino";
import { startBroker, type EmbeddedBroker } from "../bus/broker.js";
import { withAccountHint, type EmbeddedServe } from "../bus/serve.js";
import type { MqttTlsOptions } from "../bus/mqttBus.js";
import { createDeviceBus, DEFAULT_BUS } from "../bus/registry.js";
import type { DeviceBus } from "../bus/types.js";
import { DeviceCatalog } from "../devices/catalog.js";
import { startSimulators, type DeviceFault, type SimulatorHandle } from "../devices/sim/simulator.js";
import type { IntentResult } from "../nlu/types.js";
import { executePlan, type PlanOutcome } from "./execute.js";
import { planIntents, type ActContext, type ActionPlan } from "./plan.js";
import { carContext } from "../devices/vehicle/navigation.js";
import type { Device } from "../devices/types.js";

/** The places a navigation device's file lists (POIs, saved places); undefined when it lists none (a real map decides). */
function knownPlaces(catalog: DeviceCatalog, d: Device): Array<{ name: string; aliases: string[] }> | undefined {
  const pois = carContext(catalog.fileOf(d.id), d).pois;
  return pois.length ? pois : undefined;
}

export interface DeviceRuntimeOptions {
  /** devices/ folder (or one file), or a loaded catalog. */
  devices: string | DeviceCatalog;
  /** Which device bus (src/bus/registry.ts; default mqtt). */
  bus?: string;
  /** Broker URL; without it an embedded aedes broker starts on 127.0.0.1 (`port`, default random). */
  brokerUrl?: string;
  port?: number;
  /** Start the simulated devices (default: true with the embedded broker, false with an external one). */
  simulate?: boolean;
  faults?: Record<string, DeviceFault>;
  latencyMs?: number;
  protocolVersion?: 4 | 5;
  username?: string;
  password?: string;
  tls?: MqttTlsOptions;
  /** Confirmation timeout per command (ms). Default 5000. */
  timeoutMs?: number;
  /** False: a broker that refuses the first connection is an error at once (MqttBusOptions.waitForBroker). */
  waitForBroker?: boolean;
  /** The embedded broker locked (accounts, ACLs, TLS) and hark's own accounts on it (src/bus/serve.ts). */
  serve?: EmbeddedServe;
  /** The simulated devices' account on an external broker (default: username/password). */
  simulatorAuth?: { username: string; password: string };
  logger?: Logger;
}

export interface DeviceRuntime {
  catalog: DeviceCatalog;
  bus: DeviceBus;
  /** Present when the embedded broker runs. */
  broker?: EmbeddedBroker;
  /** Present when simulating. */
  sims?: SimulatorHandle;
  brokerUrl: string;
  /**
   * How hark's own clients log in to the broker (its account, TLS trust): another client of the runtime
   * (the fleet agent) uses the same. With a locked embedded broker the account is made for this run.
   */
  connection: { username?: string; password?: string; tls?: MqttTlsOptions };
  /** Plan (with bus state for context) and execute. */
  act(intents: IntentResult[], ctx?: ActContext): Promise<{ plan: ActionPlan; outcome: PlanOutcome }>;
  stop(): Promise<void>;
}

export async function startDeviceRuntime(o: DeviceRuntimeOptions): Promise<DeviceRuntime> {
  const catalog = typeof o.devices === "string" ? DeviceCatalog.load(o.devices) : o.devices;
  const serve = o.brokerUrl ? undefined : o.serve;
  const broker = o.brokerUrl ? undefined : await startBroker({ ...(serve?.broker ?? {}), ...(o.port !== undefined ? { port: o.port } : {}), ...(o.logger ? { logger: o.logger } : {}) });
  const brokerUrl = o.brokerUrl ?? broker!.url;
  const own = serve?.hark ?? (o.username !== undefined ? { username: o.username, ...(o.password !== undefined ? { password: o.password } : {}) } : undefined);
  const tls = serve?.clientTls ? { ...(o.tls ?? {}), ...serve.clientTls } : o.tls;
  const conn = {
    ...(o.protocolVersion ? { protocolVersion: o.protocolVersion } : {}),
    ...(own ?? {}),
    ...(tls ? { tls } : {}),
    ...(o.logger ? { logger: o.logger } : {}),
  };
  const simConn = {
    ...conn,
    ...(o.simulatorAuth && !serve ? o.simulatorAuth : {}),
    ...(serve?.simulator ? { credentials: serve.simulator } : {}),
  };
  let sims: SimulatorHandle | undefined;
  let bus: DeviceBus;
  try {
    bus = createDeviceBus(o.bus ?? DEFAULT_BUS, { url: brokerUrl, devices: catalog, ...conn, ...(o.timeoutMs !== undefined ? { timeoutMs: o.timeoutMs } : {}), ...(o.waitForBroker !== undefined ? { waitForBroker: o.waitForBroker } : {}) });
    if (o.simulate ?? !o.brokerUrl) {
      sims = await startSimulators({ brokerUrl, devices: catalog, ...simConn, ...(o.faults ? { faults: o.faults } : {}), ...(o.latencyMs !== undefined ? { latencyMs: o.latencyMs } : {}) });
    }
    await bus.start();
  } catch (err) {
    await sims?.stop();
    await broker?.stop();
    const simulators = err instanceof Error && err.message.startsWith("simulators");
    throw withAccountHint(err, simulators ? (o.simulatorAuth && !serve ? o.simulatorAuth.username : own?.username) : own?.username);
  }
  return {
    catalog,
    bus,
    ...(broker ? { broker } : {}),
    ...(sims ? { sims } : {}),
    brokerUrl,
    connection: { ...(own?.username !== undefined ? { username: own.username } : {}), ...(own?.password !== undefined ? { password: own.password } : {}), ...(tls ? { tls } : {}) },
    async act(intents, ctx = {}) {
      const plan = planIntents(intents, catalog, { state: (id) => bus.state(id), places: (d) => knownPlaces(catalog, d), ...ctx });
      const outcome = await executePlan(plan, bus, o.timeoutMs !== undefined ? { timeoutMs: o.timeoutMs } : {});
      return { plan, outcome };
    },
    async stop() {
      await bus.stop();
      await sims?.stop();
      await broker?.stop();
    },
  };
}
