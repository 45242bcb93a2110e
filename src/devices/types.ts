// Runtime device profiles: what devices/*.yaml load into (see docs/grammar.md, "Device files").
// The grammar compiler reads the same files for its slot lists; this module keeps what the
// runtime (bus, simulators, intent → command mapping) needs, and tolerates extra fields.

export type DeviceKind = "home" | "car";

export interface FloorSpec {
  id: string;
  name: string;
  aliases: string[];
}

export interface AreaSpec {
  id: string;
  name: string;
  floor?: string;
  aliases: string[];
}

/** A point of interest for the car's offline navigation unit. */
export interface PoiSpec {
  id: string;
  name: string;
  /** e.g. fuel_station, charging_station, restaurant, parking, hospital. */
  type: string;
  aliases: string[];
  lat?: number;
  lon?: number;
  /** Distance from the car's current position when no coordinates are given. */
  distance_km?: number;
  /** Free-form place the POI is near/in ("downtown"), matched by NavigateTo {near}. */
  near?: string;
}

export interface DeviceSpec {
  id: string;
  name: string;
  aliases: string[];
  /** Area id (home devices). */
  area?: string;
  /** Car only: the zone, side or seat the device serves (driver, passenger, rear, rear_left …),
   *  from the YAML fields `zone`, `side` or `seat`. */
  zone?: string;
  /** Floor id, from the device or its area. */
  floor?: string;
  /** Home Assistant domain: light, switch, fan, climate, cover, lock, media_player, timer, … */
  domain: string;
  device_class?: string;
  capabilities: string[];
  /** Which device file kind it came from. */
  kind: DeviceKind;
  /** Car only: explicit VSS branch for this device (overrides the derived one). */
  vss?: string;
  /** Every other field of the YAML entry, untouched (ranges, initial state, POIs …). */
  extra: Record<string, unknown>;
}

export interface DeviceFileSpec {
  file: string;
  kind: DeviceKind;
  name: string;
  floors: FloorSpec[];
  areas: AreaSpec[];
  devices: DeviceSpec[];
  pois: PoiSpec[];
  /** Top-level fields this loader does not interpret (lists, location …). */
  extra: Record<string, unknown>;
}
