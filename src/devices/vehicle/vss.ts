// The car's signal model (COVESA VSS 4.x), in one module: which signals a car device has (from its
// domain, zone and capabilities), their topics, how hark's car commands become signal writes and back,
// and how a simulated signal takes a set / adjust (range checks; a destination goes to ./navigation.ts).
//
//   hark/car/Vehicle/Cabin/HVAC/Station/Row1/Driver/Temperature/set     {"id","value"} or {"id","delta"}
//   hark/car/Vehicle/Cabin/HVAC/Station/Row1/Driver/Temperature/state   retained {"value","last_command_id"}

import { CAR_PREFIX, topicSegment, type Publish } from "../../bus/topics.js";
import type { DeviceCommand, DeviceState } from "../../bus/types.js";
import type { IncomingCommand } from "../domains/types.js";
import type { Device } from "../types.js";
import { poiDistanceKm, resolveDestination, type CarContext } from "./navigation.js";

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
// Signals per device

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

// ---------------------------------------------------------------------------------------------
// On the wire

/** A car command as the signal write it is, or why this device cannot take it. */
export function encodeCarCommand(d: Device, cmd: DeviceCommand): Publish | { error: string } {
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

/** The signal a topic names, or an error naming the device. */
function signalAt(d: Device, topic: string): VssSignal {
  const parsed = parseVssTopic(topic);
  const sig = parsed && vssSignals(d).find((s) => s.path === parsed.path);
  if (!sig) throw new Error(`${topic} is not a signal of ${d.id}`);
  return sig;
}

/** A signal's state payload (`{"value"}`, tags removed) → the state field it sets; throws when malformed. */
export function decodeCarState(d: Device, topic: string, obj: Record<string, unknown>): DeviceState {
  const sig = signalAt(d, topic);
  if (!("value" in obj)) throw new Error(`VSS state payload has no "value"`);
  const v = obj.value;
  const ok =
    sig.datatype === "number" ? typeof v === "number" : sig.datatype === "boolean" ? typeof v === "boolean" : sig.datatype === "string" ? typeof v === "string" : typeof v === "object";
  if (!ok) throw new Error(`${sig.path} must be a ${sig.datatype}, got ${JSON.stringify(v)}`);
  return { [sig.key]: v };
}

/** A message on a signal's set topic → `set` / `adjust` of that signal. */
export function decodeCarCommand(d: Device, topic: string, json: unknown, text: string): IncomingCommand {
  const sig = signalAt(d, topic);
  const obj = json && typeof json === "object" && !Array.isArray(json) ? (json as Record<string, unknown>) : { value: json ?? text };
  const id = typeof obj.id === "string" ? obj.id : undefined;
  if ("delta" in obj) return { ...(id ? { id } : {}), action: "adjust", params: { signal: sig.key, delta: obj.delta } };
  return { ...(id ? { id } : {}), action: "set", params: { signal: sig.key, value: obj.value } };
}

/** The retained state messages of a car device (only the signals in `keys` when given), tagged with the last command. */
export function encodeCarState(d: Device, state: DeviceState, tag: Record<string, string>, keys?: string[]): Publish[] {
  return vssSignals(d)
    .filter((s) => !keys || keys.includes(s.key))
    .map((s) => ({ topic: vssTopic(s.path, "state"), payload: JSON.stringify({ value: state[s.key] ?? null, ...tag }), retain: true }));
}

// ---------------------------------------------------------------------------------------------
// The simulated signals

export function carInitialState(d: Device): DeviceState {
  return Object.fromEntries(vssSignals(d).map((s) => [s.key, s.initial]));
}

/** Apply a set/adjust on one signal; returns the new device state or a refusal. */
export function applyCarCommand(
  d: Device,
  state: DeviceState,
  cmd: { action: string; params: Record<string, unknown> },
  ctx: CarContext,
  now = Date.now(),
): DeviceState | string {
  const sig: VssSignal | undefined = vssSignals(d).find((s) => s.key === cmd.params.signal);
  if (!sig) return `no signal ${String(cmd.params.signal)}`;
  const next = { ...state };
  if (cmd.action === "adjust") {
    if (sig.datatype !== "number") return `${sig.path} cannot be adjusted`;
    const delta = Number(cmd.params.delta);
    if (!Number.isFinite(delta)) return "delta must be a number";
    const cur = typeof state[sig.key] === "number" ? (state[sig.key] as number) : Number(sig.initial);
    next[sig.key] = Math.min(sig.max ?? Infinity, Math.max(sig.min ?? -Infinity, cur + delta));
    return next;
  }
  if (cmd.action !== "set") return `unknown action ${cmd.action}`;
  const v = cmd.params.value;
  switch (sig.datatype) {
    case "number":
      if (typeof v !== "number" || !Number.isFinite(v)) return `${sig.path} needs a number`;
      if ((sig.min !== undefined && v < sig.min) || (sig.max !== undefined && v > sig.max)) return `${v} is out of range ${sig.min}..${sig.max} for ${sig.path}`;
      next[sig.key] = v;
      return next;
    case "boolean":
      if (typeof v !== "boolean") return `${sig.path} needs true or false`;
      next[sig.key] = v;
      return next;
    case "string":
      if (typeof v !== "string" || (sig.allowed && !sig.allowed.includes(v))) return `${sig.path} does not accept ${JSON.stringify(v)}`;
      next[sig.key] = v;
      return next;
    case "object": {
      if (sig.role !== "destination") {
        next[sig.key] = v;
        return next;
      }
      if (v === null) {
        next[sig.key] = null;
        return next;
      }
      const req = (v as { request?: Record<string, unknown> }).request ?? (v as Record<string, unknown>);
      const poi = resolveDestination(req, ctx);
      if (typeof poi === "string") return poi;
      const km = poiDistanceKm(poi, ctx);
      const etaMin = km === undefined ? undefined : Math.max(1, Math.round((km / ctx.averageSpeedKmh) * 60));
      next[sig.key] = {
        name: poi.name,
        poi_id: poi.id,
        poi_type: poi.type,
        ...(poi.lat !== undefined ? { Latitude: poi.lat } : {}),
        ...(poi.lon !== undefined ? { Longitude: poi.lon } : {}),
        ...(km !== undefined ? { distance_km: km } : {}),
        ...(etaMin !== undefined ? { eta_minutes: etaMin, arrival_at: new Date(now + etaMin * 60_000).toISOString() } : {}),
      };
      return next;
    }
  }
}
