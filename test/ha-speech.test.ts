// Issue 13 through a running hark, from the words on: the speaker's room (area context), elliptical
// follow-ups and several commands in one sentence. The real grammar and matcher understand them, the
// demo home's simulated devices carry them out, and an independent MQTT client on the embedded broker
// sees each command arrive.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import mqtt, { type MqttClient } from "mqtt";
import { HarkRuntime } from "../src/run/runtime.js";
import { matcherRuntime } from "./helpers/runtime.js";

interface Sent {
  device: string;
  action: string;
  payload: Record<string, unknown>;
}

describe("hark run: the speaker's room, follow-ups, several commands", () => {
  let rt: HarkRuntime;
  let client: MqttClient;
  const sent: Sent[] = [];

  beforeAll(async () => {
    rt = await matcherRuntime();
    client = await mqtt.connectAsync(rt.brokerUrl);
    await client.subscribeAsync("hark/home/+/set");
    client.on("message", (topic, buf) => {
      const payload = JSON.parse(buf.toString()) as Record<string, unknown>;
      sent.push({ device: topic.split("/")[2]!, action: String(payload.action), payload });
    });
  }, 60_000);
  afterAll(async () => {
    await client?.endAsync(true);
    await rt?.stop();
  });

  /** Say `text` to the satellite `session`; returns what reached the broker for it. */
  const say = async (session: string, text: string): Promise<{ speech: string; onWire: Sent[] }> => {
    const from = sent.length;
    const answers = await rt.handle({ session, text });
    const ids = answers.flatMap((a) => a.commands ?? []).map((c) => c.device);
    const until = Date.now() + 5000;
    while (sent.length - from < ids.length && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    return { speech: answers.map((a) => a.speech).join(" "), onWire: sent.slice(from) };
  };
  const devices = (s: Sent[]) => s.map((x) => `${x.device}:${x.action}`).sort();

  it("a request that names no room acts in the satellite's room, 'in here' too; a named room wins", async () => {
    await rt.resetSessions();
    expect(devices((await say("kitchen", "turn on the lights")).onWire)).toEqual(["light.kitchen_pendants:turn_on", "light.kitchen_under_cabinet:turn_on"]);
    expect(devices((await say("kitchen", "lights off in here")).onWire)).toEqual(["light.kitchen_pendants:turn_off", "light.kitchen_under_cabinet:turn_off"]);
    const named = await say("kitchen", "turn on the living room lights");
    expect(named.onWire.length).toBeGreaterThan(0);
    expect(named.onWire.every((s) => s.device.startsWith("light.living_room"))).toBe(true);
    // the same words said to the living room's satellite act there
    const there = await say("living-room", "lights off in this room");
    expect(devices(there.onWire)).toEqual(devices(named.onWire).map((d) => d.replace(":turn_on", ":turn_off")));
  });

  it("elliptical follow-ups repeat the previous request with what changed", async () => {
    await rt.resetSessions();
    await say("kitchen", "turn off the kitchen lights");
    const also = await say("kitchen", "and the living room too");
    expect(also.onWire.length).toBeGreaterThan(0);
    expect(also.onWire.every((s) => s.device.startsWith("light.living_room") && s.action === "turn_off")).toBe(true);
    // "now the blinds": the same action on another kind of device in the same room
    await say("kitchen", "turn off the kitchen lights");
    const blinds = await say("kitchen", "now the blinds");
    expect(devices(blinds.onWire)).toEqual(["cover.kitchen_roller_blind:close"]);
    // "a bit more" repeats a relative change
    const up = await say("living-room", "turn up the volume");
    expect(up.onWire).toHaveLength(1);
    const more = await say("living-room", "a bit more");
    expect(devices(more.onWire)).toEqual(devices(up.onWire));
    // a follow-up with nothing before it is not one
    await rt.resetSessions();
    const alone = await say("kitchen", "and the living room too");
    expect(alone.onWire).toEqual([]);
  });

  it("several commands in one sentence, without device names: each carried out", async () => {
    await rt.resetSessions();
    await say("kitchen", "turn on the lights");
    const r = await say("kitchen", "turn off the lights and lock the door");
    expect(devices(r.onWire)).toEqual(["light.kitchen_pendants:turn_off", "light.kitchen_under_cabinet:turn_off", "lock.back_door:lock"]);
    expect(rt.devices.bus.state("lock.back_door")?.state).toBe("LOCKED");
  });
});
