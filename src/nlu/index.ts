// Entry point for understanding: load grammar + devices, compile (or reuse the cached compile), match;
// the understanders (matcher, slm, cascade) by name.
import { compileGraph, GRAPH_VERSION, type MatcherGraph } from "../compile/graph.js";
import { readCached, writeCached } from "../compile/cache.js";
import { yamlFiles, loadGrammar, type LoadedGrammar } from "../grammar/load.js";
import { defaultDevicesDir, defaultGrammarDir, resolvePaths } from "../grammar/paths.js";
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { Matcher } from "./matcher.js";
import type { Understander } from "./types.js";
import { Registry } from "../platform/registry.js";
import { harkEnv } from "../platform/env.js";
import { CommandError, UsageError } from "../platform/errors.js";

export { Matcher } from "./matcher.js";
export type { IntentResult, Understanding, Understander } from "./types.js";

export interface SourceOptions {
  /** Grammar folder(s)/file(s); default: the shipped grammars/en. */
  grammar?: string | string[];
  /** Device folder(s)/file(s); default: the shipped devices/. Pass [] for none. */
  devices?: string | string[];
}

export function sourcePaths(options: SourceOptions): { grammar: string[]; devices: string[] } {
  return {
    grammar: resolvePaths(options.grammar, defaultGrammarDir()),
    devices: Array.isArray(options.devices) && options.devices.length === 0 ? [] : resolvePaths(options.devices, defaultDevicesDir()),
  };
}

export async function loadSources(options: SourceOptions = {}): Promise<LoadedGrammar> {
  const paths = sourcePaths(options);
  return loadGrammar({ grammar: paths.grammar, devices: paths.devices });
}

/** Hash of the source files without parsing them: the cache key. */
async function quickHash(paths: { grammar: string[]; devices: string[] }): Promise<string> {
  const h = createHash("sha256").update(`graph-v${GRAPH_VERSION}\0`);
  for (const f of [...(await yamlFiles(paths.grammar)), ...(await yamlFiles(paths.devices))])
    h.update(f).update("\0").update(await readFile(f)).update("\0");
  return h.digest("hex");
}

/** The compiled matcher graph for these sources, from cache when the sources did not change. */
export async function loadGraph(options: SourceOptions = {}): Promise<MatcherGraph> {
  const paths = sourcePaths(options);
  const key = await quickHash(paths);
  const cached = await readCached<MatcherGraph>("graph", key);
  if (cached && cached.version === GRAPH_VERSION) return cached;
  const graph = compileGraph(await loadGrammar(paths));
  await writeCached("graph", key, graph);
  return graph;
}

export async function loadMatcher(options: SourceOptions = {}): Promise<Matcher> {
  return new Matcher(await loadGraph(options));
}

/** Options of the understanders: the sources, and whether the cascade may use the SLM. */
export interface UnderstanderOptions extends SourceOptions {
  /** False: the cascade is the matcher alone (default: HARK_SLM is not "0", read at the call). */
  slm?: boolean;
}

/** An understander as the registry makes it: `dispose()` frees a loaded model. */
export type LoadedUnderstander = Understander & { dispose?(): Promise<void> };

/**
 * The default understander: the cascade (matcher, then the SLM) when SLM models are installed
 * (models/manifest.yaml) and `slm` is not false (HARK_SLM=0); the matcher alone otherwise.
 * Call `dispose()` on the result when done (it frees the model, if one was loaded).
 */
export async function loadUnderstander(options: UnderstanderOptions = {}): Promise<LoadedUnderstander> {
  const matcher = await loadMatcher(options);
  if (!(options.slm ?? harkEnv().slm)) return matcher;
  const { activeModels, benchFile } = await import("../models/manifest.js");
  const models = activeModels();
  if (!models.slm) return matcher;
  const grammar = await loadSources(options);
  // A model trained for other intents than this grammar's (a test grammar, another product) is no help.
  const trained = models.slmEntry?.intents;
  if (trained && trained.filter((i) => grammar.intents.has(i)).length < 0.8 * trained.length) return matcher;
  const { Cascade } = await import("./cascade.js");
  // The engine module pulls in node-llama-cpp (hundreds of ms): imported when the model is first needed.
  // The active models are looked up at each load: a fleet update switches them and the cascade reloads.
  return new Cascade(matcher, grammar, async () => {
    const { SlmEngine } = await import("./slm/engine.js");
    const now = activeModels();
    if (!now.slm) throw new Error("no SLM model is active");
    return SlmEngine.load({ model: now.slm, draft: now.draft, grammar, benchFile: benchFile(), wordsFile: now.words });
  });
}

/** The active SLM alone (no matcher); a model that is missing or cannot be used is a CommandError, in one line. */
async function loadSlmAlone(options: SourceOptions): Promise<LoadedUnderstander> {
  const { activeModels, benchFile } = await import("../models/manifest.js");
  const models = activeModels();
  if (!models.slm) throw new CommandError("no SLM model is installed (models/manifest.yaml has no active slm; see `hark models list`)");
  const { SlmEngine } = await import("./slm/engine.js");
  const grammar = await loadSources(options);
  let engine: Awaited<ReturnType<typeof SlmEngine.load>>;
  try {
    engine = await SlmEngine.load({ model: models.slm, draft: models.draft, grammar, benchFile: benchFile(), wordsFile: models.words });
  } catch (err) {
    // The model alone was asked for: a model that cannot be used (sha256 mismatch, damaged, missing) is a failure, in one line.
    throw new CommandError(err instanceof Error ? err.message.split("\n")[0]! : String(err));
  }
  return {
    understand: async (text: string) => {
      const { decode: _d, ...r } = await engine.understand(text);
      return r;
    },
    dispose: () => engine.dispose(),
  };
}

export const DEFAULT_UNDERSTANDER = "cascade";

/** The understanders by name (src/platform/registry.ts), as `hark understand --engine` takes them. */
const understanders = new Registry<UnderstanderOptions, Promise<LoadedUnderstander>>("understander", (m) => new UsageError(m))
  .register("matcher", (o) => loadMatcher(o), { description: "the grammar matcher alone" })
  .register("slm", (o) => loadSlmAlone(o), { description: "the active SLM alone" })
  .register(DEFAULT_UNDERSTANDER, (o) => loadUnderstander(o), { description: "the matcher, then the SLM when models are installed and HARK_SLM is not 0" });

/** Add (or replace) an understander. */
export function registerUnderstander(name: string, factory: (options: UnderstanderOptions) => Promise<LoadedUnderstander>, description?: string): void {
  understanders.register(name, (o) => factory(o), description ? { description } : {});
}

/** The understanders, in registration order (matcher, slm, cascade, then any added). */
export function understanderNames(): string[] {
  return understanders.names();
}

/** Load the understander called `name` (default: the cascade) for these sources. */
export async function createUnderstander(name: string = DEFAULT_UNDERSTANDER, options: UnderstanderOptions = {}): Promise<LoadedUnderstander> {
  return understanders.create(name, options);
}
