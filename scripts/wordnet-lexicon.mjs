#!/usr/bin/env node
// Writes grammars/en/trust/lexicon.yaml: the room, appliance and car-part nouns hark uses to notice
// that a request names a place or a device this home or car does not have ("the dining room",
// "the oven", "the sunroof"). Source: Princeton WordNet 3.0 (Debian package `wordnet-base`, or
// WORDNET_DIR). A lemma is kept when its most frequent noun sense lies under one of the roots below:
// "can" (sense 1: a container) or "door" (a barrier) stay out although one of their senses is a room.
// Run by hand when the roots change: node scripts/wordnet-lexicon.mjs
import { readFileSync, writeFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const dir = process.env.WORDNET_DIR ?? "/usr/share/wordnet";
const out = join(dirname(fileURLToPath(import.meta.url)), "..", "grammars", "en", "trust", "lexicon.yaml");

/** Root synsets: lemma and sense number (1 = most frequent) of each. */
const ROOTS = {
  rooms: [["room", 1], ["floor", 2], ["outbuilding", 1], ["porch", 1], ["balcony", 2], ["patio", 1], ["corridor", 1], ["storage_space", 1], ["deck", 1], ["yard", 2], ["garden", 1]],
  appliances: [["home_appliance", 1], ["electronic_equipment", 1], ["heater", 1], ["air_conditioner", 1], ["mower", 1], ["humidifier", 1], ["fireplace", 1], ["hot_tub", 1], ["alarm", 2], ["security_system", 2], ["doorbell", 1], ["camera", 1], ["garage_door_opener", 1]],
  car_parts: [],
};
/** Part meronyms of these synsets are car parts. */
const MERONYM_ROOTS = { car_parts: [["car", 1], ["motor_vehicle", 1]] };
// Rooms written with their article ("the landing": "landing" alone is too common a word) are found in
// requests but never added to the ASR grammar's rooms (it says "in the {area}").
/** Everyday words WordNet files elsewhere or lacks. */
const EXTRA = {
  rooms: ["guest room", "spare room", "guest bedroom", "spare bedroom", "second bedroom", "master bathroom", "guest bathroom", "ensuite", "en suite", "powder room", "mudroom", "mud room", "playroom", "game room", "games room", "media room", "home theater", "home theatre", "man cave", "walk in closet", "utility room", "boot room", "boiler room", "wine cellar", "sunroom", "conservatory", "greenhouse", "shed", "driveway", "terrace", "veranda", "rooftop", "pool house", "pool", "gym", "home gym", "workshop", "studio", "loft", "attic", "basement", "landing", "the landing", "upstairs landing", "downstairs landing", "the stairs", "staircase", "stairwell", "upstairs bathroom", "downstairs bathroom", "downstairs toilet", "toilet", "dining room", "dining area", "breakfast nook", "pantry", "larder", "scullery", "lobby", "foyer", "vestibule", "porch", "front porch", "back porch", "deck", "patio", "balcony", "front yard", "side yard", "carport", "barn", "cabin", "granny flat", "annex", "annexe", "study room", "reading room", "library", "music room", "den", "second floor", "third floor", "fourth floor", "fifth floor", "upper floor", "lower floor", "upper level", "lower level", "ground level", "mezzanine", "penthouse", "second story", "third story", "guest house", "guesthouse", "garden shed", "tool shed", "summer house", "treehouse", "tree house", "hot tub area", "pool area", "back garden", "front garden", "rooftop terrace", "roof terrace", "storage room", "storeroom", "box room", "family bathroom", "guest toilet", "half bath", "cloakroom", "hallway upstairs", "corridor", "lounge room", "sitting room", "drawing room", "front room", "parlor", "parlour", "snug", "kids bathroom", "children's room", "childrens room", "baby's room", "babys room", "home office", "second office", "sewing room", "craft room", "laundry", "nursery", "baby room", "teen room", "bedroom 2", "bedroom 3", "my room", "his room", "her room", "their room", "your room"],
  appliances: ["oven", "stove", "hob", "cooktop", "range hood", "extractor hood", "microwave", "dishwasher", "fridge", "refrigerator", "freezer", "kettle", "toaster", "blender", "mixer", "air fryer", "rice cooker", "slow cooker", "instant pot", "espresso machine", "dryer", "tumble dryer", "clothes dryer", "washer", "iron", "vacuum", "vacuum cleaner", "robot vacuum", "hoover", "roomba", "mop", "lawn mower", "lawnmower", "robot mower", "air purifier", "purifier", "humidifier", "air conditioner", "air conditioning", "ac unit", "heater", "space heater", "radiator", "boiler", "water heater", "hot tub", "jacuzzi", "sauna", "pool pump", "fountain", "fireplace", "fire", "doorbell", "camera", "security camera", "alarm", "alarm system", "burglar alarm", "sprinkler system", "irrigation", "garage door opener", "gate", "blinds motor", "projector", "stereo", "soundbar", "sound bar", "subwoofer", "radio", "record player", "game console", "playstation", "xbox", "computer", "pc", "laptop", "router", "wifi", "modem", "christmas tree", "christmas lights", "aquarium", "fish tank", "electric blanket", "heated floor", "floor heating", "underfloor heating", "towel rail", "ceiling light", "chandelier", "dimmer", "smart plug", "outlet", "socket", "power strip", "charger", "ev charger", "wall charger", "robot", "doorlock"],
  car_parts: ["sunroof", "moonroof", "sun roof", "trunk", "boot", "tailgate", "hood", "bonnet", "glove box", "glovebox", "glove compartment", "headlights", "headlight", "high beams", "fog lights", "hazard lights", "hazards", "wipers", "windshield wipers", "windscreen wipers", "horn", "steering wheel", "heated steering wheel", "cruise control", "lane assist", "parking brake", "handbrake", "engine", "ignition", "gear", "mirrors", "side mirrors", "rear view mirror", "dashcam", "dash cam", "convertible top", "roof", "charging port", "charge port", "fuel door", "fuel cap", "gas cap", "child lock", "child locks", "massage", "seat massage", "ambient lighting", "interior lights", "dome light", "cabin lights", "reading light", "rear camera", "backup camera", "turn signal", "indicator", "blinker"],
};
/** WordNet lemmas that would name something else in a command ("light" is a domain word, "set" a verb). */
const EXCLUDE = new Set(["light", "lamp", "set", "fan", "room", "area", "floor", "level", "story", "storey", "place", "space", "home", "house", "car", "auto", "machine", "radio", "tv", "television", "receiver", "speaker", "loudspeaker", "system", "unit", "station", "monitor", "display", "screen", "cell", "chamber", "hall", "study", "lounge", "kitchen", "bathroom", "bedroom", "office", "garage", "garden", "yard", "nursery", "window", "door", "seat", "mirror", "engine", "wheel", "top", "side", "front", "back", "rear", "way", "run", "head", "can", "box", "case", "well", "line", "stop", "break", "play", "drive", "step", "stair", "stairs", "landing", "range", "cooler", "warmer", "bar", "pad", "deck", "walk", "court", "track", "tank", "station", "gear", "battery", "timer", "laundry", "cabin", "roof", "cooker", "heat", "air", "media", "player", "regulator", "thermostat", "sensor", "switch", "socket", "bulb", "john", "jakes", "punk", "thug", "hoodlum", "toughie", "bod", "cab", "telly", "cro", "jammer", "maser", "diaphone", "shofar", "shophar", "reproducer", "superhet", "circuitry", "peripheral", "cpu", "handset", "phone", "telephone", "cellphone", "speakerphone", "radiophone", "keypad", "goniometer", "oscilloscope", "stereophony", "quadraphony", "hanging gardens of babylon", "durbar", "apadana", "triclinium", "oubliette", "tolbooth", "tollbooth", "sacristy", "scriptorium", "narthex", "refectory", "orlop", "skybox", "speakeasy", "discotheque", "courtroom", "confessional", "kiosk", "stall", "drawer", "locker", "cache", "woodlet", "suntrap", "sweatbox", "massage"]);

function index() {
  const m = new Map();
  for (const line of readFileSync(join(dir, "index.noun"), "latin1").split("\n")) {
    if (!line || line.startsWith(" ")) continue;
    const f = line.trim().split(/\s+/);
    const pCnt = Number(f[3]);
    const offsets = f.slice(4 + pCnt + 2);
    m.set(f[0], offsets);
  }
  return m;
}
function synsets() {
  const m = new Map();
  for (const line of readFileSync(join(dir, "data.noun"), "latin1").split("\n")) {
    if (!line || line.startsWith(" ")) continue;
    const body = line.split(" | ")[0].split(/\s+/);
    const off = body[0];
    const wCnt = parseInt(body[3], 16);
    const words = [];
    for (let i = 0; i < wCnt; i++) words.push(body[4 + 2 * i].replace(/\(.*\)$/, "").toLowerCase());
    let k = 4 + 2 * wCnt;
    const pCnt = Number(body[k++]);
    const ptrs = [];
    for (let i = 0; i < pCnt; i++, k += 4) ptrs.push({ sym: body[k], off: body[k + 1], pos: body[k + 2] });
    m.set(off, { words, ptrs });
  }
  return m;
}

const idx = index();
/** Lemmas that are also verbs or adjectives ("mow", "reverse", "snug") would be read as a noun where they are not one. */
const otherPos = new Set();
for (const f of ["index.verb", "index.adj"])
  for (const line of readFileSync(join(dir, f), "latin1").split("\n")) if (line && !line.startsWith(" ")) otherPos.add(line.split(" ")[0]);
const data = synsets();
const closure = (roots, syms) => {
  const seen = new Set();
  const stack = roots.map(([w, n]) => idx.get(w)?.[n - 1]).filter(Boolean);
  while (stack.length) {
    const o = stack.pop();
    if (seen.has(o)) continue;
    seen.add(o);
    for (const p of data.get(o)?.ptrs ?? []) if (syms.includes(p.sym) && p.pos === "n") stack.push(p.off);
  }
  return seen;
};
const lemmasOf = (offsets) => {
  const out = new Set();
  for (const o of offsets) for (const w of data.get(o)?.words ?? []) {
    // Keep the lemma only when this sense is its most frequent one.
    if (idx.get(w)?.[0] !== o) continue;
    const phrase = w.replace(/_/g, " ");
    if (!/^[a-z][a-z ]*$/.test(phrase) || EXCLUDE.has(phrase) || phrase.length < 3) continue;
    if (!phrase.includes(" ") && otherPos.has(w)) continue;
    out.add(phrase);
  }
  return out;
};

const result = {};
for (const [kind, roots] of Object.entries(ROOTS)) {
  const set = lemmasOf(closure(roots, ["~", "~i"]));
  for (const [w, n] of MERONYM_ROOTS[kind] ?? []) {
    const o = idx.get(w)?.[n - 1];
    const parts = (data.get(o)?.ptrs ?? []).filter((p) => p.sym === "%p").map((p) => p.off);
    for (const l of lemmasOf(closure(parts.map((p) => [data.get(p).words[0], 1]).filter(([x]) => idx.get(x)?.[0]), ["~"]))) set.add(l);
    for (const p of parts) for (const l of lemmasOf([p])) set.add(l);
  }
  for (const e of EXTRA[kind]) if (!EXCLUDE.has(e)) set.add(e);
  result[kind] = [...set].sort();
}

// Common English words by how often WordNet's tagged texts use them (cntlist.rev, summed over a lemma's
// senses), plus the numbers: said alone they are no command, and the grammar ASR hears them as what
// they are instead of forcing them onto the nearest short command ("four" → "cooler").
const COMMON_COUNT = 1200;
const NUMBERS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety", "hundred", "thousand"];
function commonWords() {
  const counts = new Map();
  for (const line of readFileSync(join(dir, "cntlist.rev"), "latin1").split("\n")) {
    const [key, , n] = line.trim().split(/\s+/);
    const lemma = key?.split("%")[0];
    if (!lemma || !/^[a-z]{2,}$/.test(lemma)) continue;
    counts.set(lemma, (counts.get(lemma) ?? 0) + Number(n));
  }
  const top = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, COMMON_COUNT).map(([w]) => w);
  return [...new Set([...top, ...NUMBERS])].sort();
}

const yamlList = (xs) => xs.map((x) => `  - ${/^[a-z ]+$/.test(x) && !/^(yes|no|on|off|true|false|null)$/.test(x) ? x : JSON.stringify(x)}`).join("\n");
writeFileSync(
  out,
  `# Generated by scripts/wordnet-lexicon.mjs from Princeton WordNet 3.0 (licence: LICENSE-wordnet.txt
# beside this file) plus hand-picked everyday words; do not edit by hand.
# Nouns for places and devices people name. hark uses them to notice a request for a room or a
# device that this home or car does not have: the home's own areas, floors and devices (and every
# word of the grammar) are known, so "the kitchen" or "the washing machine" never count here.
language: en
rooms:
${yamlList(result.rooms)}
appliances:
${yamlList(result.appliances)}
car_parts:
${yamlList(result.car_parts)}
# The everyday ones (picked by hand): what the grammar ASR adds to its room and device lists so that
# "the dining room" or "the oven" can be heard at all (src/trust/spoken.ts).
spoken_rooms:
${yamlList([...new Set(EXTRA.rooms.filter((w) => !EXCLUDE.has(w) && !w.startsWith("the ")))].sort())}
spoken_appliances:
${yamlList([...new Set(EXTRA.appliances.filter((w) => !EXCLUDE.has(w)))].sort())}
# The ${COMMON_COUNT} most used words of WordNet's tagged texts and the numbers: heard alone, they are no
# command (the grammar ASR rejects them rather than hearing the nearest short command; src/trust/spoken.ts).
common_words:
${yamlList(commonWords())}
`,
);
console.log(`wrote ${out}: ${result.rooms.length} rooms, ${result.appliances.length} appliances, ${result.car_parts.length} car parts`);
