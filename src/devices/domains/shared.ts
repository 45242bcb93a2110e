// Converters shared by the domain definitions: on/off, open/close with a position, docking robots,
// slot and number helpers, and the default readings of HA states. A domain composes its definition
// from these and adds only what is its own.
import type { DeviceState } from "../../bus/types.js";
import { spokenUnit } from "../classes.js";
import type { Device } from "../types.js";
import type { Action, ActionFn, IntentAct, Params, Slots } from "./types.js";

export const num = (v: unknown): number | undefined =>
  typeof v === "number" && Number.isFinite(v) ? v : typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v)) ? Number(v) : undefined;
export const inRange = (v: number | undefined, min: number, max: number, what: string): number | string =>
  v === undefined ? `${what} is missing` : v < min || v > max ? `${what} ${v} is out of range ${min}..${max}` : v;
export const clamp = (v: number, min: number, max: number): number => Math.min(max, Math.max(min, v));
/** The device file's `initial:` state. */
export const initialOf = (d: Device): DeviceState => (d.extra.initial && typeof d.extra.initial === "object" ? (d.extra.initial as DeviceState) : {});
export const pickKnown = (p: Params, keys: string[]): DeviceState => Object.fromEntries(keys.filter((k) => p[k] !== undefined).map((k) => [k, p[k]]));
/** A non-empty slot text (numbers as text). */
export const str = (v: unknown): string | undefined => (typeof v === "string" && v.trim() !== "" ? v : typeof v === "number" ? String(v) : undefined);
export const has = (d: Device, ...caps: string[]): boolean => caps.some((c) => d.capabilities.includes(c));

// ---- intents ------------------------------------------------------------------------------------

export const act = (action: string, params: Params = {}): Action => ({ action, params });
/** The same command whatever the slots. */
export const same = (action: string): IntentAct => () => act(action);
/** An intent this device cannot carry out, with the reason said aloud. */
export const refuse = (reason: string): IntentAct => () => reason;
export const pick = (s: Slots, ...keys: string[]): Params => Object.fromEntries(keys.filter((k) => s[k] !== undefined).map((k) => [k, s[k]]));
/** HA's on/off intents as one command pair (HassTurnOn / HassTurnOff / HassToggle). */
export const onOffIntents = (on: string, off: string, toggle?: string): Record<string, IntentAct> => ({
  HassTurnOn: same(on),
  HassTurnOff: same(off),
  ...(toggle ? { HassToggle: same(toggle) } : {}),
});

// ---- simulator ----------------------------------------------------------------------------------

export const onOff = (on: string, off: string): Record<string, ActionFn> => ({
  turn_on: (s) => ({ ...s, state: on }),
  turn_off: (s) => ({ ...s, state: off }),
  toggle: (s) => ({ ...s, state: s.state === on ? off : on }),
});

// Covers and valves: open/close (HA's turn_on/turn_off too) and a position, 0 closed … 100 open.
export const OPEN = (s: DeviceState): DeviceState => ({ ...s, state: "open", position: 100 });
export const CLOSED = (s: DeviceState): DeviceState => ({ ...s, state: "closed", position: 0 });
export const opening = (): Record<string, ActionFn> => ({ open: OPEN, close: CLOSED, turn_on: OPEN, turn_off: CLOSED, stop: (s) => ({ ...s }) });
export function setPosition(s: DeviceState, p: Params): DeviceState | string {
  const v = inRange(num(p.position), 0, 100, "position");
  return typeof v === "string" ? v : { ...s, position: v, state: v > 0 ? "open" : "closed" };
}

// Vacuums and mowers: they work on battery and drive back to a dock.
export const lowBattery = (s: DeviceState): boolean => (num(s.battery_level) ?? 100) < 10;
/** Returning now, docked a moment later (`return_seconds`, default 1.5: see arriveHome). */
export function goHome(s: DeviceState): DeviceState {
  return s.state === "docked" ? { ...s } : { ...s, state: "returning", since: new Date().toISOString() };
}
export function arriveHome(s: DeviceState, d: Device, now: number): DeviceState | undefined {
  if (s.state !== "returning") return undefined;
  const after = (num(d.extra.return_seconds) ?? 1.5) * 1000;
  if (now - Date.parse(String(s.since)) < after) return undefined;
  const docked: DeviceState = { ...s, state: "docked", since: new Date(now).toISOString() };
  if ("cleaning_area" in s) docked.cleaning_area = null;
  return docked;
}

/** A plain on/off device: what a domain without its own model (and an unknown domain) simulates. */
export const onOffModel = { initial: (d: Device): DeviceState => ({ state: "OFF", ...initialOf(d) }), actions: onOff("ON", "OFF") };

// ---- scenes: a desired state → commands ------------------------------------------------------------

export const stateWord = (want: Record<string, unknown>): string | undefined => (typeof want.state === "string" ? want.state.toLowerCase() : undefined);
/** "on" / "off" (HA's reading for a domain with nothing of its own). */
export function onOffFromState(want: Record<string, unknown>): Action[] {
  const st = stateWord(want);
  return st === "off" ? [act("turn_off")] : st === "on" ? [act("turn_on")] : [];
}
/** "open" / "closed" or a position (covers, valves). */
export function positionFromState(want: Record<string, unknown>): Action[] {
  const st = stateWord(want);
  if (num(want.position) !== undefined) return [act("set_position", { position: num(want.position) })];
  return st === "open" ? [act("open")] : st === "closed" ? [act("close")] : [];
}

// ---- spoken states ----------------------------------------------------------------------------------

/** The state word in lower case ("ON" → "on"). */
export const lower = (s: DeviceState): string | undefined => (typeof s.state === "string" ? s.state.toLowerCase() : undefined);
/** An ISO time as said: "9:05 PM". */
export const clockTime = (iso: unknown): string | undefined => (typeof iso === "string" && !Number.isNaN(Date.parse(iso)) ? new Date(iso).toLocaleTimeString("en-US", { hour: "numeric", minute: "2-digit" }) : undefined);
/** "a, b and c". */
export const joinAnd = (xs: string[]): string => (xs.length > 1 ? `${xs.slice(0, -1).join(", ")} and ${xs[xs.length - 1]}` : (xs[0] ?? ""));
/** A sensor reading with its unit spoken: "21.5 degrees", "64 percent", "1240 watts". */
export function reading(value: unknown, unit: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  const u = spokenUnit(typeof unit === "string" ? unit : undefined);
  return u ? `${String(value)} ${u}` : String(value);
}

// ---- discovery ------------------------------------------------------------------------------------

/** HA reads a JSON state's `state` field; the command topic takes ON / OFF. */
export const onOffDiscovery = (_d: Device, t: { command: string }): Record<string, unknown> => ({ command_topic: t.command, payload_on: "ON", payload_off: "OFF", value_template: "{{ value_json.state }}" });
/** A stateless entity (scene, button, notify): a command topic only. */
export const commandOnly = (extra: Record<string, unknown> = {}) => (_d: Device, t: { command: string }): Record<string, unknown> => ({ state_topic: undefined, command_topic: t.command, ...extra });
