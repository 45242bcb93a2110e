// The MQTT topic conventions hark uses, so the bus, the simulators and a real device written by someone
// else agree. What travels on them is each device's codec (src/devices/codec.ts: the domain definitions
// for home devices, src/devices/vehicle/vss.ts for the car).
//
// Home devices (Home Assistant MQTT discovery conventions):
//   hark/home/<device_id>/set            command: {"id","action","params"} JSON (hark), or Home Assistant
//                                        payloads ("ON", "LOCK", {"state":"ON","brightness":50} …)
//   hark/home/<device_id>/set/<attr>     Home Assistant per-attribute commands (plain payload), as the
//                                        domain's discovery config names them (temperature, mode, position …)
//   hark/home/<device_id>/state          retained JSON state + "last_command_id" (+ "last_command_error")
//   homeassistant/<component>/hark/<object_id>/config   retained discovery config
//
// Car signals (COVESA VSS 4.x paths, dots → slashes): hark/car/Vehicle/Cabin/…/<Leaf>/set | state
//
// Satellites (a hark on another speaker or seat, sharing the broker): hark/satellite/<id>/… is theirs
// alone; on a locked broker a satellite may publish nowhere else but the devices it is let command
// (src/bus/acl.ts, docs/security.md).

export const HOME_PREFIX = "hark/home";
export const CAR_PREFIX = "hark/car";
export const DISCOVERY_PREFIX = "homeassistant";
export const SATELLITE_PREFIX = "hark/satellite";
export const DISCOVERY_NODE_ID = "hark";
/** Field of a state payload that names the last command the device applied. */
export const LAST_COMMAND_ID = "last_command_id";
/** Field of a state payload set when the device refused that command. */
export const LAST_COMMAND_ERROR = "last_command_error";

/** A topic level may not contain / + # (and no NUL). */
export function topicSegment(s: string): string {
  return s.replace(/[/+#\u0000]/g, "_");
}

export const homeCommandTopic = (deviceId: string): string => `${HOME_PREFIX}/${topicSegment(deviceId)}/set`;
export const homeStateTopic = (deviceId: string): string => `${HOME_PREFIX}/${topicSegment(deviceId)}/state`;

export interface Publish {
  topic: string;
  payload: string;
  retain?: boolean;
}

/** hark/satellite/<id>/<rest> (rest may be a filter: "#", "status" …). */
export const satelliteTopic = (id: string, rest: string): string => `${SATELLITE_PREFIX}/${topicSegment(id)}/${rest}`;
