// Intents → device commands. Target resolution follows Home Assistant (name, else area/floor +
// domain/device_class); cabin zones/sides resolve to the car's devices ("all" = every zone).
// What each intent does is data: the INTENTS table below says how targets are found; what a home
// device does for an intent is its domain's (src/devices/domains/<domain>.ts `intents`), what a car
// device does is the car rule's (signals from src/devices/vehicle/vss.ts).

import { randomUUID } from "node:crypto";
import type { DeviceCommand, DeviceState } from "../bus/types.js";
import { carDeviceType, levelRange, vssSignals, type CarDeviceType } from "../devices/vehicle/vss.js";
import { DOMAINS, domainsFor } from "../devices/domains/index.js";
import type { IntentAct } from "../devices/domains/types.js";
import { DeviceCatalog } from "../devices/catalog.js";
import type { DeviceKind, Device } from "../devices/types.js";
import type { IntentResult } from "../nlu/types.js";

type Slots = IntentResult["slots"];

/** What the caller knows about where the request comes from. */
export interface ActContext {
  /** home or car: picks between home and car devices for shared intents (volume, media). */
  profile?: DeviceKind;
  /** Satellite area (home): fills a missing area for area-less requests ("turn on the lights"). */
  area?: string;
  /** Cabin seat (car): fills a missing zone/window/seat. */
  seat?: string;
  /** Current device state (for relative changes and queries); usually bus.state. */
  state?: (deviceId: string) => DeviceState | undefined;
  /** Command id generator (default: random UUID). */
  newId?: () => string;
  /**
   * Report instead of act: resolve the targets and read their state, send nothing (a question in the
   * form of a command: "did you turn on the kitchen lights?").
   */
  report?: boolean;
  /** The clock for built-in answers (time, date); default now. */
  now?: () => Date;
  /** The places a navigation device knows (its names and aliases), when its device file lists them. */
  places?: (navigation: Device) => Array<{ name: string; aliases: string[] }> | undefined;
}

export type PlanError = "no_such_device" | "unsupported" | "missing_slot" | "unknown_intent" | "wrong_place";

export interface PlanStep {
  intent: IntentResult;
  /** The devices the intent resolved to. */
  targets: Device[];
  /** Commands to send (empty for queries and failures). */
  commands: DeviceCommand[];
  /** A question about state (HassGetState, NavigationEta …): read these devices' state, send nothing. */
  query?: { deviceIds: string[]; keys?: string[] };
  /** Nothing to do and nothing wrong (HassNevermind). */
  noop?: boolean;
  /** Values a built-in answer fills into the intent's response ({time}, {date}). */
  values?: Record<string, string | number>;
  /** Targets left out because they lack what the request needs ("Pendant Lights cannot change colour"). */
  skipped?: Array<{ deviceId: string; name: string; reason: string }>;
  /** Said after the answer ("There is no thermostat in the Living Room, so I used the Main Thermostat …"). */
  note?: string;
  error?: PlanError;
  /** Why it failed, for logs and spoken answers ("no light in the Garage"). */
  message?: string;
}

export interface ActionPlan {
  steps: PlanStep[];
  /** Every command of every step, in order. */
  commands: DeviceCommand[];
  /** False when a step failed to resolve. */
  ok: boolean;
}

// ---------------------------------------------------------------------------------------------
// Home target resolution

/** Area-only on/off requests ("turn off the kitchen") touch these domains (`onOffByArea`; never locks or covers). */
const ON_OFF_DOMAINS = Object.values(DOMAINS)
  .filter((d) => d.onOffByArea)
  .map((d) => d.domain);

type Action = Omit<DeviceCommand, "id" | "deviceId">;

/** Where an intent's devices are: a home satellite drives home intents, a cabin seat car intents; "any" for both. */
export type IntentScope = "home" | "car" | "any";

interface HomeRule {
  kind: "home";
  /** Shared by home and car sessions (timers, shopping list); default: home only. */
  scope?: "any";
  /** Default domains when the intent has no domain/device_class/name. */
  domains: string[];
  /**
   * Car device domain → action, for the car devices a home intent reaches (`car`). A home device's
   * action is its domain definition's; a domain whose definition lacks the intent is unsupported.
   */
  act?: Record<string, IntentAct>;
  query?: string[] | true;
  /** The intent's `name` slot names something else (a timer's name), not the target device. */
  nameIsNotDevice?: true;
  /** Asked in the car, the same action goes to these car devices ("next song": the car audio). */
  car?: CarDeviceType[];
  /** Exactly one device: a search plays on one player, an item goes on one list (several → name one). */
  one?: true;
  /** The device meant when the request names none (HassShoppingListAddItem: the shopping list). */
  defaultName?: string;
  /** The area says where the device works, not where it stands ("vacuum the kitchen"): it may come from elsewhere. */
  areaIsJob?: true;
  /** Every device but the one in the speaker's room (a broadcast goes to the other satellites). */
  others?: true;
  /** A question about a state ("which batteries are low") covers the whole home unless a room is said. */
  stateAsksAll?: true;
}

interface CarRule {
  kind: "car";
  /** Shared by home and car sessions (volume: the players where the speaker is). */
  scope?: "any";
  types: CarDeviceType[];
  /** Slot naming the zone/side/seat ("all" = every one), if the intent has one. */
  zoneSlot?: string;
  act?: (s: Slots, d: Device, ctx: ActContext) => Action | string;
  query?: string[];
}

/** A built-in answer that needs no device (time, date, HassRespond): values for the intent's response. */
interface AnswerRule {
  kind: "answer";
  values: (now: Date, slots: Slots) => Record<string, string | number>;
}

type Rule = HomeRule | CarRule | AnswerRule | { kind: "noop" };

const a = (action: string, params: Record<string, unknown> = {}) => ({ action, params });
const same = (action: string) => () => a(action);
const pick = (s: Slots, ...keys: string[]) => Object.fromEntries(keys.filter((k) => s[k] !== undefined).map((k) => [k, s[k]]));

// HA's OnOffIntentHandler (on opens covers and valves, locks locks, activates scenes, runs scripts …)
// and every other home intent's action per domain live in the domain definitions (src/devices/domains/).

/** Media intents: a home player's action is its domain's; asked in the car, the car audio takes the same one. */
const MEDIA = (action: string): Rule => ({ kind: "home", scope: "any", car: ["media"], domains: ["media_player"], act: { media: same(action) } });
const TIMER: Rule = { kind: "home", scope: "any", domains: ["timer"], nameIsNotDevice: true };
/** A list intent: HassList* name the list (`name`), HassShoppingList* mean the shopping list. */
const TODO = (list: "named" | "shopping"): Rule => ({
  kind: "home",
  scope: "any",
  domains: ["todo"],
  one: true,
  defaultName: "Shopping List",
  ...(list === "shopping" ? { nameIsNotDevice: true as const } : {}),
});
/** Vacuums and mowers: the area is where to work ("vacuum the kitchen"), passed on to the device. */
const ROBOT = (domain: string): Rule => ({ kind: "home", domains: [domain], areaIsJob: true });

/** Seat level slot: a number, or off/low/medium/high. */
const seatLevel = (v: unknown): number | undefined => {
  if (typeof v === "number") return v;
  const named: Record<string, number> = { off: 0, low: 1, medium: 2, high: 3, max: 3 };
  return typeof v === "string" ? (named[v.toLowerCase()] ?? (Number.isFinite(Number(v)) ? Number(v) : undefined)) : undefined;
};
const signalStep = (d: Device, role: string, fallback: number) => vssSignals(d).find((s) => s.role === role)?.step ?? fallback;
/** "turn it up": the device's volume step (a car signal's, else 5) in the direction said. */
const volumeStep = (s: Slots, d: Device): Action => {
  const step = typeof s.delta === "number" ? Math.abs(s.delta) : signalStep(d, "volume", 5);
  return a("adjust_volume", { delta: s.direction === "down" ? -step : step });
};

/** The intent table. Intents not listed here are not device intents (time, weather …): no-op. */
export const INTENTS: Record<string, Rule> = {
  HassTurnOn: { kind: "home", domains: ON_OFF_DOMAINS },
  HassTurnOff: { kind: "home", domains: ON_OFF_DOMAINS },
  HassToggle: { kind: "home", domains: ON_OFF_DOMAINS },
  HassLightSet: { kind: "home", domains: ["light"] },
  HassClimateSetTemperature: { kind: "home", domains: ["climate"] },
  ClimateAdjustTemperature: { kind: "home", domains: ["climate"] },
  HassClimateGetTemperature: { kind: "home", domains: ["climate"], query: ["current_temperature", "target_temperature"] },
  HassSetPosition: { kind: "home", domains: ["cover", "valve"] },
  HassGetState: { kind: "home", domains: [], query: true, stateAsksAll: true },
  HassFanSetSpeed: { kind: "home", domains: ["fan"] },
  HassVacuumStart: ROBOT("vacuum"),
  HassVacuumReturnToBase: ROBOT("vacuum"),
  // HA core's lawn mower intents (lawn_mower/intent.py); intents.yaml has none yet.
  HassLawnMowerStartMowing: ROBOT("lawn_mower"),
  HassLawnMowerDock: ROBOT("lawn_mower"),
  HassMediaPause: MEDIA("media_pause"),
  HassMediaUnpause: MEDIA("media_play"),
  LightAdjustBrightness: { kind: "home", domains: ["light"] },
  HassMediaNext: MEDIA("media_next"),
  HassMediaPrevious: MEDIA("media_previous"),
  HassSetVolume: { kind: "home", domains: ["media_player"] },
  // The satellite's room's player, a named one, or the home's only one: a search plays on one player.
  HassMediaSearchAndPlay: { kind: "home", domains: ["media_player"], one: true },
  HassStartTimer: TIMER,
  HassCancelTimer: TIMER,
  HassCancelAllTimers: TIMER,
  HassPauseTimer: TIMER,
  HassUnpauseTimer: TIMER,
  HassIncreaseTimer: TIMER,
  HassDecreaseTimer: TIMER,
  HassTimerStatus: { kind: "home", scope: "any", domains: ["timer"], nameIsNotDevice: true, query: ["timers"] },
  HassShoppingListAddItem: TODO("shopping"),
  HassListAddItem: TODO("named"),
  HassShoppingListCompleteItem: TODO("shopping"),
  HassListCompleteItem: TODO("named"),
  HassGetWeather: {
    kind: "home",
    scope: "any",
    domains: ["weather"],
    one: true,
    query: ["state", "temperature", "temperature_unit", "humidity", "wind_speed", "wind_speed_unit"],
  },
  // HA's BroadcastIntentHandler: every satellite but the one that heard the request announces the message.
  HassBroadcast: { kind: "home", domains: ["assist_satellite"], others: true },
  HassGetCurrentTime: {
    kind: "answer",
    values: (now) => ({ time: now.toLocaleTimeString("en-US", { hour: "numeric", minute: "2-digit" }) }),
  },
  HassGetCurrentDate: {
    kind: "answer",
    values: (now) => ({ date: now.toLocaleDateString("en-US", { weekday: "long", month: "long", day: "numeric" }) }),
  },
  // A fixed answer (greetings, "are you listening"): the grammar's response, or the `response` slot's text.
  HassRespond: { kind: "answer", values: (_now, s) => pick(s, "response") as Record<string, string | number> },
  HassNevermind: { kind: "noop" },

  CabinSetTemperature: { kind: "car", types: ["climate_zone"], zoneSlot: "zone", act: (s) => a("set_temperature", pick(s, "temperature")) },
  CabinAdjustTemperature: {
    kind: "car",
    types: ["climate_zone"],
    zoneSlot: "zone",
    act: (s, d) => {
      const step = typeof s.delta === "number" ? Math.abs(s.delta) : signalStep(d, "temperature", 2);
      const dir = String(s.direction);
      if (!["warmer", "cooler", "up", "down"].includes(dir)) return `unknown direction ${dir}`;
      return a("adjust_temperature", { delta: dir === "warmer" || dir === "up" ? step : -step });
    },
  },
  CabinSetFanSpeed: {
    kind: "car",
    types: ["climate_zone"],
    zoneSlot: "zone",
    act: (s, d) => {
      if (typeof s.percent === "number") return a("set_fan_speed", { percent: s.percent });
      const level = Number(s.level);
      if (!Number.isFinite(level)) return "no fan level";
      const [, max] = levelRange(d, "fan_level") ?? [1, 10];
      return a("set_fan_speed", { percent: Math.round((Math.min(Math.max(level, 0), max) / max) * 100), level });
    },
  },
  CabinClimate: {
    kind: "car",
    types: ["hvac", "climate_zone"],
    act: (s, d) => {
      const feature = String(s.feature);
      if (!vssSignals(d).some((x) => x.role === feature)) return `no ${feature}`;
      return a(s.state === "off" ? "turn_off" : "turn_on", { feature });
    },
  },
  CabinWindow: {
    kind: "car",
    types: ["window"],
    zoneSlot: "window",
    act: (s) => (s.action === "close" ? a("close") : a("set_position", { position: typeof s.percent === "number" ? s.percent : 100 })),
  },
  CabinSeatHeating: {
    kind: "car",
    types: ["seat"],
    zoneSlot: "seat",
    act: (s, d) => {
      if (!d.capabilities.includes("heating") && d.capabilities.length) return "no seat heating";
      const level = seatLevel(s.level);
      return level === undefined ? "no level" : a("set_heating", { level, levels: levelRange(d, "seat_level")?.[1] ?? 3 });
    },
  },
  CabinSeatVentilation: {
    kind: "car",
    types: ["seat"],
    zoneSlot: "seat",
    act: (s, d) => {
      if (!d.capabilities.includes("ventilation") && d.capabilities.length) return "no seat ventilation";
      const level = seatLevel(s.level);
      return level === undefined ? "no level" : a("set_ventilation", { level, levels: levelRange(d, "seat_level")?.[1] ?? 3 });
    },
  },
  MediaSetVolume: { kind: "car", scope: "any", types: ["media"], act: (s) => a("set_volume", { volume_level: s.volume ?? s.volume_level }) },
  // A step louder or quieter: the home's players (the speaker's room's, a named one's) or, in the car, the car audio.
  MediaAdjustVolume: { kind: "home", scope: "any", car: ["media"], domains: ["media_player"], act: { media: volumeStep } },
  NavigateTo: {
    kind: "car",
    types: ["navigation"],
    act: (s, d, ctx) => {
      if (s.destination === undefined && s.poi_type === undefined) return "a destination or a place type is needed";
      // A place the map does not know is said so, not sent off to be refused.
      const known = ctx.places?.(d);
      if (known && typeof s.destination === "string" && !known.some((p) => samePlace(p, String(s.destination)))) return `I don't know a place called ${s.destination}`;
      return a("navigate", pick(s, "destination", "poi_type", "near"));
    },
  },
  NavigationCancel: { kind: "car", types: ["navigation"], act: () => a("cancel_navigation") },
  NavigationEta: { kind: "car", types: ["navigation"], query: ["DestinationSet"] },
};

// A domain may bring intents of its own (its definition's `intents`): each reaches the domains that name it.
for (const intent of new Set(Object.values(DOMAINS).flatMap((d) => Object.keys(d.intents))))
  if (!INTENTS[intent]) INTENTS[intent] = { kind: "home", domains: domainsFor(intent) };

/** Why a device cannot take a command its file does not list the capability for, or undefined. */
function unable(cmd: Action, d: Device): string | undefined {
  const need = DOMAINS[d.domain]?.needs?.[cmd.action];
  return need && d.capabilities.length && !d.capabilities.includes(need.capability) ? need.cannot : undefined;
}

/** What a home device does for an intent: its domain definition's action (a rule's own `act` for car devices). */
function homeAct(rule: HomeRule, intent: string, d: Device): IntentAct | undefined {
  const own = rule.act?.[d.domain];
  if (own) return own;
  const intents = DOMAINS[d.domain]?.intents;
  return intents && Object.hasOwn(intents, intent) ? intents[intent] : undefined;
}

/** Zone/side words → the zones they cover. */
const ZONE_GROUPS: Record<string, string[]> = {
  all: [],
  everyone: [],
  rear: ["rear", "rear_left", "rear_right", "rear_middle", "rear_center"],
  front: ["driver", "passenger"],
};

const str = (v: unknown): string | undefined => (typeof v === "string" && v.trim() !== "" ? v : typeof v === "number" ? String(v) : undefined);

/** `elsewhere`: the targets are not in the room the request was for (the house's thermostat serving a room without one). */
type Resolved = { targets: Device[]; message?: string; note?: string; wrongPlace?: boolean; elsewhere?: true };

const placeName = (catalog: DeviceCatalog, d: Device): string => (d.area ? ` in the ${catalog.area(d.area)?.name ?? d.area}` : "");
/** "the A, the B or the C" (with rooms), for asking which one. */
function choices(catalog: DeviceCatalog, targets: Device[]): string {
  const list = targets.map((d) => `the ${d.name}${placeName(catalog, d)}`);
  return list.length > 1 ? `${list.slice(0, -1).join(", ")} or ${list[list.length - 1]}` : (list[0] ?? "");
}

function resolveHome(rule: HomeRule, slots: Slots, catalog: DeviceCatalog, ctx: ActContext): Resolved {
  const r = rule.areaIsJob ? resolveJob(rule, slots, catalog, ctx) : findHome(rule, slots, catalog, ctx);
  if (!rule.one || r.targets.length <= 1) return r;
  // One device wanted and several fit (no speaker in this room, three elsewhere): ask which, never all.
  const here = ctx.area ? catalog.area(ctx.area) : undefined;
  const local = here ? r.targets.filter((d) => d.area === here.id) : [];
  if (local.length === 1) return { ...r, targets: local };
  return { targets: [], message: `which one: ${choices(catalog, local.length ? local : r.targets)}` };
}

/** "vacuum the kitchen": the vacuum in the kitchen, else the one on its floor, else the home's only one; it cleans the kitchen. */
function resolveJob(rule: HomeRule, slots: Slots, catalog: DeviceCatalog, ctx: ActContext): Resolved {
  const area = str(slots.area);
  const floor = str(slots.floor);
  // A named robot is found wherever it stands; the room is its job.
  if (str(slots.name) || (!area && !floor)) return findHome(rule, Object.fromEntries(Object.entries(slots).filter(([k]) => k !== "area" && k !== "floor")), catalog, ctx);
  if (area && !catalog.area(area)) return { targets: [], message: `there is no area called ${area}` };
  if (floor && !catalog.floor(floor)) return { targets: [], message: `there is no floor called ${floor}` };
  const all = catalog.find({ kind: "home", domain: rule.domains });
  const what = spokenDomain(rule.domains[0] ?? "device");
  const there = catalog.find({ kind: "home", domain: rule.domains, ...(area ? { area } : { floor: floor! }) });
  if (there.length) return { targets: there };
  const floorId = area ? catalog.area(area)?.floor : undefined;
  const sameFloor = floorId ? all.filter((d) => d.floor === floorId) : [];
  const pool = sameFloor.length ? sameFloor : all;
  if (pool.length === 1) return { targets: pool };
  return pool.length ? { targets: [], message: `which ${what}: ${choices(catalog, pool)}` } : { targets: [], message: `there is no ${what}` };
}

function findHome(rule: HomeRule, slots: Slots, catalog: DeviceCatalog, ctx: ActContext): Resolved {
  const name = rule.nameIsNotDevice ? undefined : str(slots.name);
  const area = str(slots.area);
  const floor = str(slots.floor);
  const domain = str(slots.domain);
  const deviceClass = str(slots.device_class);
  if (area && !catalog.area(area)) return { targets: [], message: `there is no area called ${area}` };
  if (floor && !catalog.floor(floor)) return { targets: [], message: `there is no floor called ${floor}` };
  const base = { kind: "home" as const, ...(domain ? { domain } : {}), ...(deviceClass ? { device_class: deviceClass } : {}) };
  if (name) {
    // A name is unique; an area narrows homonyms (HA: name + area). A device named with a room it is
    // not in is not acted on: "the TV in the bedroom" never turns off the living-room TV.
    const targets = catalog.find({ ...base, name, ...(area ? { area } : {}), ...(floor ? { floor } : {}) });
    if (targets.length) return { targets };
    const anywhere = catalog.find({ ...base, name });
    if (anywhere.length && (area || floor)) return { targets: [], message: `the ${name} is not in the ${area ?? floor}`, wrongPlace: true };
    return { targets, message: `there is no device called ${name}${area ? ` in the ${area}` : ""}` };
  }
  if (rule.defaultName && !area && !floor) {
    const fixed = catalog.find({ kind: "home", name: rule.defaultName, domain: rule.domains });
    if (fixed.length) return { targets: fixed };
  }
  const domains = domain || deviceClass ? undefined : rule.domains.length ? rule.domains : undefined;
  const where = area ? { area } : floor ? { floor } : {};
  let targets = catalog.find({ ...base, ...(domains ? { domain: domains } : {}), ...where });
  const what = spokenDomain(deviceClass ?? domain ?? (domains?.length === 1 ? domains[0]! : "device"));
  const here = ctx.area ? catalog.area(ctx.area) : undefined;
  const placeText = area ? ` in the ${area}` : floor ? ` on the ${floor}` : "";
  if (rule.others && !area && !floor) {
    // A broadcast is heard in the other rooms, not where it was said.
    targets = targets.filter((d) => d.area === undefined || d.area !== (here?.id ?? ctx.area));
    return targets.length ? { targets } : { targets, message: `there is no ${what} to broadcast to` };
  }
  // The satellite's own room (filled from where it was said) without a thermostat: the house's one
  // thermostat, said so in the answer.
  const climate = (domains ?? [domain]).includes("climate");
  if (climate && !targets.length && area && here && catalog.area(area)?.id === here.id) {
    const main = catalog.find({ ...base, ...(domains ? { domain: domains } : {}) }).filter((d) => /thermostat/i.test(d.name));
    if (main.length === 1) return { targets: main, note: `There is no ${what} in the ${here.name}, so I used the ${main[0]!.name}${placeName(catalog, main[0]!)}.`, elsewhere: true };
  }
  // No area given: prefer the satellite's area when it has matching devices ("which batteries are low"
  // asks about the whole home).
  const asksAll = rule.stateAsksAll && slots.state !== undefined;
  if (!area && !floor && ctx.area && !asksAll) {
    const local = targets.filter((d) => d.area === (here?.id ?? ctx.area));
    if (local.length) targets = local;
    else if (targets.length > 1 && (domains ?? [domain]).includes("climate")) {
      // "set the temperature to 21" in a room without a thermostat: the home's thermostat when it has one
      // (said so in the answer), else say which ones exist.
      const main = targets.filter((d) => /thermostat/i.test(d.name));
      if (main.length === 1) {
        const m = main[0]!;
        return { targets: main, note: `There is no ${what} in the ${here?.name ?? ctx.area}, so I used the ${m.name}${placeName(catalog, m)}.` };
      }
      return { targets: [], message: `there is no ${what} in the ${here?.name ?? ctx.area}; name one: ${choices(catalog, targets)}` };
    }
  }
  return targets.length ? { targets } : { targets, message: `there is no ${what}${placeText}` };
}

/**
 * A sentence whose words name the whole home ("turn off every light in the house"; its grammar response
 * ends in `_everywhere`): the speaker's room does not narrow it.
 */
export function wholeHome(intent: IntentResult): boolean {
  return intent.response?.endsWith("_everywhere") === true;
}

/** Device classes as people say them; domains say it in their definitions (`spoken`: "thermostat", not "climate"). */
const SPOKEN_CLASSES: Record<string, string> = { carbon_monoxide: "carbon monoxide sensor" };
function spokenDomain(d: string): string {
  return DOMAINS[d]?.spoken ?? SPOKEN_CLASSES[d] ?? d.replace(/_/g, " ");
}

function resolveCar(rule: CarRule, slots: Slots, catalog: DeviceCatalog, ctx: ActContext): { targets: Device[]; message?: string } {
  // A home speaker asked for the volume means the players in its room, never the car's.
  if (ctx.profile === "home" && rule.types.includes("media")) {
    const here = ctx.area ? catalog.area(ctx.area) : undefined;
    const players = catalog.find({ kind: "home", domain: "media_player", ...(here ? { area: here.id } : {}) });
    return players.length ? { targets: players } : { targets: [], message: `there is no speaker${here ? ` in the ${here.name}` : ""}` };
  }
  let targets = catalog.devices.filter((d) => d.kind === "car" && rule.types.includes(carDeviceType(d)));
  // A device named that is none of them ("turn the rear right window up" read as its volume) is not
  // stood in for by the car's player.
  const named = str(slots.name);
  if (named && targets.length) {
    const it = targets.filter((d) => DeviceCatalog.nameMatches(d, named));
    if (!it.length) return { targets: [], message: `the ${named} cannot do that` };
    targets = it;
  }
  if (!targets.length) {
    // Shared intents (volume) fall back to home players when there is no car.
    if (rule.types.includes("media")) targets = catalog.find({ kind: "home", domain: "media_player", ...(ctx.area ? { area: ctx.area } : {}) });
    return targets.length ? { targets } : { targets, message: `this ${ctx.profile ?? "vehicle"} has no ${rule.types[0]?.replace("_", " ")}` };
  }
  if (!rule.zoneSlot) return { targets };
  const zone = str(slots[rule.zoneSlot]) ?? ctx.seat;
  if (!zone || ZONE_GROUPS[zone]?.length === 0) return { targets }; // all zones
  const wanted = ZONE_GROUPS[zone] ?? [zone];
  let hit = targets.filter((d) => d.zone !== undefined && wanted.includes(d.zone));
  // A rear seat asking for the rear zone of a car with one rear climate zone.
  if (!hit.length && zone.startsWith("rear")) hit = targets.filter((d) => d.zone === "rear");
  return hit.length ? { targets: hit } : { targets: [], message: `there is no ${zone.replace("_", " ")} ${rule.types[0]?.replace("climate_zone", "climate zone")}` };
}

/**
 * A home request whose room was taken from where it was said, when that room has nothing it asks for
 * but other rooms do ("turn on the fan" at a kitchen speaker, three fans elsewhere): the question
 * naming them ("Which fan: the Tower Fan in the Office or …?"), to ask instead of acting or refusing.
 * Undefined when the room has what it asks for, or no room has (the usual refusal), or there are too
 * many to name.
 */
export function whichElsewhere(intent: IntentResult, catalog: DeviceCatalog, ctx: ActContext = {}): string | undefined {
  const rule = INTENTS[intent.intent];
  if (!rule || rule.kind !== "home" || rule.areaIsJob || rule.others || intent.slots.area === undefined || intent.slots.name !== undefined) return undefined;
  const report = { ...ctx, report: true as const };
  const here = planIntents([intent], catalog, report).steps[0];
  if (!here || here.error !== "no_such_device") return undefined;
  const { area: _area, ...rest } = intent.slots;
  const anywhere = planIntents([{ ...intent, slots: rest }], catalog, { ...report, area: undefined }).steps[0];
  const found = anywhere && !anywhere.error ? anywhere.targets.filter((d) => d.area !== undefined) : [];
  if (!found.length || found.length > 4) return undefined;
  const what = spokenDomain(str(intent.slots.device_class) ?? str(intent.slots.domain) ?? found[0]!.domain);
  return `There is no ${what} in the ${intent.slots.area}. Which one: ${choices(catalog, found)}?`;
}

/** Turn understood intents into a plan of device commands (nothing is sent). */
/** The intents without one said again word for word ("turn on the tower fan, tower fan, TOWER FAN"); a change by an amount may be meant twice. */
function saidOnce(intents: readonly IntentResult[]): IntentResult[] {
  const seen = new Set<string>();
  return intents.filter((i) => {
    if (i.slots.direction !== undefined) return true;
    const key = `${i.intent} ${JSON.stringify(Object.entries(i.slots).sort(([a], [b]) => a.localeCompare(b)))}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export function planIntents(intents: IntentResult[], catalog: DeviceCatalog, ctx: ActContext = {}): ActionPlan {
  const newId = ctx.newId ?? randomUUID;
  const steps = saidOnce(intents).map((intent): PlanStep => {
    const rule = INTENTS[intent.intent];
    // An intent nothing here can carry out never claims success.
    if (!rule) return { intent, targets: [], commands: [], error: "unknown_intent", message: "nothing here can do that" };
    if (rule.kind === "noop") return { intent, targets: [], commands: [], noop: true };
    if (rule.kind === "answer") return { intent, targets: [], commands: [], noop: true, values: rule.values(ctx.now?.() ?? new Date(), intent.slots) };
    const inCar = rule.kind === "home" && rule.car && ctx.profile === "car";
    const resolved: Resolved = inCar
      ? resolveCar({ kind: "car", types: rule.car! }, intent.slots, catalog, ctx)
      : rule.kind === "home"
        ? resolveHome(rule, intent.slots, catalog, wholeHome(intent) ? { ...ctx, area: undefined } : ctx)
        : resolveCar(rule, intent.slots, catalog, ctx);
    const { targets, message } = resolved;
    const note = resolved.note ? { note: resolved.note } : {};
    // The answer must not say the room the devices are not in ("Set the Living Room to 21" when the hallway's thermostat was set).
    if (resolved.elsewhere) intent = { ...intent, slots: Object.fromEntries(Object.entries(intent.slots).filter(([k]) => k !== "area")) };
    if (!targets.length) return { intent, targets, commands: [], error: resolved.wrongPlace ? "wrong_place" : "no_such_device", message: message ?? "no such device" };
    if (ctx.report) return { intent, targets, commands: [], query: { deviceIds: targets.map((d) => d.id) }, ...note };
    if (rule.query) {
      return { intent, targets, commands: [], query: { deviceIds: targets.map((d) => d.id), ...(Array.isArray(rule.query) ? { keys: rule.query } : {}) }, ...note };
    }
    const commands: DeviceCommand[] = [];
    const refused: string[] = [];
    const skipped: Array<{ deviceId: string; name: string; reason: string }> = [];
    for (const d of targets) {
      let cmd: Action | string;
      if (rule.kind === "home") {
        const fn = homeAct(rule, intent.intent, d);
        cmd = fn ? fn(intent.slots, d) : `${d.name} cannot do that`;
      } else cmd = rule.act ? rule.act(intent.slots, d, ctx) : `${d.name} cannot do that`;
      if (typeof cmd !== "string") cmd = withinRange(cmd, d) ?? unable(cmd, d) ?? cmd;
      if (typeof cmd === "string") {
        // "I don't know a place called …" speaks for itself; "cannot be dimmed" needs the device's name.
        refused.push(/^I /.test(cmd) ? cmd : `${d.name}: ${cmd}`);
        skipped.push({ deviceId: d.id, name: d.name, reason: cmd });
      }
      else commands.push({ id: newId(), deviceId: d.id, ...cmd });
    }
    if (!commands.length) return { intent, targets, commands, error: "unsupported", message: refused.join("; ") };
    // A car feature asked for without a zone ("turn on the recirculation") is the device's that has it;
    // the zones without it were never meant, so they go unmentioned.
    const unmeant = rule.kind === "car" && rule.zoneSlot === undefined;
    return {
      ...note,
      intent,
      targets: targets.filter((d) => commands.some((c) => c.deviceId === d.id)),
      commands,
      ...(skipped.length && !unmeant ? { skipped } : {}),
    };
  });
  return { steps, commands: steps.flatMap((s) => s.commands), ok: steps.every((s) => !s.error) };
}

/** The one home domain an intent acts on when the request names none (media intents: media_player), if it has one. */
export function defaultDomain(intent: string): string | undefined {
  const rule = INTENTS[intent];
  return rule?.kind === "home" && rule.domains.length === 1 ? rule.domains[0] : undefined;
}

/** How hark handles an intent: device commands, a state question, a built-in answer, nothing (cancel), or no handler at all. */
export function intentHandling(intent: string): { kind: "device" | "query" | "answer" | "cancel" | "none"; scope: IntentScope } {
  const rule = INTENTS[intent];
  if (!rule) return { kind: "none", scope: "any" };
  if (rule.kind === "noop") return { kind: "cancel", scope: "any" };
  if (rule.kind === "answer") return { kind: "answer", scope: "any" };
  return { kind: rule.query ? "query" : "device", scope: rule.scope ?? rule.kind };
}

const samePlace = (p: { name: string; aliases: string[] }, wanted: string): boolean => {
  const n = (x: string) => x.toLowerCase().replace(/^(the|my|our)\s+/, "").replace(/[^a-z0-9]+/g, " ").trim();
  return [p.name, ...p.aliases].some((x) => n(x) === n(wanted));
};

/** Values no device of that kind takes (a thermostat at 50 degrees, lights at 150 %) are refused, never clamped. */
const PERCENT_PARAMS = ["brightness", "position", "percent", "percentage", "volume_level"];
const HOME_TEMPERATURE: [number, number] = [5, 35];

function withinRange(cmd: Action, d: Device): string | undefined {
  for (const k of PERCENT_PARAMS) {
    const v = cmd.params[k];
    if (typeof v === "number" && (v < 0 || v > 100)) return `${v} percent is more than the ${d.name} can do`;
  }
  const t = cmd.params.temperature;
  if (typeof t === "number") {
    const sig = vssSignals(d).find((x) => x.role === "temperature");
    const r = d.kind === "car" ? (levelRange(d, "temperature") ?? (sig?.min !== undefined && sig.max !== undefined ? [sig.min, sig.max] : undefined)) : (d.extra.temperature_range as [number, number] | undefined) ?? HOME_TEMPERATURE;
    if (r && (t < r[0] || t > r[1])) return `${t} degrees is outside what the ${d.name} can do (${r[0]} to ${r[1]})`;
  }
  return undefined;
}
