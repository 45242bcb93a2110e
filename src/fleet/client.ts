// One MQTT connection for the fleet publisher, the status reader and the device agent (mqtt.js).
import mqtt, { type IClientOptions, type MqttClient } from "mqtt";
import { connectFailure } from "../bus/mqttBus.js";

export interface FleetBrokerOptions {
  url: string;
  username?: string;
  password?: string;
  protocolVersion?: 4 | 5;
  /** TLS options as mqtt.js takes them (ca, cert, key, rejectUnauthorized). */
  tls?: Record<string, unknown>;
  clientId?: string;
  /** Reconnect delay after a lost connection (ms; default 500). */
  reconnectPeriodMs?: number;
}

export function connectFleet(o: FleetBrokerOptions, extra: Partial<IClientOptions> = {}): MqttClient {
  const client = mqtt.connect(o.url, {
    protocolVersion: o.protocolVersion ?? 4,
    clean: true,
    reconnectPeriod: o.reconnectPeriodMs ?? 500,
    connectTimeout: 5000,
    // Subscriptions are made again on every connect by their owner (what is still missing, not what was).
    resubscribe: false,
    ...(o.clientId ? { clientId: o.clientId } : {}),
    ...(o.username !== undefined ? { username: o.username } : {}),
    ...(o.password !== undefined ? { password: o.password } : {}),
    ...(o.tls ?? {}),
    ...extra,
  });
  // An error is also a "close" (reconnect follows); without a listener mqtt.js would throw it.
  client.on("error", () => undefined);
  return client;
}

/** Resolves at the first connection; rejects with a one-line reason at the first failure (or after `timeoutMs`). */
export function firstConnect(client: MqttClient, url: string, timeoutMs = 10_000): Promise<void> {
  if (client.connected) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const done = () => {
      clearTimeout(timer);
      client.off("connect", onConnect);
      client.off("error", onError);
    };
    const fail = (why: string) => {
      done();
      client.end(true);
      reject(new Error(`cannot connect to MQTT broker ${url}${why ? `: ${why}` : ""}`));
    };
    const onError = (err: Error & { code?: unknown }) => fail(connectFailure(err));
    const onConnect = () => {
      done();
      resolve();
    };
    const timer = setTimeout(() => fail("no answer"), timeoutMs);
    client.once("connect", onConnect);
    client.on("error", onError);
  });
}
