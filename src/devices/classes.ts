// Home Assistant device classes, weather conditions and media classes as data: the simulators take
// their defaults from here, the discovery configs their units, and the spoken answers their words.
import type { Device } from "./types.js";

/** Sensor device classes: HA's default unit and the value a simulated sensor starts with when its file gives none. */
export const SENSOR_CLASSES: Record<string, { unit?: string; value: number | null }> = {
  temperature: { unit: "°C", value: 20 },
  humidity: { unit: "%", value: 50 },
  battery: { unit: "%", value: 100 },
  power: { unit: "W", value: 0 },
  energy: { unit: "kWh", value: 0 },
  illuminance: { unit: "lx", value: 300 },
  pressure: { unit: "hPa", value: 1013 },
  atmospheric_pressure: { unit: "hPa", value: 1013 },
  carbon_dioxide: { unit: "ppm", value: 450 },
  carbon_monoxide: { unit: "ppm", value: 0 },
  pm25: { unit: "µg/m³", value: 5 },
  voltage: { unit: "V", value: 230 },
  current: { unit: "A", value: 0 },
  moisture: { unit: "%", value: 40 },
  wind_speed: { unit: "km/h", value: 0 },
  precipitation: { unit: "mm", value: 0 },
  aqi: { value: 20 },
};

/** Binary sensor device classes: what "on" and "off" mean (HA's state translations). */
export const BINARY_CLASSES: Record<string, { on: string; off: string; noun: string }> = {
  battery: { on: "low", off: "normal", noun: "battery" },
  battery_charging: { on: "charging", off: "not charging", noun: "battery" },
  carbon_monoxide: { on: "detected", off: "clear", noun: "carbon monoxide" },
  cold: { on: "cold", off: "normal", noun: "sensor" },
  connectivity: { on: "connected", off: "disconnected", noun: "device" },
  door: { on: "open", off: "closed", noun: "door" },
  garage_door: { on: "open", off: "closed", noun: "garage door" },
  gas: { on: "detected", off: "clear", noun: "gas" },
  heat: { on: "hot", off: "normal", noun: "sensor" },
  // HA: a lock sensor is "on" when unlocked.
  lock: { on: "unlocked", off: "locked", noun: "lock" },
  moisture: { on: "wet", off: "dry", noun: "leak sensor" },
  motion: { on: "detected", off: "clear", noun: "motion" },
  occupancy: { on: "detected", off: "clear", noun: "occupancy" },
  opening: { on: "open", off: "closed", noun: "opening" },
  plug: { on: "plugged in", off: "unplugged", noun: "plug" },
  presence: { on: "home", off: "away", noun: "one" },
  problem: { on: "a problem", off: "OK", noun: "device" },
  safety: { on: "unsafe", off: "safe", noun: "sensor" },
  smoke: { on: "detected", off: "clear", noun: "smoke" },
  sound: { on: "detected", off: "clear", noun: "sound" },
  tamper: { on: "tampered", off: "clear", noun: "sensor" },
  vibration: { on: "detected", off: "clear", noun: "vibration" },
  window: { on: "open", off: "closed", noun: "window" },
};

/**
 * Is this a binary sensor? Its domain says so, or (a file that wrote `domain: sensor` for a smoke
 * detector) a device class only binary sensors have: HA has no numeric smoke sensor.
 */
export function isBinarySensor(d: Pick<Device, "domain" | "device_class">): boolean {
  if (d.domain === "binary_sensor") return true;
  return d.domain === "sensor" && d.device_class !== undefined && d.device_class in BINARY_CLASSES && !(d.device_class in SENSOR_CLASSES);
}

/** "on"/"off" of a binary sensor as people say it for its class ("low", "detected", "open"). */
export function binaryWord(deviceClass: string | undefined, on: boolean): string {
  const c = deviceClass ? BINARY_CLASSES[deviceClass] : undefined;
  return c ? (on ? c.on : c.off) : on ? "on" : "off";
}

/** Does a state word asked about ("low", "open", "on", "detected") mean on, off, or neither for this class? */
export function binaryAsked(deviceClass: string | undefined, asked: string): boolean | undefined {
  const a = asked.toLowerCase();
  if (a === "on" || a === "true") return true;
  if (a === "off" || a === "false") return false;
  const c = deviceClass ? BINARY_CLASSES[deviceClass] : undefined;
  if (!c) return undefined;
  if (a === c.on.toLowerCase()) return true;
  if (a === c.off.toLowerCase()) return false;
  return undefined;
}

const UNIT_WORDS: Record<string, string> = {
  "°C": "degrees",
  "°F": "degrees",
  "%": "percent",
  W: "watts",
  kW: "kilowatts",
  kWh: "kilowatt hours",
  Wh: "watt hours",
  lx: "lux",
  hPa: "hectopascals",
  ppm: "parts per million",
  "µg/m³": "micrograms per cubic meter",
  V: "volts",
  A: "amps",
  "km/h": "kilometers per hour",
  "m/s": "meters per second",
  mm: "millimeters",
};

/** A unit as it is spoken ("°C" → "degrees", "%" → "percent"); unknown units as written. */
export function spokenUnit(unit: string | undefined): string {
  return unit === undefined ? "" : (UNIT_WORDS[unit] ?? unit);
}

/** HA weather conditions (the weather entity's state) as spoken words. */
export const WEATHER_CONDITIONS: Record<string, string> = {
  "clear-night": "clear",
  cloudy: "cloudy",
  exceptional: "exceptional",
  fog: "foggy",
  hail: "hailing",
  lightning: "stormy",
  "lightning-rainy": "stormy and raining",
  partlycloudy: "partly cloudy",
  pouring: "pouring",
  rainy: "raining",
  snowy: "snowing",
  "snowy-rainy": "sleeting",
  sunny: "sunny",
  windy: "windy",
  "windy-variant": "windy and cloudy",
};

/** HA's media classes (HassMediaSearchAndPlay {media_class}). */
export const MEDIA_CLASSES = [
  "album", "app", "artist", "channel", "composer", "contributing_artist", "directory", "episode", "game", "genre",
  "image", "movie", "music", "playlist", "podcast", "season", "track", "tv_show", "url", "video",
] as const;
