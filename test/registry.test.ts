// The name → factory registry (src/platform/registry.ts) and every stage that uses it: ASR engines,
// voices, understanders and device buses resolve by name, and an unknown name is a one-line error
// that lists the names there are.
import { describe, expect, it } from "vitest";
import { Registry } from "../src/platform/registry.js";
import { createRecognizer, engineNames, RecognizerUnavailableError } from "../src/asr/index.js";
import { createSynthesizer, parseVoice, SynthesisError, voiceEngines } from "../src/tts/index.js";
import { createUnderstander, Matcher, understanderNames } from "../src/nlu/index.js";
import { createDeviceBus, deviceBusNames, MqttDeviceBus } from "../src/bus/index.js";
import { startDeviceRuntime } from "../src/act/index.js";
import { UsageError } from "../src/platform/errors.js";
import { testCatalog } from "./helpers/mqttSuite.js";

describe("Registry", () => {
  const make = () =>
    new Registry<{ n: number }, string>("widget")
      .register("plain", (c) => `plain ${c.n}`)
      .register("tuned", (c, v) => `tuned ${v ?? "-"} ${c.n}`, { variant: "optional" })
      .register("model", (c, v) => `model ${v} ${c.n}`, { variant: "required" })
      .register("sub:exact", () => "exact");

  it("creates by name, passing the configuration and the variant after the colon", () => {
    const r = make();
    expect(r.create("plain", { n: 1 })).toBe("plain 1");
    expect(r.create("tuned", { n: 2 })).toBe("tuned - 2");
    expect(r.create("tuned:fast", { n: 3 })).toBe("tuned fast 3");
    expect(r.create("model:/m/x.onnx", { n: 4 })).toBe("model /m/x.onnx 4");
    expect(r.create("sub:exact", { n: 5 })).toBe("exact"); // a whole registered name wins over name:variant
    expect(r.create("tuned:a:b", { n: 6 })).toBe("tuned a:b 6"); // the variant is everything after the first colon
  });

  it("an unknown name is one line naming every known one, in registration order", () => {
    const r = make();
    expect(() => r.create("nope", { n: 0 })).toThrow('unknown widget "nope" (known: plain, tuned, model, sub:exact)');
    expect(() => r.create("plain:x", { n: 0 })).toThrow(/unknown widget "plain:x"/); // plain takes no variant
    expect(() => r.create("sub:other", { n: 0 })).toThrow(/unknown widget "sub:other"/);
    expect(() => r.create("model", { n: 0 })).toThrow('widget "model" needs a variant: model:…');
    const err = (() => {
      try {
        r.create("nope", { n: 0 });
      } catch (e) {
        return e as Error;
      }
    })();
    expect(err?.message).not.toContain("\n");
    expect(new Registry<void, void>("thing").unknown("x").message).toBe('unknown thing "x" (known: none)');
  });

  it("uses the stage's error class; register replaces; names, has, get", () => {
    const r = new Registry<void, number>("gadget", (m) => new UsageError(m)).register("a", () => 1);
    expect(() => r.create("b", undefined)).toThrow(UsageError);
    r.register("a", () => 2).register("b", () => 3);
    expect(r.create("a", undefined)).toBe(2);
    expect(r.names()).toEqual(["a", "b"]);
    expect(r.has("a") && r.has("b") && !r.has("c")).toBe(true);
    expect(r.get("a")?.variant).toBe("none");
    expect(() => r.register("two words", () => 0)).toThrow(/one word/);
  });
});

describe("every stage resolves its engines by name", () => {
  it("ASR: the known engines, and an unknown one lists them", async () => {
    expect(engineNames()).toEqual(expect.arrayContaining(["grammar", "sherpa", "sherpa:zipformer", "whisper"]));
    const err = (await createRecognizer("psychic", {}).catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(RecognizerUnavailableError);
    expect(err.message).toBe(`unknown ASR engine "psychic" (known: ${["grammar", "sherpa", "sherpa:zipformer", "sherpa:transducer", "sherpa:whisper", "sherpa:moonshine", "sherpa:sense-voice", "sherpa:paraformer", "whisper"].join(", ")})`);
    // The grammar engine resolves (and says what it needs rather than "unknown").
    await expect(createRecognizer("grammar", {})).rejects.toThrow(/needs a grammar/);
  });

  it("TTS: flite, espeak and the sherpa-onnx voices; an unknown engine lists them", () => {
    expect(voiceEngines()).toEqual(["flite", "espeak", "piper", "kokoro", "matcha"]);
    const s = createSynthesizer("flite:kal16");
    expect(s.voice).toBe("flite:kal16");
    s.close?.();
    expect(() => createSynthesizer("festival:kal")).toThrow(SynthesisError);
    expect(() => createSynthesizer("festival:kal")).toThrow('unknown voice "festival:kal" (engines: flite, espeak, piper, kokoro, matcha)');
    expect(() => createSynthesizer("flite:bob")).toThrow(/unknown flite voice "bob"/);
    expect(parseVoice("Matcha:/m/model.onnx#2")).toEqual({ engine: "matcha", name: "/m/model.onnx", speaker: 2 });
    expect(() => createSynthesizer("piper")).toThrow(/needs a model path/);
  });

  it("understanders: matcher, slm, cascade; an unknown one lists them", async () => {
    expect(understanderNames()).toEqual(["matcher", "slm", "cascade"]);
    const m = await createUnderstander("matcher");
    expect(m).toBeInstanceOf(Matcher);
    expect((await m.understand("turn on the kitchen lights")).intents[0]?.intent).toBe("HassTurnOn");
    // The cascade without the SLM is the matcher alone.
    expect(await createUnderstander("cascade", { slm: false })).toBeInstanceOf(Matcher);
    const err = (await createUnderstander("psychic").catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(UsageError);
    expect(err.message).toBe('unknown understander "psychic" (known: matcher, slm, cascade)');
  }, 60_000);

  it("device bus: mqtt; an unknown one lists it, and the device runtime stops what it started", async () => {
    expect(deviceBusNames()).toEqual(["mqtt"]);
    const bus = createDeviceBus("mqtt", { url: "mqtt://127.0.0.1:1", devices: testCatalog() });
    expect(bus).toBeInstanceOf(MqttDeviceBus);
    expect(() => createDeviceBus("zigbee", { url: "mqtt://127.0.0.1:1", devices: [] })).toThrow('unknown device bus "zigbee" (known: mqtt)');
    await expect(startDeviceRuntime({ devices: testCatalog(), bus: "zigbee" })).rejects.toThrow(/unknown device bus "zigbee"/);
  });
});
