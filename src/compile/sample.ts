// Sample generator: random utterances with the intents and slots they must be understood as.
// Uniform over intents, then over an intent's sentences, then over each choice inside a sentence.
// Feeds tests, benchmarks, SLM training data and audio fixtures; reproducible with a seed.
import { numberToWords } from "../grammar/numbers.js";
import { normalizeText } from "../grammar/normalize.js";
import { contextAllows } from "../grammar/context.js";
import type { DataBlock, Expr, Grammar, IntentDef, RangeList, SlotValue } from "../grammar/types.js";
import { Random } from "./random.js";

export interface Sample {
  text: string;
  intents: Array<{ intent: string; slots: Record<string, SlotValue> }>;
}

export interface SampleOptions {
  seed?: number;
  /** Restrict to these intents. */
  intents?: string[];
  /** Probability of speaking a number as words instead of digits (default 0.5). */
  numberWords?: number;
}

/** Free-text slots without examples still need words in samples. */
const FALLBACK_WILDCARD = ["groceries", "apples", "pasta", "morning run", "jazz", "laundry", "green tea"];

class Unsatisfiable extends Error {}

export class Sampler {
  private readonly rng: Random;
  private readonly intents: IntentDef[];

  constructor(
    private readonly grammar: Grammar,
    private readonly options: SampleOptions = {},
  ) {
    this.rng = new Random(options.seed ?? 1);
    this.intents = [...grammar.intents.values()].filter(
      (i) => i.data.some((b) => b.sentences.length > 0) && (!options.intents || options.intents.includes(i.name)),
    );
    if (this.intents.length === 0) throw new Error("the grammar has no sentences to sample");
  }

  next(): Sample {
    for (let attempt = 0; attempt < 200; attempt++) {
      const intent = this.rng.pick(this.intents);
      const sentences = intent.data.flatMap((block) => block.sentences.map((s) => ({ block, s })));
      const { block, s } = this.rng.pick(sentences);
      try {
        const slots: Record<string, SlotValue> = { ...block.slots };
        const text = this.expand(s.expr, block, slots, []).replace(/\s+/g, " ").trim();
        if (!text) continue;
        return { text, intents: [{ intent: intent.name, slots }] };
      } catch (err) {
        if (!(err instanceof Unsatisfiable)) throw err;
      }
    }
    throw new Error("could not generate a sample: every sentence needs a value from an empty list");
  }

  *take(count: number): Generator<Sample> {
    for (let i = 0; i < count; i++) yield this.next();
  }

  private expand(expr: Expr, block: DataBlock, slots: Record<string, SlotValue>, stack: string[]): string {
    switch (expr.type) {
      case "text":
        return expr.text;
      case "seq":
        return expr.items.map((i) => this.expand(i, block, slots, stack)).join("");
      case "alt":
        if (expr.optional && this.rng.chance(0.5)) return "";
        return this.expand(this.rng.pick(expr.items), block, slots, stack);
      case "perm":
        return this.rng
          .shuffle(expr.items)
          .map((i) => this.expand(i, block, slots, stack))
          .join(" ");
      case "rule": {
        const rule = block.rules.get(expr.name) ?? this.grammar.rules.get(expr.name);
        if (!rule || stack.includes(expr.name)) throw new Unsatisfiable();
        return this.expand(rule.expr, block, slots, [...stack, expr.name]);
      }
      case "slot": {
        const list = this.grammar.lists.get(expr.list);
        if (!list) throw new Unsatisfiable();
        if (list.kind === "values") {
          const candidates = list.values.filter((v) => contextAllows(block.requiresContext, block.excludesContext, expr.slot, v.out, v.context));
          if (candidates.length === 0) throw new Unsatisfiable();
          const v = this.rng.pick(candidates);
          slots[expr.slot] = v.out;
          return ` ${this.expand(v.in, block, slots, stack)} `;
        }
        if (list.kind === "range") {
          const { spoken, value } = this.rangeValue(list);
          slots[expr.slot] = value;
          return ` ${spoken} `;
        }
        const text = this.rng.pick(list.examples.length ? list.examples : FALLBACK_WILDCARD);
        slots[expr.slot] = normalizeText(text); // what the matcher returns for free text
        return ` ${text} `;
      }
    }
  }

  private rangeValue(list: RangeList): { spoken: string; value: number } {
    const steps = Math.floor((list.to - list.from) / list.step);
    let v = list.from + this.rng.int(steps + 1) * list.step;
    if (list.fractions === "halves" && v + 0.5 <= list.to && this.rng.chance(0.25)) v += 0.5;
    v = Math.round(v * 1e6) / 1e6;
    const words = this.rng.chance(this.options.numberWords ?? 0.5);
    let spoken = words ? numberToWords(v) : String(v);
    if (!Number.isInteger(v) && v % 1 === 0.5 && this.rng.chance(0.4)) spoken = `${words ? numberToWords(Math.floor(v)) : Math.floor(v)} and a half`;
    return { spoken, value: list.multiplier ? v * list.multiplier : v };
  }
}
