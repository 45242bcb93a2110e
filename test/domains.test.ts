// The domain registry (src/devices/domains/): every definition on its own, without a broker. Codec round
// trips, discovery payload shapes, and the promises the definitions make each other (an intent's command
// is one the simulator takes; a topic the discovery config names is one the codec reads).
import { describe, expect, it } from "vitest";
import { decodeCommand, decodeState, encodeCommand, encodeState } from "../src/devices/codec.js";
import { discoveryConfig, discoveryTopic } from "../src/devices/discovery.js";
import { DOMAINS, definitionFor, GENERIC } from "../src/devices/domains/index.js";
import { parseDeviceFile } from "../src/devices/load.js";
import type { Device } from "../src/devices/types.js";

const device = (domain: string, capabilities = DOMAINS[domain]?.capabilities ?? []): Device =>
  parseDeviceFile(`kind: home\ndevices:\n  - { id: ${domain}.t, name: Test ${domain}, domain: ${domain}, capabilities: [${capabilities.join(", ")}] }\n`, "t.yaml").devices[0]!;

/** Slots that make each intent a full request (the values a grammar would fill). */
const SLOTS = { brightness: 50, color: "red", temperature: 21, position: 40, percentage: 60, volume_level: 20, search_query: "jazz", item: "milk", minutes: 5, message: "dinner", humidity: 45, mode: "normal", area: "Kitchen" };

describe.each(Object.keys(DOMAINS))("domain %s", (name) => {
  const def = DOMAINS[name]!;
  const d = device(name);

  it("is registered under its own name and found for its devices", () => {
    expect(def.domain).toBe(name);
    expect(definitionFor(d)).toBe(def);
  });

  it("codec: a command and a state survive the wire", () => {
    const cmd = { id: "c1", deviceId: d.id, action: Object.keys(def.sim.actions)[0] ?? "turn_on", params: { x: 1 } };
    const wire = encodeCommand(d, cmd);
    if ("error" in wire) throw new Error(wire.error);
    expect(decodeCommand(d, wire.topic, wire.payload)).toEqual({ id: "c1", action: cmd.action, params: { x: 1 } });
    const state = def.sim.initial(d);
    const [pub] = encodeState(d, state, { id: "c1" });
    expect(decodeState(d, pub!.topic, pub!.payload)).toEqual({ patch: JSON.parse(JSON.stringify(state)), commandId: "c1" });
  });

  it("discovery: HA's shape, with topics the codec reads", () => {
    const config = discoveryConfig(d, "Kitchen");
    if (!def.discovery) {
      expect(config).toBeUndefined();
      expect(discoveryTopic(d)).toBeUndefined();
      return;
    }
    expect(discoveryTopic(d)).toBe(`homeassistant/${def.discovery.component}/hark/t/config`);
    expect(config).toMatchObject({ name: null, unique_id: `hark_${name}_t`, object_id: "t", origin: { name: "hark" } });
    expect(config!.device).toMatchObject({ identifiers: [`hark_${name}_t`], name: `Test ${name}`, suggested_area: "Kitchen" });
    // Every command topic the config names decodes (the plain one with an HA payload, attributes with a value).
    for (const [key, topic] of Object.entries(config!)) {
      if (!key.endsWith("command_topic") || typeof topic !== "string") continue;
      expect(topic.startsWith(`hark/home/${d.id}/set`), key).toBe(true);
      const payload = topic === `hark/home/${d.id}/set` ? String(config!.payload_on ?? config!.payload_press ?? config!.payload_start ?? "ON") : "1";
      expect(() => decodeCommand(d, topic, payload), key).not.toThrow();
    }
  });

  it("every command its intents send is one its simulator takes", () => {
    for (const [intent, act] of Object.entries(def.intents)) {
      const out = act(SLOTS, d);
      if (typeof out === "string") continue; // a refusal ("cannot be turned off") is an answer, not a command
      // (whether it then succeeds depends on the state: a timer must run before it is cancelled)
      expect(def.sim.actions, `${intent} → ${out.action}`).toHaveProperty(out.action);
    }
  });
});

describe("the registry", () => {
  it("an unknown domain is a plain on/off device, not discovered", () => {
    const d = device("toaster", []);
    expect(definitionFor(d)).toBe(GENERIC);
    expect(discoveryConfig(d)).toBeUndefined();
    expect(GENERIC.sim.initial(d)).toEqual({ state: "OFF" });
  });
  it("a sensor with a class only binary sensors have is one", () => {
    const d = parseDeviceFile("devices:\n  - { id: sensor.smoke, domain: sensor, device_class: smoke }\n", "t.yaml").devices[0]!;
    expect(definitionFor(d)).toBe(DOMAINS.binary_sensor);
    expect(discoveryTopic(d)).toBe("homeassistant/binary_sensor/hark/smoke/config");
  });
});
