// Plain data shared by the dialog machine (machines/dialog.ts), the resolver and the runtime.
import type { SlotValue } from "../grammar/types.js";
import type { IntentResult, Understanding } from "../nlu/types.js";
import type { AsrEvidence, TrustReason } from "../trust/judge.js";

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
  /** The values the answer chooses among ("Which window: the rear left or the rear right?"), and the one value for all of them ("both"). */
  among?: { values: SlotValue[]; all?: SlotValue };
}

/** Why hark did not simply act (the trust policy's decision, src/trust/judge.ts), for logs and answers. */
export interface TrustNote {
  decision: "act" | "report" | "schedule" | "ask" | "refuse";
  reason?: TrustReason;
  detail?: string;
  /** Understood but not acted on now (refused, or scheduled for later). */
  withheld?: IntentResult[];
}

/** What the understand actor decides about one utterance. */
export type Resolution =
  /** `report`: a question asked as a command; read the devices' state, change nothing. */
  | { kind: "act"; intents: IntentResult[]; notes?: string[]; understanding?: Understanding; report?: boolean; trust?: TrustNote }
  | { kind: "clarify"; pending: Pending; understanding?: Understanding; trust?: TrustNote }
  /** `again`: the answer to the same question was unclear (counts as a second attempt). */
  | { kind: "confirm"; intents: IntentResult[]; prompt: string; notes?: string[]; understanding?: Understanding; again?: boolean; trust?: TrustNote }
  | { kind: "answer"; speech: string; intents?: IntentResult[]; understanding?: Understanding; error?: string; trust?: TrustNote }
  | { kind: "cancel"; understanding?: Understanding };

/** A yes/no question that a new utterance interrupted. */
export interface Interrupted {
  intents: IntentResult[];
  prompt: string;
}

export interface UnderstandInput {
  text: string;
  session: SessionInfo;
  pending?: Pending;
  /** A confirmation the utterance came in instead of yes or no. */
  interrupted?: Interrupted;
  /** How sure the speech recognizer was (absent for typed text). */
  asr?: AsrEvidence;
  /** Intents of the previous exchange, while the follow-up window is open. */
  previous?: IntentResult[];
}

export interface ActInput {
  intents: IntentResult[];
  session: SessionInfo;
  /** Remarks to add to the answer (a policy limited or refused part of the request). */
  notes: string[];
  /** Read the devices' state and say it; send nothing. */
  report?: boolean;
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
  /** The trust policy's decision, when it did not simply act. */
  trust?: TrustNote;
}
