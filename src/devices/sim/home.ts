// Behaviour of simulated home devices, one declarative model per Home Assistant domain:
// an initial state and a table of actions (state, params) → new state | error string.

import type { DeviceState } from "../../bus/types.js";
import type { DeviceSpec } from "../types.js";

export type Params = Record<string, unknown>;
/** Returns the new state, or a string saying why the command is refused. */
export type ActionFn = (state: DeviceState, params: Params, device: DeviceSpec) => DeviceState | string;

export interface DomainModel {
  initial(device: DeviceSpec): DeviceState;
  actions: Record<string, ActionFn>;
}

const num = (v: unknown): number | undefined =>
  typeof v === "number" && Number.isFinite(v) ? v : typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v)) ? Number(v) : undefined;
const inRange = (v: number | undefined, min: number, max: number, what: string): number | string =>
  v === undefined ? `${what} is missing` : v < min || v > max ? `${what} ${v} is out of range ${min}..${max}` : v;
const clamp = (v: number, min: number, max: number) => Math.min(max, Math.max(min, v));
const initialOf = (d: DeviceSpec): DeviceState => (d.extra.initial && typeof d.extra.initial === "object" ? (d.extra.initial as DeviceState) : {});

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

function lightOn(s: DeviceState, p: Params, d: DeviceSpec): DeviceState | string {
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
/** The timer a command means: by name, else the most recent one. */
const pickTimer = (timers: TimerEntry[], p: Params): TimerEntry | undefined =>
  typeof p.name === "string" ? timers.find((t) => t.name?.toLowerCase() === (p.name as string).toLowerCase()) : timers[timers.length - 1];

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
      set_percentage: (s, p) => {
        const v = inRange(num(p.percentage), 0, 100, "percentage");
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
    actions: {
      open: (s) => ({ ...s, state: "open", position: 100 }),
      close: (s) => ({ ...s, state: "closed", position: 0 }),
      turn_on: (s) => ({ ...s, state: "open", position: 100 }),
      turn_off: (s) => ({ ...s, state: "closed", position: 0 }),
      stop: (s) => ({ ...s }),
      set_position: (s, p) => {
        const v = inRange(num(p.position), 0, 100, "position");
        return typeof v === "string" ? v : { ...s, position: v, state: v > 0 ? "open" : "closed" };
      },
    },
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
    },
  },
};

function todoItems(s: DeviceState): Array<{ summary: string; status: string }> {
  return Array.isArray(s.items) ? (s.items as Array<{ summary: string; status: string }>) : [];
}

/** Read-only or unknown domains: a plain on/off device. */
export const GENERIC_MODEL: DomainModel = { initial: (d) => ({ state: "OFF", ...initialOf(d) }), actions: onOff("ON", "OFF") };
const READ_ONLY = new Set(["sensor", "binary_sensor"]);

export function homeModel(d: DeviceSpec): DomainModel {
  if (READ_ONLY.has(d.domain)) return { initial: (dd) => ({ value: null, ...initialOf(dd) }), actions: {} };
  return HOME_MODELS[d.domain] ?? GENERIC_MODEL;
}

function playlist(d: DeviceSpec): string[] {
  const p = d.extra.playlist;
  return Array.isArray(p) && p.length ? p.map(String) : ["Track 1", "Track 2", "Track 3"];
}

function track(s: DeviceState, d: DeviceSpec, step: number): DeviceState {
  const list = playlist(d);
  const i = (((num(s.track) ?? 0) + step) % list.length + list.length) % list.length;
  return { ...s, track: i, media_title: list[i] ?? null, state: s.state === "off" ? "playing" : s.state };
}
