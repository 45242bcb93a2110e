// Voice selection: one string names an engine and its voice, as `hark say --voice` takes it.
//   flite[:slt|rms|awb|kal16|kal]   default voice (WASM, installs with npm)
//   espeak[:VOICE]                   espeak-ng via the optional npm package text2wav
//   piper:MODEL.onnx | kokoro:DIR | matcha:MODEL.onnx   sherpa-onnx OfflineTts with user-supplied files
//   …#N selects speaker N of a multi-speaker model (piper/kokoro/matcha)
import { EspeakSynthesizer } from "./espeak.js";
import { FLITE_VOICES, FliteSynthesizer, type FliteVoice } from "./flite.js";
import { SherpaSynthesizer, type SherpaVoiceKind } from "./sherpa.js";
import { SynthesisError, type Synthesizer } from "./types.js";

export * from "./types.js";
export { FliteSynthesizer, FLITE_VOICES } from "./flite.js";
export { EspeakSynthesizer } from "./espeak.js";
export { SherpaSynthesizer, buildSherpaTtsConfig } from "./sherpa.js";

export const DEFAULT_VOICE = "flite:slt";

export interface VoiceSpec {
  engine: "flite" | "espeak" | SherpaVoiceKind;
  name?: string;
  speaker?: number;
}

export function parseVoice(spec: string): VoiceSpec {
  const trimmed = spec.trim();
  const colon = trimmed.indexOf(":");
  const engine = (colon < 0 ? trimmed : trimmed.slice(0, colon)).toLowerCase();
  let name = colon < 0 ? undefined : trimmed.slice(colon + 1);
  let speaker: number | undefined;
  const hash = name?.lastIndexOf("#") ?? -1;
  if (name !== undefined && hash >= 0) {
    const n = Number(name.slice(hash + 1));
    if (!Number.isInteger(n) || n < 0) throw new SynthesisError(`bad speaker number in voice "${spec}"`);
    speaker = n;
    name = name.slice(0, hash);
  }
  if (name === "") name = undefined;
  switch (engine) {
    case "flite":
    case "espeak":
      return { engine, ...(name ? { name } : {}) };
    case "piper":
    case "kokoro":
    case "matcha":
      if (!name) throw new SynthesisError(`voice "${spec}" needs a model path, e.g. ${engine}:/path/to/model.onnx`);
      return { engine, name, ...(speaker !== undefined ? { speaker } : {}) };
    default:
      throw new SynthesisError(`unknown voice "${spec}" (engines: flite, espeak, piper, kokoro, matcha)`);
  }
}

export interface CreateOptions {
  /** Speaking rate, 1 = normal. */
  rate?: number;
}

/** Build the synthesizer a voice spec names (default: flite slt). */
export function createSynthesizer(spec: string = DEFAULT_VOICE, opts: CreateOptions = {}): Synthesizer {
  const v = parseVoice(spec);
  const rate = opts.rate;
  switch (v.engine) {
    case "flite": {
      const voice = (v.name ?? "slt") as FliteVoice;
      if (!FLITE_VOICES.includes(voice)) throw new SynthesisError(`unknown flite voice "${v.name}" (have: ${FLITE_VOICES.join(", ")})`);
      return new FliteSynthesizer({ voice, ...(rate !== undefined ? { rate } : {}) });
    }
    case "espeak":
      return new EspeakSynthesizer({ ...(v.name ? { voice: v.name } : {}), ...(rate !== undefined ? { rate } : {}) });
    default:
      return new SherpaSynthesizer({
        kind: v.engine,
        model: v.name!,
        ...(v.speaker !== undefined ? { speaker: v.speaker } : {}),
        ...(rate !== undefined ? { rate } : {}),
      });
  }
}
