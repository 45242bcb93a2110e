// Simulated devices as MQTT clients (one client per device file: the virtual home, the virtual
// car). They keep state, apply each command id once, publish state retained (and Home Assistant
// discovery configs for home devices), and take faults for tests: never answer, delay, reject.

import { randomUUID } from "node:crypto";
import mqtt, { type IClientOptions, type MqttClient } from "mqtt";
import pino, { type Logger } from "pino";
import { commandTopics, decodeCommand, encodeState, type IncomingCommand } from "../codec.js";
import { discoveryConfig, discoveryTopic } from "../discovery.js";
import type { DeviceState } from "../../bus/types.js";
import { connectFailure, noDelay, type MqttTlsOptions } from "../../bus/mqttBus.js";
import { DeviceCatalog } from "../catalog.js";
import type { DeviceFile, Device } from "../types.js";
import { homeModel, memberCommands } from "../domains/index.js";
import { carContext, type CarContext } from "../vehicle/navigation.js";
import { applyCarCommand, carInitialState } from "../vehicle/vss.js";

export interface DeviceFault {
  /** Receive commands but never apply or answer them. */
  neverAnswer?: boolean;
  /** Answer this much later (ms), on top of the global latency. */
  delayMs?: number;
  /** Refuse every command (state unchanged, published with last_command_error). */
  reject?: boolean | string;
}

export interface SimulatorOptions {
  brokerUrl: string;
  /** A catalog, loaded device files, or a devices/ folder or file path. */
  devices: DeviceCatalog | DeviceFile[] | string;
  /** Faults per device id. */
  faults?: Record<string, DeviceFault>;
  /** Latency of every device (ms). Default 0. */
  latencyMs?: number;
  protocolVersion?: 4 | 5;
  username?: string;
  password?: string;
  /** A device file's own account (a locked broker: each file publishes only its devices' state); else username/password. */
  credentials?: (file: DeviceFile) => { username: string; password: string } | undefined;
  tls?: MqttTlsOptions;
  /** Publish Home Assistant discovery configs (retained). Default true. */
  discovery?: boolean;
  logger?: Logger;
  reconnectPeriodMs?: number;
}

export interface AppliedCommand {
  deviceId: string;
  commandId?: string;
  action: string;
  params: Record<string, unknown>;
  ok: boolean;
  error?: string;
  at: number;
}

export interface SimulatorHandle {
  /** Current state of a simulated device. */
  state(deviceId: string): DeviceState | undefined;
  /** Every device's state. */
  states(): Record<string, DeviceState>;
  /** Commands applied (or refused), in order. A command id appears at most once. */
  readonly log: readonly AppliedCommand[];
  /** How many times a command id was applied (0 or 1). */
  appliedCount(commandId: string): number;
  /** How many times a message with this command id arrived (resends included). */
  receivedCount(commandId: string): number;
  setFault(deviceId: string, fault: DeviceFault | undefined): void;
  /** Called after every state change (tests; the web UI). */
  onChange(listener: (deviceId: string, state: DeviceState) => void): () => void;
  /** Resolve when a device's state satisfies the predicate (rejects after timeoutMs). */
  waitFor(deviceId: string, predicate: (s: DeviceState) => boolean, timeoutMs?: number): Promise<DeviceState>;
  readonly devices: DeviceCatalog;
  stop(): Promise<void>;
}

interface SimDevice {
  spec: Device;
  state: DeviceState;
  /** Command ids seen: in progress (undefined) or finished with an optional error. */
  seen: Map<string, { done: boolean; error?: string }>;
  car?: CarContext;
  client?: MqttClient;
}

const MAX_SEEN = 2000;

/** Connect one simulator client per device file and publish every device's initial state. */
export async function startSimulators(options: SimulatorOptions): Promise<SimulatorHandle> {
  const catalog =
    options.devices instanceof DeviceCatalog
      ? options.devices
      : typeof options.devices === "string"
        ? DeviceCatalog.load(options.devices)
        : new DeviceCatalog(options.devices);
  const log = options.logger ?? pino({ level: "silent" });
  const faults = new Map(Object.entries(options.faults ?? {}));
  const applied: AppliedCommand[] = [];
  const received = new Map<string, number>();
  const listeners = new Set<(deviceId: string, state: DeviceState) => void>();
  const sims = new Map<string, SimDevice>();
  const timers = new Set<NodeJS.Timeout>();
  const clients: MqttClient[] = [];
  let stopped = false;
  const stopHooks: Array<() => void> = [];

  for (const file of catalog.files) {
    for (const spec of file.devices) {
      const sim: SimDevice = {
        spec,
        state: spec.kind === "car" ? carInitialState(spec) : homeModel(spec).initial(spec),
        seen: new Map(),
      };
      if (spec.kind === "car") sim.car = carContext(file, spec);
      sims.set(spec.id, sim);
    }
  }

  const changed = (sim: SimDevice) => {
    for (const l of listeners) l(sim.spec.id, sim.state);
  };

  /** Publish a device's state; resolves once the broker has acknowledged every message (QoS 1). */
  const publishState = (client: MqttClient, sim: SimDevice, last?: { id: string; error?: string; keys?: string[] }): Promise<void> =>
    Promise.all(
      encodeState(sim.spec, sim.state, last).map(
        (p) =>
          new Promise<void>((resolve) => {
            client.publish(p.topic, p.payload, { qos: 1, retain: p.retain ?? true }, (err) => {
              if (err && !stopped) log.debug({ topic: p.topic, err: err.message }, "state publish failed");
              resolve();
            });
          }),
      ),
    ).then(() => undefined);

  const apply = (client: MqttClient, sim: SimDevice, cmd: IncomingCommand, nested = false) => {
    const spec = sim.spec;
    const fault = faults.get(spec.id);
    let result: DeviceState | string;
    if (fault?.reject) result = typeof fault.reject === "string" ? fault.reject : "rejected by fault injection";
    else if (spec.kind === "car") result = applyCarCommand(spec, sim.state, cmd, sim.car!);
    else {
      const fn = homeModel(spec).actions[cmd.action];
      result = fn ? fn(sim.state, cmd.params, spec) : `${spec.domain} does not support ${cmd.action}`;
    }
    const ok = typeof result !== "string";
    const error = typeof result === "string" ? result : undefined;
    if (typeof result !== "string") sim.state = result;
    applied.push({ deviceId: spec.id, ...(cmd.id ? { commandId: cmd.id } : {}), action: cmd.action, params: cmd.params, ok, ...(error ? { error } : {}), at: Date.now() });
    if (cmd.id) {
      sim.seen.set(cmd.id, { done: true, ...(error ? { error } : {}) });
      if (sim.seen.size > MAX_SEEN) sim.seen.delete(sim.seen.keys().next().value!);
    }
    log.debug({ device: spec.id, id: cmd.id, action: cmd.action, ok, error }, "simulator applied command");
    const keys = spec.kind === "car" && typeof cmd.params.signal === "string" ? [cmd.params.signal] : undefined;
    void publishState(client, sim, cmd.id ? { id: cmd.id, ...(error ? { error } : {}), ...(keys ? { keys } : {}) } : undefined);
    if (!ok) return;
    changed(sim);
    // A scene or script drives its member devices like the hub it stands for: each applies the command
    // and publishes its own new state (no command id: hark asked the scene, not them).
    // One level only: a scene naming another scene never loops.
    if (spec.kind === "home" && !nested)
      for (const m of memberCommands(spec, cmd.action)) {
        const member = sims.get(m.deviceId);
        if (!member?.client || member === sim) {
          log.warn({ scene: spec.id, device: m.deviceId }, "scene member is not a simulated device");
          continue;
        }
        apply(member.client, member, { action: m.action, params: m.params }, true);
      }
  };

  const onCommand = (client: MqttClient, sim: SimDevice, topic: string, payload: Buffer) => {
    let cmd: IncomingCommand;
    try {
      cmd = decodeCommand(sim.spec, topic, payload);
    } catch (err) {
      log.warn({ topic, device: sim.spec.id, err: (err as Error).message }, "simulator ignored malformed command");
      return;
    }
    if (cmd.id) received.set(cmd.id, (received.get(cmd.id) ?? 0) + 1);
    const raw = safeJson(payload);
    const expiresAt = typeof raw?.expires_at === "number" ? raw.expires_at : undefined;
    if (cmd.id) {
      const seen = sim.seen.get(cmd.id);
      if (seen) {
        // A resend (after a reconnect): confirm again, never apply twice.
        if (seen.done) void publishState(client, sim, { id: cmd.id, ...(seen.error ? { error: seen.error } : {}), ...(sim.spec.kind === "car" && typeof cmd.params.signal === "string" ? { keys: [cmd.params.signal] } : {}) });
        return;
      }
      if (expiresAt !== undefined && Date.now() > expiresAt) {
        log.info({ device: sim.spec.id, id: cmd.id }, "simulator dropped an expired command");
        return;
      }
    }
    const fault = faults.get(sim.spec.id);
    if (fault?.neverAnswer) {
      log.debug({ device: sim.spec.id, id: cmd.id }, "simulator never answers (fault)");
      return;
    }
    if (cmd.id) sim.seen.set(cmd.id, { done: false });
    const delay = (options.latencyMs ?? 0) + (fault?.delayMs ?? 0);
    if (delay <= 0) return apply(client, sim, cmd);
    const t = setTimeout(() => {
      timers.delete(t);
      if (!stopped) apply(client, sim, cmd);
    }, delay);
    timers.add(t);
  };

  const connectFile = async (file: DeviceFile) => {
    const mine = file.devices.map((d) => sims.get(d.id)!);
    const byTopic = new Map<string, SimDevice>();
    const filters: string[] = [];
    for (const sim of mine)
      for (const t of commandTopics(sim.spec)) {
        filters.push(t);
        if (!t.endsWith("/+")) byTopic.set(t, sim);
      }
    const clientOptions: IClientOptions = {
      protocolVersion: options.protocolVersion ?? 4,
      clientId: `hark-sim-${file.kind}-${randomUUID().slice(0, 8)}`,
      clean: true,
      reconnectPeriod: options.reconnectPeriodMs ?? 250,
      connectTimeout: 5000,
      ...(options.username !== undefined ? { username: options.username } : {}),
      ...(options.password !== undefined ? { password: options.password } : {}),
      ...(options.credentials?.(file) ?? {}),
      ...(options.tls ?? {}),
    };
    const client = await mqtt.connectAsync(options.brokerUrl, clientOptions);
    clients.push(client);
    for (const sim of mine) sim.client = client;
    noDelay(client);
    client.on("error", (err) => log.debug({ err: err.message }, "simulator mqtt error"));
    client.on("message", (topic, payload) => {
      const sim = byTopic.get(topic) ?? byTopic.get(topic.slice(0, topic.lastIndexOf("/")));
      if (sim) onCommand(client, sim, topic, payload);
    });
    const announce = async () => {
      if (filters.length) await client.subscribeAsync(filters, { qos: 1 });
      // Initial states are acknowledged before start() resolves, so a client subscribing afterwards
      // (hark's bus) finds every one of them retained.
      const published: Promise<void>[] = [];
      for (const sim of mine) {
        const topic = options.discovery === false ? undefined : discoveryTopic(sim.spec);
        const config = topic && discoveryConfig(sim.spec, catalog.area(sim.spec.area ?? "")?.name);
        if (topic && config) client.publish(topic, JSON.stringify(config), { qos: 1, retain: true });
        published.push(publishState(client, sim));
      }
      await Promise.all(published);
    };
    // After a broker restart the new broker knows neither our subscriptions nor our retained states.
    client.on("connect", () => {
      noDelay(client);
      announce().catch((err) => log.debug({ err: (err as Error).message }, "simulator re-announce failed"));
    });
    await announce();
  };

  try {
    await Promise.all(catalog.files.filter((f) => f.devices.length > 0).map(connectFile));
  } catch (err) {
    await Promise.all(clients.map((c) => c.endAsync(true).catch(() => undefined)));
    throw new Error(`simulators cannot connect to MQTT broker ${options.brokerUrl}: ${connectFailure(err as Error)}`);
  }

  // State that moves on by itself (timers ring, a vacuum reaches its dock) advances on a clock.
  const ticking = [...sims.values()].filter((s) => s.spec.kind === "home" && homeModel(s.spec).tick);
  if (ticking.length) {
    const tick = setInterval(() => {
      const now = Date.now();
      for (const sim of ticking) {
        const next = homeModel(sim.spec).tick!(sim.state, sim.spec, now);
        if (!next || !sim.client) continue;
        sim.state = next;
        log.info({ device: sim.spec.id, state: next.state }, "device state advanced");
        void publishState(sim.client, sim);
        changed(sim);
      }
    }, 200);
    tick.unref();
    stopHooks.push(() => clearInterval(tick));
  }

  const handle: SimulatorHandle = {
    state: (id) => sims.get(id)?.state,
    states: () => Object.fromEntries([...sims].map(([id, s]) => [id, s.state])),
    log: applied,
    appliedCount: (commandId) => applied.filter((a) => a.commandId === commandId && a.ok).length,
    receivedCount: (commandId) => received.get(commandId) ?? 0,
    setFault: (id, fault) => (fault ? faults.set(id, fault) : faults.delete(id)),
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    waitFor(deviceId, predicate, timeoutMs = 5000) {
      const cur = sims.get(deviceId)?.state;
      if (cur && predicate(cur)) return Promise.resolve(cur);
      return new Promise((resolve, reject) => {
        const off = handle.onChange((id, s) => {
          if (id === deviceId && predicate(s)) {
            clearTimeout(t);
            off();
            resolve(s);
          }
        });
        const t = setTimeout(() => {
          off();
          reject(new Error(`timeout waiting for ${deviceId}: ${JSON.stringify(sims.get(deviceId)?.state)}`));
        }, timeoutMs);
      });
    },
    devices: catalog,
    async stop() {
      stopped = true;
      for (const t of timers) clearTimeout(t);
      for (const h of stopHooks) h();
      await Promise.all(clients.map((c) => c.endAsync(true).catch(() => undefined)));
    },
  };
  return handle;
}

function safeJson(payload: Buffer): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(payload.toString());
    return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
