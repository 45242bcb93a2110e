// `hark run` with a `fleet:` section (docs/fleet.md): the device agent on the runtime's broker, with the
// device's own acceptance check (its check set and bounds, the runtime's grammar). Started in the
// background: nothing here waits for the broker or blocks the voice pipeline.
import { hostname } from "node:os";
import type { Logger } from "pino";
import type { Grammar } from "../grammar/types.js";
import { modelsDir } from "../models/manifest.js";
import type { HarkConfig } from "../run/config.js";
import { FleetAgent } from "./agent.js";
import { acceptanceCheck, DEFAULT_BOUNDS, defaultCheckSet, readCheckSet } from "./check.js";
import { ALL_COHORT } from "./protocol.js";

/** The agent for this configuration, or undefined (with a warning logged) when it cannot run. */
export function startFleet(
  config: HarkConfig,
  broker: { url: string; username?: string; password?: string; tls?: object },
  grammar: Grammar,
  log: Logger,
  /** Loads the newly active models into the running understander (the cascade's reload). */
  reload?: () => Promise<void>,
): FleetAgent | undefined {
  const f = config.fleet;
  if (!f) return undefined;
  const trustedKey = config.models?.trustedKey;
  if (!trustedKey) {
    log.warn("fleet: no trusted key (models.trusted_key or $HARK_MODELS_PUBKEY): model updates over MQTT are off");
    return undefined;
  }
  const c = f.check;
  const bounds = { minAccuracy: c.min_accuracy ?? DEFAULT_BOUNDS.minAccuracy, maxLatencyMs: c.max_latency_ms ?? DEFAULT_BOUNDS.maxLatencyMs };
  try {
    const items = readCheckSet(c.set ?? defaultCheckSet(), c.count);
    const agent = FleetAgent.start({
      device: f.device ?? hostname(),
      cohort: f.cohort || ALL_COHORT,
      // Updates go where hark run loads its models from: $HARK_MODELS_DIR, else models/.
      modelsDir: modelsDir(config.env.modelsDir),
      // The runtime's own account and TLS trust (on a locked embedded broker, the account made for this run).
      broker: {
        url: broker.url,
        ...(broker.username !== undefined ? { username: broker.username } : {}),
        ...(broker.password !== undefined ? { password: broker.password } : {}),
        ...(broker.tls ? { tls: broker.tls as Record<string, unknown> } : {}),
        ...(config.broker.protocol_version ? { protocolVersion: config.broker.protocol_version } : {}),
      },
      trustedKey,
      check: (files) => acceptanceCheck(files, { grammar, items, bounds, threads: 1 }),
      logger: log,
      onSwitch: (v) => {
        const which = v || "the ones the device came with";
        if (!reload) return log.warn(`fleet: the active models are now ${which}; hark loads them at its next start`);
        reload().then(
          () => log.info(`fleet: now understanding with models ${which}`),
          (err: unknown) => log.warn(`fleet: models ${which} are active but did not load here (${(err instanceof Error ? err.message : String(err)).split("\n")[0]}); the models loaded before stay in use`),
        );
      },
    });
    log.info({ device: agent.status.device, cohort: agent.status.cohort, version: agent.status.version }, "fleet agent started");
    return agent;
  } catch (err) {
    log.warn(`fleet: not started: ${(err instanceof Error ? err.message : String(err)).split("\n")[0]}`);
    return undefined;
  }
}
