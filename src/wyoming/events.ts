// The Wyoming events hark reads and writes, with the field names of rhasspy/wyoming (info.py, asr.py,
// intent.py, handle.py, tts.py, wake.py, audio.py, error.py, ping.py).
import type { WyomingEvent } from "./framing.js";

/** A request hark cannot serve: answered with an `error` event {text, code}; the connection stays open. */
export class WyomingError extends Error {
  override name = "WyomingError";
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message.split("\n")[0]);
  }
}

export const event = (type: string, data: Record<string, unknown> = {}, payload?: Buffer): WyomingEvent => ({ type, data, ...(payload ? { payload } : {}) });

export const errorEvent = (code: string, text: string): WyomingEvent => event("error", { text, code });

// ---- info ------------------------------------------------------------------------------------

export interface Attribution {
  name: string;
  url: string;
}

/** info.py `Artifact`: every program, model and voice has these. */
export interface Artifact {
  name: string;
  attribution: Attribution;
  installed: boolean;
  description: string | null;
  version: string | null;
}

export interface LanguageModel extends Artifact {
  languages: string[];
}

export interface WakeModel extends LanguageModel {
  phrase: string | null;
}

export interface TtsVoice extends LanguageModel {
  speakers: Array<{ name: string }> | null;
}

export interface Info {
  asr: Array<Artifact & { models: LanguageModel[]; supports_transcript_streaming: boolean }>;
  tts: Array<Artifact & { voices: TtsVoice[]; supports_synthesize_streaming: boolean }>;
  handle: Array<Artifact & { models: LanguageModel[]; supports_handled_streaming: boolean }>;
  intent: Array<Artifact & { models: LanguageModel[] }>;
  wake: Array<Artifact & { models: WakeModel[] }>;
}

// ---- results -----------------------------------------------------------------------------------

export interface Entity {
  name: string;
  value: unknown;
}

export type Recognized = { kind: "intent"; name: string; entities: Entity[]; text: string } | { kind: "not-recognized"; text: string };

export interface HandleResult {
  handled: boolean;
  text: string;
}

/** Text from a request's data: a non-empty string of at most `max` characters, else a `bad-event` error. */
export function textField(data: Record<string, unknown>, type: string, max = 10_000): string {
  const t = data.text;
  if (typeof t !== "string") throw new WyomingError("bad-event", `${type}: data.text must be a string`);
  if (t.length > max) throw new WyomingError("too-large", `${type}: text longer than ${max} characters`);
  return t;
}
