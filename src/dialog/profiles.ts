// Profiles as data: how a home speaker and a car cabin seat start a dialog, which slots their
// context fills, and which slots must be known before acting (else the dialog asks).
import type { ProfileKind } from "./types.js";

/** "When intent X lacks `slot` (and none of `unless`), take it from the session's area/seat." */
export interface ContextFill {
  slot: string;
  from: "area" | "seat";
  intents: string[];
  /** Do not fill when any of these slots is present (a named device needs no area). */
  unless?: string[];
}

/** "Intent X needs one of `anyOf`; when all are missing, ask for `ask` with `prompt`." */
export interface Requirement {
  intents: string[];
  anyOf: string[];
  ask: string;
  /** Default question; the grammar's slot `prompt` wins when it has one. */
  prompt: string;
  /** Only when these slots have these values (e.g. domain: light). */
  when?: Record<string, string | number>;
  /** Not for sentences with these responses: their words name the whole home ("turn off every light in the house"). */
  unlessResponse?: string[];
}

export interface Profile {
  kind: ProfileKind;
  /** Wake phrases (home speakers; optional in the car). Text that starts with one is addressed. */
  wakePhrases: string[];
  /** The car starts listening with a button instead. */
  pushToTalk: boolean;
  /** Open a short window after an answer in which no wake phrase is needed. */
  followUp: boolean;
  fill: ContextFill[];
  requirements: Requirement[];
  /** Car: the VSS signal that carries the vehicle speed (km/h), read from the bus. */
  speedSignal?: string;
}

const HOME_TARGETED = [
  "HassTurnOn",
  "HassTurnOff",
  "HassToggle",
  "HassLightSet",
  "LightAdjustBrightness",
  "HassSetPosition",
  "HassOpenCover",
  "HassCloseCover",
  // Climate too: "set the temperature to 21" at home means the speaker's room; a room without a
  // thermostat gets the house's one (src/act/plan.ts says so in the answer).
  "HassClimateSetTemperature",
  "HassClimateGetTemperature",
  "HassGetState",
  "HassMediaPause",
  "HassMediaUnpause",
  "HassMediaNext",
  "HassMediaPrevious",
  "HassSetVolume",
  "MediaAdjustVolume",
];

export const HOME_PROFILE: Profile = {
  kind: "home",
  wakePhrases: ["hey hark", "ok hark", "okay hark", "hark"],
  pushToTalk: false,
  followUp: true,
  fill: [{ slot: "area", from: "area", intents: HOME_TARGETED, unless: ["name", "area", "floor"] }],
  requirements: [
    {
      intents: ["HassTurnOn", "HassTurnOff", "HassToggle", "HassLightSet", "LightAdjustBrightness", "HassSetPosition", "HassOpenCover", "HassCloseCover"],
      anyOf: ["name", "area", "floor"],
      ask: "area",
      prompt: "Which room?",
      unlessResponse: ["lights_everywhere", "locks_everywhere"],
    },
  ],
};

export const CAR_PROFILE: Profile = {
  kind: "car",
  wakePhrases: ["hey hark", "ok hark", "okay hark"],
  pushToTalk: true,
  followUp: true,
  fill: [
    { slot: "zone", from: "seat", intents: ["CabinSetTemperature", "CabinAdjustTemperature", "CabinSetFanSpeed"] },
    { slot: "seat", from: "seat", intents: ["CabinSeatHeating", "CabinSeatVentilation"] },
    { slot: "window", from: "seat", intents: ["CabinWindow"] },
  ],
  requirements: [],
  speedSignal: "Vehicle.Speed",
};

export const PROFILES: Record<ProfileKind, Profile> = { home: HOME_PROFILE, car: CAR_PROFILE };
