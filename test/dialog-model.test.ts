// Model-based tests of the dialog machine: paths are generated from the machine itself with @xstate/graph
// (shortest path to every state, extended by every enabled event = transition coverage), then each path
// drives the real actor — with the understand/act/speak actors provided as controllable promises and a
// simulated clock for the timeouts — and every step must land in the state the model predicts.
import { describe, expect, it } from "vitest";
import { createActor, fromPromise, SimulatedClock, type AnyStateNode, type TransitionDefinition } from "xstate";
import { getAdjacencyMap, getShortestPaths, type StatePath } from "@xstate/graph";
import { dialogMachine, type DialogEvent } from "../machines/dialog.js";
import type { ActOutput, DialogTimeouts, Resolution } from "../src/dialog/types.js";

type Snap = ReturnType<typeof dialogMachine.transition>;
type AnyEvent = DialogEvent | { type: string; output?: unknown; error?: unknown };

// Distinct values so that advancing the clock fires exactly one timer.
const TIMEOUTS: DialogTimeouts = { listen: 1001, understand: 1002, clarify: 1003, confirm: 1004, act: 1005, speak: 1006, followUp: 1007 };
const DELAY_MS: Record<string, number> = {
  listenTimeout: TIMEOUTS.listen,
  understandTimeout: TIMEOUTS.understand,
  clarifyTimeout: TIMEOUTS.clarify,
  confirmTimeout: TIMEOUTS.confirm,
  actTimeout: TIMEOUTS.act,
  speakTimeout: TIMEOUTS.speak,
  followUpWindow: TIMEOUTS.followUp,
};
const input = { session: { id: "s1", profile: "home" as const, area: "kitchen" }, timeouts: TIMEOUTS };

const light = { intent: "HassTurnOn", slots: { area: "kitchen", domain: "light" }, confidence: 1, source: "matcher" };
const understood: Resolution[] = [
  { kind: "act", intents: [light] },
  { kind: "clarify", pending: { intents: [light], slot: "area", prompt: "Which room?", attempts: 1 } },
  { kind: "confirm", intents: [light], prompt: "Are you sure?" },
  { kind: "confirm", intents: [light], prompt: "Please say yes or no. Are you sure?", again: true },
  { kind: "act", intents: [light], report: true, trust: { decision: "report", reason: "question" } },
  { kind: "answer", speech: "Sorry, I didn't understand." },
  { kind: "answer", speech: "Sorry, failed.", error: "nomatch" },
  { kind: "cancel" },
];
const acted: ActOutput[] = [
  { speech: "Turned on the lights", ok: true },
  { speech: "The kitchen light did not answer", ok: false },
];

/** Every delayed transition of the machine, as the event type XState raises for it. */
function delayedEvents(): AnyEvent[] {
  const out: AnyEvent[] = [];
  for (const node of allStateNodes(dialogMachine.root)) for (const t of node.after) out.push({ type: t.eventType });
  return out;
}

const EVENTS: AnyEvent[] = [
  { type: "WAKE" },
  { type: "PTT" },
  { type: "SPEECH_START" },
  { type: "CANCEL" },
  { type: "RESET" },
  { type: "ASR_ERROR", message: "decoder failed" },
  { type: "UTTERANCE", text: "turn on the lights" },
  { type: "UTTERANCE", text: "turn on the lights", addressed: false },
  { type: "UTTERANCE", text: "yes" },
  { type: "UTTERANCE", text: "no" },
  { type: "UTTERANCE", text: "maybe" },
  ...understood.map((output) => ({ type: "xstate.done.actor.understand", output })),
  { type: "xstate.error.actor.understand", error: new Error("matcher crashed") },
  ...acted.map((output) => ({ type: "xstate.done.actor.act", output })),
  { type: "xstate.error.actor.act", error: new Error("broker down") },
  { type: "xstate.done.actor.speak", output: undefined },
  { type: "xstate.error.actor.speak", error: new Error("no audio device") },
  ...delayedEvents(),
];

function allStateNodes(node: AnyStateNode): AnyStateNode[] {
  return [node, ...Object.values(node.states).flatMap((n) => allStateNodes(n as AnyStateNode))];
}

/** The state value plus the context flags guards read: the model's notion of "the same state". */
function serialize(s: Snap): string {
  return JSON.stringify({ value: s.value, followUp: s.context.followUp, attempts: s.context.confirmAttempts });
}

function enabledEvents(s: Snap): AnyEvent[] {
  return EVENTS.filter((e) => dialogMachine.getTransitionData(s, e as DialogEvent).length > 0);
}

const traversal = {
  input,
  events: (s: Snap) => enabledEvents(s) as DialogEvent[],
  serializeState: (s: Snap) => serialize(s),
  serializeEvent: (e: DialogEvent) => JSON.stringify(e),
};

// getAdjacencyMap's logic parameter is typed for plain ActorLogic; the machine is one.
const adjacency = getAdjacencyMap(dialogMachine as never, traversal as never) as Record<
  string,
  { state: Snap; transitions: Record<string, { event: DialogEvent; state: Snap }> }
>;
const shortest = getShortestPaths(dialogMachine, traversal);
const toState = new Map(shortest.map((p) => [serialize(p.state), p]));

type Step = { event: AnyEvent; state: Snap };
/** Transition coverage: the shortest path to each state, followed by each event enabled there. */
const paths: Array<{ name: string; steps: Step[] }> = [];
for (const [key, { transitions }] of Object.entries(adjacency)) {
  const head = toState.get(key) as StatePath<Snap, DialogEvent> | undefined;
  if (!head) continue;
  for (const { event, state } of Object.values(transitions)) {
    const steps = [...head.steps.map((s) => ({ event: s.event as AnyEvent, state: s.state })), { event: event as AnyEvent, state }];
    paths.push({ name: steps.map((s) => describeEvent(s.event)).join(" → "), steps });
  }
}

function describeEvent(e: AnyEvent): string {
  if (e.type === "UTTERANCE" && "text" in e) return `"${e.text}"${e.addressed === false ? "(unaddressed)" : ""}`;
  if ("output" in e && e.output && typeof e.output === "object" && "kind" in e.output) return `${e.type}(${String(e.output.kind)})`;
  if ("output" in e && e.output && typeof e.output === "object" && "ok" in e.output) return `${e.type}(ok=${String(e.output.ok)})`;
  return e.type.replace(/^xstate\./, "");
}

/** Which transition definitions a path takes, computed from the machine, for coverage accounting. */
function transitionsTaken(steps: Step[]): TransitionDefinition<any, any>[] {
  const taken: TransitionDefinition<any, any>[] = [];
  let prev: Snap | undefined;
  for (const step of steps) {
    if (prev && step.event.type !== "xstate.init") taken.push(...dialogMachine.getTransitionData(prev, step.event as DialogEvent));
    prev = step.state;
  }
  return taken;
}

describe("dialog machine model", () => {
  const nodes = allStateNodes(dialogMachine.root).filter((n) => n !== dialogMachine.root);
  const allTransitions = allStateNodes(dialogMachine.root).flatMap((n) => [...n.transitions.values()].flat());
  const visitedValues = new Set(paths.flatMap((p) => p.steps.map((s) => JSON.stringify(s.state.value))));
  const covered = new Set(paths.flatMap((p) => transitionsTaken(p.steps)));

  it("generated paths cover every state and every transition", () => {
    const missingStates = nodes.filter((n) => !visitedValues.has(JSON.stringify(n.key)));
    const missingTransitions = allTransitions.filter((t) => !covered.has(t));
    console.log(
      `dialog model: ${nodes.length} states, ${allTransitions.length} transitions, ${Object.keys(adjacency).length} model vertices, ` +
        `${paths.length} paths; covered ${nodes.length - missingStates.length}/${nodes.length} states, ` +
        `${allTransitions.length - missingTransitions.length}/${allTransitions.length} transitions`,
    );
    expect(missingStates.map((n) => n.id)).toEqual([]);
    expect(missingTransitions.map((t) => `${t.source.id} on ${t.eventType}`)).toEqual([]);
    expect(paths.length).toBeGreaterThan(50);
  });

  it.each(paths.map((p) => [p.name, p] as const))("%s", async (_name, path) => {
    const clock = new SimulatedClock();
    const pending = new Map<string, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>();
    const controllable = (id: string) =>
      fromPromise<never, unknown>(
        () =>
          new Promise((resolve, reject) => {
            pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
          }),
      );
    const machine = dialogMachine.provide({
      actors: { understand: controllable("understand"), act: controllable("act"), speak: controllable("speak") } as never,
    });
    const actor = createActor(machine, { input, clock }).start();
    const said: string[] = [];
    actor.on("say", (e) => said.push(e.text));
    try {
      for (const step of path.steps) {
        const e = step.event;
        const done = /^xstate\.done\.actor\.(.+)$/.exec(e.type);
        const failed = /^xstate\.error\.actor\.(.+)$/.exec(e.type);
        const after = /^xstate\.after\.([^.]+)\./.exec(e.type);
        if (e.type === "xstate.init") {
          // the initial state
        } else if (done) {
          const p = pending.get(done[1]!);
          expect(p, `actor ${done[1]} is running`).toBeDefined();
          p!.resolve((e as { output?: unknown }).output);
        } else if (failed) {
          pending.get(failed[1]!)!.reject((e as { error?: unknown }).error);
        } else if (after) {
          clock.increment(DELAY_MS[after[1]!]!);
        } else {
          actor.send(e as DialogEvent);
        }
        await new Promise((r) => setImmediate(r));
        const snap = actor.getSnapshot();
        expect(snap.status).toBe("active");
        expect(serialize(snap as Snap)).toBe(serialize(step.state));
      }
      // Every state that says something said a non-empty sentence.
      expect(said.every((t) => t.length > 0)).toBe(true);
    } finally {
      actor.stop();
    }
  });
});
