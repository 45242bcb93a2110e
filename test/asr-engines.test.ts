// sherpa-onnx and whisper.cpp engines: everything up to the model weights, which cannot be obtained
// offline here. Real decoding runs only when a model is given (skipped otherwise, with the reason).
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createRecognizer, engineNames, RecognizerUnavailableError } from "../src/asr/index.js";
import { asrManifestEntries } from "../src/asr/manifest.js";
import { buildSherpaAsrConfig, grammarHotwords, resolveSherpaFiles, SherpaRecognizer } from "../src/asr/sherpa.js";
import { loadWhisperBinding, WHISPER_INSTALL_HINT } from "../src/asr/whisper.js";
import { loadSources } from "../src/nlu/index.js";

const SHERPA_DIR = process.env.HARK_TEST_SHERPA_ASR_DIR;
const SHERPA_KIND = (process.env.HARK_TEST_SHERPA_ASR_KIND ?? "zipformer") as "zipformer";
const WHISPER_MODEL = process.env.HARK_TEST_WHISPER_MODEL;

function fakeModel(names: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), "hark-sherpa-"));
  for (const n of names) writeFileSync(join(dir, n), "x");
  return dir;
}

describe("engine registry", () => {
  it("lists the grammar, sherpa and whisper engines", () => {
    expect(engineNames()).toEqual(expect.arrayContaining(["grammar", "sherpa", "sherpa:zipformer", "sherpa:whisper", "sherpa:moonshine", "sherpa:sense-voice", "whisper"]));
  });
});

describe("sherpa-onnx engines (up to the weights)", () => {
  it("finds release-style files, preferring int8, and lists what is missing", () => {
    const dir = fakeModel(["encoder-epoch-99-avg-1.onnx", "encoder-epoch-99-avg-1.int8.onnx", "decoder-epoch-99-avg-1.onnx", "tokens.txt", "bpe.vocab"]);
    const { files, missing } = resolveSherpaFiles({ kind: "zipformer", dir });
    expect(files.encoder).toMatch(/int8/);
    expect(files.decoder).toMatch(/decoder-epoch/);
    expect(files.bpeVocab).toMatch(/bpe\.vocab$/);
    expect(missing).toHaveLength(1);
    expect(missing[0]).toMatch(/^joiner/);
    const m = resolveSherpaFiles({ kind: "moonshine", dir: fakeModel(["preprocess.onnx", "encode.int8.onnx", "uncached_decode.int8.onnx", "cached_decode.int8.onnx", "tokens.txt"]) });
    expect(m.missing).toEqual([]);
    expect(resolveSherpaFiles({ kind: "whisper", dir: fakeModel(["tiny.en-encoder.onnx", "tiny.en-decoder.onnx", "tiny.en-tokens.txt"]) }).missing).toEqual([]);
    expect(resolveSherpaFiles({ kind: "sense-voice", dir: fakeModel(["model.int8.onnx", "tokens.txt"]) }).missing).toEqual([]);
  });

  it("refuses with one line naming the missing files, before touching the addon", () => {
    expect(() => SherpaRecognizer.create({ model: { kind: "whisper", dir: "/nonexistent/whisper" } })).toThrow(RecognizerUnavailableError);
    expect(() => SherpaRecognizer.create({ model: { kind: "whisper", dir: "/nonexistent/whisper" } })).toThrow(/sherpa whisper model files missing: encoder/);
  });

  it("turns the grammar's slot values into hotwords with modified beam search (transducers only)", async () => {
    const grammar = await loadSources({});
    const hot = grammarHotwords(grammar);
    expect(hot.length).toBeGreaterThan(10);
    expect(hot.every((h) => /^[a-z' ]+$/.test(h))).toBe(true);
    const files = { encoder: "e", decoder: "d", joiner: "j", tokens: "t", bpeVocab: "b" };
    const z = buildSherpaAsrConfig({ model: { kind: "zipformer" }, grammar }, files);
    expect(z.online).toBe(true);
    expect(z.config.decodingMethod).toBe("modified_beam_search");
    expect(z.hotwords?.split("\n").length).toBe(hot.length);
    const w = buildSherpaAsrConfig({ model: { kind: "whisper" }, grammar }, { encoder: "e", decoder: "d", tokens: "t" });
    expect(w.online).toBe(false);
    expect(w.hotwords).toBeUndefined();
    expect((w.config.modelConfig as { whisper: { language: string } }).whisper.language).toBe("en");
    const off = buildSherpaAsrConfig({ model: { kind: "transducer" }, grammar, hotwords: false }, files);
    expect(off.config.decodingMethod).toBe("greedy_search");
    const noVocab = buildSherpaAsrConfig({ model: { kind: "transducer" }, grammar }, { encoder: "e", decoder: "d", joiner: "j", tokens: "t" });
    expect(noVocab.hotwords).toBeUndefined();
    expect(noVocab.config.decodingMethod).toBe("greedy_search");
  });

  it("reads model folders from models/manifest.yaml asr entries (relative to the models folder)", () => {
    const dir = mkdtempSync(join(tmpdir(), "hark-models-"));
    writeFileSync(join(dir, "manifest.yaml"), "active: {}\nmodels: []\nasr:\n  sherpa-zipformer: {dir: asr/zip}\n  whisper-cpp: {model: /abs/ggml.bin, language: en}\n");
    const e = asrManifestEntries(dir);
    expect(e["sherpa-zipformer"]?.dir).toBe(join(dir, "asr/zip"));
    expect(e["whisper-cpp"]).toEqual({ model: "/abs/ggml.bin", language: "en" });
  });

  it("without a configured model, createRecognizer says what to install", async () => {
    const prev = process.env.HARK_MODELS_DIR;
    process.env.HARK_MODELS_DIR = mkdtempSync(join(tmpdir(), "hark-empty-models-"));
    try {
      await expect(createRecognizer("sherpa:moonshine", {})).rejects.toThrow(/no sherpa moonshine model configured/);
    } finally {
      if (prev === undefined) delete process.env.HARK_MODELS_DIR;
      else process.env.HARK_MODELS_DIR = prev;
    }
  });

  it.skipIf(!SHERPA_DIR)(`decodes speech with a real model (skipped: set HARK_TEST_SHERPA_ASR_DIR to a sherpa-onnx model folder; no model can be obtained offline)`, async () => {
    const { createSynthesizer } = await import("../src/tts/index.js");
    const synth = createSynthesizer();
    const { samples } = await synth.synthesize("turn on the kitchen light");
    synth.close();
    const asr = SherpaRecognizer.create({ model: { kind: SHERPA_KIND, dir: SHERPA_DIR! }, grammar: await loadSources({}) });
    const r = await asr.recognize(samples);
    expect(r.text).toMatch(/kitchen/);
    asr.close();
  });
});

describe("whisper.cpp engine (@fugood/whisper.node, not installed by default)", () => {
  it("without the package, fails with a one-line install hint", async () => {
    await expect(loadWhisperBinding("@fugood/whisper.node-not-installed")).rejects.toThrow(WHISPER_INSTALL_HINT);
    const prev = process.env.HARK_MODELS_DIR;
    process.env.HARK_MODELS_DIR = mkdtempSync(join(tmpdir(), "hark-empty-models-"));
    try {
      const err = await createRecognizer("whisper", {}).catch((e: Error) => e);
      expect(err).toBeInstanceOf(RecognizerUnavailableError);
      expect((err as Error).message).toMatch(/install @fugood\/whisper\.node and a ggml model/);
      expect((err as Error).message).not.toMatch(/\n/);
    } finally {
      if (prev === undefined) delete process.env.HARK_MODELS_DIR;
      else process.env.HARK_MODELS_DIR = prev;
    }
  });

  it("refuses a file that is not a ggml model before loading anything", async () => {
    const dir = fakeModel(["bad.bin"]);
    await expect(createRecognizer("whisper", { model: join(dir, "bad.bin") })).rejects.toThrow(/not a ggml whisper model/);
    await expect(createRecognizer("whisper", { model: join(dir, "missing.bin") })).rejects.toThrow(/whisper.cpp model not found/);
  });

  it.skipIf(!WHISPER_MODEL)("decodes speech with a real ggml model (skipped: set HARK_TEST_WHISPER_MODEL and install @fugood/whisper.node)", async () => {
    const asr = await createRecognizer("whisper", { model: WHISPER_MODEL });
    const r = await asr.recognize(new Float32Array(16000));
    expect(typeof r.text).toBe("string");
    asr.close();
  });
});
