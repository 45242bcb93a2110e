// Device buses by name (src/platform/registry.ts): "mqtt" is hark's own; another transport registers
// a factory that takes the same connection settings (hark.yaml's `broker` section) and returns a DeviceBus.
import { UsageError } from "../platform/errors.js";
import { Registry } from "../platform/registry.js";
import { MqttDeviceBus, type MqttBusOptions } from "./mqttBus.js";
import type { DeviceBus } from "./types.js";

/** What a bus factory gets: the devices and the connection settings (a transport reads what it needs). */
export type DeviceBusOptions = MqttBusOptions;

export const DEFAULT_BUS = "mqtt";

const buses = new Registry<DeviceBusOptions, DeviceBus>("device bus", (m) => new UsageError(m)).register(DEFAULT_BUS, (o) => new MqttDeviceBus(o), {
  description: "MQTT (mqtt.js): Home Assistant conventions for the home, VSS topics for the car",
});

/** Add (or replace) a device bus. */
export function registerDeviceBus(name: string, factory: (options: DeviceBusOptions) => DeviceBus, description?: string): void {
  buses.register(name, (o) => factory(o), description ? { description } : {});
}

export function deviceBusNames(): string[] {
  return buses.names();
}

/** The device bus called `name` (default mqtt), not yet started. */
export function createDeviceBus(name: string = DEFAULT_BUS, options: DeviceBusOptions): DeviceBus {
  return buses.create(name, options);
}
