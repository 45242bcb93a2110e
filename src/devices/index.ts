// Public API of device profiles and simulators.
export type { Area, DeviceFile, DeviceKind, Device, Floor, Poi } from "./types.js";
export { loadDeviceFiles, parseDeviceFile, readDeviceFiles } from "./load.js";
export { DeviceCatalog, normalizeName, type DeviceFilter } from "./catalog.js";
export {
  startSimulators,
  type AppliedCommand,
  type DeviceFault,
  type SimulatorHandle,
  type SimulatorOptions,
} from "./sim/simulator.js";
export { DOMAINS, definitionFor, homeModel, type DomainDefinition, type DomainModel } from "./domains/index.js";
export { COLORS } from "./domains/light.js";
export { resolveDestination, poiDistanceKm, carContext, type CarContext } from "./vehicle/navigation.js";
