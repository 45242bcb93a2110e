// The same bus suite against Debian mosquitto over MQTT 5 (skipped when mosquitto is absent).
import { describe } from "vitest";
import { mosquittoBroker, mosquittoPath } from "./helpers/mqttBrokers.js";
import { busSuite } from "./helpers/mqttSuite.js";

const bin = mosquittoPath();
if (!bin) console.warn("bus.mosquitto: skipped — the mosquitto binary is not installed (apt-get install mosquitto)");

describe.skipIf(!bin)(`MqttDeviceBus on mosquitto (MQTT 5)${bin ? "" : " — skipped: mosquitto not installed"}`, () => {
  busSuite(() => mosquittoBroker());
});
