// The humidifier domain (src/devices/domains/humidifier.ts), added in one file after the domain modules
// existed: discovered by Home Assistant over a real loopback broker (aedes, in process), driven by
// hark's intents and by HA's own payloads, and understood with its add-on grammar (grammars/humidifier).
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mqtt, { type MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDeviceRuntime, type DeviceRuntime } from "../src/act/index.js";
import { DeviceCatalog } from "../src/devices/catalog.js";
import { loadMatcher } from "../src/nlu/index.js";
import type { IntentResult } from "../src/nlu/types.js";
import { describeState } from "../src/run/speech.js";

const dir = mkdtempSync(join(tmpdir(), "hark-humidifier-"));
const file = join(dir, "bedroom.yaml");
writeFileSync(
  file,
  `kind: home
areas: [{ id: bedroom, name: Bedroom }]
devices:
  - { id: humidifier.bedroom, name: Bedroom Humidifier, aliases: [humidifier], area: bedroom, domain: humidifier, capabilities: [on_off, target_humidity, mode] }
  - { id: humidifier.cellar, name: Cellar Dryer, domain: humidifier, device_class: dehumidifier, capabilities: [on_off, target_humidity], humidity_range: [35, 70] }
`,
);
const intent = (name: string, slots: IntentResult["slots"]): IntentResult => ({ intent: name, slots, confidence: 1, source: "test" });

describe("humidifier over MQTT", () => {
  let rt: DeviceRuntime;
  let ha: MqttClient;
  const seen = new Map<string, Record<string, unknown>>();
  beforeAll(async () => {
    rt = await startDeviceRuntime({ devices: DeviceCatalog.load(file) }); // embedded broker + simulators + bus
    ha = await mqtt.connectAsync(rt.brokerUrl, { reconnectPeriod: 0 });
    ha.on("message", (topic, payload) => seen.set(topic, JSON.parse(payload.toString()) as Record<string, unknown>));
    await ha.subscribeAsync("homeassistant/humidifier/#", { qos: 1 });
    for (let i = 0; i < 100 && seen.size < 2; i++) await new Promise((r) => setTimeout(r, 20));
  });
  afterAll(async () => {
    await ha?.endAsync();
    await rt?.stop();
  });

  it("Home Assistant finds both, with HA's humidifier fields", () => {
    expect(seen.get("homeassistant/humidifier/hark/bedroom/config")).toMatchObject({
      unique_id: "hark_humidifier_bedroom",
      command_topic: "hark/home/humidifier.bedroom/set",
      payload_on: "ON",
      target_humidity_command_topic: "hark/home/humidifier.bedroom/set/target_humidity",
      target_humidity_state_template: "{{ value_json.humidity }}",
      mode_command_topic: "hark/home/humidifier.bedroom/set/mode",
      modes: ["normal", "eco", "boost", "sleep", "auto"],
      min_humidity: 0,
      max_humidity: 100,
      device: { name: "Bedroom Humidifier", suggested_area: "Bedroom" },
    });
    const dryer = seen.get("homeassistant/humidifier/hark/cellar/config")!;
    expect(dryer).toMatchObject({ device_class: "dehumidifier", min_humidity: 35, max_humidity: 70 });
    expect(dryer).not.toHaveProperty("mode_command_topic");
  });

  it("intents change the simulated device: on, target humidity, mode; what it cannot do is said", async () => {
    const { outcome } = await rt.act([
      intent("HassTurnOn", { name: "Bedroom Humidifier" }),
      intent("HassHumidifierSetpoint", { name: "Bedroom Humidifier", humidity: 45 }),
      intent("HassHumidifierMode", { name: "humidifier", mode: "sleep" }),
    ]);
    expect(outcome.ok).toBe(true);
    expect(rt.sims!.state("humidifier.bedroom")).toMatchObject({ state: "ON", humidity: 45, mode: "sleep" });
    expect(rt.bus.state("humidifier.bedroom")).toMatchObject({ humidity: 45, mode: "sleep" });
    expect(describeState(rt.bus.state("humidifier.bedroom"), rt.catalog.get("humidifier.bedroom"))).toBe("on at 45 percent humidity (sleep mode)");

    const { plan } = await rt.act([intent("HassHumidifierMode", { name: "Cellar Dryer", mode: "eco" })]);
    expect(plan.steps[0]).toMatchObject({ error: "unsupported", message: "Cellar Dryer: has no modes" });
    const { outcome: low } = await rt.act([intent("HassHumidifierSetpoint", { name: "Cellar Dryer", humidity: 20 })]);
    expect(low.steps[0]?.results[0]).toMatchObject({ ok: false });
    expect(rt.sims!.log.at(-1)).toMatchObject({ deviceId: "humidifier.cellar", ok: false, error: "humidity 20 is out of range 35..70" });
  });

  it("Home Assistant's payloads drive it too", async () => {
    await ha.publishAsync("hark/home/humidifier.bedroom/set/target_humidity", "55");
    await ha.publishAsync("hark/home/humidifier.bedroom/set/mode", "boost");
    await ha.publishAsync("hark/home/humidifier.bedroom/set", "OFF");
    await rt.sims!.waitFor("humidifier.bedroom", (s) => s.state === "OFF" && s.humidity === 55 && s.mode === "boost");
  });
});

describe("humidifier sentences (grammars/humidifier, an add-on to grammars/en)", () => {
  it("are understood for the humidifiers a device file names", async () => {
    const m = await loadMatcher({ grammar: [join(process.cwd(), "grammars", "en"), join(process.cwd(), "grammars", "humidifier")], devices: [file] });
    const first = (text: string) => m.understand(text).intents[0];
    expect(first("set the bedroom humidifier to 45 percent")).toMatchObject({ intent: "HassHumidifierSetpoint", slots: { name: "Bedroom Humidifier", humidity: 45 } });
    expect(first("put the humidifier in sleep mode")).toMatchObject({ intent: "HassHumidifierMode", slots: { name: "Bedroom Humidifier", mode: "sleep" } });
    expect(first("turn on the cellar dryer")).toMatchObject({ intent: "HassTurnOn", slots: { name: "Cellar Dryer" } });
  });
});
