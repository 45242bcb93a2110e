// The seam between the dialog and the devices: the runtime talks to devices (and reads the car's signals)
// only through this interface. The default implementation speaks MQTT (src/bus/mqtt*.ts); tests and other
// transports implement the same interface and register by name (src/bus/registry.ts).

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
  /**
   * Vehicle signals (VSS paths such as "Vehicle.Speed") as the car reports them: the listener gets each
   * report's payload as text (a number, or JSON {"value": …}), the last one seen at once when there is one.
   */
  onSignal(path: string, listener: (payload: string) => void): () => void;
  /** Report a vehicle signal's value (retained, so a late listener sees it too); resolves once the transport took it. */
  publishSignal(path: string, value: unknown): Promise<void>;
}
