// Devices bring their own names: floors, areas and devices (loaded by src/devices/load.ts, the one
// device model) become values of the floor/area/name lists; a device file may also add values to lists.
import type { DeviceFileInput } from "../devices/schema.js";
import type { DeviceFile } from "../devices/types.js";
import { contextOf, textValue } from "./values.js";
import type { ListValue, SlotValue } from "./types.js";
import type { YamlSource } from "./yamlSource.js";

/** @param files the loaded device files; @param sources their YAML, in the same order (for value locations). */
export function devicesToLists(files: DeviceFile[], sources: YamlSource[]): Map<string, ListValue[]> {
  const lists = new Map<string, ListValue[]>();
  const add = (list: string, v: ListValue) => {
    const arr = lists.get(list) ?? [];
    arr.push(v);
    lists.set(list, arr);
  };
  files.forEach((file, i) => {
    const src = sources[i]!;
    const declared = file.extra.lists as DeviceFileInput["lists"];
    for (const [list, spec] of Object.entries(declared ?? {})) {
      spec.values.forEach((v, j) => {
        const loc = src.loc(["lists", list, "values", j]);
        if (typeof v === "string" || typeof v === "number") add(list, textValue(String(v), v, loc));
        else {
          const out = v.out === undefined ? String(v.in) : typeof v.out === "boolean" ? String(v.out) : v.out;
          add(list, { ...textValue(String(v.in), out, loc), context: contextOf(v.context) });
        }
      });
    }
  });

  // Spoken forms are literal names, not templates: escape nothing, just use text expressions.
  const literal = (text: string, out: string, context?: Record<string, SlotValue>): ListValue => ({
    in: { type: "text", text, pos: 0 },
    inText: text,
    out,
    context,
  });
  const floors = files.flatMap((f) => f.floors);
  const areas = files.flatMap((f) => f.areas);
  const floorById = new Map(floors.map((f) => [f.id, f]));
  const areaById = new Map(areas.map((a) => [a.id, a]));
  for (const f of floors) for (const n of [f.name, ...f.aliases]) add("floor", literal(n, f.name));
  for (const a of areas) {
    const floor = a.floor ? floorById.get(a.floor)?.name : undefined;
    for (const n of [a.name, ...a.aliases]) add("area", literal(n, a.name, floor ? { floor } : undefined));
  }
  for (const d of files.flatMap((f) => f.devices)) {
    const area = d.area ? areaById.get(d.area) : undefined;
    const context: Record<string, SlotValue> = { domain: d.domain };
    if (d.device_class) context.device_class = d.device_class;
    if (area) context.area = area.name;
    // The area's floor, as the grammar always had it (a device's own `floor:` is for the runtime).
    const floor = area?.floor ? floorById.get(area.floor)?.name : undefined;
    if (floor) context.floor = floor;
    for (const n of [d.name, ...d.aliases]) add("name", literal(n, d.name, context));
  }
  return lists;
}
