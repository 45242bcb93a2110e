// `hark run` in process for a test: embedded broker, simulated home and car, silent logs, and the
// grammar matcher as understander (no SLM load: the two cores are shared with the rest of the suite).
import pino from "pino";
import { compileGraph } from "../../src/compile/graph.js";
import { loadSources } from "../../src/nlu/index.js";
import { Matcher } from "../../src/nlu/matcher.js";
import { configSchema, resolveConfig } from "../../src/run/config.js";
import { HarkRuntime } from "../../src/run/runtime.js";

/** `settings`: hark.yaml keys (default: no speech). */
export async function matcherRuntime(settings: Record<string, unknown> = { speech: { enabled: false } }): Promise<HarkRuntime> {
  const config = resolveConfig(configSchema.parse({ ...settings, log_level: "silent" }));
  const understander = new Matcher(compileGraph(await loadSources({})));
  return HarkRuntime.start({ config, logger: pino({ level: "silent" }), understander });
}
