// Checks on a reading that is not word for word (the SLM's, a tolerant match's): does it hold all that
// was said? A guess that lost part of the request ("turn off the tv the floor lamp and the big light"
// read without the tv), read a change by an amount as the value ("turn the radio down ten percent"),
// put a question nobody asked inside a change, left out a place in the car said, or was pulled two ways
// is refused; one that left out a number said is asked back (or refused when high-risk, src/trust/judge.ts).
import { intentHandling } from "../act/plan.js";
import { startsRequest } from "../nlu/rephrase.js";
import type { IntentResult } from "../nlu/types.js";
import type { Cues } from "./cues.js";
import { freeText, type EntityTag, type Knowledge } from "./knowledge.js";
import type { PhraseHit } from "./phrases.js";

export interface GuessedReading {
  /** The reading's intents after grounding. */
  reading: readonly IntentResult[];
  /** The utterance's tokens, and the same with a time said blanked out. */
  tokens: readonly string[];
  said: readonly string[];
  /** Known names said, the positions they cover, positions of free text and times. */
  names: ReadonlyArray<PhraseHit<EntityTag>>;
  blocked: ReadonlySet<number>;
  unnamed: ReadonlySet<number>;
  /** Positions a frame or correction set aside ("not the big light, …"). */
  overruled: (n: number) => boolean;
  /** Whether the reading changes anything. */
  changes: boolean;
  profile: "home" | "car" | undefined;
  cues: Cues;
  k: Knowledge;
}

/** "back here", "behind me": the word at n names the speaker's own place, said so. */
export function ownPlaceAt(words: readonly string[], n: number): boolean {
  return words[n + 1] === "here" || (words[n] === "behind" && ["me", "my", "us"].includes(words[n + 1] ?? ""));
}

/** Why the guess is refused: what to say (none: not understood) and the words it is about; undefined when none of the checks fails. */
export function guessFault(g: GuessedReading): { speech?: string; detail: string } | undefined {
  const { reading, tokens, said, names, blocked, unnamed, cues } = g;
  const text = (h: { start: number; end: number }) => tokens.slice(h.start, h.end).join(" ");
  // A named device no part of the reading acts on (only readings that name devices: "turn up the tv" sets a volume).
  const namedOnes = new Set(reading.map((i) => i.slots.name).filter((v) => v !== undefined).map(String));
  const lost = namedOnes.size ? names.find((h) => h.tag.kind === "name" && !unnamed.has(h.start) && !g.overruled(h.start) && !namedOnes.has(h.tag.value)) : undefined;
  if (lost) return { speech: `Sorry, I did not follow what you said about "${text(lost)}", so I did nothing. Please say it another way.`, detail: text(lost) };
  // A kind of device said that no device of the reading is ("i'm watching the tv, turn off the lamp" read as
  // the tv): the guess took the wrong one of the two.
  if (namedOnes.size && reading.every((i) => i.slots.name !== undefined)) {
    const domains = new Set(reading.flatMap((i) => [i.slots.domain, g.k.domainOf(String(i.slots.name))]).filter((d) => d !== undefined).map(String));
    const inName = (n: number) => names.some((h) => h.start <= n && n < h.end);
    // (only words for some devices of a kind, cues.yaml kind_words: "light" may be daylight, "lamp" is not)
    const other = said.findIndex((t, n) => !blocked.has(n) && !inName(n) && !unnamed.has(n) && !g.overruled(n) && [...cues.kindWords].some(([d, words]) => words.has(t) && !domains.has(d)) && ![...domains].some((d) => cues.kindWords.get(d)?.has(t)));
    if (other >= 0) return { speech: `Sorry, I did not follow what you said about "${said[other]}", so I did nothing. Please say it another way.`, detail: said[other]! };
  }
  // A word only a device's name holds, said beside a reading of a room's devices ("close the light of the
  // staircase" read as this room's lights): the guess went past the device meant.
  const nameWord = g.changes && reading.every((i) => i.slots.name === undefined) ? said.findIndex((t, n) => g.k.nameOnly.has(t) && !blocked.has(n) && !unnamed.has(n) && !g.overruled(n)) : -1;
  if (nameWord >= 0) return { speech: `Sorry, I did not follow what you said about "${said[nameWord]}", so I did nothing. Please say it another way.`, detail: said[nameWord]! };
  // A number right after "by", "in" or a direction is a change by that much or a time, not the value to set.
  const setsNumber = reading.some((i) => Object.values(i.slots).some((v) => typeof v === "number"));
  const relative = said.findIndex((t, n) => n > 0 && /^\d/.test(t) && cues.amounts.relativeBefore.has(said[n - 1]!) && !blocked.has(n));
  if (setsNumber && relative > 0) return { speech: "Sorry, I can only set an exact value or turn it up or down a step, so I did nothing.", detail: tokens.slice(relative - 1, relative + 1).join(" ") };
  // "tv off and lights off, going to bed" read as turning the tv off and asking whether it is on.
  if (g.changes && reading.some((i) => intentHandling(i.intent).kind === "query")) return { detail: "a question inside a request" };
  // A place in the car said that the reading does not hold: the speaker's seat is no stand-in for it.
  const placed = reading.flatMap((i) => CAR_PLACE_SLOTS.map((s) => i.slots[s]).filter((v) => v !== undefined).map((v) => String(v).replace(/_/g, " ").split(" ")));
  const held = (w: string) => placed.some((v) => v.includes(w) || ((w === "behind" || w === "back") && v.includes("rear")));
  const own = (n: number) => ownPlaceAt(said, n);
  const unplaced = g.profile === "car" ? said.find((t, n) => cues.carPositions.has(t) && !blocked.has(n) && !own(n) && !held(t)) : undefined;
  if (g.changes && unplaced && reading.some((i) => g.k.slotsOf(i.intent).some((s) => CAR_PLACE_SLOTS.includes(s))))
    return { speech: `Sorry, I did not follow which seat you meant by "${unplaced}", so I did nothing. Please name the seat.`, detail: unplaced };
  // A seat or window said that the reading does not hold ("the driver window at the back right" read as
  // the back right one), or a word before the car part that names none ("the rear write window").
  const seat = g.changes && g.profile === "car" ? carPlaceFault(g) : undefined;
  if (seat) return { speech: `Sorry, I did not follow which ${seat.part} you meant by "${seat.words}", so I did nothing. Please name the seat.`, detail: seat.words };
  // "put the window down a quarter": a fraction after a direction is a change by that much (or how far
  // open?), not the value to set.
  const fraction = setsNumber ? relativeFraction(said, blocked, cues) : undefined;
  if (fraction) return { speech: "Sorry, I can only set an exact value or turn it up or down a step, so I did nothing.", detail: fraction };
  // "lower the blind some", "open my window the usual amount": part of the way read as all the way.
  const partway = g.changes && !setsNumber ? cues.partial.find(said, blocked).find((h) => aboutTravel(g, h.start)) : undefined;
  if (partway && reading.some((i) => travels(g, i))) return { speech: "Sorry, I can only open or close it all the way or to a percentage, so I did nothing.", detail: text(partway) };
  // "lock the side door" in a home whose doors are the front and the back one: a device that is not here.
  const unknown = g.changes && g.profile === "home" ? unknownDevice(g) : undefined;
  if (unknown) return { speech: `Sorry, I don't know the ${unknown}, so I did nothing.`, detail: unknown };
  // "big light off, lamp on" read with the big light turned on: a named device said with the opposite word after it.
  const flipped = switchedAround(g);
  if (flipped) return { speech: `Sorry, I did not follow what you said about "${flipped}", so I did nothing. Please say it another way.`, detail: flipped };
  // "we're here, you can stop the directions now" read as pausing the music: words about another topic
  // than the reading's, and none about its own.
  const topic = offTopic(g);
  if (topic) return { detail: `${topic} is about something else` };
  // "drive me to my sister's place on maple drive" read with the destination "maple": free text cut short.
  const cut = cutShort(g);
  if (cut) return { speech: `Sorry, I did not follow what you said about "${cut}", so I did nothing. Please say it another way.`, detail: cut };
  // One request pulled two ways ("turn the volume up down"), or several read the same way though both words were said.
  const oneWay = reading.length === 1 || reading.every((i) => i.intent === reading[0]!.intent && i.slots.action === reading[0]!.slots.action);
  const pulled = oneWay ? cues.opposed.find(([a, b]) => said.includes(a) && said.includes(b)) : undefined;
  if (g.changes && pulled) return { detail: pulled.join(" / ") };
  return undefined;
}

/** Words before "one" that make it a pronoun, no number ("this one", "a hot one", "the other one"). */
const ONE_DETERMINERS = new Set(["a", "an", "the", "this", "that", "which", "another", "each", "every", "any", "my", "your", "our"]);
function pronounOne(tokens: readonly string[], n: number): boolean {
  if (tokens[n] !== "1") return false;
  const before = tokens[n - 1] ?? "";
  return ONE_DETERMINERS.has(before) || (/^[a-z]+$/.test(before) && ONE_DETERMINERS.has(tokens[n - 2] ?? ""));
}

/** Words that make the number before them a fraction ("three quarters"). */
const FRACTION_WORDS = new Set(["quarter", "quarters", "third", "thirds", "half", "halves"]);

/**
 * A number or amount said that the reading holds in no value, to ask back about: an amount said to a
 * reading that holds no number at all ("open my window a quarter" read as opening it; `understood`: the
 * readings before grounding), or a number said beside the ones it holds ("open the two back windows to
 * 30 percent" read as 2 %). Undefined when every one is held.
 */
export function unheldNumber(g: Pick<GuessedReading, "reading" | "tokens" | "said" | "blocked" | "unnamed" | "cues">, understood: readonly IntentResult[]): string | undefined {
  const free = (n: number) => !g.blocked.has(n) && !g.unnamed.has(n) && !pronounOne(g.tokens, n);
  if (!understood.some((i) => Object.values(i.slots).some((v) => typeof v === "number" || /^\d/.test(String(v))))) {
    const amount = g.tokens.find((t, n) => free(n) && (/^\d/.test(t) || g.cues.amounts.words.has(t)));
    return amount === undefined ? undefined : `amount ${amount}`;
  }
  const held = new Set(g.reading.flatMap((i) => Object.values(i.slots)).filter((v) => typeof v === "number" || /^\d+(\.\d+)?$/.test(String(v))).map(Number));
  if (!held.size) return undefined;
  // "open my window three quarter" read as 3 %: a number said before a fraction is no value of its own
  const fraction = g.said.findIndex((t, n) => /^\d+$/.test(t) && free(n) && FRACTION_WORDS.has(g.said[n + 1] ?? "") && held.has(Number(t)));
  if (fraction >= 0) return `fraction ${g.said[fraction]} ${g.said[fraction + 1]}`;
  // ("nineteen and a half" holds 19.5)
  const dropped = g.said.find((t, n) => /^\d+(\.\d+)?$/.test(t) && free(n) && !held.has(Number(t)) && !(held.has(Number(t) + 0.5) && g.said.includes("half")));
  if (dropped !== undefined) return `number ${dropped}`;
  // "crack my window a quarter" read as 10 %: a fraction said ("a quarter", "half") that the reading does not
  // hold, unless it is the fraction of a number ("nineteen and a half")
  const andA = (n: number) => g.tokens[n - 1] === "and" || (g.tokens[n - 1] === "a" && g.tokens[n - 2] === "and");
  const fractionSaid = g.cues.numberWords
    .find(g.tokens)
    .find((h) => !held.has(h.tag) && !andA(h.start) && g.tokens.slice(h.start, h.end).some((t) => g.cues.amounts.words.has(t)) && [...Array(h.end - h.start).keys()].every((k) => free(h.start + k)));
  return fractionSaid === undefined ? undefined : `amount ${g.tokens.slice(fractionSaid.start, fractionSaid.end).join(" ")}`;
}

/** The slots that hold a place in the car. */
export const CAR_PLACE_SLOTS = ["window", "seat", "zone", "side"];

/** Words that make a place the speaker's own. */
const SPEAKERS = new Set(["my", "our", "me", "mine", "i", "i'm", "us"]);

/** Nouns for the parts of a car a seat's place is said with. */
const CAR_PARTS = /^(window|windows|seat|seats|side|row|rows)$/;

/**
 * The car place said beside a part that the reading does not hold: a value of the place's list said
 * and not the one read, or a word in front of the part that is neither such a value nor one of
 * `part_modifiers` ("write"). Undefined when every place said is held.
 */
function carPlaceFault(g: GuessedReading): { part: string; words: string } | undefined {
  const { reading, said, blocked, unnamed } = g;
  const free = (n: number) => !blocked.has(n) && !unnamed.has(n) && !g.overruled(n);
  // (a car device's own name says its place too: "the driver window")
  const spoken = (n: number) => !unnamed.has(n) && !g.overruled(n);
  // Every value form of the car's place lists said, longest first; a shorter one inside it is the same words.
  const spans: Array<{ start: number; end: number; value: string }> = [];
  const readValues = new Set<string>();
  const idioms = g.cues.noValue.find(said);
  const idiom = (n: number) => idioms.some((h) => n >= h.start && n < h.end);
  for (const i of reading)
    for (const slot of CAR_PLACE_SLOTS.filter((s) => g.k.slotsOf(i.intent).includes(s))) {
      if (i.slots[slot] !== undefined) readValues.add(String(i.slots[slot]));
      for (const list of g.k.listsOf(i.intent, slot)) {
        if (list.kind !== "values") continue;
        for (const v of list.values)
          for (const f of g.k.formsOf(list, v.out)) {
            // ("my side" is the speaker's own wherever they sit; "all the" is no place without its noun)
            if (f.some((w) => SPEAKERS.has(w))) continue;
            const form = f.length > 1 && f[0] === "the" ? f.slice(1) : f;
            for (let s = 0; s + form.length <= said.length; s++) if (form.every((w, n) => said[s + n] === w) && spoken(s) && !idiom(s)) spans.push({ start: s, end: s + form.length, value: String(v.out) });
          }
      }
    }
  if (!readValues.size && !reading.some((i) => g.k.slotsOf(i.intent).some((s) => CAR_PLACE_SLOTS.includes(s)))) return undefined;
  const outer = spans.filter((a) => !spans.some((b) => b !== a && b.start <= a.start && a.end <= b.end && b.end - b.start > a.end - a.start));
  // (a reading with no place at all gets the speaker's seat: then any place said is another one)
  const other = outer.find((s) => !readValues.has(s.value));
  if (other) return { part: said.slice(other.end).find((t) => CAR_PARTS.test(t))?.replace(/s$/, "") ?? "seat", words: said.slice(other.start, other.end).join(" ") };
  // The word in front of "window" / "seat": a place the reading holds, or a word that names none.
  for (let n = 1; n < said.length; n++) {
    if (!CAR_PARTS.test(said[n]!) || !free(n - 1)) continue;
    const before = said[n - 1]!;
    if (outer.some((s) => s.start < n && n <= s.end) || g.cues.partModifiers.has(before) || g.cues.carPositions.has(before)) continue;
    // "open a window": which one is not said, and the reading's own is a guess.
    return { part: said[n]!.replace(/s$/, ""), words: `${before} ${said[n]}` };
  }
  return undefined;
}

/** "down a quarter", "by a third": a fraction said as a change (undefined when none is). */
function relativeFraction(said: readonly string[], blocked: ReadonlySet<number>, cues: Cues): string | undefined {
  for (let n = 2; n < said.length; n++) {
    if (!RELATIVE_FRACTIONS.has(said[n]!) || blocked.has(n) || !["a", "one"].includes(said[n - 1]!)) continue;
    // ("down a quarter of the way" says where to)
    if (said[n + 1] === "way" || (said[n + 1] === "of" && said[n + 3] === "way")) continue;
    for (let by = n - 2; by >= 0; by--) if ((cues.amounts.relativeBefore.has(said[by]!) && said[by] !== "in") || said[by] === "raise") return said.slice(by, n + 1).join(" ");
  }
  return undefined;
}

/** Fractions that are an amount to change by after a direction ("down a quarter"); "halfway" is where to. */
const RELATIVE_FRACTIONS = new Set(["quarter", "third"]);

/** A reading that opens or closes something all the way (a cover, a car window without a percentage). */
function travels(g: GuessedReading, i: IntentResult): boolean {
  if (Object.values(i.slots).some((v) => typeof v === "number")) return false;
  if (i.slots.domain === "cover" || i.slots.domain === "valve") return true;
  if (g.k.slotsOf(i.intent).some((s) => s === "percent" || s === "position")) return true;
  return (i.intent === "HassTurnOn" || i.intent === "HassTurnOff") && g.cues.domainWords.find(g.said, g.blocked).some((h) => h.tag === "cover");
}

/** Words of opening and closing, for the clause an amount is said in. */
const TRAVEL_WORDS = /^(window|windows|open|close|shut|lower|raise|roll|wind|crack)$/;

/** Whether the clause ("… and …") holding position n is about opening or closing something. */
function aboutTravel(g: GuessedReading, n: number): boolean {
  const cut = (t: string) => t === "and" || t === "then";
  let a = n;
  while (a > 0 && !cut(g.said[a - 1]!)) a--;
  let b = n;
  while (b < g.said.length && !cut(g.said[b]!)) b++;
  const clause = g.said.slice(a, b);
  return clause.some((t) => TRAVEL_WORDS.test(t)) || g.cues.domainWords.find(clause).some((h) => h.tag === "cover");
}

/**
 * A word in front of a kind of device that no device of that kind, room or floor here holds and that
 * names a place in the car, or that hark does not know at all ("the side door", "the patio lamp"), when the reading
 * names no device: the device meant is not here. Undefined when there is none.
 */
function unknownDevice(g: GuessedReading): string | undefined {
  const free = (n: number) => !g.blocked.has(n) && !g.unnamed.has(n) && !g.overruled(n) && !g.names.some((h) => n >= h.start && n < h.end);
  // "turn on the back door light" read as the Back Door (a lock): a kind of device said right after a
  // name that is not the named device's kind.
  for (const h of g.names) {
    if (h.tag.kind !== "name" || !g.reading.some((i) => i.slots.name === h.tag.value)) continue;
    const own = g.k.domainOf(h.tag.value);
    const next = g.cues.domainWords.find(g.said.slice(h.end, h.end + 1));
    if (own !== undefined && next.length && !next.some((x) => x.tag === own)) return g.said.slice(h.start, h.end + 1).join(" ");
  }
  // (a name the reading holds that was said is the device meant)
  if (g.reading.some((i) => i.slots.name !== undefined && g.names.some((h) => h.tag.kind === "name" && h.tag.value === i.slots.name))) return undefined;
  const domains = new Set(g.reading.map((i) => i.slots.domain ?? (typeof i.slots.name === "string" ? g.k.domainOf(i.slots.name) : undefined)).filter((d) => d !== undefined).map(String));
  for (const h of g.cues.domainWords.find(g.said, g.blocked).filter((x) => domains.has(x.tag))) {
    const n = h.start - 1;
    const before = g.said[n];
    const known = (key: string) => g.k.entityWords.get(key)?.has(before!) ?? false;
    if (h.end - h.start !== 1 || before === undefined || !free(n) || !free(h.start) || known(h.tag)) continue;
    // "the kids lamp" said in the living room, read as its floor lamp: a room's word before the kind of
    // device is that room's device, so the reading must be in that room (or on that floor)
    const places = g.k.placesOfWord(before);
    if (places.size) {
      const held = g.reading.some((i) => [i.slots.area, i.slots.floor, typeof i.slots.name === "string" ? g.k.areaOf(i.slots.name) : undefined].some((p) => p !== undefined && places.has(String(p))));
      if (!held && g.reading.some((i) => i.slots.area !== undefined || i.slots.name !== undefined)) return `${before} ${g.said[h.start]}`;
      continue;
    }
    if (g.cues.carPositions.has(before) || before === "side" || (!g.k.vocabulary.has(before) && !/^\d/.test(before) && !g.cues.areaModifiers.has(before)))
      return `${before} ${g.said[h.start]}`;
  }
  return undefined;
}

/** A word said about another topic than the reading's, when none about its own is said (cues.yaml `topics`); undefined when there is none. */
function offTopic(g: GuessedReading): string | undefined {
  const own = new Set(g.reading.map((i) => g.cues.topics.intents.get(i.intent)));
  if (own.has(undefined) || !own.size) return undefined;
  const said = g.cues.topics.words.find(g.said, g.blocked).filter((h) => !g.unnamed.has(h.start) && !g.overruled(h.start));
  if (said.some((h) => own.has(h.tag))) return undefined;
  const other = said.find((h) => !own.has(h.tag));
  return other ? g.said.slice(other.start, other.end).join(" ") : undefined;
}

/** A guessed free-text value followed by a word it could not stop before (cues.yaml `free_text_ends`): the words it left out. */
function cutShort(g: GuessedReading): string | undefined {
  for (const i of g.reading)
    for (const [, v] of freeText(i, g.k.grammar)) {
      const value = v.toLowerCase().split(/\s+/).filter(Boolean);
      if (!value.length) continue;
      // The last place the value is said word for word (free text is copied from the words).
      for (let s = g.tokens.length - value.length; s >= 0; s--) {
        if (!value.every((w, n) => g.tokens[s + n] === w)) continue;
        const next = g.tokens[s + value.length];
        // (a request going on is a boundary too: "i want go to the gym, make the route")
        if (next !== undefined && !g.cues.freeTextEnds.has(next) && !g.blocked.has(s + value.length) && !startsRequest(next)) return g.tokens.slice(s, Math.min(g.tokens.length, s + value.length + 2)).join(" ");
        break;
      }
    }
  return undefined;
}

/** The words of a device turned on or off by the reading while "off" or "on" follows its name the other way; undefined when none is. */
function switchedAround(g: GuessedReading): string | undefined {
  const opposite: Record<string, string> = { HassTurnOn: "off", HassTurnOff: "on" };
  for (const i of g.reading) {
    const word = opposite[i.intent];
    if (!word || typeof i.slots.name !== "string") continue;
    for (const h of g.names) {
      if (h.tag.kind !== "name" || h.tag.value !== i.slots.name || g.overruled(h.start)) continue;
      if (g.said[h.end] === word) return g.said.slice(h.start, h.end + 1).join(" ");
    }
  }
  return undefined;
}
