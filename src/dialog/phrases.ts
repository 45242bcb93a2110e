// Small closed word lists the dialog understands on its own, whatever the grammar says: yes / no
// answers to a confirmation, and cancel phrases ("never mind", "stop"); the language's lists are
// grammars/<lang>/language/answers.yaml.
import { join } from "node:path";
import { z } from "zod";
import { defaultGrammarDir } from "../grammar/paths.js";
import { readYamlFile } from "../grammar/yamlFile.js";
import { clauseWords } from "../nlu/clauseWords.js";

export function normalize(text: string): string {
  return text
    .toLowerCase()
    .replace(/[’']/g, "'")
    .replace(/[^a-z0-9' ]+/g, " ")
    .replace(/\s+/g, " ")
    .trim();
}

const phrases = z.array(z.string().min(1));
const schema = z.strictObject({ yes: phrases, no: phrases, cancel: phrases, fillers: phrases });
type Answers = { [K in keyof z.infer<typeof schema>]: string[][] };

let answers: Answers | undefined;
function words(): Answers {
  if (answers) return answers;
  const data = readYamlFile(join(defaultGrammarDir("en"), "language", "answers.yaml"), schema);
  const split = (list: string[]) => list.map((p) => normalize(p).split(" ")).sort((a, b) => b.length - a.length);
  answers = { yes: split(data.yes), no: split(data.no), cancel: split(data.cancel), fillers: split(data.fillers) };
  return answers;
}

/**
 * Whether the words are nothing but phrases of `kind` and fillers, with one phrase of `kind` at least
 * (longest phrase first at each word: "no thanks" before "no").
 */
function onlyOf(text: string, kind: "yes" | "no" | "cancel"): boolean {
  const w = normalize(text).split(" ").filter(Boolean);
  const { fillers } = words();
  const own = words()[kind];
  let i = 0;
  let found = false;
  while (i < w.length) {
    const at = (list: string[][]) => list.find((p) => p.every((x, j) => w[i + j] === x));
    const p = at(own);
    if (p) (i += p.length), (found = true);
    else {
      const f = at(fillers);
      if (!f) return false;
      i += f.length;
    }
  }
  return found;
}

/** An answer said with its reason after it ("yes, it's the paramedics", "no, we're staying in"): the answer alone. */
function withoutReason(text: string): string {
  const [first, ...rest] = text.split(/[,;.!]+/).filter((p) => p.trim());
  const { reason } = clauseWords();
  const isReason = (p: string) => {
    const w = normalize(p).split(" ")[0] ?? "";
    return reason.pronoun_be.has(w) || reason.because.has(w);
  };
  return first !== undefined && rest.length && rest.every(isReason) ? first : text;
}

/** "yeah go ahead", "hmm… ok, yes", "sure, why not", "yes, it's the paramedics". */
export function isYes(text: string): boolean {
  return onlyOf(withoutReason(text), "yes");
}

/** "no", "nah, leave it", "actually no". */
export function isNo(text: string): boolean {
  return onlyOf(withoutReason(text), "no");
}

export function isCancel(text: string): boolean {
  return onlyOf(text, "cancel");
}
