// Messages between the soak suite (parent: broker, simulated devices, fault schedule, bookkeeping) and its
// runtime child (src/bench/soak/worker.ts: one HarkRuntime, the process that gets throttled).

export interface InitMessage {
  t: "init";
  brokerUrl: string;
  /** hark.yaml keys for the runtime (sessions, timeouts …); broker.url and simulate are set by the worker. */
  settings: Record<string, unknown>;
  /** Use hark's default understander (the matcher, then the SLM when models are installed) instead of the matcher alone. */
  slm: boolean;
  /** Utterances to speak once with the default voice (flite slt, 16 kHz, 0.3 s of silence around) and replay on demand. */
  spoken: string[];
}

export interface CommandMessage {
  t: "cmd";
  /** The suite's number for this utterance. */
  n: number;
  session: string;
  /** Typed text … */
  text?: string;
  /** … or the index of a pre-synthesised utterance, heard through VAD + grammar ASR. */
  spoken?: number;
}

export interface StopMessage {
  t: "stop";
}

export type ToWorker = InitMessage | CommandMessage | StopMessage;

/** A device command the runtime sent for an utterance and how the bus reported it. */
export interface AckRecord {
  id: string;
  device: string;
  action: string;
  ok: boolean;
  error?: string;
}

export interface DoneMessage {
  t: "done";
  n: number;
  /** Utterance handed to the runtime → its answers (wall clock in the child, ms). */
  ms: number;
  /** Spoken: recognition time (ms) and the words heard. */
  asrMs?: number;
  heard?: string;
  answers: Array<{ kind: string; speech: string; error?: string; decision?: string; commands: number; failed: number }>;
  commands: AckRecord[];
  /** handle() threw. */
  error?: string;
}

export interface ReadyMessage {
  t: "ready";
  pid: number;
  setupMs: number;
  /** The runtime's device confirmation timeout (ms). */
  deviceTimeoutMs: number;
  /** What the recognizer heard for each pre-synthesised utterance (once, before timing). */
  heard: string[];
}

export interface MemMessage {
  t: "mem";
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
}

export interface StoppedMessage {
  t: "stopped";
  /** Acknowledgements the worker could not attach to an utterance (should be none). */
  unattributed: AckRecord[];
}

export interface FailedMessage {
  t: "failed";
  error: string;
}

export type FromWorker = DoneMessage | ReadyMessage | MemMessage | StoppedMessage | FailedMessage;
