// Training data for hark's SLM: the grammar is the teacher. Samples come from the seeded sample generator
// over the active grammar with (a) the real devices and (b) many random homes (random device, area and
// floor names, so the model learns to copy names from the utterance instead of memorizing them), then
// speech/ASR-like augmentation, compound commands and out-of-domain negatives that map to "none".
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { Random } from "../../compile/random.js";
import { Sampler, type Sample } from "../../compile/sample.js";
import { yamlFiles, type LoadedGrammar } from "../../grammar/load.js";
import { normalizeText } from "../../grammar/normalize.js";
import { projectRoot } from "../../grammar/paths.js";
import { compileGraph } from "../../compile/graph.js";
import { loadSources, sourcePaths, type SourceOptions } from "../../nlu/index.js";
import { Matcher } from "../../nlu/matcher.js";
import { INTENT_SEP, NONE, outputSpec, renderOutput, type OutputIntent, type OutputSpec } from "../../nlu/slm/format.js";
import { delexicalize, MAX_PER_PREFIX, placeholderSymbols } from "../../nlu/slm/delex.js";
import { DROPPABLE, HESITATE, JUNK, LEAD, MISHEAR, REASON_AFTER, REASON_BEFORE, REASON_JOIN_AFTER, REASON_JOIN_BEFORE, TRAIL } from "../../nlu/slm/fillers.js";
import { buildLexicon, paraphraseLexically, type Lexicon } from "./lexicon.js";
import { glossExamples, glossText } from "./wordnet.js";

export interface Example {
  in: string;
  out: string;
}

export interface DataOptions extends SourceOptions {
  seed?: number;
  /** Training examples to generate. */
  train?: number;
  /** Held-out generated samples (real devices) per split. */
  heldOut?: number;
  /** Random homes to generate (each a fresh set of names). */
  randomHomes?: number;
  /** Extra training-only grammar files (paraphrase patterns), merged with the active grammar for training data. */
  extraGrammar?: string[];
  /** WordNet: lexical paraphrase of commands and gloss examples as negatives (default on). */
  wordnet?: boolean;
  onProgress?: (msg: string) => void;
}

export interface DataSet {
  train: Example[];
  dev: Example[];
  test: Example[];
  grammarHash: string;
  /** Placeholders the tokenizer must keep whole ("@light1", "@area2"). */
  symbols: string[];
  /** Intents the training data covers. */
  intents: string[];
}

// ---------- random homes ----------
const SYL = ["ka", "lo", "mi", "ra", "ven", "tor", "sel", "bri", "dun", "fa", "gar", "hol", "jin", "kel", "mor", "nor", "pel", "quin", "ros", "sta", "tam", "ul", "vor", "wes", "yar", "zel", "ash", "bel", "cor", "dal", "el", "fin", "gil", "har", "is", "lin", "mar", "oak", "pin", "ril"];
const ADJ = ["big", "small", "north", "south", "east", "west", "upper", "lower", "corner", "reading", "desk", "ceiling", "floor", "wall", "porch", "accent", "night", "main", "side", "back", "front", "blue", "green", "red", "white", "old", "new", "tall", "round", "left", "right", "middle", "tiny", "grand", "cozy", "bright", "soft", "guest", "party", "holiday", "vintage", "brass", "glass", "paper", "crystal", "retro", "smart"];
const PEOPLE = ["anna", "ben", "carla", "dave", "emma", "felix", "grace", "henry", "iris", "jack", "kate", "leo", "mia", "noah", "olga", "paul", "rosa", "sam", "tina", "victor"];
const AREA_NAMES = ["sunroom", "attic", "den", "pantry", "studio", "guest room", "playroom", "gym", "library", "porch", "patio", "loft", "workshop", "mudroom", "cellar room", "dining room", "media room", "nursery", "balcony", "sauna", "shed", "greenhouse", "conservatory", "terrace", "foyer", "closet", "spare room", "music room", "game room", "craft room", "wine cellar", "pool house", "annex", "back room", "front room", "tv room", "guest bath", "powder room", "hall closet", "boiler room"];
const FLOOR_NAMES = ["ground floor", "first floor", "second floor", "third floor", "basement", "attic floor", "mezzanine", "lower level", "upper level", "garden level", "top floor", "main level"];
const DOMAIN_NOUNS: Record<string, { nouns: string[]; caps: string[]; device_class?: string[] }> = {
  light: { nouns: ["lamp", "lights", "light", "sconce", "chandelier", "strip", "bulb", "spotlight", "lantern", "pendant", "downlights", "fairy lights", "floodlight", "string lights", "glow"], caps: ["on_off", "brightness", "color"] },
  switch: { nouns: ["heater", "kettle", "pump", "plug", "outlet", "fountain", "humidifier", "dehumidifier", "purifier", "sprinkler", "toaster", "printer", "charger", "aquarium", "boiler", "grill", "socket"], caps: ["on_off"] },
  fan: { nouns: ["fan", "ceiling fan", "vent", "extractor", "air circulator", "tower fan"], caps: ["on_off"] },
  cover: { nouns: ["blind", "blinds", "curtain", "curtains", "shade", "shutter", "awning", "garage door", "skylight"], caps: ["open_close", "position"], device_class: ["blind", "curtain", "shade", "shutter", "awning", "garage", "window"] },
  lock: { nouns: ["door", "lock", "gate", "deadbolt", "front door", "side door", "cellar door"], caps: ["lock"] },
  media_player: { nouns: ["speaker", "tv", "television", "radio", "soundbar", "stereo", "jukebox", "record player", "music box"], caps: ["on_off", "volume", "pause", "next_previous"], device_class: ["speaker", "tv"] },
  climate: { nouns: ["thermostat", "heat pump", "radiator", "air conditioner", "climate control"], caps: ["target_temperature", "current_temperature"] },
  sensor: { nouns: ["sensor", "detector", "monitor", "meter", "probe"], caps: ["state"], device_class: ["temperature", "humidity", "smoke", "motion"] },
};

const title = (s: string) => s.replace(/\b[a-z]/g, (c) => c.toUpperCase());

function madeUpWord(rng: Random): string {
  const n = 2 + rng.int(2);
  let w = "";
  for (let i = 0; i < n; i++) w += rng.pick(SYL);
  return w;
}

function randomQualifier(rng: Random): string {
  const r = rng.next();
  if (r < 0.45) return rng.pick(ADJ);
  if (r < 0.7) return madeUpWord(rng);
  if (r < 0.85) return `${rng.pick(PEOPLE)}'s`;
  return `${rng.pick(ADJ)} ${rng.pick(ADJ)}`;
}

/** A random home in the devices/*.yaml format. */
export function randomHome(rng: Random): Record<string, unknown> {
  const floors = rng.shuffle(FLOOR_NAMES).slice(0, 1 + rng.int(3)).map((n, i) => ({
    id: `f${i}`, name: title(n), ...(rng.chance(0.3) ? { aliases: [rng.pick(["downstairs", "upstairs", "top floor", "lower floor", madeUpWord(rng) + " level"])] } : {}),
  }));
  const areaNames = new Set<string>();
  const nAreas = 3 + rng.int(8);
  while (areaNames.size < nAreas) areaNames.add(rng.chance(0.7) ? rng.pick(AREA_NAMES) : rng.chance(0.5) ? `${madeUpWord(rng)} room` : `${rng.pick(PEOPLE)}'s room`);
  const areas = [...areaNames].map((n, i) => ({
    id: `a${i}`, name: title(n), floor: rng.pick(floors).id,
    ...(rng.chance(0.25) ? { aliases: [rng.chance(0.5) ? `${madeUpWord(rng)}` : `${rng.pick(ADJ)} ${n}`] } : {}),
  }));
  const names = new Set<string>();
  const devices: Array<Record<string, unknown>> = [];
  const nDev = 6 + rng.int(25);
  for (let i = 0; i < nDev * 3 && devices.length < nDev; i++) {
    const domain = rng.pick(Object.keys(DOMAIN_NOUNS));
    const d = DOMAIN_NOUNS[domain]!;
    const name = `${randomQualifier(rng)} ${rng.pick(d.nouns)}`;
    const area = rng.pick(areas);
    // House rule: never "<area> <domain word>"; names are unique.
    if (names.has(name) || areaNames.has(name.split(" ")[0]!) || name.startsWith(area.name.toLowerCase())) continue;
    names.add(name);
    const alias = rng.chance(0.3) ? [`${randomQualifier(rng)} ${rng.pick(d.nouns)}`].filter((a) => !names.has(a)) : [];
    alias.forEach((a) => names.add(a));
    devices.push({
      id: `${domain}.d${devices.length}`, name: title(name), ...(alias.length ? { aliases: alias } : {}),
      area: rng.chance(0.9) ? area.id : undefined, domain,
      ...(d.device_class ? { device_class: rng.pick(d.device_class) } : {}),
      capabilities: domain === "light" && rng.chance(0.4) ? ["on_off", "brightness"] : d.caps,
    });
  }
  return { kind: "home", name: "Random home", floors, areas, devices: devices.map((d) => Object.fromEntries(Object.entries(d).filter(([, v]) => v !== undefined))) };
}

// ---------- open-ended slots and conjunctions ----------
/** Share of examples whose free-text values (shopping items, destinations, timer names) are replaced by fresh words. */
const FRESH_TEXT_SHARE = 0.5;
/** Share of examples turned into "… the @area1 and the @area2 …" (one command, two targets → two intents). */
const ELLIPSIS_SHARE = 0.05;
/** Share of commands with one word swapped for a WordNet synonym ("shut the shades"). */
const LEXICAL_SHARE = 0.25;
/** Share of commands whose room or device is swapped for one the home does not have → none. */
const UNKNOWN_TARGET_SHARE = 0.03;
/** Share of the out-of-domain negatives taken from WordNet's gloss examples (general English). */
const GLOSS_NEGATIVE_SHARE = 0.3;
const NAME_NOUNS = [...new Set(Object.values(DOMAIN_NOUNS).flatMap((d) => d.nouns))];

/** 1–3 words nobody's grammar lists: made-up words, everyday nouns, people, places. */
function freshWords(rng: Random): string {
  const pools = [ADJ, NAME_NOUNS, AREA_NAMES, PEOPLE, OOD_FILL.thing!, OOD_FILL.place!];
  const n = 1 + (rng.chance(0.5) ? 0 : rng.chance(0.6) ? 1 : 2);
  const words = () => Array.from({ length: n }, () => (rng.chance(0.3) ? madeUpWord(rng) : rng.pick(rng.pick(pools)))).join(" ");
  // Lists are said with "and" inside one value ("eggs and bacon"); that "and" does not start a second command.
  return rng.chance(0.15) ? `${words()} and ${rng.pick(rng.pick(pools))}` : words();
}

const freeTextSlotsOf = new WeakMap<OutputSpec, Set<string>>();
/** Slots filled from a wildcard list, per spec (computed once: called for every other training example). */
function freeTextSlots(spec: OutputSpec): Set<string> {
  let free = freeTextSlotsOf.get(spec);
  if (!free) {
    free = new Set(spec.intents.flatMap((i) => i.slots.filter((sl) => sl.lists.some((l) => spec.values.get(l)?.kind === "text")).map((sl) => sl.slot)));
    freeTextSlotsOf.set(spec, free);
  }
  return free;
}

/**
 * The same example with every free-text value (a wildcard slot: "add {item} to the list", "take me to
 * {destination}") replaced by fresh words in utterance and target. The grammar's wildcard examples are a
 * handful of words; what users say there is open-ended, so the model must learn to copy, not to recognize.
 */
export function freshFreeText(ex: Example, spec: OutputSpec, rng: Random): Example {
  const free = freeTextSlots(spec);
  let input = ` ${ex.in} `;
  let out = ex.out;
  for (const m of ex.out.matchAll(/(?:^| )([a-z_]+): (.+?)(?= [a-z_]+: | ; |$)/g)) {
    const [slot, value] = [m[1]!, m[2]!];
    if (!free.has(slot) || value.includes("@") || !input.includes(` ${value} `)) continue;
    const fresh = freshWords(rng);
    input = input.split(` ${value} `).join(` ${fresh} `);
    out = out.split(`${slot}: ${value}`).join(`${slot}: ${fresh}`);
  }
  return { in: input.trim(), out };
}

/**
 * "turn off the @area1 lights" → "turn off the @area1 and the @area2 lights" with the intent repeated for
 * the second target: the elliptical conjunction the matcher understands ("turn off the hallway and the
 * living room lights"). Only for one intent with one placeholder; null otherwise.
 */
export function ellipsis(ex: Example, rng: Random): Example | null {
  if (ex.out.includes(INTENT_SEP)) return null;
  const phs = ex.out.match(/@[a-z_]+\d/g) ?? [];
  if (phs.length !== 1) return null;
  const ph = phs[0]!;
  if (ex.in.split(" ").filter((w) => w === ph).length !== 1) return null;
  const prefix = ph.replace(/\d$/, "");
  const used = (ex.in.match(new RegExp(`${prefix}(\\d)`, "g")) ?? []).map((x) => Number(x.slice(-1)));
  const next = Math.max(...used) + 1;
  if (next > MAX_PER_PREFIX) return null;
  const second = `${prefix}${next}`;
  return {
    in: ex.in.replace(ph, `${ph} and${rng.chance(0.6) ? " the" : ""} ${second}`),
    out: `${ex.out}${INTENT_SEP}${ex.out.split(ph).join(second)}`,
  };
}

/** Things people have at home or in a car that no hark home in training has a device for. */
const ABSENT_DEVICES = ["dishwasher", "washing machine", "dryer", "oven", "microwave", "fridge", "freezer", "toaster oven", "coffee grinder", "sunroof", "trunk", "tailgate", "hot tub", "pool pump", "sauna", "jacuzzi", "fireplace", "doorbell camera", "alarm system", "ice maker", "water heater", "treadmill", "projector", "smart mirror", "range hood", "garbage disposal", "massage chair", "wine fridge", "bread maker", "space heater"];

/**
 * A command about a room or device the home does not have ("turn on the lights in the attic" where
 * there is no attic, "switch on the dishwasher"): the placeholder is replaced by the name of something
 * absent and the answer is none, never the same intent without the target. `areas`: the home's area
 * names (an absent room must really be absent).
 */
export function unknownTarget(ex: Example, areas: Set<string>, rng: Random): Example | null {
  if (ex.out.includes(INTENT_SEP)) return null;
  const phs = [...new Set(ex.in.match(/@[a-z_]+\d/g) ?? [])].filter((p) => !p.startsWith("@floor"));
  if (!phs.length) return null;
  const ph = rng.pick(phs);
  let name: string;
  if (ph.startsWith("@area")) {
    const absent = AREA_NAMES.filter((a) => !areas.has(a));
    if (!absent.length) return null;
    name = rng.pick(absent);
  } else name = rng.pick(ABSENT_DEVICES);
  return { in: ex.in.split(ph).join(name), out: NONE };
}

// ---------- augmentation (the filler words: src/nlu/slm/fillers.ts) ----------

/** Share of augmented commands with a reason before them, and again after them. */
const REASON_SHARE = 0.05;

export function augment(text: string, rng: Random): string {
  let words = text.split(" ").filter(Boolean);
  const r = rng.next();
  if (r < 0.15) words.unshift(...rng.pick(LEAD).split(" "));
  else if (r < 0.22) words.push(...rng.pick(TRAIL).split(" "));
  else if (r < 0.27) {
    words.unshift(...rng.pick(LEAD).split(" "));
    words.push(...rng.pick(TRAIL).split(" "));
  }
  // A reason said before or after the request ("guests are coming over so …", "… because i'm on the phone").
  const reason = rng.next();
  if (reason < REASON_SHARE) words.unshift(...`${rng.pick(REASON_BEFORE)} ${rng.pick(REASON_JOIN_BEFORE)}`.split(" ").filter(Boolean));
  else if (reason < 2 * REASON_SHARE) words.push(...`${rng.pick(REASON_JOIN_AFTER)} ${rng.pick(REASON_AFTER)}`.split(" ").filter(Boolean));
  if (rng.chance(0.12) && words.length > 2) words.splice(1 + rng.int(words.length - 1), 0, ...rng.pick(HESITATE).split(" "));
  if (rng.chance(0.06) && words.length > 1) {
    const i = rng.int(words.length);
    words.splice(i, 0, words[i]!); // stutter: "turn turn on"
  }
  if (rng.chance(0.15)) {
    const idx = words.map((w, i) => (DROPPABLE.has(w.toLowerCase()) ? i : -1)).filter((i) => i >= 0);
    if (idx.length) words.splice(rng.pick(idx), 1);
  }
  if (rng.chance(0.12)) {
    const idx = words.map((w, i) => (MISHEAR[w.toLowerCase()] ? i : -1)).filter((i) => i >= 0);
    if (idx.length) {
      const i = rng.pick(idx);
      words[i] = rng.pick(MISHEAR[words[i]!.toLowerCase()]!);
    }
  }
  if (rng.chance(0.15)) for (let k = 1 + rng.int(2); k > 0; k--) words.splice(rng.int(words.length + 1), 0, rng.pick(JUNK));
  if (rng.chance(0.03) && words.length > 3) {
    const i = rng.int(words.length - 1);
    [words[i], words[i + 1]] = [words[i + 1]!, words[i]!];
  }
  return words.join(" ");
}

// ---------- out-of-domain negatives ----------
// Chit-chat and requests hark cannot act on. Kept apart from the natural test set
// (test/fixtures/natural): no sentence here mirrors one of its negatives, and buildDataSet drops any
// training example whose text equals a natural-set utterance.
const OOD_CORE = [
  "tell me something interesting", "what's the tallest mountain in the world", "who invented the telephone", "how do i get rid of hiccups",
  "what rhymes with orange", "how long do i boil an egg", "what's the speed of light", "can dogs eat grapes", "good afternoon", "see you later",
  "let's play a game", "find my phone", "is the bakery open on sunday", "what's the exchange rate for euros", "how do you say thank you in {place}",
  "write an email to {person}", "message {person} on whatsapp", "what's {n} plus {n}", "wake {person} up", "when is {person}'s birthday",
  "tell me a story", "how tall is {person}", "who is {person}",
  "sing me a song", "what's your name", "who made you", "are you a robot",
  "i am bored", "good morning", "good night", "hello there", "hi", "nice to meet you", "order {thing} online",
  "book a flight to {place}", "book a table for {n} at {place}", "email {person} about the meeting", "what does {thing} mean", "spell {thing}", "how do you spell {thing}",
  "how far is the moon", "convert {n} miles to kilometers", "what is {n} times {n}",
  "who wrote {thing}", "recommend a good movie", "find me a recipe for {thing}", "how do i make {thing}", "what should i eat for dinner",
  "buy {thing}", "where did i leave my keys", "what's the stock price of {thing}", "check my email", "read my messages", "post this to social media",
  "take a picture", "take a selfie", "open the camera app", "start a video call", "record a voice memo", "what's the news", "read me the news",
  "what's trending today", "tell me a fun fact", "flip a coin", "roll a die", "pick a number between {n} and {n}", "what's the score",
  "who is the president of {place}", "what year is it in {place}", "how old is {person}", "do you love me", "marry me", "you are stupid",
  "what can you do", "help me with my homework", "write a poem about {thing}", "summarize this article", "explain quantum physics",
  "teach me spanish", "what's the best {thing}", "is {thing} healthy", "how many calories in {thing}", "where is the nearest {thing} store",
  "the {thing} is broken", "my {thing} is not working", "i need a new {thing}", "did you hear that", "what was that noise", "blah blah blah",
  "it was a long day", "the kids are asleep", "we are going on holiday", "lets go to the beach someday",
  "i think it might rain", "that movie was great", "my {person} is visiting tomorrow", "the dog needs a walk", "feed the cat", "walk the dog",
  "water the plants", "do the dishes", "clean my room", "wash the car", "fold the laundry", "mow the lawn",
  "how much is a {thing}", "compare {thing} and {thing}", "what's {person}'s phone number", "add {person} to my contacts", "delete my last message",
  "wake me up at {n}", "snooze", "what's on my calendar", "schedule a meeting with {person}",
  "cancel my appointment", "what's the wifi password", "restart the router", "update your software", "factory reset", "what version are you",
  "change your voice", "talk slower", "repeat that", "say that again", "what did you say", "are you listening",
  // Short sentences shaped like commands hark has ("i'm cold", "turn on the fan") but about a state or an
  // appliance it cannot act on: without them "i'm X" and "turn on the X" are learnt as intents whatever X is.
  "i'm {state}", "i am {state}", "we're {state}", "i feel {state}", "i'm {state} today", "i'm so {state}",
  "{verb} the {appliance}", "can you {verb} the {appliance}", "is the {appliance} on", "the {appliance} is making a noise",
  "thanks", "thank you so much", "okay", "cool", "never heard of it", "what's up", "how's it going", "good job", "well done", "no problem",
];
const OOD_FILL: Record<string, string[]> = {
  place: ["france", "paris", "tokyo", "berlin", "brazil", "the moon", "canada", "new york", "rome", "madrid", "egypt", "london"],
  sport: ["football", "soccer", "basketball", "hockey", "tennis", "baseball", "cricket"],
  person: ["mom", "dad", "john", "sarah", "the president", "my boss", "grandma", "einstein", "taylor swift", "my neighbor", "alex", "maria"],
  thing: ["bananas", "a laptop", "shoes", "pancakes", "hamlet", "coffee", "bitcoin", "a bicycle", "sushi", "apple", "the word cat", "chocolate cake", "a phone", "tea"],
  n: ["2", "3", "5", "7", "10", "12", "42", "100", "six", "eight"],
  state: ["tired", "sleepy", "bored", "happy", "sad", "busy", "late", "ready", "sorry", "fine", "excited", "nervous", "confused", "sick", "back", "done", "awake", "lonely", "stressed", "annoyed"],
  verb: ["turn on", "switch on", "start", "run", "turn off", "stop", "empty", "clean", "fill", "reset"],
  appliance: ["washing machine", "microwave", "blender", "vacuum cleaner", "robot vacuum", "dryer", "coffee machine", "freezer", "iron", "doorbell", "alarm system", "glovebox", "cruise control", "lane assist", "wine cooler", "ice maker", "bread maker", "litter box"],
};

export function oodSentence(rng: Random): string {
  let s = rng.pick(OOD_CORE).replace(/\{(\w+)\}/g, (_, k: string) => rng.pick(OOD_FILL[k]!));
  if (rng.chance(0.25)) s = `${rng.pick(LEAD)} ${s}`;
  if (rng.chance(0.1)) s = `${s} ${rng.pick(TRAIL)}`;
  if (rng.chance(0.08)) {
    // word salad from the same vocabulary
    s = rng.shuffle(s.split(" ")).join(" ");
  }
  return s;
}

/** Words that make a gloss example sound like a command hark has ("turn the heat up"): such examples are not negatives. */
const COMMAND_WORDS = /\b(turn|switch|light|lights|lamp|open|close|shut|lock|unlock|heat|heater|cool|fan|window|door|volume|music|play|song|radio|temperature|timer|navigate|drive|seat|blinds?|curtains?|vacuum|list|weather|dim|brighten|thermostat|tv|television|speaker)\b/;

/** General English from WordNet's gloss examples, as hark would hear it: no command words, 3–14 words. */
function glossNegatives(): string[] {
  return [...new Set(glossExamples().map((e) => normalizeText(e)))].filter((t) => {
    const n = t.split(" ").length;
    return n >= 3 && n <= 14 && !COMMAND_WORDS.test(t);
  });
}

// ---------- assembly ----------
export function kindOf(file: string): string | undefined {
  return /^kind:\s*(\w+)/m.exec(readFileSync(file, "utf8"))?.[1];
}

const JOIN = [" and ", " and then ", " then ", " and also ", ", and "];

/** Build train/dev/test examples from the active grammar (+ devices). */
export async function buildDataSet(options: DataOptions = {}): Promise<DataSet> {
  const seed = options.seed ?? 1;
  const rng = new Random(seed * 7919 + 13);
  const total = options.train ?? 200_000;
  const heldOut = options.heldOut ?? 2000;
  const homes = options.randomHomes ?? 40;
  const log = options.onProgress ?? (() => {});
  const paths = sourcePaths(options);
  const real = await loadSources(options);
  const grammarPaths = [...paths.grammar, ...(options.extraGrammar ?? [])];
  const trainReal = options.extraGrammar?.length ? await loadSources({ grammar: grammarPaths, devices: paths.devices }) : real;
  const matcher = new Matcher(compileGraph(real));
  const deviceFiles = await yamlFiles(paths.devices);
  const nonHome = deviceFiles.filter((f) => kindOf(f) !== "home");

  // Held-out splits: real devices, no augmentation, seeds far from the training seeds.
  const spec = outputSpec(real);
  const held = (s: number): Example[] =>
    [...new Sampler(real, { seed: s }).take(heldOut)].flatMap((x) => {
      const d = delexicalize(normalizeText(x.text), spec);
      const out = renderOutput(spec, x.intents, d);
      return out === null ? [] : [{ in: d.text, out }];
    });
  const dev = held(1_000_003 + seed);
  const test = held(2_000_003 + seed);
  // Nothing the model is evaluated on may be trained on: the held-out splits and the natural test set.
  const exclude = new Set([...dev, ...test].map((e) => e.in));
  for (const t of naturalTexts()) exclude.add(t).add(delexicalize(t, spec).text);

  // The lexicon is built from the real grammar's own utterances: their words are the ones to vary.
  const useWordnet = options.wordnet !== false;
  let lexicon: Lexicon | undefined;
  if (useWordnet) {
    lexicon = buildLexicon([...new Sampler(trainReal, { seed: seed * 31 + 5 }).take(20_000)].map((x) => normalizeText(x.text)));
    log(`data: WordNet lexicon of ${lexicon.size} words and phrases`);
  }

  const dir = mkdtempSync(join(tmpdir(), "hark-slm-data-"));
  const train: Example[] = [];
  const commandShare = 0.86;
  const perSet = Math.ceil((total * commandShare) / (homes + 1));
  try {
    for (let h = 0; h <= homes; h++) {
      let g: LoadedGrammar;
      if (h === 0) g = trainReal;
      else {
        const file = join(dir, `home${h}.yaml`);
        writeFileSync(file, stringify(randomHome(rng)));
        try {
          g = await loadSources({ grammar: grammarPaths, devices: [...nonHome, file] });
        } catch (err) {
          log(`skipping random home ${h}: ${(err as Error).message.split("\n")[0]}`);
          continue;
        }
      }
      const gs = outputSpec(g);
      const areaNames = new Set(g.devices.areas.flatMap((a) => [a.name, ...(a.aliases ?? [])].map((n) => n.toLowerCase())));
      const sampler = new Sampler(g, { seed: seed * 100_003 + h });
      const pool: Array<{ s: Sample; text: string }> = [];
      for (const s of sampler.take(perSet)) pool.push({ s, text: s.text });
      for (let i = 0; i < pool.length; i++) {
        const { s } = pool[i]!;
        let intents: OutputIntent[] = s.intents;
        let text = s.text;
        if (rng.chance(0.07) && pool.length > 1) {
          const other = pool[rng.int(pool.length)]!.s;
          text = `${text}${rng.pick(JOIN)}${other.text}`;
          intents = [...intents, ...other.intents];
        }
        // Fragments ("turn on the"): a cut-off command the grammar does not accept → none. At least two
        // words: one-word commands ("skip", "resume") are real, and one-word cuts taught the model to
        // answer none to all of them.
        if (rng.chance(0.03)) {
          const words = text.split(" ");
          if (words.length < 3) continue;
          const cut = words.slice(0, 2 + rng.int(Math.max(1, Math.floor(words.length * 0.6) - 1))).join(" ");
          const norm = normalizeText(cut);
          const d = delexicalize(norm, gs).text;
          if (norm && cut !== text && !exclude.has(norm) && !exclude.has(d) && matcher.understand(cut, { fuzzy: false }).intents.length === 0) train.push({ in: d, out: NONE });
          continue;
        }
        const aug = rng.chance(0.6) ? augment(text, rng) : text;
        const norm = normalizeText(aug);
        if (!norm || exclude.has(norm)) continue;
        // A tenth of the names get the generic placeholder, so a device of a domain the model has no
        // placeholder for ("@device1") is no stranger either.
        const d = delexicalize(norm, gs, { generic: rng.chance(0.1) });
        const out = renderOutput(gs, intents, d);
        if (out === null) continue;
        let ex: Example = { in: d.text, out };
        if (rng.chance(FRESH_TEXT_SHARE)) ex = freshFreeText(ex, gs, rng);
        if (rng.chance(ELLIPSIS_SHARE)) ex = ellipsis(ex, rng) ?? ex;
        if (lexicon && rng.chance(LEXICAL_SHARE)) {
          // Words the output copies (placeholders, free text) stay as said.
          const copied = new Set(ex.out.split(/[ ;:]+/));
          ex = { in: paraphraseLexically(ex.in, lexicon, rng, (w) => w.startsWith("@") || copied.has(w)), out: ex.out };
        }
        if (rng.chance(UNKNOWN_TARGET_SHARE)) ex = unknownTarget(ex, areaNames, rng) ?? ex;
        if (!exclude.has(ex.in)) train.push(ex);
      }
      if (h % 10 === 0 || h === homes) log(`data: home ${h}/${homes}, ${train.length} examples`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const negatives = Math.round(total * (1 - commandShare));
  const gloss = useWordnet ? glossNegatives() : [];
  for (let i = 0; i < negatives; i++) {
    const t = gloss.length && rng.chance(GLOSS_NEGATIVE_SHARE) ? rng.pick(gloss) : normalizeText(oodSentence(rng));
    // A "negative" the grammar accepts would teach the model to contradict it.
    const d = t && delexicalize(t, spec).text;
    if (d && !exclude.has(t) && !exclude.has(d) && matcher.understand(t, { fuzzy: false }).intents.length === 0) train.push({ in: d, out: NONE });
  }
  // A few negatives in the held-out splits too (different seeds), so "none" is measured.
  const nrng = new Random(seed + 99_991);
  for (const split of [dev, test]) for (let i = 0; i < Math.round(heldOut * 0.05); i++) split.push({ in: delexicalize(normalizeText(oodSentence(nrng)), spec).text, out: NONE });
  const symbols = placeholderSymbols(new Set([...spec.domains.values(), ...Object.keys(DOMAIN_NOUNS)]));
  return { train: rng.shuffle(train), dev, test, symbols, grammarHash: real.hash, intents: spec.intents.map((i) => i.name) };
}

/** General English for pretraining: WordNet's definitions and examples as hark's normalizer writes text. */
export function generalEnglish(): string[] {
  return [...new Set(glossText().map((t) => normalizeText(t)).filter((t) => t.split(" ").length >= 3))];
}

/** Test sets of hand-written utterances: never trained on. */
const TEST_SETS = ["test/fixtures/natural", "test/fixtures/ha-breadth"];

/** Normalized texts of every hand-written test set (test/fixtures/natural/*.jsonl, ha-breadth), when there. */
function naturalTexts(): string[] {
  const files = TEST_SETS.map((d) => join(projectRoot(), d)).filter(existsSync).flatMap((d) => readdirSync(d).filter((f) => f.endsWith(".jsonl")).map((f) => join(d, f)));
  return files.flatMap((file) =>
    readFileSync(file, "utf8").split("\n").filter((l) => l.trim()).map((l) => normalizeText((JSON.parse(l) as { text: string }).text)),
  );
}

export function writeJsonl(file: string, items: Example[]): void {
  writeFileSync(file, items.map((e) => JSON.stringify(e)).join("\n") + "\n");
}

/** Words of the training utterances seen at least `min` times: what the model knows (out-of-domain check). */
export function trainingVocabulary(train: Example[], min = 2): string[] {
  const counts = new Map<string, number>();
  for (const e of train) for (const w of e.in.split(" ")) if (w) counts.set(w, (counts.get(w) ?? 0) + 1);
  return [...counts].filter(([, n]) => n >= min).map(([w]) => w).sort();
}
