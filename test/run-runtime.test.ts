// hark run pieces: config validation with file:line:col errors, input lines, and the e2e latency bench.
import { describe, expect, it } from "vitest";
import { parseConfig } from "../src/run/config.js";
import { parseInputLine } from "../src/run/runtime.js";
import { benchE2e } from "../src/bench/latency.js";
import { chooseResponse } from "../src/run/speech.js";
import { DEFAULT_POLICIES } from "../src/dialog/policy.js";

describe("hark.yaml", () => {
  it("defaults: embedded broker, six sessions, built-in policies", () => {
    const c = parseConfig("");
    expect(c.broker.url).toBeUndefined();
    expect(c.sessions.map((s) => s.id)).toEqual(["living-room", "kitchen", "driver", "passenger", "rear-left", "rear-right"]);
    expect(c.policies).toEqual(DEFAULT_POLICIES);
    expect(c.output).toBe("json");
  });

  it("reads sessions, timeouts and extra policies", () => {
    const c = parseConfig(
      [
        "profile: car",
        "sessions:",
        "  - { id: d, profile: car, seat: driver }",
        "timeouts: { act: 3000, follow_up: 2000 }",
        "policies:",
        "  defaults: false",
        "  rules:",
        "    - { id: no-rear-windows, when: { intent: CabinWindow, window: rear_left }, then: refuse }",
      ].join("\n"),
    );
    expect(c.profile).toBe("car");
    expect(c.timeouts.act).toBe(3000);
    expect(c.timeouts.followUp).toBe(2000);
    expect(c.deviceTimeoutMs).toBe(2500);
    expect(c.policies.map((p) => p.id)).toEqual(["no-rear-windows"]);
  });

  it.each([
    ["timeouts:\n  act: -5\n", /^hark\.yaml:2:8: .*\(at timeouts\.act\)$/],
    ["profile: boat\n", /^hark\.yaml:1:10: .*\(at profile\)$/],
    ["sessions:\n  - { id: x, profile: home, colour: red }\n", /^hark\.yaml:2:\d+: unknown key 'colour' \(at sessions\.0\)$/],
    ["broker: { url: 'http://x' }\n", /^hark\.yaml:1:\d+: must be an mqtt/],
    ["policies:\n  rules:\n    - { id: x, when: {}, then: explode }\n", /^hark\.yaml:3:\d+: .*policies\.rules\.0\.then/],
    ["profile: [unclosed\n", /^hark\.yaml:\d+:\d+: /],
  ])("reports %j as file:line:col", (text, re) => {
    expect(() => parseConfig(text)).toThrow(re);
  });
});

describe("input lines", () => {
  it("plain text, JSON, comments", () => {
    expect(parseInputLine("turn on the lights")).toEqual({ text: "turn on the lights" });
    expect(parseInputLine('{"session":"passenger","text":"I\'m cold"}')).toEqual({ session: "passenger", text: "I'm cold" });
    expect(parseInputLine("   ")).toBeUndefined();
    expect(parseInputLine("# a comment")).toBeUndefined();
    expect(parseInputLine("{not json")).toEqual({ text: "{not json" });
  });
});

describe("responses", () => {
  it("picks the most specific template whose slots are known", () => {
    const r = { default: "Turned on {name}", area_lights: "Turned on the lights in the {area}", lights: "Turned on the lights" };
    expect(chooseResponse(r, { area: "Kitchen", domain: "light" })).toBe("Turned on the lights in the {area}");
    expect(chooseResponse(r, { name: "Coffee Maker" })).toBe("Turned on {name}");
    expect(chooseResponse(r, { domain: "light" })).toBe("Turned on the lights");
    const w = { open_side: "Opening {window} window", close_side: "Closing {window} window" };
    expect(chooseResponse(w, { action: "close", window: "driver" })).toBe("Closing {window} window");
  });
});

describe("benchE2e", () => {
  it("measures end-of-input → MQTT publish latency", async () => {
    const r = await benchE2e({ rounds: 3 });
    console.log(`bench e2e (text): p50 ${r.p50} ms, p95 ${r.p95} ms, n ${r.n}, lost ${r.lost}`);
    expect(r.n).toBe(18);
    expect(r.lost).toBe(0);
    expect(r.p50).toBeGreaterThan(0);
    expect(r.p95).toBeGreaterThanOrEqual(r.p50);
  });
});
