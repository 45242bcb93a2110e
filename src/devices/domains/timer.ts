// The timer service: any number of named countdowns (Home Assistant's voice timers). Timers are not
// devices in HA; hark keeps them in one (src/devices/catalog.ts adds it to a home that has none).
import type { DeviceState } from "../../bus/types.js";
import { act, initialOf, num, pick } from "./shared.js";
import type { ActionFn, DomainDefinition, IntentAct, Params } from "./types.js";

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

/** The slots that say which timer ("the pizza timer", "the 10 minute timer"). */
const WHICH = ["name", "start_hours", "start_minutes", "start_seconds"];
const timerAct = (action: string, ...keys: string[]): IntentAct => (s) => act(action, pick(s, ...keys));

export const timer: DomainDefinition = {
  domain: "timer",
  capabilities: ["start", "cancel", "pause"],
  intents: {
    HassStartTimer: timerAct("start", "hours", "minutes", "seconds", "name"),
    HassCancelTimer: timerAct("cancel", ...WHICH),
    HassCancelAllTimers: timerAct("cancel_all"),
    HassPauseTimer: timerAct("pause", ...WHICH),
    HassUnpauseTimer: timerAct("resume", ...WHICH),
    HassIncreaseTimer: timerAct("add_time", "hours", "minutes", "seconds", ...WHICH),
    HassDecreaseTimer: timerAct("remove_time", "hours", "minutes", "seconds", ...WHICH),
  },
  sim: {
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
};
