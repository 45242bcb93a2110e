// The words of a language that the rephraser (rephrase.ts) and the follow-up resolver read to find a
// request inside other words (grammars/<lang>/language/clauses.yaml), read once per language.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { defaultGrammarDir } from "../grammar/paths.js";
import { readYamlFile } from "../grammar/yamlFile.js";

const words = z.array(z.string().min(1));
const schema = z.strictObject({
  owner: z.strictObject({ ends: words, articles: words, not_things: words }),
  reason: z.strictObject({
    because: words,
    be: words,
    be_not: words,
    purpose_subjects: words,
    pronoun_be: words,
    after_verbs: words,
    people: words,
    verbs: words,
    needs_object: words,
    third_persons: words,
    clause_links: words,
    subjects: words,
    people_nouns: words,
    so: words,
    starts: words,
  }),
  request_starts: words,
  topic: z.strictObject({ own_contractions: words, not_topic: words, pronouns: words, determiners: words }),
  openers: z.strictObject({ connectives: words, greetings: words, hedges: words }),
  follow_up_openers: z.strictObject({ thanks: words, corrections: words, stop: words }),
  follow_ups: z.strictObject({
    fillers: words,
    lead: words,
    trail: words,
    starts: words,
    more: words,
    less: words,
    same_again: words,
    light_steps: z.record(z.string(), words),
    kinds: z.array(z.strictObject({ one: z.string(), many: z.string(), also: words.default([]), slots: z.record(z.string(), z.string()) })),
    mine: z.strictObject({ lead: words, words, trail: words }),
    place_nouns: words,
    there: z.strictObject({ words, not_before: words }),
    pronouns: words,
    pronoun_words: words,
    referent_lead: words,
    referent_trail: words,
    resume_words: words,
    value_frame: words,
    fractions: words,
    contrast: words,
  }),
});
type File = z.infer<typeof schema>;

type Sets<T> = { readonly [K in keyof T]: T[K] extends string[] ? ReadonlySet<string> : Sets<T[K]> };

/** What a follow-up may say around what changes (src/dialog/ellipsis.ts). */
export interface FollowUpWords {
  lead: ReadonlySet<string>;
  trail: ReadonlySet<string>;
  /** The words a follow-up that does something of its own starts with, fillers before them ("oh and turn …"). */
  starts: RegExp;
  more: readonly string[];
  less: readonly string[];
  sameAgain: readonly string[];
  /** A light step said alone → its direction. */
  lightSteps: ReadonlyMap<string, string>;
  kinds: ReadonlyArray<{ words: readonly string[]; plural: string; slots: Readonly<Record<string, string>> }>;
  /** The speaker's own seat said alone, whole ("and mine too"). */
  mine: RegExp;
  placeNouns: ReadonlySet<string>;
  /** "there" for the previous request's room, and the start that makes it no place ("there is"). */
  there: RegExp;
  thereIsNot: RegExp;
  pronouns: ReadonlySet<string>;
  pronounWords: ReadonlySet<string>;
  referentLead: ReadonlySet<string>;
  referentTrail: ReadonlySet<string>;
  resumeWords: ReadonlySet<string>;
  valueFrame: ReadonlySet<string>;
  fractions: ReadonlySet<string>;
  /** What starts a correction that names what was wrong first ("not the pendants, the cabinet lights"). */
  contrast: ReadonlySet<string>;
}

export interface ClauseWords extends Sets<Omit<File, "openers" | "follow_up_openers" | "follow_ups">> {
  followUps: FollowUpWords;
  openers: { connectives: ReadonlySet<string>; hedges: ReadonlySet<string>; greetings: ReadonlyArray<readonly string[]> };
  /** Thanks or a correction said before a follow-up, with the spaces and marks after it (resolve.ts). */
  followUpOpener: RegExp;
}

const cache = new Map<string, ClauseWords>();

const toSets = (o: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(o).map(([k, v]) => [k, Array.isArray(v) ? new Set(v as string[]) : toSets(v as Record<string, unknown>)]));

const alternatives = (phrases: readonly string[]) =>
  phrases.map((p) => p.split(" ").map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("\\s+")).join("|");

/** The clause words of `language` (hark's shipped English when the language has none). */
export function clauseWords(language = "en"): ClauseWords {
  const hit = cache.get(language);
  if (hit) return hit;
  const file = join(defaultGrammarDir(language), "language", "clauses.yaml");
  if (language !== "en" && !existsSync(file)) return clauseWords("en");
  const { openers, follow_up_openers: f, follow_ups: u, ...rest } = readYamlFile(file, schema);
  const any = (phrases: readonly string[]) => `(?:${alternatives(phrases)})`;
  const followUps: FollowUpWords = {
    lead: new Set([...u.lead, ...u.fillers]),
    trail: new Set(u.trail),
    starts: new RegExp(`^\\s*(?:${any(u.fillers)}\\b[\\s,]*)*${any(u.starts)}\\b[\\s,]*`, "i"),
    more: u.more,
    less: u.less,
    sameAgain: u.same_again,
    lightSteps: new Map(Object.entries(u.light_steps).flatMap(([dir, list]) => list.map((w) => [w, dir] as [string, string]))),
    kinds: u.kinds.map((k) => ({ words: [k.one, k.many, ...k.also], plural: k.many, slots: k.slots })),
    mine: new RegExp(`^(?:${any(u.mine.lead)} )*${any(u.mine.words)}(?: ${any(u.mine.trail)})*$`),
    placeNouns: new Set(u.place_nouns),
    there: new RegExp(`\\b${any(u.there.words)}\\b`),
    thereIsNot: new RegExp(`^there ${any(u.there.not_before)}\\b`),
    pronouns: new Set(u.pronouns),
    pronounWords: new Set(u.pronoun_words),
    referentLead: new Set(u.referent_lead),
    referentTrail: new Set(u.referent_trail),
    resumeWords: new Set(u.resume_words),
    valueFrame: new Set(u.value_frame),
    fractions: new Set(u.fractions),
    contrast: new Set(u.contrast),
  };
  const corrections = `(?:(?:${alternatives(f.corrections)})\\b[\\s,.!]*)+(?:(?:${alternatives(f.stop)})\\b)?`;
  const words = {
    ...(toSets(rest) as Sets<typeof rest>),
    openers: { connectives: new Set(openers.connectives), hedges: new Set(openers.hedges), greetings: openers.greetings.map((g) => g.split(" ")) },
    followUps,
    followUpOpener: new RegExp(`^\\s*(${alternatives(f.thanks)}|${corrections}|(?:${alternatives(f.stop)})(?=[,.!]))\\b[\\s,.!]*(?=\\S)`, "i"),
  };
  cache.set(language, words);
  return words;
}
