// The schema of a device file (devices/*.yaml), the only one: the grammar and the runtime both load
// devices through src/devices/load.ts. Entries are loose objects: what a domain module reads (`initial`,
// `range`, a scene's `entities` …) passes through to `extra`. Numbers are accepted where a name or id is
// expected (`id: 1`) and become strings.
import { z } from "zod";
import { ident, listValue } from "../grammar/schema.js";

const word = z.union([z.string().min(1), z.number()]).transform(String);
const words = z.array(word).nullish();
const optional = word.nullish();
const number = z.number().nullish();

const named = { id: word, name: optional, aliases: words };

/** A point of interest; HA- and OSM-style spellings of its fields are accepted. */
export const poiSchema = z.looseObject({
  id: z.string().nullish(),
  name: word,
  type: optional,
  poi_type: optional,
  category: optional,
  aliases: words,
  lat: number,
  latitude: number,
  lon: number,
  lng: number,
  longitude: number,
  distance_km: number,
  distance: number,
  near: z.unknown().optional(),
  area: z.unknown().optional(),
  city: z.unknown().optional(),
});

export const deviceSchema = z.looseObject({
  ...named,
  area: optional,
  floor: optional,
  /** Default: the id's prefix (light.kitchen → light), as Home Assistant entity ids are written. */
  domain: optional,
  device_class: optional,
  capabilities: words,
  /** Car: the VSS branch, and the zone/side/seat the device serves. */
  vss: optional,
  zone: optional,
  side: optional,
  seat: optional,
  pois: z.array(poiSchema).nullish(),
});

export const deviceFileSchema = z.looseObject(
  {
    kind: z
      .enum(["home", "car"], { error: (iss) => `kind must be "home" or "car", not ${JSON.stringify(iss.input)}` })
      .default("home"),
    name: z.string().nullish(),
    floors: z.array(z.looseObject(named)).nullish(),
    areas: z.array(z.looseObject({ ...named, floor: optional })).nullish(),
    devices: z.array(deviceSchema).nullish(),
    pois: z.array(poiSchema).nullish(),
    /** Values added to the grammar's value lists. */
    lists: z.record(ident, z.strictObject({ values: z.array(listValue) })).optional(),
  },
  { error: "a device file must be a mapping" },
);

export type DeviceFileInput = z.infer<typeof deviceFileSchema>;
export type DeviceInput = z.infer<typeof deviceSchema>;
export type PoiInput = z.infer<typeof poiSchema>;
