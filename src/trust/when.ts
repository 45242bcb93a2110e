// Times inside a request: "in 10 minutes", "in an hour and a half", "10 minutes from now" (a delay),
// "at 7 pm", "at half past 7", "at noon" (a clock time), "for 10 minutes" (a duration). The words come
// from the language's cue file (delay section); the arithmetic is here.
import type { Cues } from "./cues.js";
import { expandTemplate } from "./phrases.js";

export type Later =
  /** Run after this many seconds. */
  | { kind: "delay"; seconds: number; start: number; end: number }
  /**
   * Run at this local time of day (the next one to come). `bare`: said without am/pm, o'clock or
   * minutes ("at 7"), so the number may as well be a value ("set the lights at 10"): the caller decides.
   * `twelveHour`: no am or pm was said ("at half past ten"): the sooner of the two.
   */
  | { kind: "clock"; hour: number; minute: number; start: number; end: number; bare?: { value: number }; twelveHour?: true }
  /** Undo after this many seconds ("turn on the sprinklers for 10 minutes"). */
  | { kind: "duration"; seconds: number; start: number; end: number };

const UNIT_SECONDS = { second: 1, minute: 60, hour: 3600 } as const;

interface Words {
  units: Array<[string[], number]>;
  before: string[][];
  afterAmount: string[][];
  amounts: Array<[string[], number]>;
  at: string[][];
  am: string[][];
  pm: string[][];
  oclock: string[][];
  halfPast: string[][];
  quarterPast: string[][];
  quarterTo: string[][];
  noon: string[][];
  midnight: string[][];
  for: string[][];
}

const compiled = new WeakMap<Cues, Words>();

function words(cues: Cues): Words {
  const hit = compiled.get(cues);
  if (hit) return hit;
  const d = cues.delay;
  const all = (list: readonly string[]) => list.flatMap(expandTemplate);
  const w: Words = {
    units: (Object.keys(UNIT_SECONDS) as Array<keyof typeof UNIT_SECONDS>).flatMap((u) => all(d.units[u]).map((p): [string[], number] => [p, UNIT_SECONDS[u]])),
    before: all(d.before),
    afterAmount: all(d.after_amount),
    amounts: Object.entries(d.amounts).flatMap(([v, list]) => all(list).map((p): [string[], number] => [p, Number(v)])),
    at: all(d.clock.at),
    am: all(d.clock.am),
    pm: all(d.clock.pm),
    oclock: all(d.clock.oclock),
    halfPast: all(d.clock.half_past),
    quarterPast: all(d.clock.quarter_past),
    quarterTo: all(d.clock.quarter_to),
    noon: all(d.clock.noon),
    midnight: all(d.clock.midnight),
    for: all(d.for),
  };
  compiled.set(cues, w);
  return w;
}

/** Length of the longest phrase of `list` at position i (0 when none). */
function phraseAt(t: readonly string[], i: number, list: readonly string[][]): number {
  let best = 0;
  for (const p of list) if (p.length > best && p.every((x, k) => t[i + k] === x)) best = p.length;
  return best;
}

const isNum = (s: string | undefined): boolean => s !== undefined && /^\d+(?:\.\d+)?$/.test(s);

/** An amount at i ("10", "an", "half an", "a couple of"): [value, tokens used]. */
function amountAt(t: readonly string[], i: number, w: Words): [number, number] | undefined {
  if (isNum(t[i])) return [Number(t[i]), 1];
  let best: [number, number] | undefined;
  for (const [p, v] of w.amounts) if ((!best || p.length > best[1]) && p.every((x, k) => t[i + k] === x)) best = [v, p.length];
  return best;
}

/** amount + unit [and a half] [and amount + unit] at i: [seconds, tokens used]. */
function spanAt(t: readonly string[], i: number, w: Words): [number, number] | undefined {
  const a = amountAt(t, i, w);
  if (!a) return undefined;
  let j = i + a[1];
  let unit = 0;
  let unitLen = 0;
  for (const [p, s] of w.units) if (p.length > unitLen && p.every((x, k) => t[j + k] === x)) (unit = s), (unitLen = p.length);
  if (!unit) return undefined;
  j += unitLen;
  let seconds = a[0] * unit;
  // "and a half", "and 30 minutes"
  if (t[j] === "and") {
    if (t[j + 1] === "a" && t[j + 2] === "half") return [seconds + unit / 2, j + 3 - i];
    const more = spanAt(t, j + 1, w);
    if (more) return [seconds + more[0], j + 1 + more[1] - i];
  }
  seconds = Math.round(seconds);
  return [seconds, j - i];
}

function clockAt(t: readonly string[], i: number, w: Words): { hour: number; minute: number; used: number; bare?: { value: number }; twelveHour?: true } | undefined {
  let n = phraseAt(t, i, w.noon);
  if (n) return { hour: 12, minute: 0, used: n };
  n = phraseAt(t, i, w.midnight);
  if (n) return { hour: 0, minute: 0, used: n };
  for (const [list, minute, shift] of [
    [w.halfPast, 30, 0],
    [w.quarterPast, 15, 0],
    [w.quarterTo, 45, -1],
  ] as const) {
    n = phraseAt(t, i, list);
    if (n && isNum(t[i + n]) && Number(t[i + n]) <= 12) {
      const am = phraseAt(t, i + n + 1, w.am);
      const pm = phraseAt(t, i + n + 1, w.pm);
      const used = n + 1 + (am || pm);
      return { hour: (((Number(t[i + n]) + shift + 12) % 12) + (pm ? 12 : 0)) % 24, minute, used, ...(am || pm ? {} : { twelveHour: true as const }) };
    }
  }
  if (!isNum(t[i]) || !Number.isInteger(Number(t[i]))) return undefined;
  const h = Number(t[i]);
  let j = i + 1;
  let minute = 0;
  let explicitMinutes = false;
  if (isNum(t[j]) && Number(t[j]) < 60 && Number.isInteger(Number(t[j]))) {
    minute = Number(t[j]);
    explicitMinutes = true;
    j++;
  }
  const am = phraseAt(t, j, w.am);
  const pm = am ? 0 : phraseAt(t, j, w.pm);
  const oclock = phraseAt(t, j, w.oclock);
  // A bare "at 21" is a value ("set the thermostat at 21"), not a time: a time says am/pm, o'clock or its minutes.
  if ((am || pm) && h >= 1 && h <= 12) return { hour: (h % 12) + (pm ? 12 : 0), minute, used: j + am + pm - i };
  const twelve = h >= 1 && h <= 12 ? { twelveHour: true as const } : {};
  if (oclock && h <= 24) return { hour: h % 24, minute, used: j + oclock - i, ...twelve };
  if (explicitMinutes && h <= 23) return { hour: h, minute, used: j - i, ...twelve };
  // "at 7" at the end of a request: a time of day (7 am or pm, whichever comes first) — or a value.
  if (h >= 1 && h <= 12 && j === t.length) return { hour: h, minute: 0, used: j - i, bare: { value: h }, twelveHour: true };
  return undefined;
}

/** Every time expression in the tokens, left to right (a later one never overlaps an earlier one). */
export function findLater(tokens: readonly string[], cues: Cues, blocked?: ReadonlySet<number>): Later[] {
  const w = words(cues);
  const out: Later[] = [];
  for (let i = 0; i < tokens.length; i++) {
    if (blocked?.has(i)) continue;
    const b = phraseAt(tokens, i, w.before);
    if (b) {
      const s = spanAt(tokens, i + b, w);
      if (s) {
        out.push({ kind: "delay", seconds: s[0], start: i, end: i + b + s[1] });
        i += b + s[1] - 1;
        continue;
      }
    }
    const f = phraseAt(tokens, i, w.for);
    if (f) {
      const s = spanAt(tokens, i + f, w);
      if (s) {
        out.push({ kind: "duration", seconds: s[0], start: i, end: i + f + s[1] });
        i += f + s[1] - 1;
        continue;
      }
    }
    const at = phraseAt(tokens, i, w.at);
    if (at) {
      const c = clockAt(tokens, i + at, w);
      if (c) {
        out.push({ kind: "clock", hour: c.hour, minute: c.minute, start: i, end: i + at + c.used, ...(c.bare ? { bare: c.bare } : {}), ...(c.twelveHour ? { twelveHour: c.twelveHour } : {}) });
        i += at + c.used - 1;
        continue;
      }
    }
    // "10 minutes from now"
    const s = spanAt(tokens, i, w);
    if (s) {
      const after = phraseAt(tokens, i + s[1], w.afterAmount);
      if (after) {
        out.push({ kind: "delay", seconds: s[0], start: i, end: i + s[1] + after });
        i += s[1] + after - 1;
      }
    }
  }
  return out;
}

/** Milliseconds from `now` until a clock time (the next one: "at 7 pm" said at 8 pm means tomorrow). */
export function msUntil(later: Later, now: Date): number {
  if (later.kind !== "clock") return later.seconds * 1000;
  const next = (hour: number): number => {
    const at = new Date(now);
    at.setHours(hour, later.minute, 0, 0);
    if (at.getTime() <= now.getTime()) at.setDate(at.getDate() + 1);
    return at.getTime() - now.getTime();
  };
  // "at 7" without am or pm: the sooner of 7:00 and 19:00.
  return later.twelveHour ? Math.min(next(later.hour % 12), next((later.hour % 12) + 12)) : next(later.hour);
}

/** "10 minutes", "1 hour and 30 minutes", "7:30 pm" for answers. */
export function sayLater(later: Later): string {
  if (later.kind === "clock" && later.twelveHour) return later.minute ? `${later.hour % 12 || 12}:${String(later.minute).padStart(2, "0")}` : `${later.hour % 12 || 12} o'clock`;
  if (later.kind === "clock") {
    const h12 = later.hour % 12 === 0 ? 12 : later.hour % 12;
    const m = later.minute ? `:${String(later.minute).padStart(2, "0")}` : "";
    if (later.hour === 12 && later.minute === 0) return "noon";
    if (later.hour === 0 && later.minute === 0) return "midnight";
    return `${h12}${m} ${later.hour < 12 ? "am" : "pm"}`;
  }
  const parts: string[] = [];
  let s = later.seconds;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  if (h) parts.push(`${h} hour${h === 1 ? "" : "s"}`);
  if (m) parts.push(`${m} minute${m === 1 ? "" : "s"}`);
  if (s) parts.push(`${s} second${s === 1 ? "" : "s"}`);
  return parts.join(" and ") || "0 seconds";
}
