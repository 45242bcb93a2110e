// Media players: on/off, play/pause/next/previous, volume (0–100) and search-and-play (in the file's
// `library:` when it gives one). HA has no MQTT media player: its state is published, not discovered.
import type { DeviceState } from "../../bus/types.js";
import { MEDIA_CLASSES } from "../classes.js";
import type { Device } from "../types.js";
import { act, clamp, initialOf, inRange, lower, num, pick, same, stateWord, str } from "./shared.js";
import type { Action, DomainDefinition, Params } from "./types.js";

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

/** "turn it up": a step of the volume (percent). */
const VOLUME_STEP = 5;

export const mediaPlayer: DomainDefinition = {
  domain: "media_player",
  capabilities: ["on_off", "volume", "pause", "next_previous", "play_media"],
  spoken: "speaker",
  onOffByArea: true,
  intents: {
    HassTurnOn: same("turn_on"),
    HassTurnOff: same("turn_off"),
    HassMediaPause: same("media_pause"),
    HassMediaUnpause: same("media_play"),
    HassMediaNext: same("media_next"),
    HassMediaPrevious: same("media_previous"),
    HassSetVolume: (s) => act("set_volume", { volume_level: s.volume_level ?? s.volume }),
    MediaAdjustVolume: (s) => act("adjust_volume", { delta: s.direction === "down" ? -VOLUME_STEP : VOLUME_STEP }),
    HassMediaSearchAndPlay: (s) => (str(s.search_query) ? act("play_media", pick(s, "search_query", "media_class")) : "nothing to search for"),
  },
  needs: {
    play_media: { capability: "play_media", cannot: "cannot play music or media on request" },
    set_volume: { capability: "volume", cannot: "has no volume control" },
    adjust_volume: { capability: "volume", cannot: "has no volume control" },
    media_pause: { capability: "pause", cannot: "cannot be paused" },
    media_next: { capability: "next_previous", cannot: "cannot skip tracks" },
    media_previous: { capability: "next_previous", cannot: "cannot skip tracks" },
  },
  describe: (state) => (lower(state) === "playing" && typeof state.media_title === "string" ? `playing ${state.media_title}` : undefined),
  sim: {
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
  fromState: (want) => {
    const st = stateWord(want);
    if (st === "off") return [act("turn_off")];
    const out: Action[] = [];
    if (st === "on") out.push(act("turn_on"));
    if (st === "playing") out.push(act("media_play"));
    if (st === "paused") out.push(act("media_pause"));
    if (num(want.volume_level) !== undefined) out.push(act("set_volume", { volume_level: num(want.volume_level) }));
    return out;
  },
};
