// The trust cues of a language (grammars/<lang>/trust/cues.yaml) and its lexicon of places and
// devices (lexicon.yaml), loaded once per language and compiled into phrase sets.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { defaultGrammarDir } from "../grammar/paths.js";
import { readYamlFile } from "../grammar/yamlFile.js";
import { PhraseSet } from "./phrases.js";
import { normalizeTokens } from "../grammar/normalize.js";

const templates = z.array(z.string().min(1));

const cuesSchema = z.strictObject({
  language: z.string(),
  negation: templates,
  negation_requests: z.strictObject({ act: templates, ask: templates }),
  hold: templates,
  exclusion: templates,
  comparison: templates.default([]),
  open_ended: templates.default([]),
  addressed: z.strictObject({ words: z.array(z.string().min(1)), before: z.array(z.string().min(1)) }).default({ words: [], before: [] }),
  condition: templates,
  recurring: templates,
  vague_time: templates,
  delay: z.strictObject({
    units: z.strictObject({ second: templates, minute: templates, hour: templates }),
    before: templates,
    after_amount: templates,
    amounts: z.record(z.string(), templates),
    clock: z.strictObject({
      at: templates,
      am: templates,
      pm: templates,
      oclock: templates,
      half_past: templates,
      quarter_past: templates,
      quarter_to: templates,
      noon: templates,
      midnight: templates,
    }),
    for: templates,
  }),
  question: z.strictObject({ starts: templates, embedded: templates, requests: templates }),
  statement: templates,
  here: templates,
  corrections: templates,
  mid_corrections: z.strictObject({ cues: templates, not_before: z.array(z.string().min(1)).default([]) }).default({ cues: [], not_before: [] }),
  retractions: templates,
  vague_values: templates,
  amounts: z
    .strictObject({ words: z.array(z.string().min(1)).default([]), vague_after: templates.default([]), relative_before: z.array(z.string().min(1)).default([]) })
    .default({ words: [], vague_after: [], relative_before: [] }),
  dangling: z.array(z.string().min(1)).default([]),
  trailing: templates.default([]),
  opposed: z.array(z.tuple([z.string().min(1), z.string().min(1)])).default([]),
  direction_words: z.array(z.string().min(1)).default([]),
  area_modifiers: z.array(z.string().min(1)),
  car_owners: z.array(z.string().min(1)).default([]),
  car_positions: z.array(z.string().min(1)).default([]),
  part_modifiers: z.array(z.string().min(1)).default([]),
  no_value: templates.default([]),
  partial: templates.default([]),
  reported: templates.default([]),
  quoting: z.array(z.string().min(1)).default([]),
  titles: templates.default([]),
  clock_now: templates.default([]),
  named_lists: z.array(z.string().min(1)).default([]),
  relay: z.object({ verbs: z.array(z.string().min(1)), not_someone: z.array(z.string().min(1)), people: z.array(z.string().min(1)).default([]) }).default({ verbs: [], not_someone: [], people: [] }),
  name_articles: z.array(z.string().min(1)).default([]),
  number_words: z.record(z.string(), templates),
  number_units: z.record(z.string(), z.strictObject({ words: z.array(z.string().min(1)), fits: z.array(z.string().min(1)) })).default({}),
  domain_words: z.record(z.string(), templates).default({}),
  kind_words: z.record(z.string(), z.array(z.string().min(1))).default({}),
  action_words: z.record(z.string(), templates).default({}),
  contrary_words: z.record(z.string(), templates).default({}),
  topics: z.record(z.string(), z.strictObject({ intents: z.array(z.string().min(1)), words: templates })).default({}),
  free_text_ends: z.array(z.string().min(1)).default([]),
  places: z.strictObject({ car: templates, home: templates }),
  spoken: z.strictObject({ before: templates, after: templates, amounts: z.array(z.number().positive()) }),
});
export type CueFile = z.infer<typeof cuesSchema>;

const lexiconSchema = z.strictObject({
  language: z.string(),
  rooms: templates,
  appliances: templates,
  car_parts: templates,
  /** The everyday subset the grammar ASR adds to its room and device lists. */
  spoken_rooms: templates,
  spoken_appliances: templates,
  /** Everyday words that are no command said alone ("four", "left"): heard as themselves and rejected. */
  common_words: templates.default([]),
});

/** What a stretch of the utterance does to the request. */
export type CueKind =
  | "negation"
  | "negation_act"
  | "negation_ask"
  | "hold"
  | "exclusion"
  | "condition"
  | "recurring"
  | "vague_time"
  | "comparison"
  | "here"
  | "place_car"
  | "place_home";

export type LexiconKind = "room" | "appliance" | "car_part";

export interface Cues {
  language: string;
  /** Cues found anywhere in the utterance. */
  anywhere: PhraseSet<CueKind>;
  /** Question forms, only at the start of an utterance. */
  questionStart: PhraseSet<"question" | "request">;
  /** Embedded questions anywhere ("tell me if …", "how much …"). */
  questionEmbedded: PhraseSet<"question">;
  /** Statements about what happened, only at the start ("I turned off the lights"). */
  statementStart: PhraseSet<"statement">;
  /** Someone else addressed at the start ("honey, can you …"), and the words that address them. */
  addressedStart: PhraseSet<"addressed">;
  addressedWords: ReadonlySet<string>;
  /** "until I say so": no condition, for as long as it takes. */
  openEnded: PhraseSet<"open_ended">;
  /** Corrections in front of a request, only at the start ("no wait, …"); anywhere else they repair what came before. */
  correctionStart: PhraseSet<"correction">;
  /** Corrections only inside a request ("turn on the kitchen, no, the bedroom light"), and the words after which they are none ("no matter"). */
  midCorrections: { cues: PhraseSet<"correction">; notBefore: ReadonlySet<string> };
  /** Words that take back what was said before them, when they end the utterance ("…, no wait"). */
  retractions: PhraseSet<"retraction">;
  /** Free-text values that name nothing ("something"). */
  vagueValues: PhraseSet<"vague">;
  /** Words that say an amount besides the digits ("quarter", "percent"), and what makes a number said vague after it ("twenty something"). */
  amounts: { words: ReadonlySet<string>; vagueAfter: PhraseSet<"vague">; relativeBefore: ReadonlySet<string> };
  /** Words a request cannot end on ("open my window to"). */
  dangling: ReadonlySet<string>;
  /** Filler a request may trail off with after its dangling word ("open my window to, you know, like before"). */
  trailing: PhraseSet<"trailing">;
  /** Pairs of words that pull one reading two ways ("up" / "down"). */
  opposed: ReadonlyArray<readonly [string, string]>;
  /** Words that say which way to change something: an SLM's direction needs one of them. */
  directionWords: PhraseSet<"direction">;
  /** Words that make a known room another one ("the second bathroom"). */
  areaModifiers: ReadonlySet<string>;
  /** People a part of the car may be said to belong to ("the kids' windows"): no seat the car knows. */
  carOwners: ReadonlySet<string>;
  /** Words for where in the car ("behind", "left"): a guessed reading must hold the place they name. */
  carPositions: ReadonlySet<string>;
  /** Words that may stand before "window" or "seat" without naming a place ("my", "heated"): any other word there names one. */
  partModifiers: ReadonlySet<string>;
  /** Phrases whose words are no value ("all the way" names no window). */
  noValue: PhraseSet<"idiom">;
  /** What a request is about, by its words ("directions" is navigation): the intents of each topic and a phrase set tagged with the topic. */
  topics: { intents: ReadonlyMap<string, string>; words: PhraseSet<string> };
  /** Words free text may stop before ("… on the kitchen speaker", "… please"): a guessed value followed by any other word was cut short. */
  freeTextEnds: ReadonlySet<string>;
  /** Part of the way, said without how far ("a crack", "some"). */
  partial: PhraseSet<"partial">;
  /** Words that report what someone else says ("the driver says …", "that's what the song says"). */
  reported: PhraseSet<"reported">;
  /** Words right before a quoted request ("a song called …", "the sign says …"): a reason ending in one is no plain reason. */
  quoting: ReadonlySet<string>;
  /** A title said before what it names ("a song called …"). */
  titles: PhraseSet<"title">;
  /** The time now said as a reason ("…, it's six in the morning"). */
  clockNow: PhraseSet<"clock">;
  /** A request passed on to someone else at the start ("ask Dave to …"): the verbs, and first words that name no one else. */
  relay: { verbs: ReadonlySet<string>; notSomeone: ReadonlySet<string>; people: ReadonlySet<string> };
  /** Lists whose values name places and devices: a reading that is not word for word must keep each one said. */
  namedLists: readonly string[];
  /** Articles a value's spoken form may start with and the user may leave out ("driver window"). */
  nameArticles: ReadonlySet<string>;
  lexicon: PhraseSet<LexiconKind>;
  /** Words that stand for numbers ("halfway" = 50). */
  numberWords: PhraseSet<number>;
  /** Unit words said right after a number, and the kinds of number (range lists' `type`) each may stand for. */
  numberUnits: ReadonlyMap<string, ReadonlySet<string>>;
  /** Words that name a kind of device ("lamp" = light): an SLM's domain must be one the user said. */
  domainWords: PhraseSet<string>;
  /** The domains domainWords has words for (others are not checked). */
  wordedDomains: ReadonlySet<string>;
  /** Words that say what to do, per reading ("HassTurnOff", "CabinWindow action=close"): an SLM's reading needs one. */
  actionWords: ReadonlyMap<string, PhraseSet<"action">>;
  /** Words that ask for the opposite of a reading's action, keyed as `actionWords`. */
  contraryWords: ReadonlyMap<string, PhraseSet<"action">>;
  /** Per domain, words for some of its devices ("lamp" among lights): src/trust/kindWords.ts. */
  kindWords: ReadonlyMap<string, ReadonlySet<string>>;
  delay: CueFile["delay"];
  /** What the grammar ASR must be able to hear around requests (src/trust/spoken.ts). */
  spoken: CueFile["spoken"];
  /** Everyday rooms and appliances a home may lack, for the grammar ASR's lists. */
  spokenLexicon: { rooms: string[]; appliances: string[]; common: string[] };
}

const cache = new Map<string, Cues>();

/** The folder holding a language's trust files: beside the grammar when it has one, else hark's own. */
export function cueDir(language: string, grammarDirs: readonly string[] = []): string {
  for (const d of grammarDirs) if (existsSync(join(d, "trust", "cues.yaml"))) return join(d, "trust");
  const shipped = join(defaultGrammarDir(language), "trust");
  if (existsSync(join(shipped, "cues.yaml"))) return shipped;
  return join(defaultGrammarDir("en"), "trust");
}

export function loadCues(dir: string): Cues {
  const hit = cache.get(dir);
  if (hit) return hit;
  const file = join(dir, "cues.yaml");
  const c = readYamlFile(file, cuesSchema);
  const lex = readYamlFile(join(dir, "lexicon.yaml"), lexiconSchema);
  const anywhere = new PhraseSet<CueKind>();
  const add = (list: readonly string[], kind: CueKind) => {
    for (const t of list) {
      try {
        anywhere.add(t, kind);
      } catch (err) {
        throw new Error(`${file}: "${t}": ${(err as Error).message}`);
      }
    }
  };
  add(c.negation, "negation");
  add(c.negation_requests.act, "negation_act");
  add(c.negation_requests.ask, "negation_ask");
  add(c.hold, "hold");
  add(c.exclusion, "exclusion");
  add(c.condition, "condition");
  add(c.recurring, "recurring");
  add(c.vague_time, "vague_time");
  add(c.comparison, "comparison");
  add(c.here, "here");
  add(c.places.car, "place_car");
  add(c.places.home, "place_home");
  const questionStart = new PhraseSet<"question" | "request">();
  for (const t of c.question.starts) questionStart.add(t, "question");
  for (const t of c.question.requests) questionStart.add(t, "request");
  const statementStart = new PhraseSet<"statement">();
  for (const t of c.statement) statementStart.add(t, "statement");
  const questionEmbedded = new PhraseSet<"question">();
  for (const t of c.question.embedded) questionEmbedded.add(t, "question");
  const lexicon = new PhraseSet<LexiconKind>();
  for (const w of lex.rooms) lexicon.addWords(w, "room");
  for (const w of lex.appliances) lexicon.addWords(w, "appliance");
  for (const w of lex.car_parts) lexicon.addWords(w, "car_part");
  const numberWords = new PhraseSet<number>();
  for (const [value, list] of Object.entries(c.number_words)) for (const t of list) numberWords.add(t, Number(value));
  const numberUnits = new Map<string, ReadonlySet<string>>();
  for (const unit of Object.values(c.number_units)) for (const w of unit.words) numberUnits.set(w, new Set(unit.fits));
  const domainWords = new PhraseSet<string>();
  for (const [domain, list] of Object.entries(c.domain_words)) for (const t of list) domainWords.add(t, domain);
  const correctionStart = new PhraseSet<"correction">();
  for (const t of c.corrections) correctionStart.add(t, "correction");
  const midCorrections = { cues: new PhraseSet<"correction">(), notBefore: new Set(c.mid_corrections.not_before) };
  for (const t of c.mid_corrections.cues) midCorrections.cues.add(t, "correction");
  const retractions = new PhraseSet<"retraction">();
  for (const t of c.retractions) retractions.add(t, "retraction");
  const amounts = { words: new Set(c.amounts.words), vagueAfter: new PhraseSet<"vague">(), relativeBefore: new Set(c.amounts.relative_before) };
  for (const t of c.amounts.vague_after) amounts.vagueAfter.add(t, "vague");
  const vagueValues = new PhraseSet<"vague">();
  const trailing = new PhraseSet<"trailing">();
  for (const t of c.trailing) trailing.add(t, "trailing");
  for (const t of c.vague_values) vagueValues.add(t, "vague");
  const directionWords = new PhraseSet<"direction">();
  for (const t of c.direction_words) directionWords.add(t, "direction");
  const cues: Cues = {
    language: c.language,
    anywhere,
    questionStart,
    questionEmbedded,
    statementStart,
    addressedStart: c.addressed.words.length ? new PhraseSet<"addressed">().add(`(${c.addressed.words.join("|")}) (${c.addressed.before.join("|")})`, "addressed") : new PhraseSet<"addressed">(),
    addressedWords: new Set(c.addressed.words),
    openEnded: c.open_ended.reduce((set, t) => set.add(t, "open_ended"), new PhraseSet<"open_ended">()),
    correctionStart,
    midCorrections,
    retractions,
    vagueValues,
    amounts,
    dangling: new Set(c.dangling),
    trailing,
    opposed: c.opposed,
    directionWords,
    areaModifiers: new Set(c.area_modifiers.flatMap((w) => normalizeTokens(w))),
    carOwners: new Set(c.car_owners.flatMap((w) => normalizeTokens(w))),
    carPositions: new Set(c.car_positions),
    partModifiers: new Set(c.part_modifiers.flatMap((w) => normalizeTokens(w))),
    noValue: c.no_value.reduce((set, t) => set.add(t, "idiom"), new PhraseSet<"idiom">()),
    topics: {
      intents: new Map(Object.entries(c.topics).flatMap(([topic, t]) => t.intents.map((i): [string, string] => [i, topic]))),
      words: Object.entries(c.topics).reduce((set, [topic, t]) => t.words.reduce((s2, w) => s2.add(w, topic), set), new PhraseSet<string>()),
    },
    freeTextEnds: new Set(c.free_text_ends.flatMap((w) => normalizeTokens(w))),
    partial: c.partial.reduce((set, t) => set.add(t, "partial"), new PhraseSet<"partial">()),
    reported: c.reported.reduce((set, t) => set.add(t, "reported"), new PhraseSet<"reported">()),
    quoting: new Set(c.quoting),
    titles: c.titles.reduce((set, t) => set.add(t, "title"), new PhraseSet<"title">()),
    clockNow: c.clock_now.reduce((set, t) => set.add(t, "clock"), new PhraseSet<"clock">()),
    namedLists: c.named_lists,
    relay: { verbs: new Set(c.relay.verbs), notSomeone: new Set(c.relay.not_someone), people: new Set(c.relay.people) },
    nameArticles: new Set(c.name_articles.flatMap((w) => normalizeTokens(w))),
    lexicon,
    numberWords,
    numberUnits,
    domainWords,
    wordedDomains: new Set(Object.keys(c.domain_words)),
    actionWords: phraseSets(c.action_words),
    contraryWords: phraseSets(c.contrary_words),
    kindWords: new Map(Object.entries(c.kind_words).map(([d, ws]) => [d, new Set(ws.flatMap((w) => normalizeTokens(w)))])),
    delay: c.delay,
    spoken: c.spoken,
    spokenLexicon: { rooms: lex.spoken_rooms, appliances: lex.spoken_appliances, common: lex.common_words },
  };
  cache.set(dir, cues);
  return cues;
}

function phraseSets(byKey: Record<string, string[]>): Map<string, PhraseSet<"action">> {
  return new Map(Object.entries(byKey).map(([key, list]) => [key, list.reduce((set, t) => set.add(t, "action"), new PhraseSet<"action">())]));
}
