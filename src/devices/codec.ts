// A device's MQTT codec: commands and states on the wire, both ways. Home devices speak hark's JSON and
// Home Assistant's payloads (the shared words here, a domain's own through its definition's codec); car
// devices one message per VSS signal (src/devices/vehicle/vss.ts).
import { homeCommandTopic, homeStateTopic, LAST_COMMAND_ERROR, LAST_COMMAND_ID, type Publish } from "../bus/topics.js";
import type { DeviceCommand, DeviceState } from "../bus/types.js";
import { definitionFor } from "./domains/index.js";
import type { IncomingCommand } from "./domains/types.js";
import type { Device } from "./types.js";
import { decodeCarCommand, decodeCarState, encodeCarCommand, encodeCarState, vssSignals, vssTopic } from "./vehicle/vss.js";

export type { IncomingCommand } from "./domains/types.js";

/** Encode a command for the wire, or say why it cannot be sent to this device. */
export function encodeCommand(d: Device, cmd: DeviceCommand): Publish | { error: string } {
  if (d.kind === "car") return encodeCarCommand(d, cmd);
  return { topic: homeCommandTopic(d.id), payload: JSON.stringify({ id: cmd.id, action: cmd.action, params: cmd.params }) };
}

/** The state topics a device publishes (home: one; car: one per VSS signal). */
export function stateTopics(d: Device): string[] {
  return d.kind === "home" ? [homeStateTopic(d.id)] : vssSignals(d).map((s) => vssTopic(s.path, "state"));
}

/** The command topics a device listens to (MQTT filters). */
export function commandTopics(d: Device): string[] {
  return d.kind === "home" ? [homeCommandTopic(d.id), `${homeCommandTopic(d.id)}/+`] : vssSignals(d).map((s) => vssTopic(s.path, "set"));
}

export interface DecodedState {
  /** Fields to merge into the device's state. */
  patch: DeviceState;
  commandId?: string;
  commandError?: string;
}

/** Decode a state message of a device; throws with a reason when the payload is malformed. */
export function decodeState(d: Device, topic: string, payload: Buffer | string): DecodedState {
  const text = payload.toString();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`state payload is not JSON: ${JSON.stringify(text.slice(0, 80))}`);
  }
  if (!json || typeof json !== "object" || Array.isArray(json)) throw new Error(`state payload is not a JSON object: ${JSON.stringify(text.slice(0, 80))}`);
  const obj = { ...(json as Record<string, unknown>) };
  const commandId = obj[LAST_COMMAND_ID];
  const commandError = obj[LAST_COMMAND_ERROR];
  if (commandId !== undefined && typeof commandId !== "string") throw new Error(`${LAST_COMMAND_ID} must be a string`);
  delete obj[LAST_COMMAND_ID];
  delete obj[LAST_COMMAND_ERROR];
  const patch = d.kind === "home" ? obj : decodeCarState(d, topic, obj);
  return { patch, ...(typeof commandId === "string" ? { commandId } : {}), ...(typeof commandError === "string" ? { commandError } : {}) };
}

/** Home Assistant's plain command payloads (switch, lock, cover, valve, vacuum, scene, button), shared by every domain. */
const PLAIN_COMMANDS: Record<string, string> = {
  ON: "turn_on",
  OFF: "turn_off",
  TOGGLE: "toggle",
  LOCK: "lock",
  UNLOCK: "unlock",
  OPEN: "open",
  CLOSE: "close",
  STOP: "stop",
  START: "start",
  PAUSE: "pause",
  RETURN_TO_BASE: "return_to_base",
  PRESS: "press",
};

/** Decode a message on one of a device's command topics (simulators and real devices). */
export function decodeCommand(d: Device, topic: string, payload: Buffer | string): IncomingCommand {
  const text = payload.toString().trim();
  let json: unknown = undefined;
  try {
    json = JSON.parse(text);
  } catch {
    /* plain payload */
  }
  if (d.kind === "car") return decodeCarCommand(d, topic, json, text);
  const codec = definitionFor(d).codec;
  const base = homeCommandTopic(d.id);
  if (topic !== base) {
    // Home Assistant per-attribute command topics, as the domain's discovery config names them.
    const attr = topic.slice(base.length + 1);
    const value = typeof json === "number" ? json : Number.isFinite(Number(text)) ? Number(text) : text;
    const decode = codec?.attributes?.[attr];
    if (decode) return decode(value);
    throw new Error(`unknown command attribute ${attr}`);
  }
  if (json && typeof json === "object" && !Array.isArray(json)) {
    const obj = json as Record<string, unknown>;
    if (typeof obj.action === "string") {
      const params = obj.params && typeof obj.params === "object" ? (obj.params as Record<string, unknown>) : {};
      return { ...(typeof obj.id === "string" ? { id: obj.id } : {}), action: obj.action, params };
    }
    if (typeof obj.state === "string") {
      // Home Assistant's JSON schema (lights): {"state":"ON","brightness":50,"color":{"r":255,"g":0,"b":0}}
      const params: Record<string, unknown> = {};
      if (obj.brightness !== undefined) params.brightness = obj.brightness;
      if (obj.color !== undefined) params.rgb = obj.color;
      return { action: obj.state.toUpperCase() === "OFF" ? "turn_off" : "turn_on", params };
    }
    throw new Error("command JSON has neither action nor state");
  }
  const own = codec?.plain?.(text, d);
  if (own) return own;
  const action = PLAIN_COMMANDS[text.toUpperCase()];
  if (!action) throw new Error(`unknown command payload ${JSON.stringify(text.slice(0, 40))}`);
  return { action, params: {} };
}

/** The retained messages that publish a device's state (and the command it answers). */
export function encodeState(d: Device, state: DeviceState, last?: { id: string; error?: string; keys?: string[] }): Publish[] {
  const tag: Record<string, string> = last ? { [LAST_COMMAND_ID]: last.id, ...(last.error ? { [LAST_COMMAND_ERROR]: last.error } : {}) } : {};
  if (d.kind === "home") return [{ topic: homeStateTopic(d.id), payload: JSON.stringify({ ...state, ...tag }), retain: true }];
  return encodeCarState(d, state, tag, last?.keys);
}
