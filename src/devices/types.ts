// The one device model: what devices/*.yaml load into (src/devices/load.ts, schema in ./schema.ts).
// The grammar takes its name/area/floor lists from it, the runtime (bus, simulators, intent → command
// mapping) everything else; fields a loader does not interpret stay in `extra` for the domain modules.

export type DeviceKind = "home" | "car";

export interface Floor {
  id: string;
  name: string;
  aliases: string[];
}

export interface Area {
  id: string;
  name: string;
  floor?: string;
  aliases: string[];
}

/** A point of interest for the car's offline navigation unit. */
export interface Poi {
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

export interface Device {
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
  /** Home Assistant domain (light, switch, fan …: src/devices/domains/) or a car device's (hvac, window …). */
  domain: string;
  device_class?: string;
  capabilities: string[];
  /** Which device file kind it came from. */
  kind: DeviceKind;
  /** Car only: explicit VSS branch for this device (overrides the derived one). */
  vss?: string;
  /** Every other field of the YAML entry, untouched (ranges, initial state, scene entities …). */
  extra: Record<string, unknown>;
  /** The file it was written in. */
  file: string;
}

export interface DeviceFile {
  file: string;
  kind: DeviceKind;
  name: string;
  floors: Floor[];
  areas: Area[];
  devices: Device[];
  pois: Poi[];
  /** Top-level fields the loader does not interpret (lists, location …). */
  extra: Record<string, unknown>;
}
