// The seam between the dialog and the devices. The default implementation speaks MQTT (src/bus/mqtt*.ts);
// tests and other transports implement the same interface.

export type DeviceState = Record<string, unknown>;

/** One command for one device, e.g. {deviceId: "light.kitchen_ceiling", action: "turn_on", params: {brightness: 50}}. */
export interface DeviceCommand {
  /** Unique per command: devices and the bus use it to apply a command exactly once. */
  id: string;
  deviceId: string;
  action: string;
  params: Record<string, unknown>;
}

export interface CommandResult {
  command: DeviceCommand;
  ok: boolean;
  /** The state the device confirmed. */
  state?: DeviceState;
  error?: "timeout" | "unavailable" | "rejected" | "unknown_device";
  /** Human-readable detail (e.g. the device's reason for a rejection). */
  message?: string;
  ms: number;
}

export interface DeviceBus {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Send and wait until the device confirms its new state, or until the timeout. Never throws for device faults. */
  send(command: DeviceCommand, options?: { timeoutMs?: number }): Promise<CommandResult>;
  /** Last known state of a device (from its state topic). */
  state(deviceId: string): DeviceState | undefined;
  onState(listener: (deviceId: string, state: DeviceState) => void): () => void;
}
