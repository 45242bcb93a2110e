// Load devices/*.yaml into runtime profiles. Errors are one line, `file:line:col: message`.

import { readFileSync, readdirSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { LineCounter, parseDocument, isMap, isSeq, type Node as YamlNode } from "yaml";
import { GrammarError } from "../grammar/errors.js";
import type { SourceLoc } from "../grammar/types.js";
import type { AreaSpec, DeviceFileSpec, DeviceKind, DeviceSpec, FloorSpec, PoiSpec } from "./types.js";

type Obj = Record<string, unknown>;

const KNOWN_DEVICE_KEYS = new Set(["id", "name", "aliases", "area", "floor", "domain", "device_class", "capabilities", "vss", "zone", "side", "seat", "pois"]);
const KNOWN_FILE_KEYS = new Set(["kind", "name", "floors", "areas", "devices", "pois"]);

/** Parse one device file from text. `file` is used in error messages. */
export function parseDeviceFile(text: string, file: string): DeviceFileSpec {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const locOf = (node: unknown): SourceLoc | undefined => {
    const range = (node as YamlNode | undefined)?.range;
    if (!range) return undefined;
    const { line, col } = lineCounter.linePos(range[0]);
    return { file, line, col };
  };
  if (doc.errors.length > 0) {
    const err = doc.errors[0]!;
    const { line, col } = lineCounter.linePos(err.pos[0]);
    throw new GrammarError(err.message.split("\n")[0] ?? "invalid YAML", { file, line, col });
  }
  const root = doc.contents;
  if (!isMap(root)) throw new GrammarError("a device file must be a mapping", locOf(root) ?? { file, line: 1, col: 1 });
  const data = doc.toJS() as Obj;
  const fail = (msg: string, path: (string | number)[]): never => {
    const node = path.length ? doc.getIn(path, true) : root;
    throw new GrammarError(msg, locOf(node) ?? locOf(root) ?? { file, line: 1, col: 1 });
  };
  const str = (v: unknown, path: (string | number)[], what: string): string => {
    if (typeof v === "string" && v.trim() !== "") return v;
    if (typeof v === "number") return String(v);
    return fail(`${what} must be a non-empty string`, path);
  };
  const optStr = (v: unknown, path: (string | number)[], what: string): string | undefined =>
    v === undefined || v === null ? undefined : str(v, path, what);
  const strList = (v: unknown, path: (string | number)[], what: string): string[] => {
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) return fail(`${what} must be a list`, path);
    return v.map((x, i) => str(x, [...path, i], what));
  };
  const list = (key: string): Obj[] => {
    const v = data[key];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) return fail(`${key} must be a list`, [key]);
    return v.map((x, i) => (x && typeof x === "object" && !Array.isArray(x) ? (x as Obj) : fail(`${key} entries must be mappings`, [key, i])));
  };

  const kindRaw = data.kind ?? "home";
  if (kindRaw !== "home" && kindRaw !== "car") fail(`kind must be "home" or "car", not ${JSON.stringify(kindRaw)}`, ["kind"]);
  const kind = kindRaw as DeviceKind;

  const floors: FloorSpec[] = list("floors").map((f, i) => ({
    id: str(f.id, ["floors", i, "id"], "floor id"),
    name: str(f.name ?? f.id, ["floors", i, "name"], "floor name"),
    aliases: strList(f.aliases, ["floors", i, "aliases"], "alias"),
  }));
  const areas: AreaSpec[] = list("areas").map((a, i) => {
    const floor = optStr(a.floor, ["areas", i, "floor"], "area floor");
    if (floor && floors.length && !floors.some((f) => f.id === floor)) fail(`unknown floor ${floor}`, ["areas", i, "floor"]);
    return {
      id: str(a.id, ["areas", i, "id"], "area id"),
      name: str(a.name ?? a.id, ["areas", i, "name"], "area name"),
      ...(floor ? { floor } : {}),
      aliases: strList(a.aliases, ["areas", i, "aliases"], "alias"),
    };
  });
  const ids = new Set<string>();
  const pois: PoiSpec[] = list("pois").map((p, i) => parsePoi(p, ["pois", i], str, strList, fail));
  const devices: DeviceSpec[] = list("devices").map((d, i) => {
    const at = (k: string) => ["devices", i, k];
    const id = str(d.id, at("id"), "device id");
    if (ids.has(id)) fail(`duplicate device id ${id}`, at("id"));
    ids.add(id);
    const domain = optStr(d.domain, at("domain"), "domain") ?? id.split(".")[0] ?? "";
    if (!domain) fail("device domain is required", at("id"));
    const area = optStr(d.area, at("area"), "area");
    if (area && kind === "home" && areas.length && !areas.some((a) => a.id === area)) fail(`unknown area ${area}`, at("area"));
    const floor = optStr(d.floor, at("floor"), "floor") ?? areas.find((a) => a.id === area)?.floor;
    const extra: Obj = {};
    for (const [k, v] of Object.entries(d)) if (!KNOWN_DEVICE_KEYS.has(k)) extra[k] = v;
    if (Array.isArray(d.pois)) {
      (d.pois as unknown[]).forEach((p, j) => {
        if (p && typeof p === "object") pois.push(parsePoi(p as Obj, ["devices", i, "pois", j], str, strList, fail));
      });
    }
    const deviceClass = optStr(d.device_class, at("device_class"), "device_class");
    const vss = optStr(d.vss, at("vss"), "vss");
    const zoneKey = ["zone", "side", "seat"].find((k) => d[k] !== undefined && d[k] !== null);
    const zone = zoneKey ? optStr(d[zoneKey], at(zoneKey), zoneKey) : undefined;
    return {
      id,
      name: str(d.name ?? id, at("name"), "device name"),
      aliases: strList(d.aliases, at("aliases"), "alias"),
      ...(area ? { area } : {}),
      ...(floor ? { floor } : {}),
      ...(zone ? { zone } : {}),
      domain,
      ...(deviceClass ? { device_class: deviceClass } : {}),
      capabilities: strList(d.capabilities, at("capabilities"), "capability"),
      kind,
      ...(vss ? { vss } : {}),
      extra,
    };
  });
  const extra: Obj = {};
  for (const [k, v] of Object.entries(data)) if (!KNOWN_FILE_KEYS.has(k)) extra[k] = v;
  return { file, kind, name: typeof data.name === "string" ? data.name : basename(file), floors, areas, devices, pois, extra };
}

function parsePoi(
  p: Obj,
  path: (string | number)[],
  str: (v: unknown, path: (string | number)[], what: string) => string,
  strList: (v: unknown, path: (string | number)[], what: string) => string[],
  fail: (msg: string, path: (string | number)[]) => never,
): PoiSpec {
  const num = (v: unknown, k: string): number | undefined => {
    if (v === undefined || v === null) return undefined;
    if (typeof v === "number" && Number.isFinite(v)) return v;
    return fail(`${k} must be a number`, [...path, k]);
  };
  const name = str(p.name, [...path, "name"], "POI name");
  const lat = num(p.lat ?? p.latitude, "lat");
  const lon = num(p.lon ?? p.lng ?? p.longitude, "lon");
  const distance = num(p.distance_km ?? p.distance, "distance_km");
  const near = p.near ?? p.area ?? p.city;
  return {
    id: typeof p.id === "string" ? p.id : name.toLowerCase().replace(/[^a-z0-9]+/g, "_"),
    name,
    type: str(p.type ?? p.poi_type ?? p.category, [...path, "type"], "POI type"),
    aliases: strList(p.aliases, [...path, "aliases"], "alias"),
    ...(lat !== undefined ? { lat } : {}),
    ...(lon !== undefined ? { lon } : {}),
    ...(distance !== undefined ? { distance_km: distance } : {}),
    ...(typeof near === "string" ? { near } : {}),
  };
}

/** Load one device file from disk. */
export function loadDeviceFile(path: string): DeviceFileSpec {
  return parseDeviceFile(readFileSync(path, "utf8"), path);
}

/** Load every *.yaml / *.yml file of a folder (sorted by name), or a single file. */
export function loadDeviceFiles(pathOrDir: string): DeviceFileSpec[] {
  if (statSync(pathOrDir).isFile()) return [loadDeviceFile(pathOrDir)];
  return readdirSync(pathOrDir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => loadDeviceFile(join(pathOrDir, f)));
}
