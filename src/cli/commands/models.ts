// hark models train|list|add|verify|use|rollback — hark's SLM models (docs/slm.md).
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, statSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { Command, Option } from "commander";
import { projectRoot } from "../../grammar/paths.js";
import { activeModels, modelsDir, readManifest, resolveFile, verifyModel, writeManifest, ModelError, type ModelEntry, type Role } from "../../models/manifest.js";
import { checkBundle, isBundleFile, loadPublicKey, packBundle, writeKeyPair, type BundleCheck } from "../../models/bundle.js";
import { decryptFile, encryptFile, isEncrypted, readKeyFile, writeNewKeyFile } from "../../models/crypt.js";
import { loadConfig } from "../../run/config.js";
import { buildDataSet, generalEnglish, trainingVocabulary, writeJsonl } from "../../models/train/data.js";
import { CommandError, UsageError } from "../../platform/errors.js";
import { harkEnv } from "../../platform/env.js";
import { addSourceOptions, sourceOptions } from "../options.js";
import { progressGroup, type Progress, type ProgressGroup } from "../progress.js";

const SIZES = ["tiny", "draft", "target", "large"] as const;
const DEFAULT_STEPS: Record<string, number> = { tiny: 300, draft: 3000, target: 3000, large: 1500 };
/**
 * A safety cap in minutes per model when --time-limit is not given (the step count is the budget: a run
 * that hits the cap is not reproducible and says so). Target and draft train side by side, one core each,
 * so `hark models train` stays within 45 minutes on 2 cores.
 */
const DEFAULT_MINUTES: Record<string, number> = { tiny: 4, draft: 40, target: 40, large: 60 };
export const INSTALL_HINT = "apt-get install python3-torch python3-numpy python3-sentencepiece libopenblas0-openmp";

/** Training-only grammar files: the paraphrase patterns and the phrasings converted from other corpora. */
function trainingGrammars(use: { paraphrases: boolean; corpora: boolean }): string[] {
  const dir = join(projectRoot(), "models/train");
  const files: string[] = [];
  if (use.paraphrases && existsSync(join(dir, "paraphrases.yaml"))) files.push(join(dir, "paraphrases.yaml"));
  const corpora = join(dir, "corpora");
  if (use.corpora && existsSync(corpora)) files.push(...readdirSync(corpora).filter((f) => f.endsWith(".yaml")).sort().map((f) => join(corpora, f)));
  return files;
}

/** HARK_PYTHON, else the system python3. */
export function pythonPath(env = harkEnv().python): string {
  return env ?? (existsSync("/usr/bin/python3") ? "/usr/bin/python3" : "python3");
}

/** null when the trainer's Python packages are present, else the one-line reason. */
export function trainerMissing(): string | null {
  const r = spawnSync(pythonPath(), ["-c", "import torch, numpy, sentencepiece"], { encoding: "utf8" });
  if (r.error) return `no python3 (${r.error.message}); install the trainer with: ${INSTALL_HINT}`;
  if (r.status !== 0) return `the SLM trainer needs PyTorch, NumPy and SentencePiece for ${pythonPath()}: ${INSTALL_HINT}`;
  return null;
}

export interface TrainOptions {
  size: (typeof SIZES)[number];
  steps?: number;
  seed: number;
  out: string;
  name?: string;
  tokenizer?: string;
  train?: number;
  randomHomes?: number;
  batch?: number;
  timeLimit?: number;
  grammarHash?: string;
  dataDir: string;
  /** Only train and write the tokenizer (tokenizer.model in `out`), then stop. */
  tokenizerOnly?: boolean;
  /** General-English text (one sentence per line) and how many language-model steps to pretrain on it. */
  pretrain?: string;
  pretrainSteps?: number;
  onLine?: (line: string) => void;
}

/** Run models/train/train.py; resolves with its metrics JSON. */
export function runTrainer(o: TrainOptions): Promise<Record<string, unknown>> {
  const args = [
    join(projectRoot(), "models/train/train.py"),
    "--data", o.dataDir, "--out", o.out, "--size", o.size, "--steps", String(o.steps ?? DEFAULT_STEPS[o.size]), "--seed", String(o.seed),
    "--name", o.name ?? `hark-${o.size}`, "--vocab", "2048",
    ...(o.tokenizer ? ["--tokenizer", o.tokenizer] : []),
    ...(o.batch ? ["--batch", String(o.batch)] : []),
    "--time-limit", String(o.timeLimit ?? DEFAULT_MINUTES[o.size]),
    ...(o.grammarHash ? ["--grammar-hash", o.grammarHash] : []),
    ...(o.size === "tiny" ? ["--eval-every", "100"] : []),
    ...(o.tokenizerOnly ? ["--tokenizer-only"] : []),
    ...(o.pretrainSteps && o.pretrain ? ["--pretrain", o.pretrain, "--pretrain-steps", String(o.pretrainSteps)] : []),
  ];
  return new Promise((res, rej) => {
    const child = spawn(pythonPath(), args, {
      env: { ...process.env, OMP_WAIT_POLICY: "PASSIVE", OMP_NUM_THREADS: "1", OPENBLAS_NUM_THREADS: "1", PYTHONUNBUFFERED: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let errTail = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    let buf = "";
    child.stderr.on("data", (d: Buffer) => {
      buf += d.toString();
      errTail = (errTail + d.toString()).slice(-2000);
      let i;
      while ((i = buf.indexOf("\n")) >= 0) {
        o.onLine?.(buf.slice(0, i));
        buf = buf.slice(i + 1);
      }
    });
    child.on("error", rej);
    child.on("close", (code) => {
      if (code !== 0) return rej(new CommandError(code === 3 ? errTail.trim().split("\n").pop()! : `training failed (exit ${code}): ${errTail.trim().split("\n").slice(-3).join(" | ")}`));
      try {
        res(JSON.parse(stdout.trim().split("\n").pop()!) as Record<string, unknown>);
      } catch {
        rej(new CommandError("training finished without metrics"));
      }
    });
  });
}

/**
 * A trainer's stderr lines, prefixed with its model: on a terminal its "step N/M" and "pretrain step N/M"
 * lines move a bar per phase instead of scrolling by; every other line (and every line in a pipe) is logged.
 */
function trainerLines(progress: ProgressGroup, name: string): (line: string) => void {
  let bar: Progress | undefined;
  let phase = "";
  return (line) => {
    const m = /^(pretrain )?step (\d+)\/(\d+)\b/.exec(line);
    if (m && progress.shown) {
      const p = m[1] ? "pretrain" : "train";
      if (!bar || p !== phase) [bar, phase] = [progress.bar(`[${name}] ${p}`, Number(m[3])), p];
      bar.update(Number(m[2]), Number(m[3]));
      return;
    }
    progress.log(`  [${name}] ${line}`);
  };
}

async function entryFor(file: string, role: Role, extra: Partial<ModelEntry>, dir: string, target?: string): Promise<ModelEntry> {
  const v = await verifyModel(file, target ? { target } : {});
  const rel = resolve(file).startsWith(resolve(dir) + "/") ? resolve(file).slice(resolve(dir).length + 1) : resolve(file);
  return { name: extra.name ?? basename(file).replace(/\.gguf$/, ""), role, file: rel, sha256: v.sha256, bytes: v.bytes, vocab: v.vocab, format: String(v.meta["general.file_type"] ?? ""), licence: String(v.meta["general.license"] ?? "unknown"), ...extra };
}

function upsert(entries: ModelEntry[], e: ModelEntry): void {
  const i = entries.findIndex((x) => x.name === e.name);
  if (i >= 0) entries[i] = e;
  else entries.push(e);
}

function activate(dir: string, next: { slm?: string; draft?: string }): void {
  const m = readManifest(dir);
  if (m.active.slm || m.active.draft) m.history.push({ ...m.active, at: new Date().toISOString() });
  m.active = { ...m.active, ...next };
  writeManifest(m, dir);
}

export function register(program: Command): void {
  const models = program.command("models").description("hark's small language models: train, list, add, verify, use, rollback");

  addSourceOptions(
    models
      .command("train")
      .description("train hark's SLM from the active grammar + devices and export GGUF (needs python3-torch)")
      .addOption(new Option("--size <size>", "model size").choices([...SIZES]).default("target"))
      .addOption(new Option("--draft <size>", "also train a draft with the same tokenizer (none: no draft)").choices(["none", ...SIZES]).default("auto"))
      .option("--steps <n>", "training steps (default per size: tiny 300, draft 3000, target 3000, large 1500)", (v) => Number(v))
      .option("--draft-steps <n>", "draft training steps", (v) => Number(v))
      .option("--seed <n>", "seed (data and training)", (v) => Number(v), 1)
      .option("--examples <n>", "generated training examples", (v) => Number(v), 400_000)
      .option("--no-paraphrases", "leave out models/train/paraphrases.yaml (training-only paraphrase patterns)")
      .option("--no-corpora", "leave out models/train/corpora/*.yaml (phrasings of other corpora mapped to hark's intents)")
      .option("--no-wordnet", "no WordNet synonyms in commands and no WordNet gloss sentences as negatives")
      .option("--pretrain-steps <n>", "language-model pretraining steps on general English (WordNet glosses and examples) before the domain (default: 0, none)", (v) => Number(v), 0)
      .option("--tokenizer <file>", "reuse this SentencePiece tokenizer (to train a draft for an existing target)")
      .option("--batch <n>", "batch size", (v) => Number(v))
      .option("--time-limit <min>", "stop each model's training after this many minutes (default: a cap of 40; the steps are the budget)", (v) => Number(v))
      .option("-o, --out <dir>", "output folder (default: models/, registered in models/manifest.yaml and made active)")
      .option("--no-activate", "register but do not make the new models active"),
  ).action(async (opts) => {
    const missing = trainerMissing();
    if (missing) throw new CommandError(missing);
    const dir = modelsDir();
    const out = resolve(opts.out ?? dir);
    const register = resolve(out) === resolve(dir);
    mkdirSync(out, { recursive: true });
    // Messages on stderr; on a terminal the trainers' "step N/M" lines become progress bars.
    const progress = progressGroup();
    const say = (s: string) => progress.log(s);
    const dataDir = join(out, ".data");
    mkdirSync(dataDir, { recursive: true });
    const t0 = Date.now();
    say(`hark: generating training data (${opts.examples} examples, seed ${opts.seed})…`);
    const tiny = opts.size === "tiny";
    const data = await buildDataSet({
      ...sourceOptions(opts), seed: opts.seed, train: opts.examples, heldOut: tiny ? 300 : 2000, randomHomes: tiny ? 8 : 40,
      extraGrammar: trainingGrammars({ paraphrases: opts.paraphrases !== false, corpora: opts.corpora !== false }),
      wordnet: opts.wordnet !== false,
      onProgress: (m) => say(`  ${m}`),
    });
    writeJsonl(join(dataDir, "train.jsonl"), data.train);
    writeJsonl(join(dataDir, "dev.jsonl"), data.dev);
    writeJsonl(join(dataDir, "test.jsonl"), data.test);
    writeFileSync(join(dataDir, "symbols.txt"), data.symbols.join("\n") + "\n");
    const wordsName = `hark-${opts.size}.words.txt`;
    writeFileSync(join(out, wordsName), trainingVocabulary(data.train).join("\n") + "\n");
    const dataHash = createHash("sha256").update(readFileSync(join(dataDir, "train.jsonl"))).digest("hex");
    say(`hark: ${data.train.length} training, ${data.dev.length} dev, ${data.test.length} test examples (grammar ${data.grammarHash.slice(0, 12)}) in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
    let pretrain: string | undefined;
    if (opts.pretrainSteps > 0) {
      pretrain = join(dataDir, "pretrain.txt");
      writeFileSync(pretrain, generalEnglish().join("\n") + "\n");
    }
    const common = { seed: opts.seed, out, dataDir, batch: opts.batch, timeLimit: opts.timeLimit, grammarHash: data.grammarHash, pretrain, pretrainSteps: opts.pretrainSteps };
    const draftSize = opts.draft === "auto" ? (opts.size === "tiny" || opts.size === "draft" ? "none" : "draft") : opts.draft;
    // The tokenizer first; then the target and its draft (which must share it) train side by side, one core each.
    const tokenizer = join(out, "tokenizer.model");
    if (opts.tokenizer) {
      if (resolve(opts.tokenizer) !== tokenizer) copyFileSync(opts.tokenizer, tokenizer);
    } else {
      say("hark: training the tokenizer…");
      await runTrainer({ ...common, size: opts.size, tokenizerOnly: true, onLine: (l) => say(`  ${l}`) });
    }
    say(`hark: training ${opts.size}${draftSize !== "none" ? ` and its draft (${draftSize}), side by side` : ""}…`);
    let main: Record<string, unknown>, draft: Record<string, unknown> | undefined;
    try {
      [main, draft] = await Promise.all([
        runTrainer({ ...common, size: opts.size, steps: opts.steps, name: `hark-${opts.size}`, tokenizer, onLine: trainerLines(progress, opts.size) }),
        draftSize === "none"
          ? undefined
          : runTrainer({ ...common, size: draftSize, steps: opts.draftSteps, name: `hark-${opts.size}-draft`, tokenizer, onLine: trainerLines(progress, "draft") }),
      ]);
    } finally {
      progress.stop();
    }
    if (!harkEnv().keepData) rmSync(dataDir, { recursive: true, force: true });
    const files = main.files as { q8_0: string; f16: string };
    const mainFile = join(out, files.q8_0);
    const entries: ModelEntry[] = [];
    const metrics = (r: Record<string, unknown>) => ({ dev_exact: r.dev_exact, test_exact: r.test_exact, steps: r.steps, best_step: r.best_step, train_seconds: r.train_seconds, train_examples: r.train_examples });
    entries.push(await entryFor(mainFile, "slm", { name: String(main.name), params: Number(main.params), intents: data.intents, words: wordsName, grammar_hash: data.grammarHash, data_hash: dataHash, source: `hark models train --size ${opts.size} --seed ${opts.seed}`, metrics: metrics(main) }, out));
    if (draft) {
      const df = join(out, (draft.files as { q8_0: string }).q8_0);
      entries.push(await entryFor(df, "draft", { name: String(draft.name), params: Number(draft.params), grammar_hash: data.grammarHash, data_hash: dataHash, pairs_with: String(main.name), source: `hark models train --size ${draftSize} --seed ${opts.seed}`, metrics: metrics(draft) }, out, mainFile));
    }
    if (register) {
      const m = readManifest(dir);
      for (const e of entries) upsert(m.models, e);
      writeManifest(m, dir);
      if (opts.activate !== false) activate(dir, { slm: entries[0]!.name, ...(entries[1] ? { draft: entries[1].name } : {}) });
    }
    process.stdout.write(JSON.stringify({ out, seconds: Math.round((Date.now() - t0) / 1000), models: entries }, null, 2) + "\n");
  });

  models
    .command("list")
    .description("the registered models (* = active)")
    .option("--json", "JSON output")
    .action((opts) => {
      const m = readManifest();
      if (opts.json) return void process.stdout.write(JSON.stringify(m, null, 2) + "\n");
      for (const e of m.models) {
        const active = m.active.slm === e.name || m.active.draft === e.name ? "*" : " ";
        const exists = existsSync(resolveFile(e)) ? "" : "  (file missing)";
        process.stdout.write(`${active} ${e.name.padEnd(24)} ${e.role.padEnd(5)} ${(e.params ? `${(e.params / 1e6).toFixed(2)}M` : "?").padStart(7)} ${(e.bytes / 1e6).toFixed(1).padStart(6)} MB  ${e.licence ?? "?"}  ${e.file}${exists}\n`);
      }
      if (!m.models.length) process.stdout.write("no models registered (hark models train, or hark models add FILE)\n");
    });

  models
    .command("add")
    .description("verify and register a GGUF model (yours or a trained one) or a signed bundle (hark models pack); --use makes it active")
    .argument("<file>", "GGUF file or model bundle")
    .addOption(new Option("--role <role>", "what it is for").choices(["slm", "draft"]).default("slm"))
    .option("--name <name>", "name in the manifest (default: file name)")
    .option("--sha256 <hex>", "expected sha256")
    .option("--licence <id>", "licence of the model")
    .option("--copy", "copy the file into models/")
    .option("--words <file>", "words the model saw in training (written by hark models train), for the out-of-domain check")
    .option("--metrics <json>", "metrics JSON written by models/train/train.py (params, dev/test exact, grammar hash); records the active grammar's intents")
    .option("--use", "make it active")
    .option("--config <file>", "hark.yaml with models.trusted_key (default ./hark.yaml when present)")
    .action(async (file: string, opts) => {
      const dir = modelsDir();
      const trusted = (await loadConfig(opts.config)).models?.trustedKey;
      if (isBundleFile(file)) return addBundle(file, dir, trusted, opts.use === true);
      if (trusted) throw new CommandError(`${file}: a trusted key is configured (models.trusted_key / $HARK_MODELS_PUBKEY): only signed bundles can be added; nothing changed`);
      const m = readManifest(dir);
      let path = resolve(file);
      let target: string | undefined;
      if (opts.role === "draft") {
        const active = activeModels(dir);
        if (!active.slm) throw new CommandError("add a target model (--role slm) before its draft");
        target = active.slm;
      }
      try {
        await verifyModel(path, { sha256: opts.sha256, target });
      } catch (err) {
        throw new CommandError(`${(err as Error).message}; nothing changed (the active models stay in use)`);
      }
      if (opts.copy) {
        const dest = join(dir, basename(path));
        if (resolve(dest) !== path) copyFileSync(path, dest);
        path = dest;
      }
      let trained: Partial<ModelEntry> = {};
      if (opts.metrics) {
        const r = JSON.parse(readFileSync(opts.metrics, "utf8")) as Record<string, unknown>;
        const { loadSources } = await import("../../nlu/index.js");
        const { outputSpec } = await import("../../nlu/slm/format.js");
        trained = {
          params: Number(r.params), grammar_hash: String(r.grammar_hash ?? ""), source: `hark models train --size ${r.size} --seed ${r.seed}`,
          intents: outputSpec(await loadSources({})).intents.map((i) => i.name),
          metrics: { dev_exact: r.dev_exact, test_exact: r.test_exact, steps: r.steps, best_step: r.best_step, train_seconds: r.train_seconds, train_examples: r.train_examples },
        };
      }
      if (opts.words) {
        const dest = join(dir, basename(opts.words));
        if (resolve(opts.words) !== resolve(dest)) copyFileSync(opts.words, dest);
        trained.words = basename(opts.words);
      }
      const e = await entryFor(path, opts.role as Role, { name: opts.name ?? basename(path).replace(/\.gguf$/, ""), source: `hark models add ${basename(file)}`, ...trained, ...(opts.licence ? { licence: opts.licence } : {}), ...(target ? { pairs_with: m.active.slm } : {}) }, dir, target);
      upsert(m.models, e);
      writeManifest(m, dir);
      if (opts.use) activate(dir, { [e.role]: e.name });
      process.stdout.write(`added ${e.name} (${e.role}, ${(e.bytes / 1e6).toFixed(1)} MB, vocab ${e.vocab}, sha256 ${e.sha256.slice(0, 12)}…)${opts.use ? ", now active" : ""}\n`);
    });

  models
    .command("verify")
    .description("check every registered model (or one): file present, GGUF header and size, sha256, draft vocabulary; or a bundle (file or unpacked folder): signature and every sha256")
    .argument("[name]", "model name, or a bundle file / folder")
    .option("--pubkey <pem>", "the Ed25519 public key the bundle must be signed with (default: models.trusted_key / $HARK_MODELS_PUBKEY)")
    .option("--config <file>", "hark.yaml with models.trusted_key (default ./hark.yaml when present)")
    .action(async (name: string | undefined, opts) => {
      if (name && (isBundleFile(name) || (existsSync(name) && statSync(name).isDirectory()))) {
        const spec = opts.pubkey ?? (await loadConfig(opts.config)).models?.trustedKey;
        const t0 = performance.now();
        const r = await checkBundle(name, spec ? loadPublicKey(spec) : undefined);
        r.cleanup();
        for (const p of r.problems) process.stdout.write(`FAIL ${p}\n`);
        if (r.problems.length) throw new CommandError(`${name}: ${r.problems.length} problem${r.problems.length > 1 ? "s" : ""}; the bundle is not trustworthy`);
        const sig = r.signatureOk ? "signature ok" : r.signed ? "signature NOT checked (no --pubkey, no trusted key)" : "unsigned";
        process.stdout.write(`ok   ${name}: version ${r.manifest!.version}, ${r.manifest!.files.length} files, sha256 ok, ${sig} (${Math.round(performance.now() - t0)} ms)\n`);
        return;
      }
      if (opts.pubkey) throw new UsageError(`--pubkey is for a bundle file or folder; '${name ?? ""}' is neither`);
      const m = readManifest();
      const list = m.models.filter((e) => !name || e.name === name);
      if (name && !list.length) throw new UsageError(`no model named '${name}'`);
      let bad = 0;
      for (const e of list) {
        const pair = e.role === "draft" && e.pairs_with ? m.models.find((x) => x.name === e.pairs_with) : undefined;
        if (isEncrypted(resolveFile(e))) {
          process.stdout.write(`ok   ${e.name} (encrypted at rest: its sha256 is checked when it is decrypted at load)\n`);
          continue;
        }
        try {
          await verifyModel(resolveFile(e), { sha256: e.sha256, target: pair && existsSync(resolveFile(pair)) && !isEncrypted(resolveFile(pair)) ? resolveFile(pair) : undefined });
          process.stdout.write(`ok   ${e.name}\n`);
        } catch (err) {
          bad++;
          process.stdout.write(`FAIL ${e.name}: ${(err as Error).message}\n`);
        }
      }
      if (bad) throw new CommandError(`${bad} of ${list.length} models failed verification`);
    });

  models
    .command("keygen")
    .description("write an Ed25519 key pair for signing model bundles: DIR/hark-models.key (private, 0600) and DIR/hark-models.pub")
    .requiredOption("--out <dir>", "folder for the two files (never overwritten)")
    .action((opts) => {
      mkdirSync(opts.out, { recursive: true });
      const k = writeKeyPair(opts.out);
      process.stdout.write(`private key ${k.privateKey} (keep it off the devices)\npublic key  ${k.publicKey} (models.trusted_key on the devices)\n`);
    });

  models
    .command("pack")
    .description("write a signed bundle of the active models (GGUFs, tokenizer, words file) and their manifest")
    .requiredOption("--key <pem>", "the Ed25519 private key (hark models keygen)")
    .requiredOption("-o, --out <file>", "the bundle file to write")
    .option("--bundle-version <v>", "the bundle's version (default: the time now, YYYYMMDD.HHMMSS); hark's own --version is taken")
    .action(async (opts) => {
      const dir = modelsDir();
      const m = readManifest(dir);
      const a = activeModels(dir);
      if (!a.slm || !a.slmEntry) throw new CommandError("no active SLM model to pack (hark models list)");
      const entries = [a.slmEntry, ...(m.active.draft ? m.models.filter((e) => e.name === m.active.draft) : [])];
      const files = entries.map((e) => resolveFile(e, dir));
      for (const f of files) {
        if (!existsSync(f)) throw new CommandError(`${f}: no such file`);
        if (isEncrypted(f)) throw new CommandError(`${f}: encrypted at rest; bundles carry plaintext models (hark models decrypt first)`);
      }
      if (a.words && existsSync(a.words)) files.push(a.words);
      if (existsSync(join(dir, "tokenizer.model"))) files.push(join(dir, "tokenizer.model"));
      const models = entries.map((e) => ({ ...e, file: basename(e.file), ...(e.words ? { words: basename(e.words) } : {}) }));
      const version = opts.bundleVersion ?? new Date().toISOString().replace(/[-:]/g, "").replace("T", ".").slice(0, 15);
      if (existsSync(opts.out)) throw new CommandError(`${opts.out}: already exists (not overwritten)`);
      const t0 = performance.now();
      const manifest = await packBundle({ out: opts.out, files, models, active: { slm: m.active.slm, ...(m.active.draft ? { draft: m.active.draft } : {}) }, version, privateKey: opts.key });
      process.stdout.write(`wrote ${opts.out}: version ${version}, ${manifest.files.map((f) => f.path).join(", ")} (${(statSync(opts.out).size / 1e6).toFixed(1)} MB, signed, ${Math.round(performance.now() - t0)} ms)\n`);
    });

  const keyOption = (c: Command) =>
    c.option("--key-file <file>", "the device key file (mode 0600, 64 hex digits); default $HARK_MODELS_KEY / $HARK_MODELS_KEY_FILE");
  keyOption(
    models
      .command("encrypt")
      .description("encrypt the registered model files at rest (AES-256-GCM with the device key); --key-file creates the key (0600) when it does not exist")
      .argument("[name]", "model name (default: every registered model)"),
  ).action((name: string | undefined, opts) => {
    let key: Buffer;
    if (opts.keyFile && !existsSync(opts.keyFile)) {
      key = writeNewKeyFile(opts.keyFile);
      process.stderr.write(`hark: wrote a new device key to ${opts.keyFile} (mode 0600); without it the models cannot be loaded\n`);
    } else key = requireKey(opts.keyFile);
    for (const e of selected(name)) process.stdout.write(`${encryptFile(resolveFile(e), key) ? "encrypted" : "already encrypted"} ${e.name}\n`);
  });
  keyOption(
    models
      .command("decrypt")
      .description("decrypt the registered model files back to plaintext (with the device key)")
      .argument("[name]", "model name (default: every registered model)"),
  ).action((name: string | undefined, opts) => {
    const key = requireKey(opts.keyFile);
    for (const e of selected(name)) process.stdout.write(`${decryptFile(resolveFile(e), key) ? "decrypted" : "not encrypted"} ${e.name}\n`);
  });

  models
    .command("use")
    .description("make a registered model active (verified first; on failure the current model stays)")
    .argument("<name>", "model name")
    .action(async (name: string) => {
      const dir = modelsDir();
      const m = readManifest(dir);
      const e = m.models.find((x) => x.name === name);
      if (!e) throw new UsageError(`no model named '${name}' (see hark models list)`);
      const target = e.role === "draft" ? activeModels(dir).slm : undefined;
      try {
        await verifyModel(resolveFile(e, dir), { sha256: e.sha256, target });
      } catch (err) {
        throw new CommandError(`${(err as Error).message}; ${m.active[e.role] ?? "the previous model"} stays in use`);
      }
      activate(dir, { [e.role]: e.name });
      process.stdout.write(`${e.role}: ${name}\n`);
    });

  models
    .command("rollback")
    .description("return to the previously active models")
    .action(() => {
      const dir = modelsDir();
      const m = readManifest(dir);
      const prev = m.history.pop();
      if (!prev) throw new CommandError("no earlier models to roll back to");
      m.active = { slm: prev.slm, draft: prev.draft };
      writeManifest(m, dir);
      process.stdout.write(`slm: ${m.active.slm ?? "-"}, draft: ${m.active.draft ?? "-"}\n`);
    });
}

/** The device key from --key-file, $HARK_MODELS_KEY or $HARK_MODELS_KEY_FILE; a usage error when none is given. */
function requireKey(keyFile: string | undefined): Buffer {
  const env = harkEnv();
  if (keyFile) return readKeyFile(keyFile);
  if (env.modelsKey || env.modelsKeyFile) {
    if (env.modelsKey && !/^[0-9a-fA-F]{64}$/.test(env.modelsKey.trim())) throw new UsageError("$HARK_MODELS_KEY: a device key is 64 hex digits (32 bytes)");
    return env.modelsKey ? Buffer.from(env.modelsKey.trim(), "hex") : readKeyFile(env.modelsKeyFile!);
  }
  throw new UsageError("no device key: give --key-file FILE, or set $HARK_MODELS_KEY or $HARK_MODELS_KEY_FILE");
}

/** Registered models with files present: one by name, or all. */
function selected(name: string | undefined): ModelEntry[] {
  const m = readManifest();
  const list = m.models.filter((e) => (!name || e.name === name) && existsSync(resolveFile(e)));
  if (name && !list.length) throw new UsageError(`no model named '${name}' with a file present`);
  return list;
}

/** hark models add BUNDLE: verify (signature when a key is trusted; sha256 always), copy in, register, optionally activate. */
async function addBundle(file: string, dir: string, trusted: string | undefined, use: boolean): Promise<void> {
  let r: BundleCheck | undefined;
  try {
    r = await checkBundle(file, trusted ? loadPublicKey(trusted) : undefined);
    if (trusted && !r.signed) throw new CommandError(`${file}: unsigned bundle refused: a trusted key is configured; nothing changed`);
    if (trusted && r.signatureOk === false) throw new CommandError(`${file}: not signed by the trusted key (models.trusted_key / $HARK_MODELS_PUBKEY): refused; nothing changed`);
    if (r.problems.length) throw new CommandError(`${file}: ${r.problems[0]}${r.problems.length > 1 ? ` (and ${r.problems.length - 1} more; hark models verify ${file})` : ""}; nothing changed`);
    if (!trusted) process.stderr.write(`hark: warning: no trusted key configured (models.trusted_key): the bundle's signature was not checked, only its sha256 sums\n`);
    const manifest = r.manifest!;
    for (const f of manifest.files) copyFileSync(join(r.dir, f.path), join(dir, f.path));
    const m = readManifest(dir);
    for (const e of manifest.models) upsert(m.models, { ...e, source: `hark models add ${basename(file)} (bundle ${manifest.version})` });
    writeManifest(m, dir);
    if (use) activate(dir, manifest.active);
    process.stdout.write(`added bundle ${manifest.version}: ${manifest.models.map((e) => e.name).join(", ")}${trusted ? " (signature ok)" : ""}${use ? ", now active" : ""}\n`);
  } finally {
    r?.cleanup();
  }
}

export { ModelError };
