// Plain data shared by the dialog machine (machines/dialog.ts), the resolver and the runtime.
import type { IntentResult, Understanding } from "../nlu/types.js";

export type ProfileKind = "home" | "car";

/** One satellite / seat: what the dialog knows about where it is talking. */
export interface SessionInfo {
  id: string;
  profile: ProfileKind;
  /** Home speaker: the room it stands in; fills a missing `area`. */
  area?: string;
  /** Car cabin: the seat it serves (driver, passenger, rear_left, rear_right); fills a missing zone/seat/window. */
  seat?: string;
}

/** Every wait in the dialog has a limit (milliseconds). */
export interface DialogTimeouts {
  /** After a wake phrase / push-to-talk: how long to wait for speech. */
  listen: number;
  /** Understanding (matcher / SLM). */
  understand: number;
  /** Waiting for the answer to a clarification question. */
  clarify: number;
  /** Waiting for yes/no. */
  confirm: number;
  /** Sending commands and waiting for device confirmation. */
  act: number;
  /** Playing the spoken answer. */
  speak: number;
  /** Follow-up window: a new request without the wake phrase. */
  followUp: number;
}

export const DEFAULT_TIMEOUTS: DialogTimeouts = {
  listen: 8000,
  understand: 5000,
  clarify: 10000,
  confirm: 10000,
  act: 8000,
  speak: 15000,
  followUp: 6000,
};

/** A request waiting for one missing slot ("Which room?"). */
export interface Pending {
  /** The intents understood so far; each lacks `slot`. */
  intents: IntentResult[];
  slot: string;
  prompt: string;
  /** How many times the question has been asked. */
  attempts: number;
}

/** What the understand actor decides about one utterance. */
export type Resolution =
  | { kind: "act"; intents: IntentResult[]; notes?: string[]; understanding?: Understanding }
  | { kind: "clarify"; pending: Pending; understanding?: Understanding }
  | { kind: "confirm"; intents: IntentResult[]; prompt: string; notes?: string[]; understanding?: Understanding }
  | { kind: "answer"; speech: string; intents?: IntentResult[]; understanding?: Understanding; error?: string }
  | { kind: "cancel"; understanding?: Understanding };

export interface UnderstandInput {
  text: string;
  session: SessionInfo;
  pending?: Pending;
  /** Intents of the previous exchange, while the follow-up window is open. */
  previous?: IntentResult[];
}

export interface ActInput {
  intents: IntentResult[];
  session: SessionInfo;
  /** Remarks to add to the answer (a policy limited or refused part of the request). */
  notes: string[];
}

export interface ActOutput {
  speech: string;
  ok: boolean;
  /** Anything the runtime wants to report (device commands and results). */
  details?: unknown;
}

export interface SpeakInput {
  text: string;
  session: SessionInfo;
}

/** Emitted by the machine whenever it says something (prompt, answer, error). */
export interface SayEvent {
  type: "say";
  text: string;
  /** answer: after acting; prompt: a question (clarify/confirm); error; cancel. */
  kind: "answer" | "prompt" | "error" | "cancel";
  intents: IntentResult[];
  utterance?: string;
  /** Technical reason when kind is "error". */
  error?: string;
}
