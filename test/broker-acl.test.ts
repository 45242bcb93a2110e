// The locked-down broker (issue 18, item 4): the same accounts and ACLs (src/bus/acl.ts) on the embedded
// aedes and on mosquitto (`hark broker config --mosquitto`'s files): anonymous and wrong passwords refused,
// a satellite publishes only its own topics, a device only its state, hark commands devices end to end.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mqtt, { type MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { MqttDeviceBus, newCommandId, startBroker, type EmbeddedBroker } from "../src/bus/index.js";
import { aclRules, filterCovers, FLEET_TOPICS, maySubscribe, mayPublish, topicMatches } from "../src/bus/acl.js";
import { hashPassword, mosquittoHash, verifyPassword } from "../src/bus/credentials.js";
import { brokerServeSchema, configuredAccounts, embeddedServe, writeMosquittoConfig, type BrokerSection } from "../src/bus/serve.js";
import { startSimulators } from "../src/devices/index.js";
import { announceTopic, chunkTopic, statusTopic } from "../src/fleet/protocol.js";
import { captureLogger, freePort, mosquittoPath } from "./helpers/mqttBrokers.js";
import { testCatalog } from "./helpers/mqttSuite.js";

const catalog = testCatalog();
const mosquitto = mosquittoPath();

/** hark.yaml's broker section of these tests. */
const section = (): BrokerSection => ({
  serve: brokerServeSchema.parse({
    users: [
      { username: "hark", password: "hark-pw", role: "hark" },
      { username: "sim", password: "sim-pw", role: "device", devices: ["*"] },
      { username: "sat-a", password: "a-pw", role: "satellite", devices: ["light.kitchen_*"] },
      { username: "sat-b", password: "b-pw", role: "satellite" },
      { username: "kettle", password: "kettle-pw", role: "device", devices: ["switch.kettle"] },
      { username: "ops", password: "ops-pw", role: "admin" },
    ],
  }),
});

describe("ACL rules and password hashes", () => {
  test("topic filters: matching, covering, $-topics", () => {
    expect(topicMatches("hark/home/+/set", "hark/home/light.x/set")).toBe(true);
    expect(topicMatches("hark/home/+/set", "hark/home/light.x/set/brightness")).toBe(false);
    expect(topicMatches("hark/#", "hark")).toBe(true);
    expect(topicMatches("#", "$SYS/broker/uptime")).toBe(false);
    expect(filterCovers("hark/car/#", "hark/car/Vehicle/+/state")).toBe(true);
    expect(filterCovers("hark/home/+/state", "hark/home/#")).toBe(false);
    expect(filterCovers("hark/home/+/state", "hark/+/+/state")).toBe(false);
    expect(filterCovers("hark/satellite/a/#", "hark/satellite/a/status")).toBe(true);
  });

  test("roles: a satellite its own topics and its devices' commands, a device its state, hark every command", () => {
    const sat = aclRules({ username: "sat-a", role: "satellite", devices: ["light.kitchen_*"] }, catalog);
    expect(mayPublish(sat, "hark/satellite/sat-a/status")).toBe(true);
    expect(mayPublish(sat, "hark/satellite/sat-b/status")).toBe(false);
    expect(mayPublish(sat, "hark/home/light.kitchen_main/set")).toBe(true);
    expect(mayPublish(sat, "hark/home/lock.front/set")).toBe(false);
    expect(mayPublish(sat, "hark/home/light.kitchen_main/state")).toBe(false);
    expect(maySubscribe(sat, "hark/satellite/sat-b/#")).toBe(false);
    expect(maySubscribe(sat, "hark/home/+/state")).toBe(true);
    const dev = aclRules({ username: "kettle", role: "device", devices: ["switch.kettle"] }, catalog);
    expect(mayPublish(dev, "hark/home/switch.kettle/state")).toBe(true);
    expect(mayPublish(dev, "hark/home/switch.kettle/set")).toBe(false);
    expect(mayPublish(dev, "hark/home/lock.front/state")).toBe(false);
    expect(maySubscribe(dev, "hark/home/switch.kettle/set/+")).toBe(true);
    expect(maySubscribe(dev, "hark/home/+/set")).toBe(false);
    const car = aclRules({ username: "car", role: "device", devices: ["hvac.driver"] }, catalog);
    expect(mayPublish(car, "hark/car/Vehicle/Cabin/HVAC/Station/Row1/Driver/Temperature/state")).toBe(true);
    expect(mayPublish(car, "hark/car/Vehicle/Cabin/HVAC/Station/Row1/Driver/Temperature/set")).toBe(false);
    const hark = aclRules({ username: "hark", role: "hark" }, catalog);
    expect(mayPublish(hark, "hark/home/lock.front/set")).toBe(true);
    expect(mayPublish(hark, "hark/home/lock.front/state")).toBe(false);
    expect(() => aclRules({ username: "x", role: "device", devices: ["light.nowhere"] }, catalog)).toThrow(/no device matches 'light.nowhere'/);
  });

  test("fleet delivery's topics are the ones the ACL names", () => {
    const sat = aclRules({ username: "sat-a", role: "satellite" }, catalog);
    expect(topicMatches(FLEET_TOPICS.announce, announceTopic("kitchen"))).toBe(true);
    expect(topicMatches(FLEET_TOPICS.bundle, chunkTopic("1.2.0", 7))).toBe(true);
    expect(mayPublish(sat, statusTopic("sat-a"))).toBe(true);
    expect(mayPublish(sat, statusTopic("sat-b"))).toBe(false);
    expect(mayPublish(sat, announceTopic("all"))).toBe(false);
  });

  test("hashes: scrypt and mosquitto's $7$ verify, wrong passwords and junk do not", async () => {
    const s = await hashPassword("pw one");
    expect(s).toMatch(/^\$scrypt\$N=16384,r=8,p=1\$/);
    expect(await verifyPassword("pw one", s)).toBe(true);
    expect(await verifyPassword("pw two", s)).toBe(false);
    const m = await mosquittoHash("pw one");
    expect(await verifyPassword("pw one", m)).toBe(true);
    expect(await verifyPassword("pw two", m)).toBe(false);
    expect(await verifyPassword("pw one", "$7$junk")).toBe(false);
    if (spawnSync("sh", ["-c", "command -v mosquitto_passwd"]).status === 0) {
      const dir = mkdtempSync(join(tmpdir(), "hark-pw-"));
      writeFileSync(join(dir, "pw"), "");
      expect(spawnSync("mosquitto_passwd", ["-b", join(dir, "pw"), "alice", "pw one"]).status).toBe(0);
      const hash = readFileSync(join(dir, "pw"), "utf8").trim().split(":")[1]!;
      expect(await verifyPassword("pw one", hash)).toBe(true);
    }
  });
});

test("the embedded broker logs each refusal once per account, never a password", async () => {
  const { logger, lines } = captureLogger();
  const broker = await startBroker({ users: configuredAccounts(section().serve, catalog), logger });
  try {
    for (let i = 0; i < 5; i++) {
      await expect(mqtt.connectAsync(broker.url, { username: "sat-a", password: "hunter2-wrong", reconnectPeriod: 0 })).rejects.toThrow(/Bad username or password/);
      await expect(mqtt.connectAsync(broker.url, { reconnectPeriod: 0 })).rejects.toThrow(/Not authorized/);
    }
    const a = await mqtt.connectAsync(broker.url, { username: "sat-a", password: "a-pw", reconnectPeriod: 0 });
    for (let i = 0; i < 5; i++) await a.publishAsync("hark/satellite/sat-b/status", "x", { qos: 1 });
    await a.endAsync();
    const warned = lines().filter((l) => l.level === 40).map((l) => l.msg);
    expect(warned).toEqual(["mqtt connection refused: bad username or password", "mqtt connection refused: no username (anonymous clients are refused)", "mqtt publish denied (dropped)"]);
    const text = JSON.stringify(lines());
    expect(text).not.toMatch(/hunter2|a-pw/);
  } finally {
    await broker.stop();
  }
});

test("broker.username and password alone lock the embedded broker to that account (and hark's simulators)", () => {
  const serve = embeddedServe({ username: "hark", password: "pw" }, catalog)!;
  expect(serve.hark).toEqual({ username: "hark", password: "pw" });
  const names = serve.broker.users!.map((u) => `${u.username.replace(/-[0-9a-f]{8}$/, "")}:${u.role}`);
  expect(names).toEqual(["hark:hark", "hark-sim-0:device", "hark-sim-1:device"]);
  expect(serve.simulator!(catalog.files[1]!)!.username).toMatch(/^hark-sim-1-/);
  expect(embeddedServe({}, catalog)).toBeUndefined(); // no section: open on loopback as before
});

interface Locked {
  url: string;
  stop(): Promise<void>;
}

async function lockedAedes(): Promise<Locked> {
  const broker: EmbeddedBroker = await startBroker({ users: configuredAccounts(section().serve, catalog) });
  return { url: broker.url, stop: () => broker.stop() };
}

async function lockedMosquitto(): Promise<Locked> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "hark-mosq-acl-"));
  chmodSync(dir, 0o755); // mosquitto started as root reads passwd and acl as the mosquitto account
  await writeMosquittoConfig(section(), catalog, { dir, port });
  const proc: ChildProcess = spawn(mosquitto!, ["-c", join(dir, "mosquitto.conf")], { stdio: "ignore" });
  const until = Date.now() + 5000;
  for (;;) {
    const up = await new Promise<boolean>((resolve) => {
      const c = mqtt.connect(`mqtt://127.0.0.1:${port}`, { username: "ops", password: "ops-pw", reconnectPeriod: 0, connectTimeout: 500 });
      c.once("connect", () => resolve(true));
      c.once("error", () => resolve(false));
      c.once("close", () => resolve(false));
      setTimeout(() => resolve(false), 600);
    }).finally(() => undefined);
    if (up) break;
    if (Date.now() > until) throw new Error("mosquitto did not start");
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url: `mqtt://127.0.0.1:${port}`,
    async stop() {
      if (proc.exitCode === null) {
        const exited = new Promise((r) => proc.once("exit", r));
        proc.kill("SIGKILL");
        await exited;
      }
    },
  };
}

const brokers: Array<[string, () => Promise<Locked>, boolean]> = [
  ["aedes", lockedAedes, true],
  ["mosquitto", lockedMosquitto, !!mosquitto],
];

describe.each(brokers)("locked broker on %s", (_name, start, available) => {
  let broker: Locked;
  const clients: MqttClient[] = [];
  const connect = async (username?: string, password?: string) => {
    const c = await mqtt.connectAsync(broker.url, { ...(username ? { username } : {}), ...(password ? { password } : {}), reconnectPeriod: 0, connectTimeout: 3000 });
    clients.push(c);
    return c;
  };
  /** An admin watching `filters`: what arrived, and a way to wait for a marker. */
  const watch = async (filters: string[]) => {
    const c = await connect("ops", "ops-pw");
    const seen: string[] = [];
    c.on("message", (t) => seen.push(t));
    await c.subscribeAsync(filters, { qos: 1 });
    const waitFor = async (topic: string) => {
      const until = Date.now() + 5000;
      while (!seen.includes(topic)) {
        if (Date.now() > until) throw new Error(`${topic} never arrived (saw ${seen.join(", ")})`);
        await new Promise((r) => setTimeout(r, 5));
      }
    };
    return { seen, waitFor };
  };

  beforeAll(async () => {
    if (available) broker = await start();
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.endAsync(true).catch(() => undefined)));
    await broker?.stop();
  });

  test.skipIf(!available)("anonymous and wrong-password clients are refused at once, in one clear line", async () => {
    await expect(connect()).rejects.toThrow(/Not authorized|Bad username or password/i);
    await expect(connect("sat-a", "nope")).rejects.toThrow(/Not authorized|Bad username or password/i);
    await expect(connect("nobody", "a-pw")).rejects.toThrow(/Not authorized|Bad username or password/i);
    const bus = new MqttDeviceBus({ url: broker.url, devices: catalog, username: "hark", password: "wrong", waitForBroker: false });
    const t0 = Date.now();
    await expect(bus.start()).rejects.toThrow(/^cannot connect to MQTT broker mqtt:\/\/127\.0\.0\.1:\d+: Connection refused: (Not authorized|Bad username or password)$/);
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  test.skipIf(!available)("a satellite cannot publish (or read) another satellite's topics", async () => {
    const w = await watch(["hark/satellite/#"]);
    const a = await connect("sat-a", "a-pw");
    await a.publishAsync("hark/satellite/sat-b/status", "forged", { qos: 1 }).catch(() => undefined);
    await a.publishAsync("hark/satellite/sat-b/say", "forged", { qos: 0 });
    await a.publishAsync("hark/satellite/sat-a/status", "mine", { qos: 1 });
    await w.waitFor("hark/satellite/sat-a/status"); // in order from one client: anything let through came first
    expect(w.seen).toEqual(["hark/satellite/sat-a/status"]);
    // Nor read them: subscribing is refused (aedes) or granted and delivers nothing (mosquitto).
    const got: string[] = [];
    a.on("message", (t) => got.push(t));
    await a.subscribeAsync(["hark/satellite/sat-b/#", "hark/satellite/sat-a/#"], { qos: 1 }).catch(() => undefined);
    const b = await connect("sat-b", "b-pw");
    await b.publishAsync("hark/satellite/sat-b/status", "b's own", { qos: 1 });
    await a.publishAsync("hark/satellite/sat-a/marker", "", { qos: 1 });
    const until = Date.now() + 5000;
    while (!got.includes("hark/satellite/sat-a/marker") && Date.now() < until) await new Promise((r) => setTimeout(r, 5));
    expect(got).toEqual(["hark/satellite/sat-a/marker"]);
  });

  test.skipIf(!available)("a device publishes its own state only: no commands, no other device's state", async () => {
    const w = await watch(["hark/home/#"]);
    const kettle = await connect("kettle", "kettle-pw");
    await kettle.publishAsync("hark/home/lock.front/set", JSON.stringify({ action: "unlock" }), { qos: 1 }).catch(() => undefined);
    await kettle.publishAsync("hark/home/switch.kettle/set", JSON.stringify({ action: "turn_on" }), { qos: 1 }).catch(() => undefined);
    await kettle.publishAsync("hark/home/lock.front/state", JSON.stringify({ state: "unlocked" }), { qos: 1, retain: true }).catch(() => undefined);
    await kettle.publishAsync("hark/home/switch.kettle/state", JSON.stringify({ state: "off" }), { qos: 1 });
    await w.waitFor("hark/home/switch.kettle/state");
    expect(w.seen).toEqual(["hark/home/switch.kettle/state"]);
    // Nothing forged was retained either: a new subscriber finds no lock state.
    const late = await watch(["hark/home/lock.front/#"]);
    await new Promise((r) => setTimeout(r, 150));
    expect(late.seen).toEqual([]);
  });

  test.skipIf(!available)("hark commands a simulated device end to end over the locked broker", async () => {
    const sims = await startSimulators({ brokerUrl: broker.url, devices: catalog, username: "sim", password: "sim-pw", discovery: true });
    const bus = new MqttDeviceBus({ url: broker.url, devices: catalog, username: "hark", password: "hark-pw", waitForBroker: false });
    try {
      await bus.start();
      expect(await bus.send({ id: newCommandId(), deviceId: "switch.kettle", action: "turn_on", params: {} })).toMatchObject({ ok: true, state: { state: "ON" } });
      expect(await bus.send({ id: newCommandId(), deviceId: "hvac.driver", action: "set_temperature", params: { temperature: 23 } })).toMatchObject({ ok: true });
      // A satellite with the kitchen lights may command them, and nothing else.
      const sat = new MqttDeviceBus({ url: broker.url, devices: catalog, username: "sat-a", password: "a-pw", waitForBroker: false, timeoutMs: 600 });
      await sat.start();
      try {
        expect(await sat.send({ id: newCommandId(), deviceId: "light.kitchen_spot", action: "turn_on", params: {} })).toMatchObject({ ok: true });
        expect(await sat.send({ id: newCommandId(), deviceId: "lock.front", action: "unlock", params: {} })).toMatchObject({ ok: false, error: "timeout" });
        expect(sims.state("lock.front")).toMatchObject({ state: "LOCKED" });
      } finally {
        await sat.stop();
      }
    } finally {
      await bus.stop();
      await sims.stop();
    }
  });
});
