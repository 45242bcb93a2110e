// The set of known devices at runtime, with Home Assistant-like lookups by name, area, floor,
// domain and device_class. Shared by the bus (topics), the simulators and src/act.

import type { Area, DeviceFile, DeviceKind, Device, Floor, Poi } from "./types.js";
import { loadDeviceFiles } from "./load.js";

/** Lower case, no punctuation, no leading article: "The Kitchen!" → "kitchen". */
export function normalizeName(s: string): string {
  return s
    .toLowerCase()
    .replace(/[_\-.,!?'’]+/g, " ")
    .replace(/\s+/g, " ")
    .trim()
    .replace(/^(the|my) /, "");
}

/** The timer service a home gets when its device file defines none. */
export const BUILTIN_TIMER: Device = { id: "timer.timers", name: "Timers", aliases: ["timer", "timers"], domain: "timer", capabilities: ["start", "cancel", "pause"], kind: "home", extra: {}, file: "(built-in)" };

export interface DeviceFilter {
  name?: string;
  area?: string;
  floor?: string;
  domain?: string | string[];
  device_class?: string | string[];
  kind?: DeviceKind;
  capability?: string;
}

export class DeviceCatalog {
  readonly devices: Device[];
  readonly areas: Area[];
  readonly floors: Floor[];
  readonly pois: Poi[];
  readonly files: DeviceFile[];
  private readonly byId: Map<string, Device>;

  /**
   * @param files loaded device files
   * @param options.timers add the built-in timer service (`timer.timers`) to a home that has no
   *   timer device (Home Assistant's voice timers are not devices; hark keeps them in one). Default true.
   */
  constructor(files: DeviceFile[], options: { timers?: boolean } = {}) {
    const home = files.find((f) => f.kind === "home");
    if (options.timers !== false && home && !files.some((f) => f.devices.some((d) => d.domain === "timer"))) {
      files = files.map((f) => (f === home ? { ...f, devices: [...f.devices, BUILTIN_TIMER] } : f));
    }
    this.files = files;
    this.devices = files.flatMap((f) => f.devices);
    this.areas = files.flatMap((f) => f.areas);
    this.floors = files.flatMap((f) => f.floors);
    this.pois = files.flatMap((f) => f.pois);
    this.byId = new Map(this.devices.map((d) => [d.id, d]));
  }

  /** Load devices/ folders (or files), checked together. */
  static load(pathOrDir: string | string[], options: { timers?: boolean } = {}): DeviceCatalog {
    return new DeviceCatalog(loadDeviceFiles(...([] as string[]).concat(pathOrDir)), options);
  }

  get(id: string): Device | undefined {
    return this.byId.get(id);
  }

  /** The file a device came from (for its kind-wide settings such as the car's location). */
  fileOf(id: string): DeviceFile | undefined {
    return this.files.find((f) => f.devices.some((d) => d.id === id));
  }

  /** Area by id, name or alias. */
  area(ref: string): Area | undefined {
    const n = normalizeName(ref);
    return this.areas.find((a) => a.id === ref || normalizeName(a.id) === n || normalizeName(a.name) === n || a.aliases.some((x) => normalizeName(x) === n));
  }

  /** Floor by id, name or alias. */
  floor(ref: string): Floor | undefined {
    const n = normalizeName(ref);
    return this.floors.find((f) => f.id === ref || normalizeName(f.id) === n || normalizeName(f.name) === n || f.aliases.some((x) => normalizeName(x) === n));
  }

  /** Does the device answer to this name (id, name or alias)? */
  static nameMatches(d: Device, name: string): boolean {
    const n = normalizeName(name);
    return d.id === name || normalizeName(d.name) === n || d.aliases.some((a) => normalizeName(a) === n) || normalizeName(d.id.split(".").slice(1).join(" ")) === n;
  }

  /** Every device matching all given constraints (Home Assistant's target resolution). */
  find(filter: DeviceFilter): Device[] {
    const areaId = filter.area !== undefined ? (this.area(filter.area)?.id ?? filter.area) : undefined;
    const floorId = filter.floor !== undefined ? (this.floor(filter.floor)?.id ?? filter.floor) : undefined;
    const domains = filter.domain === undefined ? undefined : ([] as string[]).concat(filter.domain);
    const classes = filter.device_class === undefined ? undefined : ([] as string[]).concat(filter.device_class);
    return this.devices.filter(
      (d) =>
        (filter.kind === undefined || d.kind === filter.kind) &&
        (filter.name === undefined || DeviceCatalog.nameMatches(d, filter.name)) &&
        (areaId === undefined || d.area === areaId || (d.area !== undefined && normalizeName(d.area) === normalizeName(areaId))) &&
        (floorId === undefined || d.floor === floorId) &&
        (domains === undefined || domains.includes(d.domain)) &&
        (classes === undefined || (d.device_class !== undefined && classes.includes(d.device_class))) &&
        (filter.capability === undefined || d.capabilities.includes(filter.capability)),
    );
  }
}
