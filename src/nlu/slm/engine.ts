// hark's SLM engine: a GGUF model (hark's own or a user's) decoding the output language under a
// constraint compiled from the current grammar + devices, through node-llama-cpp with explicit threads.
// One loaded model serves many requests (requests are serialized); the KV cache keeps the longest common
// prompt prefix between requests.
//
// Decode modes (greedy; every mode produces the same tokens):
//   grammar   node-llama-cpp sequence.evaluate + llama.cpp GBNF grammar, one token per step
//   draft     grammar + DraftSequenceTokenPredictor (a same-vocabulary draft model)
//   lookup    grammar + InputLookupTokenPredictor (prompt lookup)
//   plain     hark's decoder: controlledEvaluate, logits filtered to the tokens the language admits
//   jump      plain + jump-forward: a token that is the only one the language admits is appended without
//             asking the model, and batched with the next evaluation
//   spec      jump + hark's grammar-aware predictor: proposals from the utterance (copy spans) and from a
//             hint (the matcher's tolerant parse), verified in one batch; accepted only where greedy agrees
//   hdraft    jump + the hint where the output agrees with it, else the draft model's constrained greedy
//             continuation (up to 8 tokens) as the proposal, verified in one target batch (hark's own draft
//             loop: no predictor orchestration, and the draft obeys the same constraint, so it never
//             proposes what the grammar forbids)
//   auto      whatever `hark bench --suite slm` measured fastest on what the cascade sends the SLM (default: spec)
import { existsSync, readFileSync, statSync } from "node:fs";
import {
  DraftSequenceTokenPredictor,
  getLlama,
  InputLookupTokenPredictor,
  LlamaGrammarEvaluationState,
  type Llama,
  type LlamaContext,
  type LlamaContextSequence,
  type LlamaGrammar,
  type LlamaModel,
  type Token,
} from "node-llama-cpp";
import type { Grammar } from "../../grammar/types.js";
import { normalizeText } from "../../grammar/normalize.js";
import type { IntentResult, Understanding, Understander } from "../types.js";
import { grammarWords, parseOutput, renderOutput, type OutputIntent, type OutputSpec } from "./format.js";
import { delexicalize, type Delexed } from "./delex.js";
import { AUGMENTATION_WORDS } from "./fillers.js";
import { projectRoot } from "../../grammar/paths.js";
import { readGguf } from "../../models/gguf.js";
import { loadableModelFiles } from "../../models/integrity.js";
import { basename, join } from "node:path";

let trainingWordsCache: string[] | undefined;
/** Words of the training-only paraphrase patterns (models/train/paraphrases.yaml). */
function trainingWords(): string[] {
  if (!trainingWordsCache) {
    const f = join(projectRoot(), "models/train/paraphrases.yaml");
    trainingWordsCache = existsSync(f)
      ? [...new Set(readFileSync(f, "utf8").split("\n").filter((l) => !l.trim().startsWith("#")).join(" ").toLowerCase().match(/[a-z][a-z']*/g) ?? [])]
      : [];
  }
  return trainingWordsCache;
}
import { OutputLanguage, slmOutputLanguage } from "../../compile/slmLanguage.js";
import { TokenConstraint } from "./constraint.js";
import { cueDir, loadCues, type LexiconKind } from "../../trust/cues.js";
import { PhraseSet } from "../../trust/phrases.js";
import { narrowSpec } from "./narrow.js";

export const DECODE_MODES = ["grammar", "draft", "lookup", "plain", "jump", "spec", "hdraft", "auto"] as const;
export type DecodeMode = (typeof DECODE_MODES)[number];

export interface SlmOptions {
  /** Target model (GGUF). */
  model: string;
  /** Draft model (GGUF, same vocabulary) for the draft mode. */
  draft?: string;
  grammar: Grammar;
  mode?: DecodeMode;
  /** Threads for llama.cpp (default 1: on a busy 2-core machine more threads are slower). */
  threads?: number;
  maxTokens?: number;
  /** Words the model saw in training (one per line), written by `hark models train`; default: the grammar's words. */
  wordsFile?: string;
  /** Answers whose first token is less probable than this are out of domain (default 0.5). */
  minConfidence?: number;
  /** File with {"fastest": mode} written by the slm bench, for mode auto. */
  benchFile?: string;
  /** Answers whose `fit` is below this are out of domain (default 0.1). */
  minFit?: number;
}

export interface DecodeResult {
  output: string;
  tokens: number;
  promptTokens: number;
  promptMs: number;
  decodeMs: number;
  totalMs: number;
  /** Model evaluations (batches) used by the decode phase. */
  evaluations: number;
  /** The utterance as the model saw it: names replaced by placeholders (src/nlu/slm/delex.ts). */
  input: Delexed;
  /** Probability (full vocabulary) of the first output token: "none" versus an intent name. */
  confidence: number;
  /**
   * The smallest share of the model's probability that the language admitted at a step where it admits
   * more than one token. Low: the model wanted to say something the grammar cannot act on ("turn on the
   * oven" → a name that no device has), a sign the request is out of domain.
   */
  fit: number;
}

let llamaPromise: Promise<Llama> | undefined;
export function sharedLlama(): Promise<Llama> {
  llamaPromise ??= getLlama({ gpu: false, build: "never", logLevel: "error" as never, progressLogs: false } as never);
  return llamaPromise;
}

/**
 * English function words: they say nothing about the domain, so an answer need not explain them for the
 * unknown-word check ("is the front door unlocked or what").
 */
const FUNCTION_WORDS = (
  "a an the and or but nor so yet if then than that this these those there here it its it's is are was were be been being am " +
  "do does did done have has had having i me my mine we us our you your he him his she her they them their what which who whom " +
  "whose where when why how not no yes of in on at to for from by with without about above below over under up down out off into onto " +
  "through again once all any both each few more most other some such only own same too very can will just should could would may might " +
  "must shall let's lets i'm i've i'll i'd you're we're they're isn't aren't wasn't don't doesn't didn't can't won't also even still"
).split(" ");

const FEW_SHOT = [
  ["turn on the @area1 lights", "HassTurnOn area: @area1 domain: light"],
  ["what's the weather like", "HassGetWeather"],
  ["tell me a joke", "none"],
];

export class SlmEngine implements Understander {
  private spec!: OutputSpec;
  private lang!: OutputLanguage;
  private constraint?: TokenConstraint;
  private llamaGrammar?: LlamaGrammar;
  private pieces: Array<string | null> = [];
  private known = new Set<string>();
  /** The grammar's own words (a room or device they name is known), and the rooms and devices a home may lack. */
  private grammarWords = new Set<string>();
  private lexicon = new PhraseSet<LexiconKind>();
  /** Placeholder tokens of the model's vocabulary ("@light1"): hark's own models have them. */
  private readonly placeholders = new Set<string>();
  private full!: { lang: OutputLanguage; constraint: TokenConstraint; llamaGrammar?: LlamaGrammar };
  /** Languages narrowed to the device/area/floor names an utterance mentions, by the names found. */
  private readonly perUtterance = new Map<string, { lang: OutputLanguage; constraint: TokenConstraint; llamaGrammar?: LlamaGrammar }>();
  private trainedWords: string[] = [];
  private readonly seqs = new Map<string, { seq: LlamaContextSequence; kv: Token[] }>();
  private queue: Promise<unknown> = Promise.resolve();
  private sep: Token | null = null;
  mode: Exclude<DecodeMode, "auto">;
  readonly maxTokens: number;
  /** Below this probability of its first token, an answer counts as out of domain (default 0.5). */
  minConfidence: number;
  /** Below this `fit`, an answer counts as out of domain (default 0.1). */
  minFit: number;

  private constructor(
    readonly llama: Llama,
    readonly model: LlamaModel,
    private readonly ctx: LlamaContext,
    readonly draftModel: LlamaModel | undefined,
    private readonly draftCtx: LlamaContext | undefined,
    grammar: Grammar,
    options: SlmOptions,
  ) {
    this.maxTokens = options.maxTokens ?? 48;
    if (options.wordsFile && existsSync(options.wordsFile)) this.trainedWords = readFileSync(options.wordsFile, "utf8").split("\n").filter(Boolean);
    this.minConfidence = options.minConfidence ?? 0.5;
    this.minFit = options.minFit ?? 0.1;
    this.buildPieces();
    this.setGrammar(grammar);
    this.mode = resolveMode(options.mode ?? "auto", options.benchFile, benchPairKey(options.model, draftModel ? options.draft : undefined));
  }

  static async load(options: SlmOptions): Promise<SlmEngine> {
    if (!existsSync(options.model)) throw new Error(`SLM model not found: ${options.model}`);
    if (options.draft && !existsSync(options.draft)) throw new Error(`draft model not found: ${options.draft}`);
    // A registered model must be the very file its manifest entry hashed: a flipped byte passes the header
    // check below and would be used. The hash is cached per file stamp (src/models/integrity.ts).
    // A file encrypted at rest is decrypted into a private tmpfs file (checked the same way), removed once loaded.
    const files = await loadableModelFiles(options.draft ? [options.model, options.draft] : [options.model]);
    const [modelPath, draftPath] = files.paths as [string, string | undefined];
    let model: LlamaModel, ctx: LlamaContext;
    let draftModel: LlamaModel | undefined;
    let draftCtx: LlamaContext | undefined;
    let llama: Awaited<ReturnType<typeof sharedLlama>>;
    try {
      // llama.cpp may abort the process on a damaged file: check header, metadata and size first.
      await readGguf(modelPath);
      if (draftPath) await readGguf(draftPath);
      llama = await sharedLlama();
      const threads = options.threads ?? 1;
      model = await llama.loadModel({ modelPath, gpuLayers: 0 });
      ctx = await model.createContext({ contextSize: 512, sequences: 6, threads, batchSize: 512 });
      if (draftPath) {
        draftModel = await llama.loadModel({ modelPath: draftPath, gpuLayers: 0 });
        checkVocab(model, draftModel, options.draft!);
        draftCtx = await draftModel.createContext({ contextSize: 512, sequences: 2, threads, batchSize: 512 });
      }
    } finally {
      files.cleanup();
    }
    return new SlmEngine(llama, model, ctx, draftModel, draftCtx, options.grammar, options);
  }

  /** Devices or grammar changed: recompile the constraint (no retraining). */
  setGrammar(grammar: Grammar): void {
    this.lang = slmOutputLanguage(grammar);
    this.spec = this.lang.spec;
    this.constraint = new TokenConstraint(this.lang, this.pieces, this.model.tokens.eos ?? -1, this.constraint?.trie);
    this.llamaGrammar = undefined;
    this.full = { lang: this.lang, constraint: this.constraint };
    this.perUtterance.clear();
    this.known = grammarWords(grammar);
    this.grammarWords = new Set(this.known);
    this.lexicon = loadCues(cueDir(grammar.language)).lexicon;
    for (const w of [...AUGMENTATION_WORDS, ...FUNCTION_WORDS, ...trainingWords(), ...(this.trainedWords ?? [])]) this.known.add(w);
  }

  get gbnf(): string {
    return this.full.lang.toGbnf();
  }

  /** The output language for one utterance (src/nlu/slm/narrow.ts), compiled once per distinct narrowing. */
  private select(input: Delexed): { lang: OutputLanguage; constraint: TokenConstraint; llamaGrammar?: LlamaGrammar } {
    const { spec, key } = narrowSpec(this.spec, input);
    let hit = this.perUtterance.get(key);
    if (!hit) {
      const lang = new OutputLanguage(spec);
      hit = { lang, constraint: new TokenConstraint(lang, this.pieces, this.model.tokens.eos ?? -1, this.full.constraint.trie) };
      if (this.perUtterance.size >= 2048) this.perUtterance.delete(this.perUtterance.keys().next().value!);
      this.perUtterance.set(key, hit);
    }
    return hit;
  }

  private buildPieces(): void {
    const n = this.model.fileInfo.metadata?.tokenizer?.ggml?.tokens?.length ?? 0;
    const types = (this.model.fileInfo.metadata?.tokenizer?.ggml as { token_type?: number[] } | undefined)?.token_type;
    const anchor = this.model.tokenize("a")[0]!;
    const anchorText = this.model.detokenize([anchor]);
    for (let t = 0; t < n; t++) {
      const type = types?.[t] ?? 1;
      if (type !== 1 && type !== 4 && type !== 6) {
        this.pieces.push(null);
        const tok = this.model.fileInfo.metadata.tokenizer.ggml.tokens[t];
        if (tok === "<sep>") this.sep = t as Token;
        continue;
      }
      // Text of the token as it continues an output (keeps the leading space of "▁word").
      const s = this.model.detokenize([anchor, t as Token]);
      const piece = s.startsWith(anchorText) ? s.slice(anchorText.length) : s;
      this.pieces.push(piece);
      if (/^@[a-z_]+\d$/.test(piece)) this.placeholders.add(piece);
    }
  }

  /** Names out, placeholders in; a model without placeholder tokens (not hark's) gets the domain ones too. */
  private delexicalize(norm: string): Delexed {
    return delexicalize(norm, this.spec, this.placeholders.size ? { hasPlaceholder: (p) => this.placeholders.has(p) } : {});
  }

  /** hark's own models end the prompt with <sep>; other GGUFs get a few-shot completion prompt. */
  private prompt(norm: string): Token[] {
    const bos = this.model.tokens.bos;
    // hark's GGUFs have no automatic space prefix (see models/train/export.py): the leading space is ours.
    if (this.sep !== null) return [...(bos !== null ? [bos] : []), ...this.model.tokenize(` ${norm}`), this.sep];
    const intents = this.spec.intents.map((i) => `${i.name}(${i.slots.map((s) => s.slot).join(", ")})`).join("; ");
    const text =
      `Map each command to intents with slots, or none.\nIntents: ${intents}\n\n` +
      FEW_SHOT.map(([a, b]) => `Command: ${a}\nIntents: ${b}\n`).join("") +
      `Command: ${norm}\nIntents:`;
    return [...(bos !== null ? [bos] : []), ...this.model.tokenize(text)];
  }

  private sequence(mode: string): { seq: LlamaContextSequence; kv: Token[] } {
    let s = this.seqs.get(mode);
    if (!s) {
      let tokenPredictor;
      if (mode === "draft") {
        if (!this.draftCtx) throw new Error("the draft mode needs a draft model");
        tokenPredictor = new DraftSequenceTokenPredictor(this.draftCtx.getSequence(), { minTokens: 0, maxTokens: 6, minConfidence: 0.3 });
      } else if (mode === "lookup") tokenPredictor = new InputLookupTokenPredictor({ patternLength: { min: 1 }, predictionLength: { min: 1, max: 6 } });
      s = { seq: this.ctx.getSequence(tokenPredictor ? { tokenPredictor } : {}), kv: [] };
      this.seqs.set(mode, s);
    }
    return s;
  }

  /** Keep the common prefix in the KV cache; returns the tokens still to evaluate (at least one). */
  private async reuse(s: { seq: LlamaContextSequence; kv: Token[] }, prompt: Token[]): Promise<Token[]> {
    const kv = s.seq.contextTokens;
    let common = 0;
    while (common < kv.length && common < prompt.length && kv[common] === prompt[common]) common++;
    if (common === prompt.length) common--;
    if (common < kv.length) await s.seq.eraseContextTokenRanges([{ start: common, end: kv.length }]);
    return prompt.slice(common);
  }

  /**
   * Keep only the prompt template in the KV caches (what any two utterances share), as if the next decode
   * were the first of a new utterance; for benchmarks that decode the same utterance in several modes.
   */
  async forget(): Promise<void> {
    const run = this.queue.then(async () => {
      const a = this.prompt("x"), b = this.prompt("y");
      let keep = 0;
      while (keep < a.length && a[keep] === b[keep]) keep++;
      for (const s of [...this.seqs.values(), ...(this.draftSeq ? [this.draftSeq] : [])]) {
        const n = s.seq.contextTokens.length;
        if (n > keep) await s.seq.eraseContextTokenRanges([{ start: keep, end: n }]);
      }
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Decode one utterance. `hint`: intents another understander proposes (the spec mode verifies them in one batch). */
  async decode(text: string, options: { mode?: DecodeMode; hint?: OutputIntent[] } = {}): Promise<DecodeResult> {
    const run = this.queue.then(() => this.decodeNow(text, options));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async decodeNow(text: string, options: { mode?: DecodeMode; hint?: OutputIntent[] }): Promise<DecodeResult> {
    const mode = options.mode === undefined || options.mode === "auto" ? this.mode : options.mode;
    const t0 = performance.now();
    const input = this.delexicalize(normalizeText(text));
    const prompt = this.prompt(input.text);
    const sel = this.select(input);
    const hint = options.hint?.length ? renderOutput(this.spec, options.hint, input) ?? undefined : undefined;
    this.lang = sel.lang;
    this.constraint = sel.constraint;
    const s = this.sequence(mode === "plain" || mode === "jump" || mode === "spec" || mode === "hdraft" ? "hark" : mode);
    const pending = await this.reuse(s, prompt);
    let r: Omit<DecodeResult, "output" | "totalMs" | "promptTokens">;
    if (mode === "grammar" || mode === "draft" || mode === "lookup") r = await this.decodeLlama(s.seq, pending, prompt, mode);
    else r = await this.decodeHark(s.seq, pending, prompt, mode, hint);
    const out = r as DecodeResult;
    out.input = input;
    out.output = this.textOf((r as unknown as { tokens_: Token[] }).tokens_).trim();
    out.promptTokens = prompt.length;
    out.totalMs = performance.now() - t0;
    delete (out as unknown as { tokens_?: Token[] }).tokens_;
    return out;
  }

  private textOf(tokens: Token[]): string {
    return tokens.map((t) => this.pieces[t] ?? "").join("");
  }

  private async decodeLlama(seq: LlamaContextSequence, pending: Token[], prompt: Token[], mode: string) {
    const sel = [...this.perUtterance.values()].find((x) => x.lang === this.lang) ?? this.full;
    sel.llamaGrammar ??= await this.llama.createGrammar({ grammar: this.lang.toGbnf() });
    const grammarEvaluationState = new LlamaGrammarEvaluationState({ model: this.model, grammar: sel.llamaGrammar });
    if (mode === "lookup") seq.tokenPredictor?.updateInputTokens(prompt);
    const eos = this.model.tokens.eos;
    const out: Token[] = [];
    const t0 = performance.now();
    let tFirst = 0;
    let evaluations = 0;
    // The draft predictor warns on every grammar-incompatible draft token (known; output unaffected).
    const warn = console.warn;
    if (mode === "draft") console.warn = (...a: unknown[]) => void (/grammar/i.test(String(a[0])) || warn(...a));
    try {
      for await (const t of seq.evaluate(pending, { temperature: 0, grammarEvaluationState })) {
        evaluations++;
        if (!tFirst) tFirst = performance.now();
        if (t === eos) break;
        out.push(t);
        if (out.length >= this.maxTokens) break;
      }
    } finally {
      console.warn = warn;
    }
    // Confidence and fit as hark's decoder reports them: the last prompt token and the output evaluated
    // again in one batch, with the language's admissible tokens at every step.
    let confidence = 1;
    let fit = 1;
    if (out.length) {
      const c = this.constraint!;
      const kv = seq.contextTokens.length;
      await seq.eraseContextTokenRanges([{ start: prompt.length - 1, end: kv }]);
      const steps: number[][] = [];
      let st = this.lang.initial();
      for (const t of out) {
        steps.push(c.allowed(st));
        st = c.advance(st, t);
      }
      steps.push(c.allowed(st));
      const items = [prompt[prompt.length - 1]!, ...out].map((t, i) => [t, { generateNext: scored(steps[i]!) }] as [Token, { generateNext: ReturnType<typeof scored> }]);
      const res = await seq.controlledEvaluate(items);
      confidence = probabilityOf(res[0]?.next, out[0]!);
      steps.forEach((a, i) => (fit = Math.min(fit, allowedShare(res[i]?.next, a))));
    }
    const t1 = performance.now();
    return { tokens_: out, tokens: out.length, promptMs: tFirst - t0, decodeMs: t1 - tFirst, evaluations, confidence, fit } as never;
  }

  private async decodeHark(seq: LlamaContextSequence, pending: Token[], prompt: Token[], mode: string, hint?: string) {
    const c = this.constraint!;
    const eos = this.model.tokens.eos ?? -1;
    const jump = mode !== "plain";
    const useDraft = mode === "hdraft";
    // hdraft verifies the matcher's hint when there is one (as spec does), else the draft model's guess.
    const speculate = mode === "spec" || (useDraft && !!hint);
    if (useDraft && !this.draftCtx) throw new Error("the hdraft mode needs a draft model");
    const hintTokens = speculate && hint ? this.hintTokens(hint) : [];
    const out: Token[] = [];
    let states = this.lang.initial();
    let evaluations = 0;
    const t0 = performance.now();
    let tFirst = 0;
    const gen = (allowed: number[]) => ({ generateNext: scored(allowed) });
    let confidence = 1;
    let fit = 1;
    const pick = (allowed: number[], logits: Map<Token, number> | undefined): Token => {
      let best = allowed[0]! as Token;
      let bv = -Infinity;
      if (logits) for (const t of allowed) {
        const v = logits.get(t as Token) ?? -Infinity;
        if (v > bv) (bv = v), (best = t as Token);
      }
      return best;
    };
    // Jump-forward: a token the language admits alone is appended without evaluation.
    const forced = (): boolean => {
      let moved = false;
      while (jump && out.length < this.maxTokens) {
        const a = c.allowed(states);
        if (a.length !== 1) break;
        if (a[0] === eos) return true;
        out.push(a[0] as Token);
        pending.push(a[0] as Token);
        states = c.advance(states, a[0]!);
        moved = true;
      }
      void moved;
      return false;
    };
    if (forced()) return { tokens_: out, tokens: out.length, promptMs: 0, decodeMs: 0, evaluations, confidence, fit } as never;
    while (out.length < this.maxTokens) {
      let proposal = speculate ? this.propose(out, states, prompt, hintTokens, useDraft) : [];
      if (useDraft && !proposal.length) proposal = await this.draftPropose(prompt, out, states);
      const items: Parameters<LlamaContextSequence["controlledEvaluate"]>[0] = [];
      const allowedNow = c.allowed(states);
      const first = evaluations === 0 && out.length === 0;
      pending.forEach((t, i) => items.push(i === pending.length - 1 ? [t, gen(allowedNow)] : t));
      const propStates: number[][] = [];
      const propAllowed: number[][] = [];
      let st = states;
      for (const p of proposal) {
        st = c.advance(st, p);
        propStates.push(st);
        const a = c.allowed(st);
        propAllowed.push(a);
        items.push([p, gen(a)]);
      }
      const res = await seq.controlledEvaluate(items);
      evaluations++;
      if (!tFirst) tFirst = performance.now();
      let pos = pending.length - 1;
      let allowed = allowedNow;
      let accepted = 0;
      let next: Token;
      if (first) confidence = probabilityOf(res[pos]?.next, pick(allowed, res[pos]?.next.logits));
      for (;;) {
        fit = Math.min(fit, allowedShare(res[pos]?.next, allowed));
        next = pick(allowed, res[pos]?.next.logits);
        if (next === eos) break;
        if (accepted < proposal.length && proposal[accepted] === next) {
          out.push(next);
          states = propStates[accepted]!;
          allowed = propAllowed[accepted]!;
          accepted++;
          pos++;
          continue;
        }
        break;
      }
      if (accepted < proposal.length) {
        const kv = seq.contextTokens.length;
        await seq.eraseContextTokenRanges([{ start: kv - (proposal.length - accepted), end: kv }]);
      }
      if (next === eos) break;
      out.push(next);
      states = c.advance(states, next);
      pending = [next];
      if (forced()) break;
    }
    const t1 = performance.now();
    return { tokens_: out, tokens: out.length, promptMs: tFirst - t0, decodeMs: t1 - tFirst, evaluations, confidence, fit } as never;
  }

  private draftSeq?: { seq: LlamaContextSequence; kv: Token[] };

  /** The draft model's constrained greedy continuation of prompt + out (up to 8 tokens). */
  private async draftPropose(prompt: Token[], out: Token[], states: number[]): Promise<Token[]> {
    const c = this.constraint!;
    const eos = this.model.tokens.eos ?? -1;
    this.draftSeq ??= { seq: this.draftCtx!.getSequence(), kv: [] };
    let pending = await this.reuse(this.draftSeq, [...prompt, ...out]);
    const r: Token[] = [];
    let st = states;
    while (r.length < 8) {
      const allowed = c.allowed(st);
      let next: Token;
      if (allowed.length === 1) next = allowed[0] as Token;
      else {
        const items: Parameters<LlamaContextSequence["controlledEvaluate"]>[0] = pending.map((t, i) =>
          i === pending.length - 1 ? [t, { generateNext: { logits: { filter: { tokens: allowed as Token[] } } } }] : t,
        );
        const res = await this.draftSeq.seq.controlledEvaluate(items);
        const logits = res[pending.length - 1]?.next.logits;
        next = allowed[0] as Token;
        let bv = -Infinity;
        if (logits) for (const t of allowed) {
          const v = logits.get(t as Token) ?? -Infinity;
          if (v > bv) (bv = v), (next = t as Token);
        }
        pending = [];
      }
      r.push(next);
      if (next === eos) break;
      st = c.advance(st, next);
      pending.push(next);
    }
    return r;
  }

  /**
   * The hint as output tokens: hark's models write the output with a leading space piece ("▁HassTurnOn"),
   * instruct models may not; whichever tokenization the language admits first is the one it generates.
   */
  private hintTokens(hint: string): Token[] {
    const first = new Set(this.constraint!.allowed(this.lang.initial()));
    for (const text of [` ${hint}`, hint]) {
      const t = this.model.tokenize(text);
      if (t.length && first.has(t[0]!)) return t;
    }
    return [];
  }

  /** hark's grammar-aware predictor: continue the hint where the output agrees with it, else copy the utterance. */
  private propose(out: Token[], states: number[], prompt: Token[], hint: Token[], hintOnly = false): Token[] {
    const c = this.constraint!;
    const valid = (cands: Token[]): Token[] => {
      const r: Token[] = [];
      let st = states;
      for (const t of cands) {
        if (r.length >= 8) break;
        if (t === this.model.tokens.eos) {
          if (this.lang.accepts(st)) r.push(t);
          break;
        }
        st = c.advance(st, t);
        if (!st.length) break;
        r.push(t);
      }
      return r;
    };
    if (hint.length > out.length && out.every((t, i) => hint[i] === t)) {
      return valid([...hint.slice(out.length), this.model.tokens.eos as Token]);
    }
    const last = out[out.length - 1];
    if (last === undefined || hintOnly) return [];
    for (let i = prompt.length - 2; i >= 0; i--) if (prompt[i] === last) return valid(prompt.slice(i + 1, i + 5).filter((t) => t !== this.sep));
    return [];
  }

  async understand(text: string, hint?: OutputIntent[]): Promise<Understanding & { decode?: DecodeResult; unknownWords?: string[] }> {
    const r = await this.decode(text, { hint });
    const intents = parseOutput(this.spec, r.output, r.input);
    if (intents === null) return { text, intents: [], reason: `the model's output is not in the language: ${r.output}`, decode: r };
    if (!intents.length) return { text, intents: [], reason: "out of domain (the model said none)", decode: r };
    if (r.confidence < this.minConfidence)
      return { text, intents: [], reason: `out of domain (the model is unsure: ${r.output} at p=${r.confidence.toFixed(2)})`, decode: r };
    if (r.fit < this.minFit)
      return { text, intents: [], reason: `out of domain (the model wanted to say what the grammar cannot act on: ${r.output} at fit ${r.fit.toFixed(2)})`, decode: r };
    // An answer that leaves a word unexplained that neither the grammar nor the training data ever used
    // ("open the sunroof", "turn on the jacuzzi") is a guess, not an understanding; free text copied into
    // a slot is explained, and so are the placeholders of known names.
    const copied = new Set(intents.flatMap((i) => Object.values(i.slots).flatMap((v) => normalizeText(String(v)).split(" "))));
    // ("the fan's too loud": a known word with a clitic is known)
    const bare = (w: string) => w.replace(/'(s|re|ll|d|ve|m)$/, "");
    const unknown = r.input.text
      .split(" ")
      .filter((w) => w && !w.startsWith("@") && !/^[0-9.]+$/.test(w) && !this.known.has(w) && !this.known.has(bare(w)) && !copied.has(w) && !r.output.includes(w));
    if (this.sep !== null && unknown.length)
      return { text, intents: [], reason: `out of domain (unknown word${unknown.length > 1 ? "s" : ""}: ${unknown.join(", ")})`, decode: r, unknownWords: unknown };
    // A room or device this home or car does not have ("boil the kettle", "lights on in the sauna"): no
    // other intent stands in for it (the trust policy says there is none). Known names are placeholders by now.
    const words = r.input.text.split(" ");
    const absent = this.lexicon.find(words).find((h) => !words.slice(h.start, h.end).every((w) => this.grammarWords.has(w) || copied.has(w)));
    if (absent) return { text, intents: [], reason: `unknown ${absent.tag === "room" ? "room" : "device"}: ${words.slice(absent.start, absent.end).join(" ")}`, decode: r };
    const conf = Math.round(r.confidence * 1000) / 1000;
    const evidence = { probability: conf, fit: Math.round(r.fit * 1000) / 1000 };
    const results: IntentResult[] = intents.map((i) => ({ intent: i.intent, slots: i.slots, confidence: conf, source: "slm", evidence }));
    return { text, intents: results, decode: r };
  }

  async dispose(): Promise<void> {
    await this.queue.catch(() => undefined);
    for (const s of this.seqs.values()) s.seq.dispose();
    await this.ctx.dispose();
    await this.draftCtx?.dispose();
    await this.model.dispose();
    await this.draftModel?.dispose();
  }
}

/** Logits of the admissible tokens plus what it takes to normalize them over the whole vocabulary. */
function scored(allowed: number[]) {
  return { logits: { filter: { tokens: allowed as Token[], includeMax: true } }, totalLogitWeight: true } as const;
}

/** Share of the model's probability on the admissible tokens (1 where the language leaves no choice). */
function allowedShare(next: { logits?: Map<Token, number>; totalLogitWeight?: number } | undefined, allowed: number[]): number {
  if (allowed.length < 2 || !next?.logits || !next.totalLogitWeight) return 1;
  let max = -Infinity;
  for (const v of next.logits.values()) if (v > max) max = v;
  let sum = 0;
  for (const t of allowed) {
    const l = next.logits.get(t as Token);
    if (l !== undefined) sum += Math.exp(l - max);
  }
  return sum / next.totalLogitWeight;
}

function probabilityOf(next: { logits?: Map<Token, number>; totalLogitWeight?: number } | undefined, token: Token): number {
  if (!next?.logits || !next.totalLogitWeight) return 1;
  const max = Math.max(...next.logits.values());
  const l = next.logits.get(token);
  return l === undefined ? 0 : Math.exp(l - max) / next.totalLogitWeight;
}

export function checkVocab(target: LlamaModel, draft: LlamaModel, file: string): void {
  const a = target.fileInfo.metadata?.tokenizer?.ggml?.tokens ?? [];
  const b = draft.fileInfo.metadata?.tokenizer?.ggml?.tokens ?? [];
  if (a.length !== b.length || a.some((t, i) => t !== b[i]))
    throw new Error(`draft model ${file} has a different vocabulary (${b.length} tokens) than the target (${a.length} tokens)`);
}

/** Which model pair a bench measurement belongs to: file names and sizes (cheap to check at every load). */
export function benchPairKey(model: string, draft?: string): string {
  const one = (f: string) => `${basename(f)}:${existsSync(f) ? statSync(f).size : 0}`;
  return `${one(model)}|${draft ? one(draft) : "none"}`;
}

/** `auto`: the mode `hark bench --suite slm` measured fastest for this very pair; else spec. */
function resolveMode(mode: DecodeMode, benchFile: string | undefined, pair: string): Exclude<DecodeMode, "auto"> {
  if (mode !== "auto") return mode;
  if (benchFile && existsSync(benchFile)) {
    try {
      const f = JSON.parse(readFileSync(benchFile, "utf8")) as { fastest?: string; pair?: string };
      const m = f.fastest as DecodeMode | undefined;
      const hasDraft = !pair.endsWith("|none");
      if (f.pair === pair && m && m !== "auto" && DECODE_MODES.includes(m) && ((m !== "draft" && m !== "hdraft") || hasDraft)) return m;
    } catch {
      /* fall through */
    }
  }
  return "spec";
}
