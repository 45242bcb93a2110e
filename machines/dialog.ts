// The dialog of one session (one smart speaker, one cabin seat) as an XState v5 machine.
//
//   idle ─(wake | push-to-talk)→ listening ─utterance→ understanding ─→ acting → responding → followUp → idle
//     └──────(typed text / addressed utterance)──────────↗   │  ↑ ↘ clarifying (missing slot) ─answer→ understanding
//                                                            │  └── confirming (risky intent) ─yes→ acting
//                                                            └→ responding (no match, refusal, error)
//
// Everything with a side effect is named in `setup` and can be replaced with `provide`:
//   actors  understand (text → Resolution), act (intents → device commands → speech), speak (TTS/playback)
//   actions say (emits a `say` event the runtime prints/speaks)
// Every state that waits has a timeout (delays read from context.timeouts); every error becomes a spoken answer.
// CANCEL ("never mind", "stop") and barge-in (WAKE, PTT, SPEECH_START, a new utterance while answering) work from any state.
import { assign, emit, fromPromise, setup } from "xstate";
import type { IntentResult } from "../src/nlu/types.js";
import type {
  ActInput,
  ActOutput,
  DialogTimeouts,
  Interrupted,
  Pending,
  Resolution,
  SayEvent,
  SessionInfo,
  SpeakInput,
  TrustNote,
  UnderstandInput,
} from "../src/dialog/types.js";
import type { AsrEvidence } from "../src/trust/judge.js";
import { DEFAULT_TIMEOUTS } from "../src/dialog/types.js";
import { isNo, isYes } from "../src/dialog/phrases.js";

export interface DialogContext {
  session: SessionInfo;
  timeouts: DialogTimeouts;
  /** The utterance being handled. */
  text: string;
  /** How sure the speech recognizer was of it (absent for typed text). */
  asr?: AsrEvidence;
  pending?: Pending;
  /** A confirmation that a new utterance came in for instead of yes or no. */
  interrupted?: Interrupted;
  /** Read the devices' state instead of acting (a question asked as a command). */
  report: boolean;
  /** The trust policy's decision about the utterance, when it did not simply act. */
  trust?: TrustNote;
  /** Intents waiting for yes/no, or about to be acted on. */
  intents: IntentResult[];
  /** Policy remarks to add to the answer. */
  notes: string[];
  /** Intents of the last completed action (follow-up context). */
  previous?: IntentResult[];
  confirmPrompt: string;
  confirmAttempts: number;
  /** What responding says. */
  speech: string;
  sayKind: SayEvent["kind"];
  /** Whether responding opens the follow-up window (after a successful action). */
  followUp: boolean;
  /** Technical reason of the last failure (logged, not spoken). */
  error?: string;
}

export type DialogEvent =
  /** Wake phrase heard (home speaker). */
  | { type: "WAKE" }
  /** Push-to-talk pressed (car). */
  | { type: "PTT" }
  /** The user started speaking (VAD): barge-in while the assistant talks. */
  | { type: "SPEECH_START" }
  /** A transcript or typed text. `addressed: false` = heard without wake phrase (ignored when idle). */
  | { type: "UTTERANCE"; text: string; addressed?: boolean; asr?: AsrEvidence }
  | { type: "ASR_ERROR"; message: string }
  /** "never mind", "stop", cancel button. */
  | { type: "CANCEL" }
  /** Back to idle without a word: nothing pending, no follow-up context (a replayed test set's next item). */
  | { type: "RESET" };

export interface DialogInput {
  session: SessionInfo;
  timeouts?: Partial<DialogTimeouts>;
}

/** Spoken texts the machine produces itself (everything else comes from the actors). */
export const SPEECH = {
  cancelled: "Okay.",
  declined: "Okay, I won't do that.",
  askYesNo: "Please say yes or no.",
  confirmTimeout: "I didn't hear a yes, so I did nothing.",
  clarifyTimeout: "I didn't hear an answer, so I did nothing.",
  understandError: "Sorry, something went wrong while understanding that.",
  understandTimeout: "Sorry, understanding that took too long.",
  actError: "Sorry, I can't reach the devices right now.",
  actTimeout: "Sorry, the devices did not answer in time.",
  asrError: "Sorry, I didn't catch that.",
} as const;

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export const dialogMachine = setup({
  types: {
    context: {} as DialogContext,
    events: {} as DialogEvent,
    input: {} as DialogInput,
    emitted: {} as SayEvent,
  },
  actors: {
    // Production implementations are provided by src/dialog/session.ts; these defaults fail loudly.
    understand: fromPromise<Resolution, UnderstandInput>(async () => {
      throw new Error("no understander provided");
    }),
    act: fromPromise<ActOutput, ActInput>(async () => {
      throw new Error("no device bus provided");
    }),
    speak: fromPromise<void, SpeakInput>(async () => {}),
  },
  delays: {
    listenTimeout: ({ context }) => context.timeouts.listen,
    understandTimeout: ({ context }) => context.timeouts.understand,
    clarifyTimeout: ({ context }) => context.timeouts.clarify,
    confirmTimeout: ({ context }) => context.timeouts.confirm,
    actTimeout: ({ context }) => context.timeouts.act,
    speakTimeout: ({ context }) => context.timeouts.speak,
    followUpWindow: ({ context }) => context.timeouts.followUp,
  },
  guards: {
    addressed: ({ event }) => event.type === "UTTERANCE" && event.addressed !== false,
    saysYes: ({ event }) => event.type === "UTTERANCE" && isYes(event.text),
    saysNo: ({ event }) => event.type === "UTTERANCE" && isNo(event.text),
    mayAskAgain: ({ context }) => context.confirmAttempts < 1,
    opensFollowUp: ({ context }) => context.followUp,
  },
  actions: {
    takeUtterance: assign({
      text: ({ event, context }) => (event.type === "UTTERANCE" ? event.text : context.text),
      asr: ({ event, context }) => (event.type === "UTTERANCE" ? event.asr : context.asr),
      trust: undefined,
    }),
    forgetPending: assign({ pending: undefined, interrupted: undefined, intents: [], notes: [], confirmAttempts: 0, error: undefined, report: false, trust: undefined }),
    forgetPrevious: assign({ previous: undefined }),
    say: emit(({ context }): SayEvent => ({
      type: "say",
      text: context.speech,
      kind: context.sayKind,
      intents: context.intents,
      utterance: context.text || undefined,
      error: context.sayKind === "error" ? context.error : undefined,
      trust: context.trust,
    })),
  },
}).createMachine({
  id: "dialog",
  initial: "idle",
  context: ({ input }) => ({
    session: input.session,
    timeouts: { ...DEFAULT_TIMEOUTS, ...input.timeouts },
    text: "",
    intents: [],
    notes: [],
    report: false,
    confirmPrompt: "",
    confirmAttempts: 0,
    speech: "",
    sayKind: "answer",
    followUp: false,
  }),
  on: {
    // Cancel from anywhere: drop whatever is pending and acknowledge.
    CANCEL: {
      target: ".responding",
      actions: [
        "forgetPending",
        assign({ speech: SPEECH.cancelled, sayKind: "cancel", followUp: false }),
      ],
    },
    RESET: { target: ".idle", actions: ["forgetPending", "forgetPrevious"] },
    // Barge-in from anywhere: the wake phrase or push-to-talk restarts listening.
    WAKE: { target: ".listening", actions: "forgetPending" },
    PTT: { target: ".listening", actions: "forgetPending" },
  },
  states: {
    idle: {
      tags: ["waiting"],
      entry: ["forgetPending", "forgetPrevious", assign({ text: "" })],
      on: {
        UTTERANCE: { guard: "addressed", target: "understanding", actions: "takeUtterance" },
      },
    },
    listening: {
      tags: ["waiting"],
      on: {
        UTTERANCE: { target: "understanding", actions: "takeUtterance" },
        ASR_ERROR: {
          target: "responding",
          // (nothing was heard: the answer carries no utterance, not the previous one)
          actions: assign({ text: "", speech: SPEECH.asrError, sayKind: "error", followUp: false }),
        },
      },
      after: { listenTimeout: { target: "idle" } },
    },
    understanding: {
      invoke: {
        id: "understand",
        src: "understand",
        input: ({ context }): UnderstandInput => ({
          text: context.text,
          session: context.session,
          pending: context.pending,
          previous: context.previous,
          ...(context.interrupted ? { interrupted: context.interrupted } : {}),
          ...(context.asr ? { asr: context.asr } : {}),
        }),
        onDone: [
          {
            guard: ({ event }) => event.output.kind === "act",
            target: "acting",
            actions: assign({
              intents: ({ event }) => (event.output.kind === "act" ? event.output.intents : []),
              notes: ({ event }) => (event.output.kind === "act" ? (event.output.notes ?? []) : []),
              report: ({ event }) => event.output.kind === "act" && event.output.report === true,
              trust: ({ event }) => (event.output.kind === "act" ? event.output.trust : undefined),
              pending: undefined,
              interrupted: undefined,
            }),
          },
          {
            guard: ({ event }) => event.output.kind === "clarify",
            target: "clarifying",
            actions: assign({
              interrupted: undefined,
              pending: ({ event }) => (event.output.kind === "clarify" ? event.output.pending : undefined),
              intents: ({ event }) => (event.output.kind === "clarify" ? event.output.pending.intents : []),
              speech: ({ event }) => (event.output.kind === "clarify" ? event.output.pending.prompt : ""),
              sayKind: "prompt",
            }),
          },
          {
            // The same question was answered unclearly twice: nothing is done.
            guard: ({ event, context }) => event.output.kind === "confirm" && event.output.again === true && context.confirmAttempts >= 1,
            target: "responding",
            actions: ["forgetPending", assign({ speech: SPEECH.declined, sayKind: "answer", followUp: false })],
          },
          {
            guard: ({ event }) => event.output.kind === "confirm",
            target: "confirming",
            actions: assign({
              intents: ({ event }) => (event.output.kind === "confirm" ? event.output.intents : []),
              notes: ({ event }) => (event.output.kind === "confirm" ? (event.output.notes ?? []) : []),
              confirmPrompt: ({ event, context }) => (event.output.kind === "confirm" ? (event.output.again ? (context.interrupted?.prompt ?? event.output.prompt) : event.output.prompt) : ""),
              speech: ({ event }) => (event.output.kind === "confirm" ? event.output.prompt : ""),
              sayKind: "prompt",
              confirmAttempts: ({ event, context }) => (event.output.kind === "confirm" && event.output.again ? context.confirmAttempts + 1 : 0),
              trust: ({ event }) => (event.output.kind === "confirm" ? event.output.trust : undefined),
              pending: undefined,
              interrupted: undefined,
            }),
          },
          {
            guard: ({ event }) => event.output.kind === "answer",
            target: "responding",
            actions: assign({
              interrupted: undefined,
              trust: ({ event }) => (event.output.kind === "answer" ? event.output.trust : undefined),
              speech: ({ event }) => (event.output.kind === "answer" ? event.output.speech : ""),
              intents: ({ event }) => (event.output.kind === "answer" ? (event.output.intents ?? []) : []),
              sayKind: ({ event }) => (event.output.kind === "answer" && event.output.error ? "error" : "answer"),
              pending: undefined,
              followUp: ({ event }) => event.output.kind === "answer" && !event.output.error,
            }),
          },
          {
            // kind "cancel" (HassNevermind)
            target: "responding",
            actions: [
              "forgetPending",
              assign({ speech: SPEECH.cancelled, sayKind: "cancel", followUp: false }),
            ],
          },
        ],
        onError: {
          target: "responding",
          actions: [
            "forgetPending",
            assign({
              speech: SPEECH.understandError,
              sayKind: "error",
              followUp: false,
              error: ({ event }) => errorText(event.error),
            }),
          ],
        },
      },
      on: {
        // A newer utterance replaces the one being understood.
        UTTERANCE: { target: "understanding", reenter: true, actions: "takeUtterance" },
      },
      after: {
        understandTimeout: {
          target: "responding",
          actions: ["forgetPending", assign({ speech: SPEECH.understandTimeout, sayKind: "error", followUp: false })],
        },
      },
    },
    clarifying: {
      tags: ["waiting"],
      entry: "say",
      on: {
        UTTERANCE: { target: "understanding", actions: "takeUtterance" },
        ASR_ERROR: { target: "clarifying", reenter: true },
      },
      after: {
        clarifyTimeout: {
          target: "responding",
          actions: ["forgetPending", assign({ speech: SPEECH.clarifyTimeout, sayKind: "answer", followUp: false })],
        },
      },
    },
    confirming: {
      tags: ["waiting"],
      entry: "say",
      on: {
        UTTERANCE: [
          { guard: "saysYes", target: "acting", actions: "takeUtterance" },
          {
            guard: "saysNo",
            target: "responding",
            actions: ["takeUtterance", "forgetPending", assign({ speech: SPEECH.declined, sayKind: "answer", followUp: false })],
          },
          {
            // Neither yes nor no: understood as a new request, which replaces this one (the resolver
            // says so); an unclear answer asks again (src/dialog/resolve.ts).
            target: "understanding",
            actions: ["takeUtterance", assign({ interrupted: ({ context }) => ({ intents: context.intents, prompt: context.confirmPrompt }) })],
          },
        ],
        ASR_ERROR: [
          {
            guard: "mayAskAgain",
            target: "confirming",
            reenter: true,
            actions: assign({
              confirmAttempts: ({ context }) => context.confirmAttempts + 1,
              speech: ({ context }) => `${SPEECH.askYesNo} ${context.confirmPrompt}`,
            }),
          },
          {
            target: "responding",
            actions: ["forgetPending", assign({ speech: SPEECH.declined, sayKind: "answer", followUp: false })],
          },
        ],
      },
      after: {
        confirmTimeout: {
          target: "responding",
          actions: ["forgetPending", assign({ speech: SPEECH.confirmTimeout, sayKind: "answer", followUp: false })],
        },
      },
    },
    acting: {
      invoke: {
        id: "act",
        src: "act",
        input: ({ context }): ActInput => ({ intents: context.intents, session: context.session, notes: context.notes, ...(context.report ? { report: true } : {}) }),
        onDone: {
          target: "responding",
          actions: assign({
            speech: ({ event }) => event.output.speech,
            sayKind: ({ event }) => (event.output.ok ? "answer" : "error"),
            // What a follow-up refers to ("and the bedroom too", "cancel that" after a route): only what was carried out.
            previous: ({ context, event }) => (event.output.ok ? context.intents : undefined),
            followUp: true,
          }),
        },
        onError: {
          target: "responding",
          actions: assign({
            speech: SPEECH.actError,
            sayKind: "error",
            followUp: false,
            error: ({ event }) => errorText(event.error),
          }),
        },
      },
      after: {
        actTimeout: {
          target: "responding",
          actions: assign({ speech: SPEECH.actTimeout, sayKind: "error", followUp: false }),
        },
      },
    },
    responding: {
      entry: "say",
      invoke: {
        id: "speak",
        src: "speak",
        input: ({ context }): SpeakInput => ({ text: context.speech, session: context.session }),
        onDone: [{ guard: "opensFollowUp", target: "followUp" }, { target: "idle" }],
        onError: [{ guard: "opensFollowUp", target: "followUp" }, { target: "idle" }],
      },
      on: {
        // Barge-in: the user talks over the answer.
        SPEECH_START: { target: "listening" },
        UTTERANCE: { target: "understanding", actions: ["forgetPending", "takeUtterance"] },
      },
      after: {
        speakTimeout: [{ guard: "opensFollowUp", target: "followUp" }, { target: "idle" }],
      },
    },
    followUp: {
      tags: ["waiting"],
      on: {
        UTTERANCE: { target: "understanding", actions: "takeUtterance" },
      },
      after: { followUpWindow: { target: "idle" } },
    },
  },
});

export type DialogMachine = typeof dialogMachine;
