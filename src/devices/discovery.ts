// Home Assistant MQTT discovery: the retained config a real Home Assistant reads to adopt a simulated
// home device. The fields every entity shares are here; the platform and its own fields come from the
// device's domain definition (src/devices/domains/). Car devices and domains without an HA MQTT platform
// (media players, to-do lists, weather, timers) are not discovered: their state is published only.
import { DISCOVERY_NODE_ID, DISCOVERY_PREFIX, homeCommandTopic, homeStateTopic } from "../bus/topics.js";
import { definitionFor } from "./domains/index.js";
import type { Device } from "./types.js";

/** The HA MQTT component a device is discovered as, if any. */
export function haComponent(d: Device): string | undefined {
  return d.kind === "home" ? definitionFor(d).discovery?.component : undefined;
}

export const discoveryObjectId = (d: Device): string => (d.id.includes(".") ? d.id.slice(d.id.indexOf(".") + 1) : d.id).replace(/[^a-zA-Z0-9_-]/g, "_");
export const discoveryUniqueId = (d: Device): string => `hark_${d.id.replace(/[^a-zA-Z0-9_-]/g, "_")}`;

export function discoveryTopic(d: Device): string | undefined {
  const component = haComponent(d);
  return component ? `${DISCOVERY_PREFIX}/${component}/${DISCOVERY_NODE_ID}/${discoveryObjectId(d)}/config` : undefined;
}

/** The discovery config of a device (undefined when it is not discovered). */
export function discoveryConfig(d: Device, areaName?: string): Record<string, unknown> | undefined {
  const discovery = d.kind === "home" ? definitionFor(d).discovery : undefined;
  if (!discovery) return undefined;
  const topics = { command: homeCommandTopic(d.id), state: homeStateTopic(d.id) };
  const base: Record<string, unknown> = {
    name: null, // the entity is the device's main feature: HA names it after the device
    unique_id: discoveryUniqueId(d),
    object_id: discoveryObjectId(d),
    state_topic: topics.state,
    device: {
      identifiers: [discoveryUniqueId(d)],
      name: d.name,
      manufacturer: "hark",
      model: `Simulated ${d.domain}`,
      ...(areaName ? { suggested_area: areaName } : {}),
    },
    origin: { name: "hark" },
    ...(d.device_class ? { device_class: d.device_class } : {}),
  };
  return { ...base, ...(discovery.config ? discovery.config(d, topics) : { value_template: "{{ value_json.value }}" }) };
}
