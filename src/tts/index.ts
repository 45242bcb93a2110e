// Voice selection: one string names an engine and its voice, as `hark say --voice` takes it; the engines
// sit in a name → factory registry (src/platform/registry.ts).
//   flite[:slt|rms|awb|kal16|kal]   default voice (WASM, installs with npm)
//   espeak[:VOICE]                   espeak-ng via the optional npm package text2wav
//   piper:MODEL.onnx | kokoro:DIR | matcha:MODEL.onnx   sherpa-onnx OfflineTts with user-supplied files
//   …#N selects speaker N of a multi-speaker model (piper/kokoro/matcha)
import { EspeakSynthesizer } from "./espeak.js";
import { FLITE_VOICES, FliteSynthesizer, type FliteVoice } from "./flite.js";
import { SherpaSynthesizer, type SherpaVoiceKind } from "./sherpa.js";
import { SynthesisError, type Synthesizer } from "./types.js";
import { Registry } from "../platform/registry.js";

export * from "./types.js";
export { FliteSynthesizer, FLITE_VOICES } from "./flite.js";
export { EspeakSynthesizer } from "./espeak.js";
export { SherpaSynthesizer, buildSherpaTtsConfig } from "./sherpa.js";

export const DEFAULT_VOICE = "flite:slt";

export interface CreateOptions {
  /** Speaking rate, 1 = normal. */
  rate?: number;
}

/** What a voice engine's factory gets besides the voice name (the text after "engine:"). */
export interface VoiceConfig extends CreateOptions {
  /** Speaker of a multi-speaker model ("…#N"). */
  speaker?: number;
}

export type VoiceFactory = (config: VoiceConfig, name: string | undefined) => Synthesizer;

/**
 * The voice engines by name (src/platform/registry.ts). An engine whose variant is "required" reads a
 * model file (piper, kokoro, matcha): its spec must name one, and may pick a speaker with "#N".
 */
const engines = new Registry<VoiceConfig, Synthesizer>("voice engine", (m) => new SynthesisError(m))
  .register(
    "flite",
    (c, name) => {
      const voice = (name ?? "slt") as FliteVoice;
      if (!FLITE_VOICES.includes(voice)) throw new SynthesisError(`unknown flite voice "${name}" (have: ${FLITE_VOICES.join(", ")})`);
      return new FliteSynthesizer({ voice, ...(c.rate !== undefined ? { rate: c.rate } : {}) });
    },
    { variant: "optional", description: `flite (WASM, installs with npm): ${FLITE_VOICES.join(", ")}` },
  )
  .register("espeak", (c, name) => new EspeakSynthesizer({ ...(name ? { voice: name } : {}), ...(c.rate !== undefined ? { rate: c.rate } : {}) }), {
    variant: "optional",
    description: "espeak-ng through the optional npm package text2wav",
  });
for (const kind of ["piper", "kokoro", "matcha"] as const satisfies readonly SherpaVoiceKind[])
  engines.register(
    kind,
    (c, model) =>
      new SherpaSynthesizer({
        kind,
        model: model!,
        ...(c.speaker !== undefined ? { speaker: c.speaker } : {}),
        ...(c.rate !== undefined ? { rate: c.rate } : {}),
      }),
    { variant: "required", description: `sherpa-onnx OfflineTts: ${kind}:MODEL with user-supplied files` },
  );

/** Add (or replace) a voice engine: `name[:voice]` specs reach it (required: a voice/model must be named). */
export function registerVoiceEngine(name: string, factory: VoiceFactory, options: { needsVoice?: boolean; description?: string } = {}): void {
  engines.register(name, factory, { variant: options.needsVoice ? "required" : "optional", ...(options.description ? { description: options.description } : {}) });
}

/** The voice engines, in registration order. */
export function voiceEngines(): string[] {
  return engines.names();
}

export interface VoiceSpec {
  engine: string;
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
  const entry = engines.get(engine);
  if (!entry) throw new SynthesisError(`unknown voice "${spec}" (engines: ${voiceEngines().join(", ")})`);
  // Speakers belong to model files; a built-in voice has one.
  if (entry.variant !== "required") return { engine, ...(name ? { name } : {}) };
  if (!name) throw new SynthesisError(`voice "${spec}" needs a model path, e.g. ${engine}:/path/to/model.onnx`);
  return { engine, name, ...(speaker !== undefined ? { speaker } : {}) };
}

/** Build the synthesizer a voice spec names (default: flite slt). */
export function createSynthesizer(spec: string = DEFAULT_VOICE, opts: CreateOptions = {}): Synthesizer {
  const v = parseVoice(spec);
  return engines.get(v.engine)!.factory({ ...opts, ...(v.speaker !== undefined ? { speaker: v.speaker } : {}) }, v.name);
}
