// What one Home Assistant domain means to hark, in one object (the manner of zigbee-herdsman-converters'
// device definitions over shared converters): its capabilities, how intents become its commands, how its
// MQTT payloads decode, its Home Assistant discovery config and how the simulator behaves. Plan, codec,
// discovery and simulator look a device's definition up (./index.ts) instead of switching on its domain.
import type { DeviceState } from "../../bus/types.js";
import type { SlotValue } from "../../grammar/types.js";
import type { Device } from "../types.js";

export type Params = Record<string, unknown>;
export type Slots = Record<string, SlotValue>;

/** A command without its id and target: what an intent asks of one device. */
export interface Action {
  action: string;
  params: Params;
}

/** A command as a device receives it: hark's own (with an id) or a Home Assistant payload (no id). */
export interface IncomingCommand {
  id?: string;
  action: string;
  params: Params;
}

/** An intent's slots → the command for one device of the domain, or why this device cannot (said aloud). */
export type IntentAct = (slots: Slots, device: Device) => Action | string;

/** A simulator action: the new state, or a string saying why the command is refused. */
export type ActionFn = (state: DeviceState, params: Params, device: Device) => DeviceState | string;

/** A command a scene or script sends to another device once it ran. */
export interface MemberCommand {
  deviceId: string;
  action: string;
  params: Params;
}

/** The simulated device of a domain. */
export interface DomainModel {
  initial(device: Device): DeviceState;
  actions: Record<string, ActionFn>;
  /** State that moves on by itself (a vacuum reaching its dock, a timer ringing): the simulator calls this on a clock. */
  tick?(state: DeviceState, device: Device, now: number): DeviceState | undefined;
  /**
   * What the device makes other devices do after `action` (a scene's entities, a script's sequence);
   * `fromState` turns a desired state of another domain's device into its commands (./index.ts).
   */
  members?(device: Device, action: string, fromState: (domain: string, want: Record<string, unknown>) => Action[]): MemberCommand[];
}

/** Home Assistant MQTT payloads → commands (hark's own `{"id","action","params"}` JSON is decoded for every domain). */
export interface DomainCodec {
  /** Per-attribute command topics `hark/home/<id>/set/<attr>` (HA's temperature_command_topic …): value → command. */
  attributes?: Record<string, (value: string | number) => IncomingCommand>;
  /** A plain payload this domain reads its own way (a notify message, a valve position); undefined: the shared words (ON, LOCK …). */
  plain?: (text: string, device: Device) => IncomingCommand | undefined;
}

export interface DomainDiscovery {
  /** HA's MQTT platform (light, switch …; a script is a button, a satellite a notify entity). */
  component: string;
  /** The platform's fields on top of the shared ones (name, ids, device, state_topic); default: a value template. */
  config?: (device: Device, topics: { command: string; state: string }) => Record<string, unknown>;
}

export interface DomainDefinition {
  domain: string;
  /** The capabilities a device file may list for this domain (what the domain's behaviour reads). */
  capabilities: string[];
  /** The domain as people say it ("no thermostat in the Living Room"); default: the domain's words. */
  spoken?: string;
  /** Area-only on/off requests ("turn off the kitchen") reach it (HA: lights, switches, fans, players; never locks). */
  onOffByArea?: true;
  /** Intent name → command. An intent that no core rule handles (src/act/plan.ts) is routed to the domains that name it. */
  intents: Record<string, IntentAct>;
  /**
   * Command → the capability it needs, with how the refusal says it: a device whose file lists
   * capabilities without it is never sent the command ("the Kitchen Speaker cannot play music").
   */
  needs?: Record<string, { capability: string; cannot: string }>;
  /** Home Assistant MQTT discovery; none: HA has no MQTT platform for it (state is published only). */
  discovery?: DomainDiscovery;
  codec?: DomainCodec;
  sim: DomainModel;
  /** Its state as people say it ("last activated at 9:05 PM", "playing Jazz"); undefined: the shared wording (src/run/speech.ts). */
  describe?: (state: DeviceState, device: Device) => string | undefined;
  /** A desired HA state (a scene's `entities:` entry) → the commands that get a device of this domain there. */
  fromState?: (want: Record<string, unknown>) => Action[];
}
