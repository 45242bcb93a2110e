// DeviceBus over MQTT (mqtt.js): QoS 1 commands carrying a command id; devices confirm by
// publishing their state (retained) with that id. Commands wait in an in-memory queue and are
// resent until confirmed, so a broker restart mid-command loses nothing; devices dedupe by id.

import { randomUUID } from "node:crypto";
import mqtt, { type IClientOptions, type MqttClient } from "mqtt";
import pino, { type Logger } from "pino";
import { DeviceCatalog } from "../devices/catalog.js";
import type { Device } from "../devices/types.js";
import { decodeState, encodeCommand, stateTopics } from "../devices/codec.js";
import { parseVssTopic, vssTopic } from "../devices/vehicle/vss.js";
import { CAR_PREFIX, HOME_PREFIX, type Publish } from "./topics.js";
import type { CommandResult, DeviceBus, DeviceCommand, DeviceState } from "./types.js";

export interface MqttTlsOptions {
  ca?: string | string[] | Buffer | Buffer[];
  cert?: string | Buffer;
  key?: string | Buffer;
  /** Default true. */
  rejectUnauthorized?: boolean;
  servername?: string;
}

export interface MqttBusOptions {
  /** mqtt://host:port, mqtts://host:port, ws://…; the embedded broker's url by default in `hark run`. */
  url: string;
  /** The devices the bus may command (their topics and payloads: src/devices/codec.ts). */
  devices: DeviceCatalog | Device[];
  /** 4 = MQTT 3.1.1 (default), 5 = MQTT 5. */
  protocolVersion?: 4 | 5;
  username?: string;
  password?: string;
  tls?: MqttTlsOptions;
  clientId?: string;
  logger?: Logger;
  /** Default wait for a confirmation (ms). Default 5000. */
  timeoutMs?: number;
  /** While a command is unconfirmed it is resent this often (ms). Default 1000. */
  resendIntervalMs?: number;
  /** Reconnect delay after a lost connection (ms). Default 250. */
  reconnectPeriodMs?: number;
  /** start() rejects when the broker cannot be reached within this time (ms). Default 5000. */
  connectTimeoutMs?: number;
  /**
   * At start, a refused or unreachable connection is tried again until connectTimeoutMs (default true: a
   * broker that is still starting is waited for); false: the first such failure is final (`hark run`).
   */
  waitForBroker?: boolean;
}

/** Why a connection failed, in words (node's socket error codes; MQTT's own refusals as they are). */
export function connectFailure(err: Error & { code?: unknown }): string {
  switch (err.code) {
    case "ECONNREFUSED": return "connection refused";
    case "ENOTFOUND":
    case "EAI_AGAIN": return "host not found";
    case "EHOSTUNREACH":
    case "ENETUNREACH": return "host unreachable";
    case "ETIMEDOUT": return "connection timed out";
    case "ECONNRESET": return "connection reset";
    default: return err.message;
  }
}

interface Pending {
  command: DeviceCommand;
  publish: Publish;
  started: number;
  timer: NodeJS.Timeout;
  resolve: (r: CommandResult) => void;
}

/** Disable Nagle on the client's socket: without it every command waits ≈40 ms for delayed ACKs. */
export function noDelay(client: MqttClient): void {
  const stream = client.stream as unknown as { setNoDelay?: (on: boolean) => void };
  stream?.setNoDelay?.(true);
}

/** A fresh unique command id. */
export const newCommandId = (): string => randomUUID();

export class MqttDeviceBus implements DeviceBus {
  private client: MqttClient | undefined;
  private readonly catalog: DeviceCatalog;
  private readonly log: Logger;
  private readonly states = new Map<string, DeviceState>();
  private readonly listeners = new Set<(deviceId: string, state: DeviceState) => void>();
  private readonly connListeners = new Set<(connected: boolean) => void>();
  private readonly pending = new Map<string, Pending>();
  private readonly byStateTopic = new Map<string, Device>();
  /** The last payload seen on each VSS state topic, and who listens to which. */
  private readonly signals = new Map<string, string>();
  private readonly signalListeners = new Map<string, Set<(payload: string) => void>>();
  private resendTimer: NodeJS.Timeout | undefined;

  constructor(private readonly opts: MqttBusOptions) {
    this.catalog = opts.devices instanceof DeviceCatalog ? opts.devices : new DeviceCatalog([{ file: "(inline)", kind: "home", name: "inline", floors: [], areas: [], devices: opts.devices, pois: [], extra: {} }]);
    this.log = opts.logger ?? pino({ level: "silent" });
    for (const d of this.catalog.devices) for (const t of stateTopics(d)) this.byStateTopic.set(t, d);
  }

  get connected(): boolean {
    return this.client?.connected ?? false;
  }

  /** Called with true on every (re)connect and false on every lost connection. */
  onConnection(listener: (connected: boolean) => void): () => void {
    this.connListeners.add(listener);
    return () => this.connListeners.delete(listener);
  }

  async start(): Promise<void> {
    if (this.client) return;
    const o = this.opts;
    const options: IClientOptions = {
      protocolVersion: o.protocolVersion ?? 4,
      clientId: o.clientId ?? `hark-bus-${randomUUID().slice(0, 8)}`,
      clean: true,
      reconnectPeriod: o.reconnectPeriodMs ?? 250,
      connectTimeout: o.connectTimeoutMs ?? 5000,
      resubscribe: true,
      ...(o.username !== undefined ? { username: o.username } : {}),
      ...(o.password !== undefined ? { password: o.password } : {}),
      ...(o.tls ?? {}),
    };
    const client = mqtt.connect(o.url, options);
    this.client = client;
    client.on("message", (topic, payload) => this.onMessage(topic, payload));
    client.on("connect", () => {
      noDelay(client);
      this.log.debug({ url: o.url }, "bus connected");
      for (const l of this.connListeners) l(true);
      // A restarted broker lost our session: resend everything still unconfirmed.
      for (const p of this.pending.values()) this.publish(p);
    });
    client.on("close", () => {
      for (const l of this.connListeners) l(false);
    });
    // Until the first connection the failure is start()'s to report (one line); afterwards each is a warning.
    let connectedOnce = false;
    client.on("error", (err) => (connectedOnce ? this.log.warn({ err: err.message }, "mqtt error") : this.log.debug({ err: err.message }, "mqtt connect error")));
    await new Promise<void>((resolve, reject) => {
      let last: Error | undefined;
      const timer = setTimeout(() => fail(last, true), o.connectTimeoutMs ?? 5000);
      const fail = (err: Error | undefined, timedOut = false) => {
        clearTimeout(timer);
        client.off("connect", ok);
        client.off("error", onErr);
        client.end(true);
        this.client = undefined;
        const why = err ? connectFailure(err) : "timeout";
        reject(new Error(`cannot connect to MQTT broker ${o.url}: ${why}${timedOut && err ? ` (tried for ${Math.round((o.connectTimeoutMs ?? 5000) / 100) / 10} s)` : ""}`));
      };
      const ok = () => {
        connectedOnce = true;
        clearTimeout(timer);
        client.off("error", onErr);
        resolve();
      };
      // Authentication and protocol errors are final; a refused TCP connection is retried until the timeout
      // (unless waitForBroker is false).
      const onErr = (err: Error & { code?: unknown }) => {
        last = err;
        if (typeof err.code === "number" || o.waitForBroker === false) fail(err);
      };
      client.once("connect", ok);
      client.on("error", onErr);
    });
    await client.subscribeAsync([`${HOME_PREFIX}/+/state`, `${CAR_PREFIX}/#`], { qos: 1 });
    await this.settleRetained();
    this.resendTimer = setInterval(() => {
      if (!this.client?.connected) return;
      const now = Date.now();
      for (const p of this.pending.values()) if (now - p.started >= (this.opts.resendIntervalMs ?? 1000)) this.publish(p);
    }, this.opts.resendIntervalMs ?? 1000);
    this.resendTimer.unref();
  }

  async stop(): Promise<void> {
    if (this.resendTimer) clearInterval(this.resendTimer);
    for (const p of [...this.pending.values()]) this.finish(p, { ok: false, error: "unavailable", message: "bus stopped" });
    const client = this.client;
    this.client = undefined;
    if (client) await client.endAsync(true).catch(() => undefined);
  }

  send(command: DeviceCommand, options: { timeoutMs?: number } = {}): Promise<CommandResult> {
    const started = Date.now();
    const device = this.catalog.get(command.deviceId);
    if (!device) return Promise.resolve({ command, ok: false, error: "unknown_device", message: `no device ${command.deviceId}`, ms: 0 });
    const timeoutMs = options.timeoutMs ?? this.opts.timeoutMs ?? 5000;
    const encoded = encodeCommand(device, command);
    if ("error" in encoded) return Promise.resolve({ command, ok: false, error: "rejected", message: encoded.error, ms: 0 });
    // Devices ignore a command past its deadline: a late redelivery must not act after we said "timeout".
    const payload = JSON.stringify({ ...JSON.parse(encoded.payload), expires_at: started + timeoutMs });
    if (this.pending.has(command.id)) return Promise.resolve({ command, ok: false, error: "rejected", message: `duplicate command id ${command.id}`, ms: 0 });
    return new Promise<CommandResult>((resolve) => {
      const p: Pending = {
        command,
        publish: { topic: encoded.topic, payload },
        started,
        resolve,
        // Decided after the event loop's poll phase: a confirmation already waiting on the socket (a long
        // decode held the loop past the deadline) is read first, so a device that acted is never reported
        // as silent (found by the soak suite: docs/soak.md).
        timer: setTimeout(
          () => setImmediate(() => this.finish(p, this.connected ? { ok: false, error: "timeout" } : { ok: false, error: "unavailable", message: "broker unreachable" })),
          timeoutMs,
        ),
      };
      this.pending.set(command.id, p);
      this.log.debug({ id: command.id, device: command.deviceId, action: command.action, topic: encoded.topic }, "command sent");
      if (this.client?.connected) this.publish(p);
      // else: queued here and published on (re)connect
    });
  }

  /**
   * Retained states arrive after SUBACK: wait until every device has reported (or the flow stops for
   * `quietMs`, or `maxMs` passes), so that a question asked right after start sees the current state.
   */
  private async settleRetained(quietMs = 120, maxMs = 1500): Promise<void> {
    const devices = new Set([...this.byStateTopic.values()].map((d) => d.id)).size;
    const until = Date.now() + maxMs;
    let last = this.states.size;
    let lastChange = Date.now();
    while (this.states.size < devices && Date.now() < until && Date.now() - lastChange < quietMs) {
      await new Promise((r) => setTimeout(r, 5));
      if (this.states.size !== last) {
        last = this.states.size;
        lastChange = Date.now();
      }
    }
  }

  state(deviceId: string): DeviceState | undefined {
    return this.states.get(deviceId);
  }

  onState(listener: (deviceId: string, state: DeviceState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onSignal(path: string, listener: (payload: string) => void): () => void {
    const topic = vssTopic(path, "state");
    let set = this.signalListeners.get(topic);
    if (!set) this.signalListeners.set(topic, (set = new Set()));
    set.add(listener);
    const last = this.signals.get(topic);
    if (last !== undefined) listener(last);
    return () => set.delete(listener);
  }

  /** Publish {"value": value} retained at QoS 1 on the signal's state topic. Before start(): nothing is sent. */
  async publishSignal(path: string, value: unknown): Promise<void> {
    await this.client?.publishAsync(vssTopic(path, "state"), JSON.stringify({ value }), { qos: 1, retain: true });
  }

  /** The devices this bus knows. */
  get devices(): DeviceCatalog {
    return this.catalog;
  }

  private publish(p: Pending): void {
    const client = this.client;
    if (!client?.connected) return;
    const props = this.opts.protocolVersion === 5 ? { properties: { messageExpiryInterval: Math.max(1, Math.ceil((p.started + 60_000 - Date.now()) / 1000)) } } : {};
    client.publish(p.publish.topic, p.publish.payload, { qos: 1, ...props }, (err) => {
      if (err) this.log.debug({ id: p.command.id, err: err.message }, "publish not acknowledged (will resend)");
    });
  }

  private finish(p: Pending, r: Omit<CommandResult, "command" | "ms">): void {
    if (this.pending.get(p.command.id) !== p) return;
    this.pending.delete(p.command.id);
    clearTimeout(p.timer);
    p.resolve({ command: p.command, ...r, ms: Date.now() - p.started });
  }

  private onMessage(topic: string, payload: Buffer): void {
    if (topic.startsWith(`${CAR_PREFIX}/`)) {
      if (parseVssTopic(topic)?.suffix !== "state") return;
      this.onSignalMessage(topic, payload.toString());
    }
    const device = this.byStateTopic.get(topic);
    if (!device) return;
    if (payload.length === 0) return; // a cleared retained message
    let decoded;
    try {
      decoded = decodeState(device, topic, payload);
    } catch (err) {
      this.log.warn({ topic, device: device.id, err: (err as Error).message }, "ignored malformed device state");
      return;
    }
    const state = { ...(this.states.get(device.id) ?? {}), ...decoded.patch };
    this.states.set(device.id, state);
    for (const l of this.listeners) {
      try {
        l(device.id, state);
      } catch (err) {
        this.log.error({ err: (err as Error).message }, "state listener failed");
      }
    }
    if (decoded.commandId) {
      const p = this.pending.get(decoded.commandId);
      if (p && p.command.deviceId === device.id) {
        this.finish(p, decoded.commandError ? { ok: false, error: "rejected", message: decoded.commandError, state } : { ok: true, state });
      }
    }
  }

  private onSignalMessage(topic: string, text: string): void {
    this.signals.set(topic, text);
    for (const l of this.signalListeners.get(topic) ?? []) {
      try {
        l(text);
      } catch (err) {
        this.log.error({ err: (err as Error).message }, "signal listener failed");
      }
    }
  }
}
