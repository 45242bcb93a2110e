// ASR/VAD/TTS model entries in models/manifest.yaml (top-level `asr:` key; the SLM entries beside it
// belong to src/models). Example:
//   asr:
//     sherpa-zipformer: {dir: asr/sherpa-onnx-streaming-zipformer-en-2023-06-26}
//     sherpa-whisper: {dir: asr/sherpa-onnx-whisper-tiny.en, language: en}
//     whisper-cpp: {model: asr/ggml-base.en.bin}
// Relative paths are relative to the models folder.
import { existsSync, readFileSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import { parse } from "yaml";
import { modelsDir } from "../models/manifest.js";

export interface AsrManifestEntry {
  dir?: string;
  files?: Record<string, string>;
  /** A single model file (whisper.cpp ggml). */
  model?: string;
  language?: string;
}

export function asrManifestEntries(dir = modelsDir()): Record<string, AsrManifestEntry> {
  const file = join(dir, "manifest.yaml");
  if (!existsSync(file)) return {};
  let doc: unknown;
  try {
    doc = parse(readFileSync(file, "utf8"));
  } catch {
    return {};
  }
  const asr = (doc as { asr?: unknown } | null)?.asr;
  if (!asr || typeof asr !== "object") return {};
  const abs = (p: string): string => (isAbsolute(p) ? p : join(dir, p));
  const out: Record<string, AsrManifestEntry> = {};
  for (const [name, raw] of Object.entries(asr as Record<string, unknown>)) {
    if (!raw || typeof raw !== "object") continue;
    const e = raw as Record<string, unknown>;
    out[name] = {
      ...(typeof e.dir === "string" ? { dir: abs(e.dir) } : {}),
      ...(typeof e.model === "string" ? { model: abs(e.model) } : {}),
      ...(typeof e.language === "string" ? { language: e.language } : {}),
      ...(e.files && typeof e.files === "object"
        ? { files: Object.fromEntries(Object.entries(e.files as Record<string, unknown>).filter(([, v]) => typeof v === "string").map(([k, v]) => [k, abs(v as string)])) }
        : {}),
    };
  }
  return out;
}

export function asrManifestEntry(name: string, dir?: string): AsrManifestEntry | undefined {
  return asrManifestEntries(dir)[name];
}
