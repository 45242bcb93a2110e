// Every MQTT convention hark uses, in one place, so the bus and the simulators (and a real device
// written by someone else) agree.
//
// Home devices (Home Assistant MQTT discovery conventions):
//   hark/home/<device_id>/set            command: {"id","action","params"} JSON (hark), or Home Assistant
//                                        payloads ("ON", "LOCK", {"state":"ON","brightness":50} …)
//   hark/home/<device_id>/set/<attr>     Home Assistant per-attribute commands (plain payload): temperature,
//                                        mode, position, percentage; a lawn mower's start_mowing, pause, dock
//   hark/home/<device_id>/state          retained JSON state + "last_command_id" (+ "last_command_error")
//   homeassistant/<component>/hark/<object_id>/config   retained discovery config
//
// Car signals (COVESA VSS 4.x paths, dots → slashes):
//   hark/car/Vehicle/Cabin/HVAC/Station/Row1/Driver/Temperature/set     {"id","value"} or {"id","delta"}
//   hark/car/Vehicle/Cabin/HVAC/Station/Row1/Driver/Temperature/state   retained {"value","last_command_id"}

import { isBinarySensor, SENSOR_CLASSES } from "../devices/classes.js";
import type { Device } from "../devices/types.js";
import type { DeviceCommand, DeviceState } from "./types.js";

export const HOME_PREFIX = "hark/home";
export const CAR_PREFIX = "hark/car";
export const DISCOVERY_PREFIX = "homeassistant";
export const DISCOVERY_NODE_ID = "hark";
/** Field of a state payload that names the last command the device applied. */
export const LAST_COMMAND_ID = "last_command_id";
/** Field of a state payload set when the device refused that command. */
export const LAST_COMMAND_ERROR = "last_command_error";

/** A topic level may not contain / + # (and no NUL). */
export function topicSegment(s: string): string {
  return s.replace(/[/+#\u0000]/g, "_");
}

export const homeCommandTopic = (deviceId: string): string => `${HOME_PREFIX}/${topicSegment(deviceId)}/set`;
export const homeStateTopic = (deviceId: string): string => `${HOME_PREFIX}/${topicSegment(deviceId)}/state`;

/** "Vehicle.Cabin.HVAC.IsAirConditioningActive" → "hark/car/Vehicle/Cabin/HVAC/IsAirConditioningActive/set" */
export const vssTopic = (path: string, suffix: "set" | "state"): string => `${CAR_PREFIX}/${path.split(".").map(topicSegment).join("/")}/${suffix}`;

/** The VSS path and suffix of a car topic, or undefined. */
export function parseVssTopic(topic: string): { path: string; suffix: "set" | "state" } | undefined {
  if (!topic.startsWith(`${CAR_PREFIX}/`)) return undefined;
  const parts = topic.slice(CAR_PREFIX.length + 1).split("/");
  const suffix = parts.pop();
  if ((suffix !== "set" && suffix !== "state") || parts.length === 0) return undefined;
  return { path: parts.join("."), suffix };
}

// ---------------------------------------------------------------------------------------------
// Car: VSS signals per device

/** Which VSS branch a zone/seat/window position maps to (VSS 4.x; left-hand drive: driver = left). */
export const VSS_STATION: Record<string, string> = {
  driver: "Row1.Driver",
  passenger: "Row1.Passenger",
  rear_left: "Row2.Driver",
  rear_right: "Row2.Passenger",
};
export const VSS_SIDE: Record<string, string> = {
  driver: "Row1.DriverSide",
  passenger: "Row1.PassengerSide",
  rear_left: "Row2.DriverSide",
  rear_right: "Row2.PassengerSide",
  rear_middle: "Row2.Middle",
  rear_center: "Row2.Middle",
};
/** Older VSS (≤ 3.x, used by the AGL corpus) named HVAC stations Left/Right. */
export const VSS3_STATION_ALIASES: Record<string, string> = { "Row1.Left": "Row1.Driver", "Row1.Right": "Row1.Passenger", "Row2.Left": "Row2.Driver", "Row2.Right": "Row2.Passenger" };

/** What a signal means to hark, independent of its path. */
export type SignalRole =
  | "temperature"
  | "fan_speed"
  | "ac"
  | "recirculation"
  | "front_defrost"
  | "rear_defrost"
  | "window_position"
  | "seat_heating_cooling"
  | "volume"
  | "media_action"
  | "destination";

export interface VssSignal {
  role: SignalRole;
  /** Full VSS path, e.g. Vehicle.Cabin.HVAC.Station.Row1.Driver.Temperature. */
  path: string;
  /** Key of this signal in the device's state: the path relative to the device's VSS branch. */
  key: string;
  datatype: "number" | "boolean" | "string" | "object";
  min?: number;
  max?: number;
  unit?: string;
  /** Initial value of a simulator. */
  initial: unknown;
  /** Default step of a relative change ("warmer", "louder"): AGL's default_change_factor. */
  step?: number;
  /** Allowed values of a string signal. */
  allowed?: string[];
}

type SignalTemplate = Omit<VssSignal, "path" | "key"> & { leaf: string };

// Ranges and defaults: VSS 4.x datatypes/units; steps and volume/fan defaults from the AGL
// corpus (mappings/vss_signals_spec.json: Volume 1..100 % default 15 step 5, FanSpeed 1..100 %
// default 25 step 5, Temperature step 2). Cabin set-point range 16..30 °C instead of AGL's 1..100.
const SIGNALS: Record<SignalRole, SignalTemplate> = {
  temperature: { role: "temperature", leaf: "Temperature", datatype: "number", min: 16, max: 30, unit: "celsius", initial: 21, step: 2 },
  fan_speed: { role: "fan_speed", leaf: "FanSpeed", datatype: "number", min: 0, max: 100, unit: "percent", initial: 25, step: 5 },
  ac: { role: "ac", leaf: "IsAirConditioningActive", datatype: "boolean", initial: false },
  recirculation: { role: "recirculation", leaf: "IsRecirculationActive", datatype: "boolean", initial: false },
  front_defrost: { role: "front_defrost", leaf: "IsFrontDefrosterActive", datatype: "boolean", initial: false },
  rear_defrost: { role: "rear_defrost", leaf: "IsRearDefrosterActive", datatype: "boolean", initial: false },
  window_position: { role: "window_position", leaf: "Position", datatype: "number", min: 0, max: 100, unit: "percent", initial: 0, step: 25 },
  seat_heating_cooling: { role: "seat_heating_cooling", leaf: "HeatingCooling", datatype: "number", min: -100, max: 100, unit: "percent", initial: 0 },
  volume: { role: "volume", leaf: "Volume", datatype: "number", min: 0, max: 100, unit: "percent", initial: 15, step: 5 },
  media_action: {
    role: "media_action",
    leaf: "Action",
    datatype: "string",
    initial: "STOP",
    allowed: ["UNKNOWN", "STOP", "PLAY", "FAST_FORWARD", "FAST_BACKWARD", "SKIP_FORWARD", "SKIP_BACKWARD"],
  },
  destination: { role: "destination", leaf: "DestinationSet", datatype: "object", initial: null },
};

/** Climate features (CabinClimate {feature}) → signal role. */
export const CLIMATE_FEATURES: Record<string, SignalRole> = { ac: "ac", recirculation: "recirculation", front_defrost: "front_defrost", rear_defrost: "rear_defrost" };

const has = (d: Device, ...caps: string[]) => caps.some((c) => d.capabilities.includes(c));

/** The role a car device plays, from its domain, device_class and capabilities. */
export type CarDeviceType = "climate_zone" | "hvac" | "window" | "seat" | "media" | "navigation" | "other";

export function carDeviceType(d: Device): CarDeviceType {
  const cls = d.device_class ?? "";
  const zone = d.zone ?? d.area;
  if (d.domain === "navigation" || cls === "navigation" || has(d, "navigation", "route", "poi_search")) return "navigation";
  if (d.domain === "seat" || cls === "seat" || has(d, "seat_heating", "seat_ventilation")) return "seat";
  if (d.domain === "window" || cls === "window" || has(d, "window_position")) return "window";
  if (d.domain === "media" || d.domain === "media_player" || has(d, "volume", "volume_set")) return "media";
  if (d.domain === "climate" || d.domain === "hvac" || d.domain === "fan") {
    const zoned = zone !== undefined || (d.vss ?? "").includes(".Station.");
    return zoned ? "climate_zone" : "hvac";
  }
  return "other";
}

function vssBase(d: Device, type: CarDeviceType): string | undefined {
  if (d.vss) return d.vss;
  const zone = d.zone ?? d.area ?? "";
  switch (type) {
    case "climate_zone":
      return VSS_STATION[zone] ? `Vehicle.Cabin.HVAC.Station.${VSS_STATION[zone]}` : undefined;
    case "hvac":
      return "Vehicle.Cabin.HVAC";
    case "window":
      return VSS_SIDE[zone] ? `Vehicle.Cabin.Door.${VSS_SIDE[zone]}.Window` : undefined;
    case "seat":
      return VSS_SIDE[zone] ? `Vehicle.Cabin.Seat.${VSS_SIDE[zone]}` : undefined;
    case "media":
      return "Vehicle.Cabin.Infotainment.Media";
    case "navigation":
      return "Vehicle.Cabin.Infotainment.Navigation";
    default:
      return undefined;
  }
}

function signalRoles(d: Device, type: CarDeviceType): SignalRole[] {
  switch (type) {
    case "climate_zone": {
      const roles: SignalRole[] = [];
      if (!d.capabilities.length || has(d, "target_temperature", "temperature")) roles.push("temperature");
      if (!d.capabilities.length || has(d, "fan_speed")) roles.push("fan_speed");
      for (const [cap, role] of Object.entries(CLIMATE_FEATURES)) if (has(d, cap)) roles.push(role);
      return roles.length ? roles : ["temperature", "fan_speed"];
    }
    case "hvac": {
      const roles = Object.entries(CLIMATE_FEATURES)
        .filter(([cap]) => has(d, cap))
        .map(([, role]) => role);
      if (has(d, "target_temperature", "temperature")) roles.push("temperature");
      if (has(d, "fan_speed")) roles.push("fan_speed");
      return roles.length ? roles : (Object.values(CLIMATE_FEATURES) as SignalRole[]);
    }
    case "window":
      return ["window_position"];
    case "seat":
      return ["seat_heating_cooling"];
    case "media":
      return has(d, "pause", "play_pause", "next_previous", "playback") || !d.capabilities.length ? ["volume", "media_action"] : ["volume"];
    case "navigation":
      return ["destination"];
    default:
      return [];
  }
}

/** Overrides from the device YAML: `range: {temperature: [16, 30]}` (or `{min, max}`), `initial: {temperature: 22}`. */
function override(d: Device, role: SignalRole, what: "min" | "max" | "initial"): unknown {
  const ranges = (d.extra.range ?? d.extra.ranges) as Record<string, unknown> | undefined;
  const initial = d.extra.initial as Record<string, unknown> | undefined;
  if (what === "initial") return initial && role in initial ? initial[role] : undefined;
  const r = ranges?.[role];
  if (Array.isArray(r)) return what === "min" ? r[0] : r[1];
  return r && typeof r === "object" ? (r as Record<string, unknown>)[what] : undefined;
}

/** How many discrete levels a device offers for a feature (`range: {fan_level: [1, 10]}`), if any. */
export function levelRange(d: Device, name: string): [number, number] | undefined {
  const ranges = (d.extra.range ?? d.extra.ranges) as Record<string, unknown> | undefined;
  const r = ranges?.[name];
  if (Array.isArray(r) && typeof r[0] === "number" && typeof r[1] === "number") return [r[0], r[1]];
  if (r && typeof r === "object") {
    const o = r as Record<string, unknown>;
    if (typeof o.min === "number" && typeof o.max === "number") return [o.min, o.max];
  }
  return undefined;
}

/** The VSS signals of a car device (empty for a home device or an unknown car device). */
export function vssSignals(d: Device): VssSignal[] {
  if (d.kind !== "car") return [];
  const type = carDeviceType(d);
  const base = vssBase(d, type);
  if (!base) return [];
  // Features such as the A/C live under Vehicle.Cabin.HVAC even when a zone device offers them.
  const hvacBase = "Vehicle.Cabin.HVAC";
  return signalRoles(d, type).map((role) => {
    const { leaf, ...t } = SIGNALS[role];
    const isFeature = Object.values(CLIMATE_FEATURES).includes(role);
    const path = isFeature ? `${hvacBase}.${leaf}` : `${base}.${leaf}`;
    const sig: VssSignal = { ...t, path, key: leaf };
    const min = override(d, role, "min");
    const max = override(d, role, "max");
    const initial = override(d, role, "initial");
    if (typeof min === "number") sig.min = min;
    if (typeof max === "number") sig.max = max;
    if (initial !== undefined) sig.initial = initial;
    return sig;
  });
}

// ---------------------------------------------------------------------------------------------
// Home Assistant discovery

/**
 * Home Assistant's MQTT component for each domain hark simulates. Domains missing here have no MQTT
 * platform in HA and publish their state only: media_player, todo, weather, timer. A script is offered
 * as a button (pressing it runs the script), a voice satellite as a notify entity (a message sent to it
 * is announced there).
 */
const HA_COMPONENTS: Record<string, string> = {
  light: "light",
  switch: "switch",
  fan: "fan",
  climate: "climate",
  cover: "cover",
  lock: "lock",
  sensor: "sensor",
  binary_sensor: "binary_sensor",
  button: "button",
  number: "number",
  valve: "valve",
  siren: "siren",
  vacuum: "vacuum",
  lawn_mower: "lawn_mower",
  scene: "scene",
  script: "button",
  assist_satellite: "notify",
};

/** The HA MQTT component a device is discovered as (a `sensor` with a binary-only device class is a binary_sensor). */
export function haComponent(d: Device): string | undefined {
  if (d.kind !== "home") return undefined;
  return isBinarySensor(d) ? "binary_sensor" : HA_COMPONENTS[d.domain];
}

export const discoveryObjectId = (d: Device): string => (d.id.includes(".") ? d.id.slice(d.id.indexOf(".") + 1) : d.id).replace(/[^a-zA-Z0-9_-]/g, "_");
export const discoveryUniqueId = (d: Device): string => `hark_${d.id.replace(/[^a-zA-Z0-9_-]/g, "_")}`;

export function discoveryTopic(d: Device): string | undefined {
  const component = haComponent(d);
  return component ? `${DISCOVERY_PREFIX}/${component}/${DISCOVERY_NODE_ID}/${discoveryObjectId(d)}/config` : undefined;
}

/** The discovery config a real Home Assistant reads to adopt this device. */
export function discoveryConfig(d: Device, areaName?: string): Record<string, unknown> | undefined {
  if (!discoveryTopic(d)) return undefined;
  const cmd = homeCommandTopic(d.id);
  const st = homeStateTopic(d.id);
  const base: Record<string, unknown> = {
    name: null, // the entity is the device's main feature: HA names it after the device
    unique_id: discoveryUniqueId(d),
    object_id: discoveryObjectId(d),
    state_topic: st,
    device: {
      identifiers: [discoveryUniqueId(d)],
      name: d.name,
      manufacturer: "hark",
      model: `Simulated ${d.domain}`,
      ...(areaName ? { suggested_area: areaName } : {}),
    },
    origin: { name: "hark" },
    ...(d.device_class ? { device_class: d.device_class } : {}),
  };
  switch (haComponent(d)) {
    case "light": {
      const modes = has(d, "color") ? ["rgb"] : has(d, "brightness") ? ["brightness"] : ["onoff"];
      return { ...base, schema: "json", command_topic: cmd, brightness: has(d, "brightness", "color"), brightness_scale: 100, supported_color_modes: modes };
    }
    case "switch":
      return { ...base, command_topic: cmd, payload_on: "ON", payload_off: "OFF", value_template: "{{ value_json.state }}" };
    case "fan":
      return {
        ...base,
        command_topic: cmd,
        state_value_template: "{{ value_json.state }}",
        percentage_command_topic: `${cmd}/percentage`,
        percentage_state_topic: st,
        percentage_value_template: "{{ value_json.percentage }}",
      };
    case "climate":
      return {
        ...base,
        state_topic: undefined,
        temperature_command_topic: `${cmd}/temperature`,
        temperature_state_topic: st,
        temperature_state_template: "{{ value_json.target_temperature }}",
        current_temperature_topic: st,
        current_temperature_template: "{{ value_json.current_temperature }}",
        mode_command_topic: `${cmd}/mode`,
        mode_state_topic: st,
        mode_state_template: "{{ value_json.mode }}",
        modes: ["off", "heat", "cool", "auto"],
        min_temp: 5,
        max_temp: 35,
        temp_step: 0.5,
        temperature_unit: "C",
      };
    case "cover":
      return {
        ...base,
        command_topic: cmd,
        value_template: "{{ value_json.state }}",
        position_topic: st,
        position_template: "{{ value_json.position }}",
        set_position_topic: `${cmd}/position`,
      };
    case "lock":
      return { ...base, command_topic: cmd, value_template: "{{ value_json.state }}" };
    case "valve":
      // reports_position: HA sends positions (0..100) to command_topic, OPEN/CLOSE/STOP for the buttons.
      return { ...base, command_topic: cmd, reports_position: has(d, "position"), value_template: has(d, "position") ? "{{ value_json.position }}" : "{{ value_json.state }}" };
    case "vacuum":
      // HA's state schema: the JSON state carries state (cleaning, docked, returning …) and battery_level.
      return {
        ...base,
        command_topic: cmd,
        supported_features: ["start", "pause", "stop", "return_home", "status", "battery"],
        payload_start: "start",
        payload_pause: "pause",
        payload_stop: "stop",
        payload_return_to_base: "return_to_base",
      };
    case "lawn_mower":
      return {
        ...base,
        state_topic: undefined,
        activity_state_topic: st,
        activity_value_template: "{{ value_json.state }}",
        start_mowing_command_topic: `${cmd}/start_mowing`,
        pause_command_topic: `${cmd}/pause`,
        dock_command_topic: `${cmd}/dock`,
      };
    case "scene":
      // Scenes are stateless in HA: a command topic only.
      return { ...base, state_topic: undefined, command_topic: cmd, payload_on: "ON" };
    case "button":
      return { ...base, state_topic: undefined, command_topic: cmd, payload_press: "PRESS" };
    case "notify":
      return { ...base, state_topic: undefined, command_topic: cmd };
    case "binary_sensor":
      return { ...base, value_template: "{{ value_json.state }}", payload_on: "ON", payload_off: "OFF" };
    case "sensor": {
      const initial = d.extra.initial as Record<string, unknown> | undefined;
      const unit = typeof initial?.unit === "string" ? initial.unit : d.device_class ? SENSOR_CLASSES[d.device_class]?.unit : undefined;
      return { ...base, value_template: "{{ value_json.value }}", ...(unit ? { unit_of_measurement: unit } : {}), ...(d.device_class && d.device_class in SENSOR_CLASSES ? { state_class: "measurement" } : {}) };
    }
    default:
      return { ...base, value_template: "{{ value_json.value }}" };
  }
}

// ---------------------------------------------------------------------------------------------
// Commands and states on the wire

export interface Publish {
  topic: string;
  payload: string;
  retain?: boolean;
}

/** Car actions: which signal a command writes, and how its params become a value or a delta. */
type CarWrite = { role: SignalRole | ((p: Record<string, unknown>) => SignalRole | undefined); value?: (p: Record<string, unknown>) => unknown; delta?: (p: Record<string, unknown>) => unknown };

const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v)) ? Number(v) : undefined);
/** Seat level (0..levels) → VSS HeatingCooling percent. */
const levelPercent = (p: Record<string, unknown>): number | undefined => {
  if (num(p.percent) !== undefined) return num(p.percent);
  const level = num(p.level);
  const levels = num(p.levels) ?? 3;
  return level === undefined ? undefined : Math.round((Math.min(Math.max(level, 0), levels) / levels) * 100);
};

export const CAR_ACTIONS: Record<string, CarWrite> = {
  set_temperature: { role: "temperature", value: (p) => num(p.temperature) },
  adjust_temperature: { role: "temperature", delta: (p) => num(p.delta) },
  set_fan_speed: { role: "fan_speed", value: (p) => num(p.percent) ?? num(p.level) },
  adjust_fan_speed: { role: "fan_speed", delta: (p) => num(p.delta) },
  turn_on: { role: (p) => CLIMATE_FEATURES[String(p.feature)], value: () => true },
  turn_off: { role: (p) => CLIMATE_FEATURES[String(p.feature)], value: () => false },
  set_position: { role: "window_position", value: (p) => num(p.position) },
  open: { role: "window_position", value: (p) => num(p.position) ?? 100 },
  close: { role: "window_position", value: (p) => (num(p.position) !== undefined ? 100 - num(p.position)! : 0) },
  set_heating: { role: "seat_heating_cooling", value: (p) => levelPercent(p) },
  set_ventilation: { role: "seat_heating_cooling", value: (p) => { const v = levelPercent(p); return v === undefined ? undefined : -v; } },
  set_volume: { role: "volume", value: (p) => num(p.volume_level) ?? num(p.volume) },
  adjust_volume: { role: "volume", delta: (p) => num(p.delta) },
  media_play: { role: "media_action", value: () => "PLAY" },
  media_pause: { role: "media_action", value: () => "STOP" },
  media_next: { role: "media_action", value: () => "SKIP_FORWARD" },
  media_previous: { role: "media_action", value: () => "SKIP_BACKWARD" },
  navigate: {
    role: "destination",
    value: (p) => ({ request: Object.fromEntries(Object.entries(p).filter(([k]) => ["destination", "poi_type", "near", "poi_id"].includes(k))) }),
  },
  cancel_navigation: { role: "destination", value: () => null },
};

/** Encode a command for the wire, or say why it cannot be sent to this device. */
export function encodeCommand(d: Device, cmd: DeviceCommand): Publish | { error: string } {
  if (d.kind === "home") {
    return { topic: homeCommandTopic(d.id), payload: JSON.stringify({ id: cmd.id, action: cmd.action, params: cmd.params }) };
  }
  const write = CAR_ACTIONS[cmd.action];
  if (!write) return { error: `action ${cmd.action} is not supported by car devices` };
  const role = typeof write.role === "function" ? write.role(cmd.params) : write.role;
  const sig = vssSignals(d).find((s) => s.role === role);
  if (!sig) return { error: `${d.id} has no signal for ${cmd.action}${cmd.params.feature ? ` (${String(cmd.params.feature)})` : ""}` };
  if (write.delta) {
    const delta = write.delta(cmd.params);
    if (delta === undefined) return { error: `${cmd.action} needs a numeric delta` };
    return { topic: vssTopic(sig.path, "set"), payload: JSON.stringify({ id: cmd.id, delta }) };
  }
  const value = write.value!(cmd.params);
  if (value === undefined) return { error: `${cmd.action} is missing its value` };
  return { topic: vssTopic(sig.path, "set"), payload: JSON.stringify({ id: cmd.id, value }) };
}

/** The state topics a device publishes (home: one; car: one per VSS signal). */
export function stateTopics(d: Device): string[] {
  return d.kind === "home" ? [homeStateTopic(d.id)] : vssSignals(d).map((s) => vssTopic(s.path, "state"));
}

/** The command topics a device listens to (MQTT filters). */
export function commandTopics(d: Device): string[] {
  return d.kind === "home" ? [homeCommandTopic(d.id), `${homeCommandTopic(d.id)}/+`] : vssSignals(d).map((s) => vssTopic(s.path, "set"));
}

export interface DecodedState {
  /** Fields to merge into the device's state. */
  patch: DeviceState;
  commandId?: string;
  commandError?: string;
}

/** Decode a state message of a device; throws with a reason when the payload is malformed. */
export function decodeState(d: Device, topic: string, payload: Buffer | string): DecodedState {
  const text = payload.toString();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`state payload is not JSON: ${JSON.stringify(text.slice(0, 80))}`);
  }
  if (!json || typeof json !== "object" || Array.isArray(json)) throw new Error(`state payload is not a JSON object: ${JSON.stringify(text.slice(0, 80))}`);
  const obj = { ...(json as Record<string, unknown>) };
  const commandId = obj[LAST_COMMAND_ID];
  const commandError = obj[LAST_COMMAND_ERROR];
  if (commandId !== undefined && typeof commandId !== "string") throw new Error(`${LAST_COMMAND_ID} must be a string`);
  delete obj[LAST_COMMAND_ID];
  delete obj[LAST_COMMAND_ERROR];
  let patch: DeviceState;
  if (d.kind === "home") patch = obj;
  else {
    const parsed = parseVssTopic(topic);
    const sig = parsed && vssSignals(d).find((s) => s.path === parsed.path);
    if (!sig) throw new Error(`${topic} is not a signal of ${d.id}`);
    if (!("value" in obj)) throw new Error(`VSS state payload has no "value"`);
    const v = obj.value;
    const ok =
      sig.datatype === "number" ? typeof v === "number" : sig.datatype === "boolean" ? typeof v === "boolean" : sig.datatype === "string" ? typeof v === "string" : typeof v === "object";
    if (!ok) throw new Error(`${sig.path} must be a ${sig.datatype}, got ${JSON.stringify(v)}`);
    patch = { [sig.key]: v };
  }
  return { patch, ...(typeof commandId === "string" ? { commandId } : {}), ...(typeof commandError === "string" ? { commandError } : {}) };
}

/** A command as a device receives it: hark's own (with an id) or a Home Assistant payload (no id). */
export interface IncomingCommand {
  id?: string;
  action: string;
  params: Record<string, unknown>;
}

/** Home Assistant's plain command payloads (switch, lock, cover, valve, vacuum, scene, button). */
const PLAIN_COMMANDS: Record<string, string> = {
  ON: "turn_on",
  OFF: "turn_off",
  TOGGLE: "toggle",
  LOCK: "lock",
  UNLOCK: "unlock",
  OPEN: "open",
  CLOSE: "close",
  STOP: "stop",
  START: "start",
  PAUSE: "pause",
  RETURN_TO_BASE: "return_to_base",
  PRESS: "press",
};

/** Decode a message on one of a device's command topics (simulators and real devices). */
export function decodeCommand(d: Device, topic: string, payload: Buffer | string): IncomingCommand {
  const text = payload.toString().trim();
  let json: unknown = undefined;
  try {
    json = JSON.parse(text);
  } catch {
    /* plain payload */
  }
  if (d.kind === "car") {
    const parsed = parseVssTopic(topic);
    const sig = parsed && vssSignals(d).find((s) => s.path === parsed.path);
    if (!sig) throw new Error(`${topic} is not a signal of ${d.id}`);
    const obj = json && typeof json === "object" && !Array.isArray(json) ? (json as Record<string, unknown>) : { value: json ?? text };
    const id = typeof obj.id === "string" ? obj.id : undefined;
    if ("delta" in obj) return { ...(id ? { id } : {}), action: "adjust", params: { signal: sig.key, delta: obj.delta } };
    return { ...(id ? { id } : {}), action: "set", params: { signal: sig.key, value: obj.value } };
  }
  const base = homeCommandTopic(d.id);
  if (topic !== base) {
    // Home Assistant per-attribute command topics: .../set/temperature, /mode, /position, /percentage
    const attr = topic.slice(base.length + 1);
    const value = typeof json === "number" ? json : Number.isFinite(Number(text)) ? Number(text) : text;
    const action = ({ temperature: "set_temperature", mode: "set_mode", position: "set_position", percentage: "set_percentage" } as Record<string, string>)[attr];
    if (action) return { action, params: { [attr]: value } };
    // A lawn mower's own topics carry the action in the topic: .../set/start_mowing, /pause, /dock
    if (["start_mowing", "pause", "dock"].includes(attr)) return { action: attr, params: {} };
    throw new Error(`unknown command attribute ${attr}`);
  }
  if (json && typeof json === "object" && !Array.isArray(json)) {
    const obj = json as Record<string, unknown>;
    if (typeof obj.action === "string") {
      const params = obj.params && typeof obj.params === "object" ? (obj.params as Record<string, unknown>) : {};
      return { ...(typeof obj.id === "string" ? { id: obj.id } : {}), action: obj.action, params };
    }
    if (typeof obj.state === "string") {
      // Home Assistant light JSON schema: {"state":"ON","brightness":50,"color":{"r":255,"g":0,"b":0}}
      const params: Record<string, unknown> = {};
      if (obj.brightness !== undefined) params.brightness = obj.brightness;
      if (obj.color !== undefined) params.rgb = obj.color;
      return { action: obj.state.toUpperCase() === "OFF" ? "turn_off" : "turn_on", params };
    }
    throw new Error("command JSON has neither action nor state");
  }
  // HA notify: the payload is the message to announce.
  if (haComponent(d) === "notify") return { action: "broadcast", params: { message: text } };
  // HA valve with reports_position: the payload is the position.
  if (d.domain === "valve" && text !== "" && Number.isFinite(Number(text))) return { action: "set_position", params: { position: Number(text) } };
  const action = PLAIN_COMMANDS[text.toUpperCase()];
  if (!action) throw new Error(`unknown command payload ${JSON.stringify(text.slice(0, 40))}`);
  return { action, params: {} };
}

/** The retained messages that publish a device's state (and the command it answers). */
export function encodeState(d: Device, state: DeviceState, last?: { id: string; error?: string; keys?: string[] }): Publish[] {
  const tag = last ? { [LAST_COMMAND_ID]: last.id, ...(last.error ? { [LAST_COMMAND_ERROR]: last.error } : {}) } : {};
  if (d.kind === "home") return [{ topic: homeStateTopic(d.id), payload: JSON.stringify({ ...state, ...tag }), retain: true }];
  return vssSignals(d)
    .filter((s) => !last?.keys || last.keys.includes(s.key))
    .map((s) => ({ topic: vssTopic(s.path, "state"), payload: JSON.stringify({ value: state[s.key] ?? null, ...tag }), retain: true }));
}
