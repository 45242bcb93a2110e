// Behaviour of simulated home devices, one declarative model per Home Assistant domain:
// an initial state and a table of actions (state, params) → new state | error string.

import type { DeviceState } from "../../bus/types.js";
import { isBinarySensor, MEDIA_CLASSES, SENSOR_CLASSES, WEATHER_CONDITIONS } from "../classes.js";
import type { Device } from "../types.js";

export type Params = Record<string, unknown>;
/** Returns the new state, or a string saying why the command is refused. */
export type ActionFn = (state: DeviceState, params: Params, device: Device) => DeviceState | string;

export interface DomainModel {
  initial(device: Device): DeviceState;
  actions: Record<string, ActionFn>;
  /** State that moves on by itself (a vacuum reaching its dock, a timer ringing): the simulator calls this on a clock. */
  tick?(state: DeviceState, device: Device, now: number): DeviceState | undefined;
}

const num = (v: unknown): number | undefined =>
  typeof v === "number" && Number.isFinite(v) ? v : typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v)) ? Number(v) : undefined;
const inRange = (v: number | undefined, min: number, max: number, what: string): number | string =>
  v === undefined ? `${what} is missing` : v < min || v > max ? `${what} ${v} is out of range ${min}..${max}` : v;
const clamp = (v: number, min: number, max: number) => Math.min(max, Math.max(min, v));
const initialOf = (d: Device): DeviceState => (d.extra.initial && typeof d.extra.initial === "object" ? (d.extra.initial as DeviceState) : {});

/** Named colors (Home Assistant's color names, a useful subset) → RGB. */
export const COLORS: Record<string, { r: number; g: number; b: number }> = {
  white: { r: 255, g: 255, b: 255 },
  warm_white: { r: 255, g: 214, b: 170 },
  red: { r: 255, g: 0, b: 0 },
  green: { r: 0, g: 255, b: 0 },
  blue: { r: 0, g: 0, b: 255 },
  yellow: { r: 255, g: 255, b: 0 },
  orange: { r: 255, g: 165, b: 0 },
  purple: { r: 128, g: 0, b: 128 },
  pink: { r: 255, g: 192, b: 203 },
  cyan: { r: 0, g: 255, b: 255 },
  magenta: { r: 255, g: 0, b: 255 },
  brown: { r: 165, g: 42, b: 42 },
  gold: { r: 255, g: 215, b: 0 },
};

const onOff = (on: string, off: string): Record<string, ActionFn> => ({
  turn_on: (s) => ({ ...s, state: on }),
  turn_off: (s) => ({ ...s, state: off }),
  toggle: (s) => ({ ...s, state: s.state === on ? off : on }),
});

// Covers and valves: open/close (HA's turn_on/turn_off too) and a position, 0 closed … 100 open.
const OPEN = (s: DeviceState): DeviceState => ({ ...s, state: "open", position: 100 });
const CLOSED = (s: DeviceState): DeviceState => ({ ...s, state: "closed", position: 0 });
const opening = (): Record<string, ActionFn> => ({ open: OPEN, close: CLOSED, turn_on: OPEN, turn_off: CLOSED, stop: (s) => ({ ...s }) });
function setPosition(s: DeviceState, p: Params): DeviceState | string {
  const v = inRange(num(p.position), 0, 100, "position");
  return typeof v === "string" ? v : { ...s, position: v, state: v > 0 ? "open" : "closed" };
}

function lightOn(s: DeviceState, p: Params, d: Device): DeviceState | string {
  const next: DeviceState = { ...s, state: "ON" };
  if (p.brightness !== undefined) {
    if (!d.capabilities.includes("brightness") && !d.capabilities.includes("color")) return "this light cannot dim";
    const b = inRange(num(p.brightness), 0, 100, "brightness");
    if (typeof b === "string") return b;
    next.brightness = b;
    if (b === 0) next.state = "OFF";
  }
  const color = p.color ?? p.rgb;
  if (color !== undefined) {
    if (!d.capabilities.includes("color")) return "this light has no color";
    if (typeof color === "string") {
      const key = color.toLowerCase().replace(/\s+/g, "_");
      const rgb = COLORS[key];
      if (!rgb) return `unknown color ${color}`;
      next.color = rgb;
      next.color_name = key;
    } else if (color && typeof color === "object") {
      const c = color as Record<string, unknown>;
      const [r, g, b] = [num(c.r), num(c.g), num(c.b)];
      if (r === undefined || g === undefined || b === undefined) return "color needs r, g and b";
      next.color = { r: clamp(r, 0, 255), g: clamp(g, 0, 255), b: clamp(b, 0, 255) };
      delete next.color_name;
    } else return "invalid color";
    next.color_mode = "rgb";
  }
  return next;
}

/** One countdown of the timer service. */
export interface TimerEntry {
  id: number;
  name: string | null;
  duration_s: number;
  state: "active" | "paused";
  /** Active: when it rings (ISO). */
  ends_at: string | null;
  /** Paused: seconds left. */
  remaining_s: number;
}

const timersOf = (s: DeviceState): TimerEntry[] => (Array.isArray(s.timers) ? (s.timers as TimerEntry[]) : []);
const withTimers = (s: DeviceState, timers: TimerEntry[]): DeviceState => ({ ...s, timers, state: timers.some((t) => t.state === "active") ? "active" : timers.length ? "paused" : "idle" });
const durationOf = (p: Params, prefix = ""): number => (num(p[`${prefix}hours`]) ?? 0) * 3600 + (num(p[`${prefix}minutes`]) ?? 0) * 60 + (num(p[`${prefix}seconds`]) ?? 0);
/** The timer a command means: by name, else by the duration it was started with ("the 10 minute timer"), else the most recent one. */
function pickTimer(timers: TimerEntry[], p: Params): TimerEntry | undefined {
  if (typeof p.name === "string") return timers.find((t) => t.name?.toLowerCase() === (p.name as string).toLowerCase());
  const started = durationOf(p, "start_");
  if (started > 0) return timers.find((t) => t.duration_s === started);
  return timers[timers.length - 1];
}

/** Seconds left on a timer now. */
const secondsLeft = (t: TimerEntry, now = Date.now()): number => (t.state === "active" && t.ends_at ? Math.max(0, (Date.parse(t.ends_at) - now) / 1000) : t.remaining_s);

/** HassIncreaseTimer / HassDecreaseTimer: time added to (sign 1) or taken off (-1) a timer; taken to zero, it rings. */
function changeTimer(sign: 1 | -1): ActionFn {
  return (s, p) => {
    const delta = durationOf(p);
    if (!(delta > 0)) return "how much time is missing";
    const timers = timersOf(s);
    const t = pickTimer(timers, p);
    if (!t) return "there is no such timer";
    const left = Math.max(0, secondsLeft(t) + sign * delta);
    const next: TimerEntry =
      t.state === "active" ? { ...t, ends_at: new Date(Date.now() + left * 1000).toISOString(), remaining_s: Math.round(left) } : { ...t, remaining_s: Math.round(left) };
    return withTimers(s, timers.map((x) => (x === t ? next : x)));
  };
}

function startTimer(s: DeviceState, p: Params): DeviceState | string {
  const total = (num(p.hours) ?? 0) * 3600 + (num(p.minutes) ?? 0) * 60 + (num(p.seconds) ?? 0) || (num(p.duration_s) ?? 0);
  if (!(total > 0)) return "a timer needs a duration";
  const timers = timersOf(s);
  const id = (timers.reduce((m, t) => Math.max(m, t.id), 0) || num(s.last_timer_id) || 0) + 1;
  const entry: TimerEntry = { id, name: typeof p.name === "string" ? p.name : null, duration_s: total, state: "active", ends_at: new Date(Date.now() + total * 1000).toISOString(), remaining_s: total };
  return { ...withTimers(s, [...timers, entry]), last_timer_id: id };
}

/** Drop timers that have rung; returns the finished ones (the simulator calls this on a clock). */
export function expireTimers(s: DeviceState, now = Date.now()): { state: DeviceState; finished: TimerEntry[] } {
  const timers = timersOf(s);
  const finished = timers.filter((t) => t.state === "active" && t.ends_at !== null && Date.parse(t.ends_at) <= now);
  if (!finished.length) return { state: s, finished };
  const left = timers.filter((t) => !finished.includes(t));
  return { state: { ...withTimers(s, left), last_finished: finished.map((t) => t.name ?? `${t.duration_s} s timer`) }, finished };
}

export const HOME_MODELS: Record<string, DomainModel> = {
  light: {
    initial: (d) => ({
      state: "OFF",
      ...(d.capabilities.includes("brightness") || d.capabilities.includes("color") ? { brightness: 100 } : {}),
      ...(d.capabilities.includes("color") ? { color_mode: "rgb", color: COLORS.white, color_name: "white" } : {}),
      ...initialOf(d),
    }),
    actions: {
      ...onOff("ON", "OFF"),
      turn_on: lightOn,
      set: lightOn,
      set_brightness: (s, p, d) => lightOn(s, { brightness: p.brightness }, d),
      set_color: (s, p, d) => lightOn(s, { color: p.color ?? p.rgb }, d),
    },
  },
  switch: { initial: (d) => ({ state: "OFF", ...initialOf(d) }), actions: onOff("ON", "OFF") },
  fan: {
    initial: (d) => ({ state: "OFF", percentage: 50, ...initialOf(d) }),
    actions: {
      ...onOff("ON", "OFF"),
      set_percentage: (s, p, d) => {
        // A fan whose file lists its capabilities without a speed has one speed.
        if (d.capabilities.length && !d.capabilities.some((c) => c === "speed" || c === "percentage")) return "this fan has only one speed";
        const v = inRange(num(p.percentage ?? p.percent), 0, 100, "percentage");
        return typeof v === "string" ? v : { ...s, percentage: v, state: v > 0 ? "ON" : "OFF" };
      },
    },
  },
  climate: {
    initial: (d) => ({ mode: "heat", target_temperature: 20, current_temperature: 19.5, ...initialOf(d) }),
    actions: {
      turn_on: (s) => ({ ...s, mode: s.mode === "off" ? "heat" : s.mode }),
      turn_off: (s) => ({ ...s, mode: "off" }),
      set_temperature: (s, p) => {
        const v = inRange(num(p.temperature), 5, 35, "temperature");
        return typeof v === "string" ? v : { ...s, target_temperature: v, mode: s.mode === "off" ? "heat" : s.mode };
      },
      adjust_temperature: (s, p) => {
        const delta = num(p.delta);
        if (delta === undefined) return "delta is missing";
        return { ...s, target_temperature: clamp((num(s.target_temperature) ?? 20) + delta, 5, 35) };
      },
      set_mode: (s, p) => (["off", "heat", "cool", "auto"].includes(String(p.mode)) ? { ...s, mode: String(p.mode) } : `unknown mode ${String(p.mode)}`),
    },
  },
  cover: {
    initial: (d) => ({ state: "closed", position: 0, ...initialOf(d) }),
    actions: { ...opening(), set_position: (s, p) => setPosition(s, p) },
  },
  lock: {
    initial: (d) => ({ state: "LOCKED", ...initialOf(d) }),
    actions: {
      lock: (s) => ({ ...s, state: "LOCKED" }),
      unlock: (s) => ({ ...s, state: "UNLOCKED" }),
      open: (s) => ({ ...s, state: "UNLOCKED" }),
      turn_on: (s) => ({ ...s, state: "LOCKED" }),
      turn_off: (s) => ({ ...s, state: "UNLOCKED" }),
    },
  },
  media_player: {
    initial: (d) => ({ state: "paused", volume_level: 30, track: 0, media_title: playlist(d)[0] ?? null, ...initialOf(d) }),
    actions: {
      turn_on: (s) => ({ ...s, state: "paused" }),
      turn_off: (s) => ({ ...s, state: "off" }),
      media_play: (s) => ({ ...s, state: "playing" }),
      media_pause: (s) => ({ ...s, state: "paused" }),
      media_stop: (s) => ({ ...s, state: "paused" }),
      media_next: (s, _p, d) => track(s, d, +1),
      media_previous: (s, _p, d) => track(s, d, -1),
      set_volume: (s, p) => {
        const v = inRange(num(p.volume_level ?? p.volume), 0, 100, "volume");
        return typeof v === "string" ? v : { ...s, volume_level: v };
      },
      adjust_volume: (s, p) => {
        const delta = num(p.delta);
        return delta === undefined ? "delta is missing" : { ...s, volume_level: clamp((num(s.volume_level) ?? 30) + delta, 0, 100) };
      },
      play_media: playMedia,
    },
  },
  // A to-do list (Home Assistant's todo domain: the shopping list): items added and checked off by name.
  todo: {
    initial: (d) => ({ items: [], ...initialOf(d) }),
    actions: {
      add_item: (s, p) => {
        const item = typeof p.item === "string" ? p.item.trim() : "";
        if (!item) return "the item is missing";
        return { ...s, items: [...todoItems(s), { summary: item, status: "needs_action" }] };
      },
      complete_item: (s, p) => {
        const item = typeof p.item === "string" ? p.item.trim().toLowerCase() : "";
        const items = todoItems(s);
        const hit = items.find((i) => i.summary.toLowerCase() === item && i.status === "needs_action");
        if (!hit) return `${item || "that"} is not on the list`;
        return { ...s, items: items.map((i) => (i === hit ? { ...i, status: "completed" } : i)) };
      },
    },
  },
  // The timer service: any number of named countdowns (Home Assistant's voice timers).
  timer: {
    initial: (d) => ({ state: "idle", timers: [], ...initialOf(d) }),
    actions: {
      start: startTimer,
      cancel: (s, p) => {
        const t = pickTimer(timersOf(s), p);
        return t ? withTimers(s, timersOf(s).filter((x) => x !== t)) : "there is no such timer";
      },
      cancel_all: (s) => withTimers(s, []),
      pause: (s, p) => {
        const t = pickTimer(timersOf(s).filter((x) => x.state === "active"), p);
        if (!t) return "no timer is running";
        const remaining = Math.max(0, Math.round((Date.parse(t.ends_at ?? "") - Date.now()) / 1000));
        return withTimers(s, timersOf(s).map((x) => (x === t ? { ...x, state: "paused", ends_at: null, remaining_s: remaining } : x)));
      },
      resume: (s, p) => {
        const t = pickTimer(timersOf(s).filter((x) => x.state === "paused"), p);
        if (!t) return "no timer is paused";
        return withTimers(s, timersOf(s).map((x) => (x === t ? { ...x, state: "active", ends_at: new Date(Date.now() + x.remaining_s * 1000).toISOString() } : x)));
      },
      add_time: changeTimer(1),
      remove_time: changeTimer(-1),
    },
    tick: (s, _d, now) => {
      const { state, finished } = expireTimers(s, now);
      return finished.length ? state : undefined;
    },
  },
  vacuum: {
    initial: (d) => ({ state: "docked", battery_level: 100, fan_speed: "standard", cleaning_area: null, ...initialOf(d) }),
    actions: {
      start: startCleaning,
      turn_on: startCleaning,
      pause: (s) => (s.state === "cleaning" ? { ...s, state: "paused" } : "the vacuum is not cleaning"),
      stop: (s) => ({ ...s, state: s.state === "docked" ? "docked" : "idle" }),
      return_to_base: goHome,
      turn_off: goHome,
    },
    tick: arriveHome,
  },
  lawn_mower: {
    initial: (d) => ({ state: "docked", battery_level: 100, ...initialOf(d) }),
    actions: {
      start_mowing: (s) => (lowBattery(s) ? "the battery is too low to mow" : { ...s, state: "mowing", since: new Date().toISOString() }),
      pause: (s) => (s.state === "mowing" ? { ...s, state: "paused" } : "the mower is not mowing"),
      dock: goHome,
    },
    tick: arriveHome,
  },
  valve: {
    initial: (d) => ({ state: "closed", position: 0, ...initialOf(d) }),
    actions: {
      ...opening(),
      toggle: (s) => (s.state === "closed" ? OPEN(s) : CLOSED(s)),
      set_position: (s, p, d) => (d.capabilities.length && !d.capabilities.includes("position") ? "this valve can only open or close" : setPosition(s, p)),
    },
  },
  // A scene has no on/off: its state is when it was last activated (HA: a timestamp).
  scene: {
    initial: (d) => ({ last_activated: null, activations: 0, ...initialOf(d) }),
    actions: { activate: activateScene, turn_on: activateScene },
  },
  // A script runs to its end at once: its state records the run (HA: last_triggered).
  script: {
    initial: (d) => ({ state: "off", last_triggered: null, runs: 0, ...initialOf(d) }),
    actions: { run: runScript, turn_on: runScript, press: runScript, turn_off: (s) => ({ ...s, state: "off" }) },
  },
  weather: {
    initial: (d) => ({ state: "sunny", temperature: 18, temperature_unit: "°C", humidity: 55, wind_speed: 10, wind_speed_unit: "km/h", ...initialOf(d) }),
    actions: {
      // A test or demo hook: the weather changes when someone says so, never by a voice command.
      simulate: (s, p) => {
        if (p.state !== undefined && !(String(p.state) in WEATHER_CONDITIONS)) return `unknown weather condition ${String(p.state)}`;
        return { ...s, ...pickKnown(p, ["state", "temperature", "humidity", "wind_speed"]) };
      },
    },
  },
  // The voice satellite in a room: a broadcast is spoken there (HA: assist_satellite.announce).
  assist_satellite: {
    initial: (d) => ({ state: "idle", last_message: null, announcements: 0, ...initialOf(d) }),
    actions: { broadcast: announce, announce },
  },
  sensor: {
    initial: (d) => {
      const cls = d.device_class ? SENSOR_CLASSES[d.device_class] : undefined;
      return { value: cls?.value ?? null, ...(cls?.unit ? { unit: cls.unit } : {}), ...initialOf(d) };
    },
    actions: {
      simulate: (s, p) => (p.value === null || num(p.value) !== undefined ? { ...s, value: p.value === null ? null : num(p.value)! } : "a sensor value must be a number"),
    },
  },
  // HA MQTT binary sensors publish ON / OFF; what that means comes from the device class.
  binary_sensor: {
    initial: (d) => ({ state: "OFF", ...initialOf(d) }),
    actions: {
      simulate: (s, p) => {
        const v = String(p.state ?? "").toUpperCase();
        return v === "ON" || v === "OFF" ? { ...s, state: v } : "a binary sensor is ON or OFF";
      },
    },
  },
};

const pickKnown = (p: Params, keys: string[]): DeviceState => Object.fromEntries(keys.filter((k) => p[k] !== undefined).map((k) => [k, p[k]]));
const lowBattery = (s: DeviceState): boolean => (num(s.battery_level) ?? 100) < 10;

function startCleaning(s: DeviceState, p: Params): DeviceState | string {
  if (lowBattery(s)) return "the battery is too low to clean";
  const area = typeof p.area === "string" ? p.area : typeof p.floor === "string" ? p.floor : null;
  return { ...s, state: "cleaning", cleaning_area: area, since: new Date().toISOString() };
}

/** Vacuums and mowers drive back to their dock: returning now, docked a moment later (`return_seconds`, default 1.5). */
function goHome(s: DeviceState): DeviceState {
  return s.state === "docked" ? { ...s } : { ...s, state: "returning", since: new Date().toISOString() };
}
function arriveHome(s: DeviceState, d: Device, now: number): DeviceState | undefined {
  if (s.state !== "returning") return undefined;
  const after = (num(d.extra.return_seconds) ?? 1.5) * 1000;
  if (now - Date.parse(String(s.since)) < after) return undefined;
  const docked: DeviceState = { ...s, state: "docked", since: new Date(now).toISOString() };
  if ("cleaning_area" in s) docked.cleaning_area = null;
  return docked;
}

function activateScene(s: DeviceState): DeviceState {
  return { ...s, last_activated: new Date().toISOString(), activations: (num(s.activations) ?? 0) + 1 };
}
function runScript(s: DeviceState): DeviceState {
  return { ...s, state: "off", last_triggered: new Date().toISOString(), runs: (num(s.runs) ?? 0) + 1 };
}
function announce(s: DeviceState, p: Params): DeviceState | string {
  const message = typeof p.message === "string" ? p.message.trim() : "";
  if (!message) return "there is no message to announce";
  return { ...s, state: "idle", last_message: message, last_announced_at: new Date().toISOString(), announcements: (num(s.announcements) ?? 0) + 1 };
}

// ---- scenes and scripts drive other devices ------------------------------------------------------

export interface MemberCommand {
  deviceId: string;
  action: string;
  params: Params;
}

/** A desired HA state of one entity (a scene's `entities:` entry) → the command that gets it there. */
export function commandsForState(domain: string, want: Record<string, unknown>): Array<{ action: string; params: Params }> {
  const st = typeof want.state === "string" ? want.state.toLowerCase() : undefined;
  const rest = Object.fromEntries(Object.entries(want).filter(([k]) => k !== "state"));
  switch (domain) {
    case "light":
      return st === "off" ? [{ action: "turn_off", params: {} }] : [{ action: "turn_on", params: pickKnown(rest, ["brightness", "color"]) }];
    case "cover":
    case "valve":
      if (num(want.position) !== undefined) return [{ action: "set_position", params: { position: num(want.position) } }];
      return st === "open" ? [{ action: "open", params: {} }] : st === "closed" ? [{ action: "close", params: {} }] : [];
    case "lock":
      return st === "locked" ? [{ action: "lock", params: {} }] : st === "unlocked" ? [{ action: "unlock", params: {} }] : [];
    case "media_player": {
      const out: Array<{ action: string; params: Params }> = [];
      if (st === "off") return [{ action: "turn_off", params: {} }];
      if (st === "on") out.push({ action: "turn_on", params: {} });
      if (st === "playing") out.push({ action: "media_play", params: {} });
      if (st === "paused") out.push({ action: "media_pause", params: {} });
      if (num(want.volume_level) !== undefined) out.push({ action: "set_volume", params: { volume_level: num(want.volume_level) } });
      return out;
    }
    case "climate": {
      const out: Array<{ action: string; params: Params }> = [];
      if (st === "off") out.push({ action: "turn_off", params: {} });
      if (num(want.temperature) !== undefined) out.push({ action: "set_temperature", params: { temperature: num(want.temperature) } });
      return out;
    }
    case "fan":
      if (num(want.percentage) !== undefined) return [{ action: "set_percentage", params: { percentage: num(want.percentage) } }];
      return st === "off" ? [{ action: "turn_off", params: {} }] : st === "on" ? [{ action: "turn_on", params: {} }] : [];
    default:
      return st === "off" ? [{ action: "turn_off", params: {} }] : st === "on" ? [{ action: "turn_on", params: {} }] : [];
  }
}

/**
 * What a scene or a script does to other devices once it ran: a scene's `entities:` (HA scene format,
 * id → desired state), a script's `sequence:` ([{device, action, params}]).
 */
export function memberCommands(d: Device, action: string): MemberCommand[] {
  if (d.domain === "scene" && (action === "activate" || action === "turn_on")) {
    const entities = d.extra.entities;
    if (!entities || typeof entities !== "object" || Array.isArray(entities)) return [];
    return Object.entries(entities as Record<string, unknown>).flatMap(([id, want]) =>
      want && typeof want === "object" ? commandsForState(id.split(".")[0] ?? "", want as Record<string, unknown>).map((c) => ({ deviceId: id, ...c })) : [],
    );
  }
  if (d.domain === "script" && ["run", "turn_on", "press"].includes(action)) {
    const seq = d.extra.sequence;
    if (!Array.isArray(seq)) return [];
    return seq.flatMap((x) => {
      const step = x as Record<string, unknown>;
      return typeof step.device === "string" && typeof step.action === "string"
        ? [{ deviceId: step.device, action: step.action, params: step.params && typeof step.params === "object" ? (step.params as Params) : {} }]
        : [];
    });
  }
  return [];
}

function todoItems(s: DeviceState): Array<{ summary: string; status: string }> {
  return Array.isArray(s.items) ? (s.items as Array<{ summary: string; status: string }>) : [];
}

/** Unknown domains: a plain on/off device. */
export const GENERIC_MODEL: DomainModel = { initial: (d) => ({ state: "OFF", ...initialOf(d) }), actions: onOff("ON", "OFF") };

export function homeModel(d: Device): DomainModel {
  if (isBinarySensor(d)) return HOME_MODELS.binary_sensor!;
  return HOME_MODELS[d.domain] ?? GENERIC_MODEL;
}

interface LibraryItem {
  title: string;
  media_class?: string;
  artist?: string;
}

/**
 * HassMediaSearchAndPlay: play what was searched for. A player whose file lists a `library` finds it
 * there (by title or artist, within the media class) or says it was not found; any other plays it as asked.
 */
function playMedia(s: DeviceState, p: Params, d: Device): DeviceState | string {
  const query = typeof p.search_query === "string" ? p.search_query.trim() : "";
  if (!query) return "there is nothing to search for";
  const cls = typeof p.media_class === "string" ? p.media_class : undefined;
  if (cls !== undefined && !(MEDIA_CLASSES as readonly string[]).includes(cls)) return `unknown media class ${cls}`;
  let title = query;
  let found: string | undefined = cls;
  const library = Array.isArray(d.extra.library) ? (d.extra.library as LibraryItem[]) : undefined;
  if (library) {
    const q = query.toLowerCase();
    const hit = library.find(
      (x) => (cls === undefined || x.media_class === cls || (cls === "artist" && x.artist !== undefined)) && [x.title, x.artist].some((v) => typeof v === "string" && v.toLowerCase().includes(q)),
    );
    if (!hit) return `nothing called ${query} was found`;
    title = hit.title;
    found = hit.media_class ?? cls;
  }
  return { ...s, state: "playing", media_title: title, media_class: found ?? null, search_query: query };
}

function playlist(d: Device): string[] {
  const p = d.extra.playlist;
  return Array.isArray(p) && p.length ? p.map(String) : ["Track 1", "Track 2", "Track 3"];
}

function track(s: DeviceState, d: Device, step: number): DeviceState {
  const list = playlist(d);
  const i = (((num(s.track) ?? 0) + step) % list.length + list.length) % list.length;
  return { ...s, track: i, media_title: list[i] ?? null, state: s.state === "off" ? "playing" : s.state };
}
