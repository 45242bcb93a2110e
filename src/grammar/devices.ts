// Devices bring their own names: floors, areas and devices become values of the floor/area/name lists.
import { GrammarError } from "./errors.js";
import { contextOf, textValue } from "./values.js";
import type { DeviceFile } from "./schema.js";
import type { ListValue, SlotValue } from "./types.js";
import type { YamlSource } from "./yamlSource.js";

export interface Floor { id: string; name: string; aliases: string[] }
export interface Area { id: string; name: string; floor?: string; aliases: string[] }
export interface Device {
  id: string;
  name: string;
  aliases: string[];
  area?: string;
  domain: string;
  device_class?: string;
  capabilities: string[];
  /** Everything else the file says (topics, POIs, zones…), for simulators and the bus. */
  extra: Record<string, unknown>;
  file: string;
}
export interface DeviceModel {
  floors: Floor[];
  areas: Area[];
  devices: Device[];
  /** Per file: its kind (home, car) and name. */
  files: Array<{ file: string; kind?: string; name?: string }>;
}

export function devicesToLists(files: Array<{ src: YamlSource; file: DeviceFile }>): {
  model: DeviceModel;
  lists: Map<string, ListValue[]>;
} {
  const model: DeviceModel = { floors: [], areas: [], devices: [], files: [] };
  const lists = new Map<string, ListValue[]>();
  const add = (list: string, v: ListValue) => {
    const arr = lists.get(list) ?? [];
    arr.push(v);
    lists.set(list, arr);
  };
  const seen = new Map<string, string>();
  const unique = (kind: string, id: string, src: YamlSource, path: (string | number)[]) => {
    const key = `${kind}:${id}`;
    const first = seen.get(key);
    if (first) throw new GrammarError(`duplicate ${kind} id '${id}' (also in ${first})`, src.loc(path));
    seen.set(key, src.file);
  };

  for (const { src, file } of files) {
    model.files.push({ file: src.file, kind: file.kind, name: file.name });
    file.floors?.forEach((f, i) => {
      unique("floor", f.id, src, ["floors", i, "id"]);
      model.floors.push({ id: f.id, name: f.name, aliases: f.aliases ?? [] });
    });
    file.areas?.forEach((a, i) => {
      unique("area", a.id, src, ["areas", i, "id"]);
      model.areas.push({ id: a.id, name: a.name, floor: a.floor, aliases: a.aliases ?? [] });
    });
  }
  const floorById = new Map(model.floors.map((f) => [f.id, f]));
  const areaById = new Map(model.areas.map((a) => [a.id, a]));

  for (const { src, file } of files) {
    file.areas?.forEach((a, i) => {
      if (a.floor !== undefined && !floorById.has(a.floor))
        throw new GrammarError(`area '${a.id}' is on unknown floor '${a.floor}'`, src.loc(["areas", i, "floor"]));
    });
    file.devices?.forEach((d, i) => {
      unique("device", d.id, src, ["devices", i, "id"]);
      const area = d.area != null ? areaById.get(d.area) : undefined;
      if (d.area != null && !area) throw new GrammarError(`device '${d.id}' is in unknown area '${d.area}'`, src.loc(["devices", i, "area"]));
      const { id, name, aliases, area: _a, domain, device_class, capabilities, ...extra } = d;
      model.devices.push({
        id, name, aliases: aliases ?? [], area: area?.id, domain,
        device_class: device_class ?? undefined, capabilities: capabilities ?? [], extra, file: src.file,
      });
    });
    for (const [list, spec] of Object.entries(file.lists ?? {})) {
      spec.values.forEach((v, i) => {
        const loc = src.loc(["lists", list, "values", i]);
        if (typeof v === "string" || typeof v === "number") add(list, textValue(String(v), v, loc));
        else {
          const out = v.out === undefined ? String(v.in) : typeof v.out === "boolean" ? String(v.out) : v.out;
          add(list, { ...textValue(String(v.in), out, loc), context: contextOf(v.context) });
        }
      });
    }
  }

  // Spoken forms are literal names, not templates: escape nothing, just use text expressions.
  const literal = (text: string, out: string, context?: Record<string, SlotValue>): ListValue => ({
    in: { type: "text", text, pos: 0 },
    inText: text,
    out,
    context,
  });
  for (const f of model.floors) for (const n of [f.name, ...f.aliases]) add("floor", literal(n, f.name));
  for (const a of model.areas) {
    const floor = a.floor ? floorById.get(a.floor)?.name : undefined;
    for (const n of [a.name, ...a.aliases]) add("area", literal(n, a.name, floor ? { floor } : undefined));
  }
  for (const d of model.devices) {
    const area = d.area ? areaById.get(d.area) : undefined;
    const context: Record<string, SlotValue> = { domain: d.domain };
    if (d.device_class) context.device_class = d.device_class;
    if (area) context.area = area.name;
    const floor = area?.floor ? floorById.get(area.floor)?.name : undefined;
    if (floor) context.floor = floor;
    for (const n of [d.name, ...d.aliases]) add("name", literal(n, d.name, context));
  }
  return { model, lists };
}
