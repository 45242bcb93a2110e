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
  /** Words heard alone and rejected, not forced onto a short command ("four" is no "cooler"). */
  alone: string[];
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

export function spokenTrustWords(cues: Cues): SpokenTrustWords {
  const d = cues.delay;
  const first = (list: readonly string[]) => phrases(list);
  const before = new Set(phrases(cues.spoken.before));
  const after = new Set(phrases(cues.spoken.after));
  // The first two forms of each unit are its singular and plural ("minute", "minutes").
  const unit = (n: number) => [d.units.second, d.units.minute, d.units.hour].map((u) => first(u)[n === 1 ? 0 : 1] ?? first(u)[0]!);
  const amounts = cues.spoken.amounts;
  for (const n of amounts) {
    for (const u of unit(n)) after.add(`in ${n} ${u}`);
    // "dim the lights by 20": a change by an amount, heard as said and refused, not forced onto "to 9".
    for (const x of ["", " percent", " degrees"]) after.add(`by ${n}${x}`);
    for (const u of unit(n).slice(1)) for (const f of first(d.for)) after.add(`${f} ${n} ${u}`);
  }
  for (const [value, forms] of Object.entries(d.amounts))
    for (const f of phrases(forms)) for (const u of unit(Number(value) === 1 ? 1 : 2)) after.add(`in ${f} ${u}`);
  after.add("in an hour and a half");
  for (const at of first(d.clock.at).slice(0, 1)) {
    for (let h = 1; h <= 12; h++) {
      after.add(`${at} ${h}`);
      after.add(`${at} ${h} 30`);
      for (const x of [...first(d.clock.am).slice(0, 1), ...first(d.clock.pm).slice(0, 1), ...first(d.clock.oclock).slice(0, 1)]) after.add(`${at} ${h} ${x}`);
      for (const x of first(d.clock.half_past).slice(0, 1)) after.add(`${at} ${x} ${h}`);
    }
    for (const x of [...first(d.clock.noon).slice(0, 1), ...first(d.clock.midnight).slice(0, 1)]) after.add(`${at} ${x}`);
  }
  return { before: [...before], after: [...after], rooms: [...cues.spokenLexicon.rooms], appliances: [...cues.spokenLexicon.appliances], alone: [...cues.spokenLexicon.common] };
}

/** The grammar recognizer's options that let it hear these words (src/asr: AsrGrammarOptions and `around`). */
export function trustAsrGrammar(t: SpokenTrustWords): {
  around: { before: readonly string[]; after: readonly string[]; alone: readonly string[] };
  compile: { listExtras: Record<string, readonly string[]>; widenRanges: { temperature: readonly [number, number] } };
} {
  return {
    around: { before: t.before, after: t.after, alone: t.alone },
    compile: {
      listExtras: { area: t.rooms, floor: t.rooms, name: t.appliances },
      // Out-of-range temperatures are heard as said ("fifty", "seventy two") and refused, never heard as an in-range one.
      widenRanges: { temperature: [0, 100] },
    },
  };
}
