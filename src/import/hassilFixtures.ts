// Importer for Home Assistant intents test fixtures (tests/<lang>/_fixtures.yaml) → a hark devices file.
//
// floors → floors, areas → areas (floor by id), entities → devices: id = entity id, domain = the part
// of the id before the dot, device_class from the attributes, capabilities inferred where obvious.
// Names are kept exactly as written: the matcher outputs them as canonical slot values.

import path from "node:path";
import { CommandError } from "../cli/errors.js";
import { isObject, readYaml, requirePath, writeYaml, type ImportReport, type YamlSource } from "./hassil.js";

type Attrs = Record<string, unknown>;

/** HA color modes that mean "the light takes a color". */
const COLOR_MODES = new Set(["hs", "rgb", "rgbw", "rgbww", "xy"]);

/** Capabilities hark can read from a domain and its HA attributes (only the obvious ones). */
export function inferCapabilities(domain: string, attrs: Attrs): string[] {
  const caps: string[] = [];
  const modes = Array.isArray(attrs.supported_color_modes) ? attrs.supported_color_modes.map(String) : [];
  switch (domain) {
    case "light": {
      caps.push("on_off");
      const onOffOnly = modes.length > 0 && modes.every((m) => m === "onoff");
      // HA lights are dimmable unless they say otherwise (the intents tests dim every light).
      if (!onOffOnly || attrs.brightness !== undefined) caps.push("brightness");
      if (
        modes.some((m) => COLOR_MODES.has(m)) ||
        ["hs_color", "rgb_color", "xy_color", "rgbw_color", "rgbww_color"].some((k) => attrs[k] !== undefined)
      )
        caps.push("color");
      if (modes.includes("color_temp") || attrs.color_temp_kelvin !== undefined || attrs.color_temp !== undefined)
        caps.push("color_temp");
      break;
    }
    case "switch":
    case "input_boolean":
    case "automation":
    case "siren":
    case "humidifier":
      caps.push("on_off");
      break;
    case "fan":
      caps.push("on_off");
      if (attrs.percentage !== undefined) caps.push("speed");
      break;
    case "cover":
    case "valve":
      caps.push("open_close");
      if (attrs.position !== undefined || attrs.current_position !== undefined) caps.push("position");
      break;
    case "lock":
      caps.push("lock");
      break;
    case "climate":
    case "water_heater":
      caps.push("on_off", "temperature");
      break;
    case "media_player":
      caps.push("on_off", "play_pause", "next_previous");
      if (attrs.volume_level !== undefined) caps.push("volume");
      break;
    case "scene":
    case "script":
      caps.push("activate");
      break;
    case "vacuum":
    case "lawn_mower":
      caps.push("start", "return_to_base");
      break;
    case "sensor":
    case "binary_sensor":
    case "weather":
    case "person":
      caps.push("state");
      break;
    default:
      break;
  }
  return caps;
}

function str(v: unknown): string | undefined {
  return typeof v === "string" ? v : typeof v === "number" ? String(v) : undefined;
}

function aliases(v: unknown): string[] | undefined {
  if (!Array.isArray(v)) return undefined;
  const a = v.map(str).filter((x): x is string => !!x);
  return a.length ? a : undefined;
}

export async function importHassilFixtures(fixturesFile: string, outDir: string): Promise<ImportReport> {
  requirePath(fixturesFile, "file");
  const src: YamlSource = await readYaml(fixturesFile);
  const d = src.data;
  if (!isObject(d)) throw src.error("expected a mapping with floors, areas and entities");
  const warnings: string[] = [];

  const seq = (key: string): unknown[] => {
    const v = d[key];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) throw src.error(`\`${key}\` must be a list`, key);
    return v;
  };

  const floors: Record<string, unknown>[] = [];
  const floorIds = new Set<string>();
  seq("floors").forEach((f, i) => {
    const id = isObject(f) ? str(f.id) : undefined;
    const name = isObject(f) ? str(f.name) : undefined;
    if (!isObject(f) || !id || !name) throw src.error("a floor needs an id and a name", "floors", i);
    if (floorIds.has(id)) throw src.error(`duplicate floor id "${id}"`, "floors", i, "id");
    floorIds.add(id);
    const out: Record<string, unknown> = { id, name };
    const al = aliases(f.aliases);
    if (al) out.aliases = al;
    floors.push(out);
  });

  const areas: Record<string, unknown>[] = [];
  const areaIds = new Set<string>();
  seq("areas").forEach((a, i) => {
    const id = isObject(a) ? str(a.id) : undefined;
    const name = isObject(a) ? str(a.name) : undefined;
    if (!isObject(a) || !id || !name) throw src.error("an area needs an id and a name", "areas", i);
    if (areaIds.has(id)) throw src.error(`duplicate area id "${id}"`, "areas", i, "id");
    areaIds.add(id);
    const out: Record<string, unknown> = { id, name };
    const floor = str(a.floor);
    if (floor) {
      if (floorIds.has(floor)) out.floor = floor;
      else warnings.push(`${src.where("areas", i, "floor")}: area ${id}: unknown floor "${floor}", left out`);
    }
    const al = aliases(a.aliases);
    if (al) out.aliases = al;
    areas.push(out);
  });

  const devices: Record<string, unknown>[] = [];
  const deviceIds = new Set<string>();
  seq("entities").forEach((e, i) => {
    const id = isObject(e) ? str(e.id) : undefined;
    const name = isObject(e) ? str(e.name) : undefined;
    if (!isObject(e) || !id || !name) throw src.error("an entity needs an id and a name", "entities", i);
    const dot = id.indexOf(".");
    if (dot <= 0) throw src.error(`entity id "${id}" is not <domain>.<object_id>`, "entities", i, "id");
    if (deviceIds.has(id)) {
      warnings.push(`${src.where("entities", i, "id")}: duplicate entity id "${id}", skipped`);
      return;
    }
    deviceIds.add(id);
    const domain = id.slice(0, dot);
    const attrs: Attrs = isObject(e.attributes) ? e.attributes : {};
    const out: Record<string, unknown> = { id, name };
    const al = aliases(e.aliases);
    if (al) out.aliases = al;
    const area = str(e.area);
    if (area) {
      if (areaIds.has(area)) out.area = area;
      else warnings.push(`${src.where("entities", i, "area")}: entity ${id}: unknown area "${area}", left out`);
    }
    out.domain = domain;
    const dc = str(attrs.device_class);
    if (dc) out.device_class = dc;
    const caps = inferCapabilities(domain, attrs);
    if (caps.length) out.capabilities = caps;
    // Kept as extra device fields (hark passes them to simulators): the state the tests start from.
    const state = str(e.state);
    if (state !== undefined) out.state = state;
    const rest = Object.fromEntries(Object.entries(attrs).filter(([k]) => k !== "device_class"));
    if (Object.keys(rest).length) out.attributes = rest;
    devices.push(out);
  });

  for (const k of Object.keys(d))
    if (!["language", "floors", "areas", "entities"].includes(k))
      warnings.push(`${src.where(k)}: "${k}" has no place in a hark devices file, skipped`);

  if (devices.length === 0 && areas.length === 0 && floors.length === 0)
    throw new CommandError(`${fixturesFile}: no floors, areas or entities to import`);

  const doc = {
    kind: "home",
    name: `Imported from ${path.basename(fixturesFile)}`,
    floors,
    areas,
    devices,
  };
  const file = path.join(outDir, "home.yaml");
  await writeYaml(
    file,
    doc,
    ` Imported from Home Assistant test fixtures (${path.resolve(fixturesFile)}) by \`hark grammar import --from hassil-fixtures\`.`,
  );
  return { files: [file], intents: 0, lists: 0, sentences: 0, warnings };
}
