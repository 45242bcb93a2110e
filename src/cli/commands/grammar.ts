// hark grammar check|compile|sample|import
import { Command, Option } from "commander";
import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { compileArtifacts } from "../../compile/artifacts.js";
import { compileGraph } from "../../compile/graph.js";
import { compileJsgf } from "../../compile/jsgf.js";
import { Sampler } from "../../compile/sample.js";
import { IMPORT_FORMATS, importGrammar, type ImportFormat } from "../../import/index.js";
import { loadSources, sourcePaths } from "../../nlu/index.js";
import { loadConfig } from "../../run/config.js";
import { CommandError, UsageError } from "../../platform/errors.js";
import { writeLine } from "../io.js";
import { addSourceOptions, sourceOptions } from "../options.js";

const positiveInt = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`${name} must be a whole number, got '${v}'`);
  return n;
};

export function register(program: Command): void {
  const grammar = program.command("grammar").description("check, compile, sample and import grammars");

  addSourceOptions(grammar.command("check").description("validate grammar + devices; prints a summary").argument("[dir]", "grammar folder")).action(
    async (dir: string | undefined, opts) => {
      const g = await loadSources(sourceOptions(opts, dir));
      const graph = compileGraph(g);
      const sentences = [...g.intents.values()].reduce((n, i) => n + i.data.reduce((m, b) => m + b.sentences.length, 0), 0);
      process.stdout.write(
        `ok: ${g.intents.size} intents, ${sentences} sentence templates, ${g.lists.size} lists, ${g.rules.size} rules, ` +
          `${g.devices.devices.length} devices in ${g.devices.areas.length} areas; matcher graph ${graph.nodes.length} nodes\n`,
      );
    },
  );

  addSourceOptions(
    grammar
      .command("compile")
      .description(
        "write what `hark run` builds from the grammar, byte for byte: matcher graph (matcher.json), the recognizer's " +
          "Sphinx FSG with its dictionary (asr.fsg, asr.dict, asr.guessed.json), the SLM's output language (slm.gbnf)",
      )
      .argument("[dir]", "grammar folder")
      .requiredOption("-o, --out <dir>", "output folder")
      .option("--config <file>", "configuration file whose trust settings the recognizer follows, as `hark run` (default: ./hark.yaml when present)")
      .option("--jsgf", "also write grammar.jsgf: the sentences as JSGF, an export for other decoders (hark does not load it)"),
  ).action(async (dir: string | undefined, opts) => {
    if (opts.config && !existsSync(opts.config)) throw new UsageError(`${opts.config}: no such config file`);
    const config = await loadConfig(opts.config);
    const sources = sourceOptions(opts, dir);
    const g = await loadSources(sources);
    if (config.trust.satelliteGrammar === "own")
      process.stderr.write("note: trust.satellite_grammar is 'own': each satellite hears only its own intents; the ASR files written are the whole grammar's\n");
    const files: Array<[string, string]> = compileArtifacts(g, { grammarDirs: sourcePaths(sources).grammar, trust: config.trust }).map((a) => [a.file, a.text]);
    if (opts.jsgf) files.push(["grammar.jsgf", compileJsgf(g)]);
    await mkdir(opts.out, { recursive: true });
    for (const [name, text] of files) await writeFile(join(opts.out, name), text);
    process.stdout.write(`wrote ${files.map(([n]) => join(opts.out, n)).join(", ")} (grammar ${g.hash.slice(0, 12)})\n`);
  });

  addSourceOptions(
    grammar
      .command("sample")
      .description("generate utterances with their expected intents, one JSON line each: {text, intents}")
      .argument("[dir]", "grammar folder")
      .option("-n, --count <n>", "how many", positiveInt("--count"), 10)
      .option("--seed <n>", "random seed (same seed, same samples)", positiveInt("--seed"), 1)
      .option("--intent <name...>", "only these intents")
      .option("--text", "print only the text, one per line"),
  ).action(async (dir: string | undefined, opts) => {
    const g = await loadSources(sourceOptions(opts, dir));
    if (opts.intent) for (const i of opts.intent as string[]) if (!g.intents.has(i)) throw new UsageError(`unknown intent '${i}'`);
    let sampler: Sampler;
    try {
      sampler = new Sampler(g, { seed: opts.seed, intents: opts.intent });
    } catch (err) {
      throw new CommandError((err as Error).message);
    }
    for (const s of sampler.take(opts.count)) await writeLine(opts.text ? s.text : JSON.stringify(s));
  });

  grammar
    .command("import")
    .description("convert Home Assistant sentence files, HA test fixtures or a Picovoice Rhino context into hark files")
    .addOption(new Option("--from <format>", "source format").choices([...IMPORT_FORMATS]).makeOptionMandatory())
    .argument("<src>", "source folder or file")
    .requiredOption("-o, --out <dir>", "output folder")
    .action(async (src: string, opts: { from: ImportFormat; out: string }) => {
      const report = await importGrammar(opts.from, src, opts.out);
      for (const w of report.warnings) process.stderr.write(`warning: ${w}\n`);
      const what = opts.from === "hassil-fixtures" ? "a devices folder" : `${report.intents} intents, ${report.sentences} sentences, ${report.lists} lists`;
      process.stdout.write(`imported ${what} into ${report.files.length} file(s) in ${opts.out}\n`);
    });
}
