// Command → confirmed state round trip on loopback (aedes + simulators). Without TCP_NODELAY on
// both ends every command took ≈88 ms (Nagle + delayed ACK); with it ≈1 ms.
import { expect, test } from "vitest";
import { MqttDeviceBus, newCommandId, startBroker } from "../src/bus/index.js";
import { startSimulators } from "../src/devices/index.js";
import { testCatalog } from "./helpers/mqttSuite.js";

test("command round trip p50 stays in single-digit milliseconds", async () => {
  const catalog = testCatalog();
  const b = await startBroker();
  const s = await startSimulators({ brokerUrl: b.url, devices: catalog });
  const bus = new MqttDeviceBus({ url: b.url, devices: catalog });
  await bus.start();
  try {
    const ms: number[] = [];
    for (let i = 0; i < 40; i++) {
      const t0 = performance.now();
      const r = await bus.send(
        i % 2
          ? { id: newCommandId(), deviceId: "switch.kettle", action: "toggle", params: {} }
          : { id: newCommandId(), deviceId: "hvac.driver", action: "set_temperature", params: { temperature: 20 + (i % 5) } },
      );
      expect(r.ok).toBe(true);
      ms.push(performance.now() - t0);
    }
    ms.sort((x, y) => x - y);
    const p50 = ms[20]!;
    const p95 = ms[38]!;
    console.log(`bus round trip over aedes: p50 ${p50.toFixed(2)} ms, p95 ${p95.toFixed(2)} ms`);
    expect(p50).toBeLessThan(20);
  } finally {
    await bus.stop();
    await s.stop();
    await b.stop();
  }
});
