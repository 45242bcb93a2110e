// The trust words a grammar ASR must be able to hear. A grammar recognizer only hears what its FSG
// holds: without these, "don't turn on the kitchen lights" is heard as "turn on the kitchen lights",
// "… in ten minutes" loses its time and "the dining room" becomes a room the home has. With them the
// words reach the trust policy (src/trust/judge.ts), which refuses, schedules or asks.
import { expandTemplate } from "./phrases.js";
import type { Cues } from "./cues.js";

export interface SpokenTrustWords {
  /** Phrases heard before a request: "don't", "why don't you", "no wait", "did you". */
  before: string[];
  /** Phrases heard after a request: "in ten minutes", "at seven pm", "tomorrow morning", "every day". */
  after: string[];
  /** Extra forms of the room list: rooms a home may lack ("dining room", "attic"). */
  rooms: string[];
  /** Extra forms of the device-name list: appliances a home may lack ("oven", "dishwasher"). */
  appliances: string[];
}

/** Typed spellings no one says differently ("dont" is "don't" aloud). */
const TYPED_ONLY = new Set(["dont", "cant", "wont", "whats", "im", "ive", "youre", "theyre"]);

/** Templates without placeholders ({n}, {w} …), expanded: what a grammar can spell out. */
function phrases(templates: readonly string[]): string[] {
  return templates
    .flatMap((t) => expandTemplate(t))
    .filter((p) => !p.some((w) => w.startsWith("{") || TYPED_ONLY.has(w)))
    .map((p) => p.join(" "));
}

/** Amounts people give in minutes and hours (not every number: the graph stays small). */
const AMOUNTS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 15, 20, 25, 30, 40, 45, 50, 60, 90];

export function spokenTrustWords(cues: Cues): SpokenTrustWords {
  const d = cues.delay;
  const first = (list: readonly string[]) => phrases(list);
  const before = new Set([
    ...phrases(cues.sources.negation),
    ...phrases(cues.sources.negationAct),
    ...phrases(cues.sources.negationAsk),
    ...phrases(cues.sources.corrections),
    ...phrases(cues.sources.questionFrames),
  ]);
  const after = new Set<string>();
  const units = [...first(d.units.second), ...first(d.units.minute), ...first(d.units.hour)];
  // The first two forms of each unit are its singular and plural ("minute", "minutes").
  const unit = (n: number) => [d.units.second, d.units.minute, d.units.hour].map((u) => first(u)[n === 1 ? 0 : 1] ?? first(u)[0]!);
  for (const b of first(d.before)) {
    for (const n of AMOUNTS) for (const u of unit(n)) after.add(`${b} ${n} ${u}`);
    for (const [value, forms] of Object.entries(d.amounts))
      for (const f of phrases(forms)) for (const u of units) if ((Number(value) === 1) === !/s$/.test(u)) after.add(`${b} ${f} ${u}`);
    after.add(`${b} an hour and a half`);
  }
  for (const f of first(d.for)) for (const n of AMOUNTS) for (const u of unit(n).slice(1)) after.add(`${f} ${n} ${u}`);
  for (const n of AMOUNTS) for (const a of first(d.after_amount)) after.add(`${n} ${unit(n)[1]} ${a}`);
  for (const at of first(d.clock.at)) {
    for (let h = 1; h <= 12; h++) {
      after.add(`${at} ${h}`);
      for (const m of [15, 30, 45]) after.add(`${at} ${h} ${m}`);
      for (const x of [...first(d.clock.am), ...first(d.clock.pm), ...first(d.clock.oclock)]) after.add(`${at} ${h} ${x}`);
      for (const x of [...first(d.clock.half_past), ...first(d.clock.quarter_past), ...first(d.clock.quarter_to)]) after.add(`${at} ${x} ${h}`);
    }
    for (const x of [...first(d.clock.noon), ...first(d.clock.midnight)]) after.add(`${at} ${x}`);
  }
  for (const p of [...phrases(cues.sources.vagueTime), ...phrases(cues.sources.recurring), ...phrases(cues.sources.conditionPhrases)]) after.add(p);
  return { before: [...before], after: [...after], rooms: [...cues.spokenLexicon.rooms], appliances: [...cues.spokenLexicon.appliances] };
}
