// The one device loader: devices/*.yaml → DeviceFile[] (src/devices/types.ts). The grammar (its
// name/area/floor lists) and the runtime (catalog, bus, simulators) both read devices through here.
// Errors are one line, `file:line:col: message`; ids and references are checked across all the files
// loaded together, so a device file may use the floors and areas of another one.

import { readFileSync, readdirSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { GrammarError } from "../grammar/errors.js";
import { YamlSource } from "../grammar/yamlSource.js";
import { deviceFileSchema, type DeviceInput, type PoiInput } from "./schema.js";
import type { Area, Device, DeviceFile, Floor, Poi } from "./types.js";

/** Keys of a device entry the model interprets; every other key goes to `extra`. */
const DEVICE_KEYS = new Set(["id", "name", "aliases", "area", "floor", "domain", "device_class", "capabilities", "vss", "zone", "side", "seat", "pois"]);
const FILE_KEYS = new Set(["kind", "name", "floors", "areas", "devices", "pois"]);

type Path = (string | number)[];

/** Validate and check device files that are loaded together (same order as given). */
export function readDeviceFiles(sources: YamlSource[]): DeviceFile[] {
  const seen = new Map<string, string>();
  const unique = (what: string, id: string, src: YamlSource, path: Path) => {
    const key = `${what}:${id}`;
    const first = seen.get(key);
    if (first) throw new GrammarError(`duplicate ${what} id '${id}' (also in ${first})`, src.loc(path));
    seen.set(key, src.file);
  };

  const files = sources.map((src) => {
    const data = src.validate(deviceFileSchema);
    const floors: Floor[] = (data.floors ?? []).map((f, i) => {
      unique("floor", f.id, src, ["floors", i, "id"]);
      return { id: f.id, name: f.name ?? f.id, aliases: f.aliases ?? [] };
    });
    const areas: Area[] = (data.areas ?? []).map((a, i) => {
      unique("area", a.id, src, ["areas", i, "id"]);
      return { id: a.id, name: a.name ?? a.id, ...(a.floor != null ? { floor: a.floor } : {}), aliases: a.aliases ?? [] };
    });
    const pois: Poi[] = (data.pois ?? []).map((p, i) => poiOf(p, src, ["pois", i]));
    const extra = Object.fromEntries(Object.entries(data).filter(([k]) => !FILE_KEYS.has(k)));
    return { src, data, file: { file: src.file, kind: data.kind, name: data.name ?? basename(src.file), floors, areas, devices: [], pois, extra } as DeviceFile };
  });

  const floorIds = new Set(files.flatMap((f) => f.file.floors.map((x) => x.id)));
  const areaById = new Map(files.flatMap((f) => f.file.areas.map((a) => [a.id, a] as const)));
  for (const { src, data, file } of files) {
    data.areas?.forEach((a, i) => {
      if (a.floor != null && !floorIds.has(a.floor)) throw new GrammarError(`area '${a.id}' is on unknown floor '${a.floor}'`, src.loc(["areas", i, "floor"]));
    });
    data.devices?.forEach((d, i) => {
      unique("device", d.id, src, ["devices", i, "id"]);
      if (d.area != null && !areaById.has(d.area)) throw new GrammarError(`device '${d.id}' is in unknown area '${d.area}'`, src.loc(["devices", i, "area"]));
      file.devices.push(deviceOf(d, file, areaById.get(d.area ?? "")));
      d.pois?.forEach((p, j) => file.pois.push(poiOf(p, src, ["devices", i, "pois", j])));
    });
  }
  return files.map((f) => f.file);
}

function deviceOf(d: DeviceInput, file: DeviceFile, area: Area | undefined): Device {
  const zone = d.zone ?? d.side ?? d.seat;
  const floor = d.floor ?? area?.floor;
  return {
    id: d.id,
    name: d.name ?? d.id,
    aliases: d.aliases ?? [],
    ...(d.area != null ? { area: d.area } : {}),
    ...(floor != null ? { floor } : {}),
    ...(zone != null ? { zone } : {}),
    domain: d.domain ?? d.id.split(".")[0]!,
    ...(d.device_class != null ? { device_class: d.device_class } : {}),
    capabilities: d.capabilities ?? [],
    kind: file.kind,
    ...(d.vss != null ? { vss: d.vss } : {}),
    extra: Object.fromEntries(Object.entries(d).filter(([k]) => !DEVICE_KEYS.has(k))),
    file: file.file,
  };
}

function poiOf(p: PoiInput, src: YamlSource, path: Path): Poi {
  const type = p.type ?? p.poi_type ?? p.category;
  if (type == null) throw new GrammarError("POI type must be a non-empty string", src.loc([...path, "type"]));
  const lat = p.lat ?? p.latitude;
  const lon = p.lon ?? p.lng ?? p.longitude;
  const distance = p.distance_km ?? p.distance;
  const near = p.near ?? p.area ?? p.city;
  return {
    id: p.id ?? p.name.toLowerCase().replace(/[^a-z0-9]+/g, "_"),
    name: p.name,
    type,
    aliases: p.aliases ?? [],
    ...(lat != null ? { lat } : {}),
    ...(lon != null ? { lon } : {}),
    ...(distance != null ? { distance_km: distance } : {}),
    ...(typeof near === "string" ? { near } : {}),
  };
}

/** Parse one device file from text (checked on its own). `file` is used in error messages. */
export function parseDeviceFile(text: string, file: string): DeviceFile {
  return readDeviceFiles([YamlSource.parse(file, text)])[0]!;
}

/** The YAML files of a path: the file itself, or every *.yaml / *.yml of the folder, sorted by name. */
function yamlPaths(pathOrDir: string): string[] {
  if (statSync(pathOrDir).isFile()) return [pathOrDir];
  return readdirSync(pathOrDir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => join(pathOrDir, f));
}

/** Load every device file of these folders (or files), checked together. */
export function loadDeviceFiles(...paths: string[]): DeviceFile[] {
  return readDeviceFiles(paths.flatMap(yamlPaths).map((f) => YamlSource.parse(f, readFileSync(f, "utf8"))));
}
