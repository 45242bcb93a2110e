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

/** Words the augmentation puts into training commands (the model has seen them around commands). */
export const AUGMENTATION_WORDS: string[] = [...new Set(
  [...LEAD, ...TRAIL, ...HESITATE, ...DROPPABLE, ...Object.keys(MISHEAR), ...Object.values(MISHEAR).flat(), ...JUNK].flatMap((p) => p.split(" ")),
)];
