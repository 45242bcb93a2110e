// Public API of the device bus.
export type { CommandResult, DeviceBus, DeviceCommand, DeviceState } from "./types.js";
export { startBroker, type BrokerOptions, type EmbeddedBroker } from "./broker.js";
export { MqttDeviceBus, newCommandId, type MqttBusOptions, type MqttTlsOptions } from "./mqttBus.js";
export { createDeviceBus, deviceBusNames, registerDeviceBus, DEFAULT_BUS, type DeviceBusOptions } from "./registry.js";
export * as topics from "./topics.js";
export {
  CAR_PREFIX,
  DISCOVERY_PREFIX,
  HOME_PREFIX,
  LAST_COMMAND_ID,
  discoveryConfig,
  discoveryTopic,
  homeCommandTopic,
  homeStateTopic,
  vssSignals,
  vssTopic,
  type VssSignal,
} from "./topics.js";
