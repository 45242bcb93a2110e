// Requests for later ("turn on the kitchen lights in 10 minutes", "at 7 pm"): held in memory and
// carried out through the same device path when their time comes. They do not survive a restart
// (hark says when it schedules, so nothing is promised silently); `pending` lists what waits.
import type { IntentResult } from "../nlu/types.js";
import type { SessionInfo } from "../dialog/types.js";
import { msUntil, sayLater, type Later } from "../trust/index.js";

export interface ScheduledRequest {
  id: number;
  session: SessionInfo;
  intents: IntentResult[];
  /** When it runs (ms since the epoch). */
  at: number;
  /** As the user said it: "in 10 minutes", "at 7 pm". */
  when: string;
}

/** Longest wait a timer can hold (setTimeout's limit is about 24.8 days). */
const MAX_DELAY_MS = 2 ** 31 - 1;

export class Scheduler {
  private readonly timers = new Map<number, { request: ScheduledRequest; timer: NodeJS.Timeout }>();
  private next = 1;

  constructor(
    private readonly run: (request: ScheduledRequest) => Promise<void>,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Schedule intents; throws for a time too far ahead to hold. */
  add(intents: IntentResult[], later: Later, session: SessionInfo): ScheduledRequest {
    const delay = msUntil(later, this.now());
    if (delay > MAX_DELAY_MS) throw new Error(`${sayLater(later)} is too far ahead`);
    const request: ScheduledRequest = { id: this.next++, session, intents, at: this.now().getTime() + delay, when: later.kind === "clock" ? `at ${sayLater(later)}` : `in ${sayLater(later)}` };
    const timer = setTimeout(() => {
      this.timers.delete(request.id);
      void this.run(request);
    }, delay);
    timer.unref();
    this.timers.set(request.id, { request, timer });
    return request;
  }

  get pending(): ScheduledRequest[] {
    return [...this.timers.values()].map((t) => t.request).sort((a, b) => a.at - b.at);
  }

  stop(): void {
    for (const t of this.timers.values()) clearTimeout(t.timer);
    this.timers.clear();
  }
}
