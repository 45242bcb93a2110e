// Importer for Home Assistant intents test fixtures (tests/<lang>/_fixtures.yaml) → a hark devices folder.
//
// floors → floors, areas → areas (floor by id), every entity → one device: id = entity id, domain =
// the part of the id before the dot, device_class from the attributes, capabilities inferred where
// obvious, `initial:` the simulator's start state (haState.ts) and `ha:` HA's own state and
// attributes as written, so nothing is lost. Names that are hassil templates ("Trader Joe[']s") become
// a name and aliases. The fixtures' media titles become the media players' `library`, their timers a
// timer service in timers.yaml (home.yaml keeps exactly the fixture's entities).

import path from "node:path";
import { CommandError } from "../platform/errors.js";
import { parseTemplate } from "../grammar/template.js";
import type { Expr } from "../grammar/types.js";
import { initialState } from "./haState.js";
import { isObject, readYaml, requirePath, writeYaml, type ImportReport, type YamlSource } from "./yamlio.js";

type Attrs = Record<string, unknown>;

/** HA color modes that mean "the light takes a color". */
const COLOR_MODES = new Set(["hs", "rgb", "rgbw", "rgbww", "xy"]);

/** Capabilities hark can read from a domain and its HA attributes (the words devices/home.yaml uses). */
export function inferCapabilities(domain: string, attrs: Attrs): string[] {
  const modes = Array.isArray(attrs.supported_color_modes) ? attrs.supported_color_modes.map(String) : [];
  switch (domain) {
    case "light": {
      const caps = ["on_off"];
      const onOffOnly = modes.length > 0 && modes.every((m) => m === "onoff");
      // HA lights are dimmable unless they say otherwise (the intents tests dim every light).
      if (!onOffOnly || attrs.brightness !== undefined) caps.push("brightness");
      if (modes.some((m) => COLOR_MODES.has(m)) || ["hs_color", "rgb_color", "xy_color", "rgbw_color", "rgbww_color"].some((k) => attrs[k] !== undefined))
        caps.push("color");
      if (modes.includes("color_temp") || attrs.color_temp_kelvin !== undefined || attrs.color_temp !== undefined) caps.push("color_temp");
      return caps;
    }
    case "switch":
    case "input_boolean":
    case "automation":
    case "siren":
    case "humidifier":
      return ["on_off"];
    case "fan":
      return attrs.percentage !== undefined || attrs.percentage_step !== undefined ? ["on_off", "speed"] : ["on_off"];
    case "cover":
    case "valve":
      return attrs.position !== undefined || attrs.current_position !== undefined ? ["open_close", "position"] : ["open_close"];
    case "lock":
      return ["lock"];
    case "climate":
    case "water_heater":
      return ["target_temperature", "current_temperature"];
    case "media_player":
      return ["on_off", ...(attrs.volume_level !== undefined ? ["volume"] : []), "pause", "next_previous", "play_media"];
    case "scene":
      return ["activate"];
    case "script":
      return ["run"];
    case "vacuum":
      return ["start", "pause", "return_home", "battery"];
    case "lawn_mower":
      return ["start_mowing", "pause", "dock"];
    case "todo":
      return ["add_item", "complete_item"];
    case "assist_satellite":
      return ["announce"];
    case "timer":
      return ["start", "cancel", "pause"];
    case "sensor":
    case "binary_sensor":
    case "weather":
    case "person":
    case "device_tracker":
      return ["state"];
    default:
      return [];
  }
}

function str(v: unknown): string | undefined {
  return typeof v === "string" ? v : typeof v === "number" ? String(v) : undefined;
}

/** Every string a small hassil template stands for, in order ("Trader Joe[']s" → Trader Joe's, Trader Joes). */
export function expandName(text: string, limit = 16): string[] {
  const strings = (e: Expr): string[] => {
    switch (e.type) {
      case "text":
        return [e.text];
      case "seq":
        return e.items.reduce<string[]>((acc, item) => acc.flatMap((a) => strings(item).map((b) => a + b)).slice(0, limit), [""]);
      case "alt":
        return [...e.items.flatMap(strings), ...(e.optional ? [""] : [])];
      default:
        return [`${e.type === "slot" ? `{${e.list}}` : e.type === "rule" ? `<${e.name}>` : ""}`];
    }
  };
  if (!/[[\]()|]/.test(text)) return [text];
  try {
    const out = strings(parseTemplate(text)).map((s) => s.replace(/\s+/g, " ").trim()).filter(Boolean);
    return [...new Set(out)].slice(0, limit);
  } catch {
    return [text]; // not a template after all: a literal name with brackets
  }
}

/** A name (or alias) that may be a template → its spoken forms; warns when it was one. */
function names(v: unknown, where: string, warnings: string[]): string[] {
  const s = str(v);
  if (s === undefined) return [];
  const forms = expandName(s);
  if (forms.length !== 1 || forms[0] !== s)
    warnings.push(`${where}: "${s}" is a hassil template; hark names are literal: ${forms.map((f) => `"${f}"`).join(", ")}`);
  return forms;
}

function aliasesOf(v: unknown, where: (i: number) => string, warnings: string[]): string[] {
  return Array.isArray(v) ? v.flatMap((a, i) => names(a, where(i), warnings)) : [];
}

/** name + aliases, the template forms of the name first, without repeats. */
function named(primary: string[], aliases: string[]): { name: string; aliases?: string[] } {
  const [name, ...more] = primary;
  const rest = [...new Set([...more, ...aliases])].filter((a) => a !== name);
  return { name: name!, ...(rest.length ? { aliases: rest } : {}) };
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
    if (!isObject(f) || !id || !str(f.name)) throw src.error("a floor needs an id and a name", "floors", i);
    if (floorIds.has(id)) throw src.error(`duplicate floor id "${id}"`, "floors", i, "id");
    floorIds.add(id);
    const n = named(names(f.name, src.where("floors", i, "name"), warnings), aliasesOf(f.aliases, (j) => src.where("floors", i, "aliases", j), warnings));
    floors.push({ id, ...n });
  });

  const areas: Record<string, unknown>[] = [];
  const areaIds = new Set<string>();
  seq("areas").forEach((a, i) => {
    const id = isObject(a) ? str(a.id) : undefined;
    if (!isObject(a) || !id || !str(a.name)) throw src.error("an area needs an id and a name", "areas", i);
    if (areaIds.has(id)) throw src.error(`duplicate area id "${id}"`, "areas", i, "id");
    areaIds.add(id);
    const n = named(names(a.name, src.where("areas", i, "name"), warnings), aliasesOf(a.aliases, (j) => src.where("areas", i, "aliases", j), warnings));
    const out: Record<string, unknown> = { id, name: n.name };
    const floor = str(a.floor);
    if (floor) {
      if (floorIds.has(floor)) out.floor = floor;
      else warnings.push(`${src.where("areas", i, "floor")}: area ${id}: unknown floor "${floor}", left out`);
    }
    if (n.aliases) out.aliases = n.aliases;
    areas.push(out);
  });

  const library = seq("media").flatMap((m) => (isObject(m) && str(m.title) ? [{ title: str(m.title)!, ...(str(m.media_class) ? { media_class: str(m.media_class) } : {}), ...(str(m.artist) ? { artist: str(m.artist) } : {}) }] : []));

  const devices: Record<string, unknown>[] = [];
  const deviceIds = new Set<string>();
  seq("entities").forEach((e, i) => {
    const id = isObject(e) ? str(e.id) : undefined;
    if (!isObject(e) || !id || !str(e.name)) throw src.error("an entity needs an id and a name", "entities", i);
    const dot = id.indexOf(".");
    if (dot <= 0) throw src.error(`entity id "${id}" is not <domain>.<object_id>`, "entities", i, "id");
    if (deviceIds.has(id)) throw src.error(`duplicate entity id "${id}"`, "entities", i, "id");
    deviceIds.add(id);
    const domain = id.slice(0, dot);
    const attrs: Attrs = isObject(e.attributes) ? e.attributes : {};
    const n = named(names(e.name, src.where("entities", i, "name"), warnings), aliasesOf(e.aliases, (j) => src.where("entities", i, "aliases", j), warnings));
    const out: Record<string, unknown> = { id, ...n };
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

    // HA fixtures write a state as text or as {in: what is said, out: the state}.
    const state = isObject(e.state) ? str(e.state.out) : str(e.state);
    const rest = Object.fromEntries(Object.entries(attrs).filter(([k]) => k !== "device_class"));
    const initial = initialState(domain, state, rest);
    if (domain === "media_player" && library.length) out.library = library;
    if (Object.keys(initial).length) out.initial = initial;
    const ha: Record<string, unknown> = {};
    const haState = isObject(e.state) ? state : e.state;
    if (haState !== undefined && haState !== null) ha.state = haState;
    if (isObject(e.state) && str(e.state.in)) ha.spoken_state = str(e.state.in);
    if (Object.keys(rest).length) ha.attributes = rest;
    if (Object.keys(ha).length) out.ha = ha;
    for (const k of Object.keys(e))
      if (!["id", "name", "aliases", "area", "state", "attributes"].includes(k)) {
        out[k] = e[k];
        warnings.push(`${src.where("entities", i, k)}: entity ${id}: "${k}" kept as it is (hark does not read it)`);
      }
    devices.push(out);
  });

  const timers = seq("timers").map((t, i) => timerEntry(t, i));
  for (const k of Object.keys(d))
    if (!["language", "floors", "areas", "entities", "timers", "media"].includes(k))
      warnings.push(`${src.where(k)}: "${k}" has no place in a hark devices folder, skipped`);
  if (library.length && !devices.some((x) => x.domain === "media_player"))
    warnings.push(`${src.where("media")}: media titles need a media player to play them; none in the fixtures, skipped`);

  if (devices.length === 0 && areas.length === 0 && floors.length === 0)
    throw new CommandError(`${fixturesFile}: no floors, areas or entities to import`);

  const header = (what: string) => ` ${what} from Home Assistant test fixtures (${path.resolve(fixturesFile)}) by \`hark grammar import --from hassil-fixtures\`.`;
  const home = path.join(outDir, "home.yaml");
  await writeYaml(home, { kind: "home", name: `Imported from ${path.basename(fixturesFile)}`, floors, areas, devices }, header("Imported"));
  const files = [home];
  if (timers.length) {
    // Its own file: home.yaml holds exactly the fixture's entities. Active timers count down only once
    // paused and resumed (the simulator needs an absolute end time, which a file cannot hold).
    const file = path.join(outDir, "timers.yaml");
    const timerDevice = { id: "timer.timers", name: "Timers", domain: "timer", capabilities: inferCapabilities("timer", {}), initial: { state: timers.some((t) => t.state === "active") ? "active" : "paused", timers } };
    await writeYaml(file, { kind: "home", name: "Timers", devices: [timerDevice] }, header("The running timers"));
    files.push(file);
  }
  return { files, intents: 0, lists: 0, sentences: 0, devices: devices.length + (timers.length ? 1 : 0), warnings };
}

/** A fixture timer (HA's timer status fields) → an entry of hark's timer service (src/devices/domains/timer.ts TimerEntry). */
function timerEntry(t: unknown, i: number): Record<string, unknown> & { state: string } {
  const x = isObject(t) ? t : {};
  const n = (k: string) => (typeof x[k] === "number" ? (x[k] as number) : Number(x[k] ?? 0) || 0);
  const duration = n("start_hours") * 3600 + n("start_minutes") * 60 + n("start_seconds");
  return {
    id: i + 1,
    name: str(x.name) ?? null,
    ...(str(x.area) ? { area: str(x.area) } : {}),
    duration_s: duration,
    state: x.is_active === false ? "paused" : "active",
    ends_at: null,
    remaining_s: n("total_seconds_left"),
  };
}
