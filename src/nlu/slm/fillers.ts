// Words spoken around commands that hark's SLM is trained to read past: openers ("could you"), closers
// ("thanks"), hesitations, droppable function words, common mishearings and junk words. The training data
// (src/models/train/data.ts) puts them into commands; the engine (engine.ts) counts them as words the
// model has seen. They live here, beside the engine, so that the runtime never imports training code.
export const LEAD = ["um", "uh", "hey", "please", "could you", "can you", "would you", "i want you to", "i'd like you to", "hey hark", "ok", "okay", "so", "hmm", "could you please", "can you please", "yo", "hark", "would you kindly", "i need you to", "go ahead and", "just"];
export const TRAIL = ["please", "thanks", "thank you", "now", "right now", "for me", "please thanks", "if you can", "asap", "ok", "quickly", "real quick"];
export const HESITATE = ["uh", "um", "er", "like", "you know", "i mean", "erm", "uhh"];
export const DROPPABLE = new Set(["the", "a", "an", "to", "my", "please", "of", "in", "for", "it", "is", "me", "all"]);
export const MISHEAR: Record<string, string[]> = {
  the: ["a", "da", "de"], to: ["two", "too"], two: ["to", "too"], four: ["for"], for: ["four"], lights: ["light", "lites"], light: ["lights", "lite"],
  turn: ["turned", "tern"], set: ["sit", "said"], what: ["what's", "whats"], "what's": ["what is", "whats"], volume: ["volumes"], timer: ["time", "timers"],
  kitchen: ["kitchens"], degrees: ["degree"], percent: ["per cent", "percents"], switch: ["swish"], please: ["plz", "pleas"], and: ["an", "n"],
  off: ["of"], open: ["opened"], close: ["closed", "clothes"], up: ["op"], down: ["town"],
  // How transcripts spell contractions differs by engine and speaker.
  "i'm": ["im", "i am"], "we're": ["we are", "were"], "it's": ["it is", "its"], "don't": ["dont", "do not"],
};
export const JUNK = ["actually", "really", "basically", "maybe", "quick", "again", "also", "just", "literally", "honestly", "kinda", "sort of", "right", "well", "anyway", "alright", "hmm", "oh", "oops", "wait", "yeah", "now", "then", "there", "thing", "stuff", "guys", "buddy", "dear", "folks", "today", "tonight", "so", "very", "super"];

// Reasons people give around a request that change nothing about it ("guests are coming over, turn on
// the porch light", "pause the tv, i'm on the phone"). Neutral on purpose: none implies an action
// (no "it's dark"), a negation, a time or a condition, which the trust policy reads. Written for hark.
// (Not among AUGMENTATION_WORDS: a model knows them from its training vocabulary, models/*.words.)
export const REASON_BEFORE = [
  "i'm heading to bed", "guests are coming over", "the baby is asleep", "we're about to eat", "i'm on the phone", "my hands are full",
  "i'm cooking dinner", "we're watching a movie", "the kids are home", "i just got in", "we're heading out", "the dog is barking",
  "my mum is visiting", "i'm reading", "somebody's at the door", "i'm running late", "it's been a long day", "i can't find my keys",
  "we have guests", "i'm working", "the delivery guy is here", "i'm about to shower", "the game is starting", "we're having a party",
  "i spilled my coffee", "my wife is sleeping", "my husband is on a call", "the neighbours are here", "i'm doing yoga", "we're off to the shops",
];
export const REASON_AFTER = [
  "i'm on the phone", "the baby is sleeping", "i'm heading out", "we have guests", "i'm cooking", "my hands are full", "the kids are asleep",
  "i'm looking for my keys", "i need to print something", "i'm late", "it's movie night", "my gran is coming over", "we're about to leave",
  "i'm reading", "the dog wants out", "i'm working from home", "someone's at the door", "we're eating", "i'm going to bed", "my friends are here",
];
/** Words that join a reason to the request ("…, so turn on …", "… because i'm on the phone"). */
export const REASON_JOIN_BEFORE = ["", "", "so"];
export const REASON_JOIN_AFTER = ["", "", "because", "since", "as"];

/** Words the augmentation puts into training commands (the model has seen them around commands). */
export const AUGMENTATION_WORDS: string[] = [...new Set(
  [...LEAD, ...TRAIL, ...HESITATE, ...DROPPABLE, ...Object.keys(MISHEAR), ...Object.values(MISHEAR).flat(), ...JUNK].flatMap((p) => p.split(" ")),
)];
