// The car's offline navigation unit: the POIs of the device file and the navigation device's saved
// places, a destination resolved by name or as the nearest POI of a type (near a place), distances.

import { normalizeName } from "../catalog.js";
import type { DeviceFile, Device, Poi } from "../types.js";

export interface CarContext {
  pois: Poi[];
  /** The car's position, from `location: {lat, lon}` in the car file or on the navigation device. */
  location?: { lat: number; lon: number };
  /** For ETA: km/h. Default 50. */
  averageSpeedKmh: number;
}

export function carContext(file: DeviceFile | undefined, device?: Device): CarContext {
  const loc = (device?.extra.location ?? file?.extra.location) as { lat?: unknown; lon?: unknown; latitude?: unknown; longitude?: unknown } | undefined;
  const lat = Number(loc?.lat ?? loc?.latitude);
  const lon = Number(loc?.lon ?? loc?.longitude);
  const speed = Number(device?.extra.average_speed_kmh ?? file?.extra.average_speed_kmh);
  return {
    pois: [...(file?.pois ?? []), ...savedPlaces(device)],
    ...(Number.isFinite(lat) && Number.isFinite(lon) ? { location: { lat, lon } } : {}),
    averageSpeedKmh: Number.isFinite(speed) && speed > 0 ? speed : 50,
  };
}

/** `saved_places: [{id, aliases, address, distance_km}]` on the navigation device → POIs of type saved_place. */
export function savedPlaces(device?: Device): Poi[] {
  const list = device?.extra.saved_places;
  if (!Array.isArray(list)) return [];
  return list.flatMap((x): Poi[] => {
    if (!x || typeof x !== "object") return [];
    const o = x as Record<string, unknown>;
    const aliases = Array.isArray(o.aliases) ? o.aliases.map(String) : [];
    const id = typeof o.id === "string" ? o.id : aliases[0];
    if (!id) return [];
    const name = typeof o.name === "string" ? o.name : id;
    const lat = Number(o.lat ?? o.latitude);
    const lon = Number(o.lon ?? o.longitude);
    return [
      {
        id,
        name,
        type: "saved_place",
        aliases: [id, ...aliases],
        ...(typeof o.distance_km === "number" ? { distance_km: o.distance_km } : {}),
        ...(Number.isFinite(lat) && Number.isFinite(lon) ? { lat, lon } : {}),
        ...(typeof o.address === "string" ? { near: o.address } : {}),
      },
    ];
  });
}

const haversineKm = (a: { lat: number; lon: number }, b: { lat: number; lon: number }): number => {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.sqrt(h));
};

export function poiDistanceKm(p: Poi, ctx: CarContext): number | undefined {
  if (ctx.location && p.lat !== undefined && p.lon !== undefined) return Math.round(haversineKm(ctx.location, { lat: p.lat, lon: p.lon }) * 10) / 10;
  return p.distance_km;
}

const poiMatches = (p: Poi, name: string) => {
  const n = normalizeName(name);
  return p.id === name || normalizeName(p.name) === n || p.aliases.some((a) => normalizeName(a) === n);
};
const typeMatches = (p: Poi, type: string) => normalizeName(p.type) === normalizeName(type) || normalizeName(p.type).replace(/ /g, "_") === type;

/** Resolve a NavigateTo request against the POI list: by name, or the nearest POI of a type (near a place). */
export function resolveDestination(req: Record<string, unknown>, ctx: CarContext): Poi | string {
  const byId = typeof req.poi_id === "string" ? ctx.pois.find((p) => p.id === req.poi_id) : undefined;
  if (byId) return byId;
  if (typeof req.destination === "string" && req.destination.trim()) {
    const hit = ctx.pois.find((p) => poiMatches(p, req.destination as string));
    return hit ?? `unknown destination ${req.destination}`;
  }
  if (typeof req.poi_type === "string") {
    let candidates = ctx.pois.filter((p) => typeMatches(p, req.poi_type as string));
    if (typeof req.near === "string" && req.near.trim()) {
      const near = normalizeName(req.near);
      const anchor = ctx.pois.find((p) => poiMatches(p, req.near as string));
      const close = candidates.filter((p) => (p.near !== undefined && normalizeName(p.near) === near) || normalizeName(p.name).includes(near));
      if (close.length) candidates = close;
      else if (anchor?.lat !== undefined && anchor.lon !== undefined) {
        const a = { lat: anchor.lat, lon: anchor.lon };
        candidates = [...candidates].sort((x, y) => dist(x, a) - dist(y, a));
        return candidates[0] ?? `no ${req.poi_type} near ${req.near}`;
      } else return `no ${req.poi_type} near ${req.near}`;
    }
    candidates.sort((x, y) => (poiDistanceKm(x, ctx) ?? Infinity) - (poiDistanceKm(y, ctx) ?? Infinity));
    return candidates[0] ?? `no ${req.poi_type} in the offline map`;
  }
  return "a destination or a place type is needed";
}
const dist = (p: Poi, a: { lat: number; lon: number }) => (p.lat !== undefined && p.lon !== undefined ? haversineKm(a, { lat: p.lat, lon: p.lon }) : Infinity);
