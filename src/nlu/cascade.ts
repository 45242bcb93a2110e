// The cascade: the grammar matcher first; the SLM for what the matcher rejects or matches only
// tolerantly (confidence below the threshold). The matcher's tolerant parse goes to the SLM as a hint
// (hark's speculative decoder verifies it in one batch). Out-of-domain → no intent, with a reason.
// The SLM loads lazily: utterances the matcher understands never touch it.
import { normalizeText } from "../grammar/normalize.js";
import type { Grammar } from "../grammar/types.js";
import { intentsEqual } from "./intentsEqual.js";
import { rephrasings, topicFirst } from "./rephrase.js";
import type { Matcher } from "./matcher.js";
import { outputSpec, renderOutput, type OutputSpec } from "./slm/format.js";
import type { SlmEngine } from "./slm/engine.js";
import type { Understander, Understanding } from "./types.js";

export interface CascadeOptions {
  /** Matcher results at or above this confidence are final (default 0.95). */
  threshold?: number;
}

/** Matcher results at or above this confidence are final. */
export const CASCADE_THRESHOLD = 0.95;

/** Whether the cascade asks the SLM after this matcher result (unsure or no reading; not for empty or too long input). */
export function needsSlm(m: Understanding, threshold = CASCADE_THRESHOLD): boolean {
  if (m.intents.length && Math.min(...m.intents.map((i) => i.confidence)) >= threshold) return false;
  return !(m.reason?.startsWith("too long") || m.reason === "empty input");
}

export class Cascade implements Understander {
  private readonly threshold: number;
  private readonly spec: OutputSpec;
  private engine?: Promise<SlmEngine>;

  constructor(
    readonly matcher: Matcher,
    private readonly grammar: Grammar,
    private readonly loadSlm: () => Promise<SlmEngine>,
    options: CascadeOptions = {},
  ) {
    this.threshold = options.threshold ?? CASCADE_THRESHOLD;
    this.spec = outputSpec(grammar);
  }

  slm(): Promise<SlmEngine> {
    this.engine ??= this.loadSlm();
    return this.engine;
  }

  /** Requests inside the SLM now (an engine is freed only when none is). */
  private inflight = 0;

  /**
   * Load the models again (a fleet update switched them) and use them once loaded. Until then, and if
   * they fail to load, the engine in use stays; it is freed when no request is inside it.
   */
  async reload(): Promise<void> {
    const next = this.loadSlm();
    await next;
    const old = this.engine;
    this.engine = next;
    const e = await old?.catch(() => undefined);
    if (!e) return;
    while (this.inflight > 0) await new Promise((r) => setTimeout(r, 20));
    await e.dispose();
  }

  async understand(text: string): Promise<Understanding> {
    const m = this.matcher.understand(text);
    if (!needsSlm(m, this.threshold)) return m;
    let engine: SlmEngine;
    try {
      engine = await this.slm();
    } catch (err) {
      // No usable model (missing, corrupt): the matcher alone answers, and says why when it has nothing.
      return m.intents.length ? m : { ...m, reason: `${m.reason ?? "not understood"} (SLM unavailable: ${err instanceof Error ? err.message : String(err)})` };
    }
    // A thing said first and pointed back at ("the mirror light in the bathroom, could you turn it off"):
    // the model reads it said as one request.
    const topic = topicFirst(text);
    if (topic) {
      const t = await this.read(engine, topic, this.matcher.understand(topic, { rephrase: false }));
      if (t.intents.length) return { text, intents: t.intents, rephrased: { text: topic } };
    }
    const s = await this.read(engine, text, m);
    if (s.intents.length) return { text, intents: s.intents };
    // Words the model never saw ("put the staircase lights on for grandad") make its answer a guess; the
    // matcher's tolerant reading of the words it knows stands instead (still a guess to the trust policy,
    // which judges the words it left out and refuses devices and rooms this place does not have).
    if (s.unknownWords?.length && m.intents.length && this.knownAround(text, s.unknownWords, m)) return m;
    // ... or they are all in a reason said besides the request ("make the music quieter, grandpa is
    // sleeping"): the model reads the request alone, and the trust policy judges the reason.
    if (s.unknownWords?.length) {
      const aside = await this.readAside(engine, text, s.unknownWords, topic);
      if (aside) return aside;
    }
    return { text, intents: [], reason: s.reason ?? m.reason ?? "not understood" };
  }

  /** The model's reading of the text, with the matcher's parse of it (if any) as the hint. */
  private async read(engine: SlmEngine, text: string, m: Understanding): Promise<Awaited<ReturnType<SlmEngine["understand"]>>> {
    this.inflight++;
    try {
      return await engine.understand(text, m.intents.length ? m.intents : undefined);
    } finally {
      this.inflight--;
    }
  }

  /**
   * The model's reading of a rephrasing (src/nlu/rephrase.ts) without the words it never saw: left in a
   * reason the trust policy judges, or dropped as a greeting or a sound ("click click make the desk lamp go on").
   */
  private async readAside(engine: SlmEngine, text: string, unknown: readonly string[], read?: string): Promise<Understanding | undefined> {
    for (const r of rephrasings(text)) {
      const words = r.text.split(" ");
      // `read`: a text the model has read already (the topic said first) and found nothing in.
      if (r.others || r.text === read || !unknown.every((w) => (r.reason ? r.reason.includes(w) : !words.includes(w)))) continue;
      const s = await this.read(engine, r.text, this.matcher.understand(r.text, { rephrase: false }));
      if (s.intents.length) return { text, intents: s.intents, rephrased: r.reason ? { text: r.text, reason: r.reason } : { text: r.text } };
    }
    return undefined;
  }

  /**
   * Whether the unknown words are all said before or all after the words that give the matcher's reading
   * on their own ("… on for grandad", "whoever left it on, …"); one in the middle may be what the request
   * is about ("put cartoons on the telly" is no "turn on the telly").
   */
  private knownAround(text: string, unknown: readonly string[], m: Understanding): boolean {
    const tokens = normalizeText(text).split(" ");
    const at = tokens.flatMap((t, n) => (unknown.includes(t) ? [n] : []));
    if (!at.length) return false;
    const same = (words: string[]) => words.length > 0 && intentsEqual(this.matcher.understand(words.join(" ")).intents, m.intents);
    return same(tokens.slice(0, Math.min(...at))) || same(tokens.slice(Math.max(...at) + 1));
  }

  async dispose(): Promise<void> {
    // A model that failed to load has nothing to free.
    const engine = await this.engine?.catch(() => undefined);
    await engine?.dispose();
  }
}
