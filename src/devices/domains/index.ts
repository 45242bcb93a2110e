// The domain registry: domain name → definition (./types.ts). Plan, codec, discovery and simulator
// look a device's definition up here. Adding a domain: one file beside this one and one line below.
import { isBinarySensor } from "../classes.js";
import type { Device } from "../types.js";
import { assistSatellite } from "./assist_satellite.js";
import { binarySensor } from "./binary_sensor.js";
import { button } from "./button.js";
import { climate } from "./climate.js";
import { cover } from "./cover.js";
import { fan } from "./fan.js";
import { humidifier } from "./humidifier.js";
import { lawnMower } from "./lawn_mower.js";
import { light } from "./light.js";
import { lock } from "./lock.js";
import { mediaPlayer } from "./media_player.js";
import { number } from "./number.js";
import { scene } from "./scene.js";
import { script } from "./script.js";
import { sensor } from "./sensor.js";
import { onOffFromState, onOffModel } from "./shared.js";
import { siren } from "./siren.js";
import { switchDomain } from "./switch.js";
import { timer } from "./timer.js";
import { todo } from "./todo.js";
import { vacuum } from "./vacuum.js";
import { valve } from "./valve.js";
import { weather } from "./weather.js";
import type { Action, DomainDefinition, DomainModel, MemberCommand } from "./types.js";

export type * from "./types.js";

export const DOMAINS: Readonly<Record<string, DomainDefinition>> = Object.fromEntries(
  [
    light, switchDomain, fan, climate, cover, lock, valve, mediaPlayer, vacuum, lawnMower, scene, script, button, number, siren,
    sensor, binarySensor, weather, todo, timer, assistSatellite,
    humidifier,
  ].map((d) => [d.domain, d]),
);

/** A domain hark has no module for: a plain on/off device, published but not discovered. */
export const GENERIC: DomainDefinition = { domain: "generic", capabilities: ["on_off"], intents: {}, sim: onOffModel };

/** The definition a home device follows: its domain's (a `sensor` with a binary-only class is a binary sensor). */
export function definitionFor(d: Pick<Device, "domain" | "device_class">): DomainDefinition {
  if (isBinarySensor(d)) return binarySensor;
  return DOMAINS[d.domain] ?? GENERIC;
}

/** The simulated behaviour of a home device. */
export function homeModel(d: Device): DomainModel {
  return definitionFor(d).sim;
}

/** A desired HA state of one entity (a scene's `entities:` entry) → the commands that get it there. */
export function commandsForState(domain: string, want: Record<string, unknown>): Action[] {
  return (DOMAINS[domain]?.fromState ?? onOffFromState)(want);
}

/** What a scene or a script does to other devices once it ran (nothing for other domains). */
export function memberCommands(d: Device, action: string): MemberCommand[] {
  return definitionFor(d).sim.members?.(d, action, commandsForState) ?? [];
}

/** The domains an intent reaches when no core rule names it: those whose definition handles it. */
export function domainsFor(intent: string): string[] {
  return Object.values(DOMAINS)
    .filter((d) => intent in d.intents)
    .map((d) => d.domain);
}
