// Public API of the device bus.
export type { CommandResult, DeviceBus, DeviceCommand, DeviceState } from "./types.js";
export { startBroker, type BrokerOptions, type EmbeddedBroker } from "./broker.js";
export { MqttDeviceBus, newCommandId, type MqttBusOptions, type MqttTlsOptions } from "./mqttBus.js";
export { createDeviceBus, deviceBusNames, registerDeviceBus, DEFAULT_BUS, type DeviceBusOptions } from "./registry.js";
export * as topics from "./topics.js";
export { CAR_PREFIX, DISCOVERY_PREFIX, HOME_PREFIX, LAST_COMMAND_ID, homeCommandTopic, homeStateTopic } from "./topics.js";
// What travels on the topics is the devices' own (their domain definitions, the car's VSS model).
export { discoveryConfig, discoveryTopic } from "../devices/discovery.js";
export { vssSignals, vssTopic, type VssSignal } from "../devices/vehicle/vss.js";
