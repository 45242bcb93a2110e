// One running dialog per session/satellite: a dialog machine actor with its own context (area or seat),
// wired to the production actors (resolver, device actions, speech). The SessionManager holds several.
import { createActor, fromPromise, waitFor, type Actor } from "xstate";
import { dialogMachine, type DialogEvent } from "../../machines/dialog.js";
import { isCancel, normalize } from "./phrases.js";
import type { Profile } from "./profiles.js";
import { cancelsRoute, resolveUtterance, type ResolverDeps } from "./resolve.js";
import type { ActInput, ActOutput, DialogTimeouts, SayEvent, SessionInfo, SpeakInput } from "./types.js";
import type { AsrEvidence } from "../trust/judge.js";
import { DEFAULT_TIMEOUTS } from "./types.js";

export interface SessionDeps extends Omit<ResolverDeps, "profile"> {
  /** Turns intents into device commands, sends them, and says how it went. */
  act: (input: ActInput, signal: AbortSignal) => Promise<ActOutput>;
  /** Plays a spoken answer (TTS); text-only runtimes resolve at once. */
  speak?: (input: SpeakInput, signal: AbortSignal) => Promise<void>;
  timeouts?: Partial<DialogTimeouts>;
  /** Notified of everything the session says. */
  onSay?: (session: SessionInfo, say: SayEvent) => void;
  /** Notified of every state change (for logs). */
  onState?: (session: SessionInfo, state: string) => void;
}

export interface TextOptions {
  /** Typed text and push-to-talk speech are addressed; a far-field transcript is not unless it starts with the wake phrase. */
  addressed?: boolean;
  /** How sure the speech recognizer was of a transcript (the trust policy asks back when it was not). */
  asr?: AsrEvidence;
}

export class DialogSession {
  readonly actor: Actor<typeof dialogMachine>;
  private readonly timeouts: DialogTimeouts;

  constructor(
    readonly info: SessionInfo,
    readonly profile: Profile,
    deps: SessionDeps,
  ) {
    this.timeouts = { ...DEFAULT_TIMEOUTS, ...deps.timeouts };
    const resolverDeps: ResolverDeps = { ...deps, profile };
    const machine = dialogMachine.provide({
      actors: {
        understand: fromPromise(({ input }) => resolveUtterance(input, resolverDeps)),
        act: fromPromise(({ input, signal }) => deps.act(input, signal)),
        speak: fromPromise(async ({ input, signal }) => {
          if (deps.speak) await deps.speak(input, signal);
        }),
      },
    });
    this.actor = createActor(machine, { input: { session: info, timeouts: this.timeouts } });
    this.actor.on("say", (e) => deps.onSay?.(info, e));
    let last = "";
    this.actor.subscribe({
      next: (s) => {
        const v = JSON.stringify(s.value);
        if (v !== last) deps.onState?.(info, (last = v).replace(/"/g, ""));
      },
      error: () => {},
    });
    this.actor.start();
  }

  get state(): string {
    return String(this.actor.getSnapshot().value);
  }

  /** Waiting for the user (idle, listening, a question, the follow-up window). */
  get waiting(): boolean {
    return this.actor.getSnapshot().hasTag("waiting");
  }

  send(event: DialogEvent): void {
    this.actor.send(event);
  }

  /** Turn text into dialog events: a leading wake phrase addresses it, a bare one wakes, "never mind" cancels. */
  eventsForText(text: string, options: TextOptions = {}): DialogEvent[] {
    let rest = text.trim();
    let addressed = options.addressed ?? true;
    const n = normalize(rest);
    const wake = [...this.profile.wakePhrases].sort((a, b) => b.length - a.length).find((w) => n === w || n.startsWith(`${w} `));
    if (wake) {
      addressed = true;
      // Drop as many words from the original text as the wake phrase has.
      const words = rest.split(/\s+/);
      rest = words.slice(wake.split(" ").length).join(" ").replace(/^[,.!?\s]+/, "");
      if (!rest) return [{ type: "WAKE" }];
    }
    if (!rest) return [];
    // "never mind" just after a route was started is a request of its own (it cancels the route).
    const snap = this.actor.getSnapshot();
    const afterRoute = snap.matches("followUp") && cancelsRoute(snap.context.previous);
    if (isCancel(rest) && !afterRoute && (addressed || !snap.matches("idle"))) return [{ type: "CANCEL" }];
    return [{ type: "UTTERANCE", text: rest, addressed, ...(options.asr ? { asr: options.asr } : {}) }];
  }

  /**
   * Handle one line of text and resolve with what the assistant said, once the session waits for the
   * user again. Never rejects: a stuck stage ends in its own timeout.
   */
  async handleText(text: string, options: TextOptions = {}): Promise<SayEvent[]> {
    const said: SayEvent[] = [];
    const sub = this.actor.on("say", (e) => said.push(e));
    try {
      for (const e of this.eventsForText(text, options)) {
        this.actor.send(e);
        await this.settled();
      }
    } finally {
      sub.unsubscribe();
    }
    return said;
  }

  /** Resolves when the session waits for the user again. */
  async settled(): Promise<void> {
    const t = this.timeouts;
    const limit = t.understand + t.act + t.speak + 5000;
    await waitFor(this.actor, (s) => s.hasTag("waiting"), { timeout: limit });
  }

  stop(): void {
    this.actor.stop();
  }
}

export class SessionManager {
  private readonly sessions = new Map<string, DialogSession>();

  add(info: SessionInfo, profile: Profile, deps: SessionDeps): DialogSession {
    if (this.sessions.has(info.id)) throw new Error(`session '${info.id}' exists already`);
    const s = new DialogSession(info, profile, deps);
    this.sessions.set(info.id, s);
    return s;
  }

  get(id: string): DialogSession | undefined {
    return this.sessions.get(id);
  }

  get all(): DialogSession[] {
    return [...this.sessions.values()];
  }

  get first(): DialogSession | undefined {
    return this.sessions.values().next().value;
  }

  stop(): void {
    for (const s of this.sessions.values()) s.stop();
    this.sessions.clear();
  }
}
