// `hark run` in process for a test: embedded broker, simulated home and car, silent logs, and the
// grammar matcher as understander (no SLM load: the two cores are shared with the rest of the suite).
import mqtt from "mqtt";
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

/** The runtime's home command topics as they are published, for tests that check what was acted on. */
export async function homeCommands(rt: HarkRuntime): Promise<{ topics: string[]; close: () => Promise<void> }> {
  const client = await mqtt.connectAsync(rt.brokerUrl);
  await client.subscribeAsync("hark/home/+/set");
  const topics: string[] = [];
  client.on("message", (topic) => topics.push(topic));
  return { topics, close: () => client.endAsync() };
}
