// hark fleet publish|status|rollback|devices — model bundles delivered to devices over MQTT (docs/fleet.md).
import { existsSync, mkdirSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
import { Command, Option } from "commander";
import { FleetAgent } from "../../fleet/agent.js";
import { acceptanceCheck, DEFAULT_BOUNDS, defaultCheckSet, readCheckSet } from "../../fleet/check.js";
import type { FleetBrokerOptions } from "../../fleet/client.js";
import { ALL_COHORT, DEFAULT_CHUNK_SIZE, type DeviceStatus } from "../../fleet/protocol.js";
import { clearVersion, FleetPublisher, fleetStatus, orderRollback, prepareBundle } from "../../fleet/publisher.js";
import { isBundleFile } from "../../models/bundle.js";
import { modelsDir, readManifest, writeManifest } from "../../models/manifest.js";
import { loadSources } from "../../nlu/index.js";
import { loadConfig } from "../../run/config.js";
import { CommandError, UsageError } from "../../platform/errors.js";

const int = (name: string, min: number, max = Number.MAX_SAFE_INTEGER) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`${name} must be a whole number from ${min}${max < Number.MAX_SAFE_INTEGER ? ` to ${max}` : ""} ('${v}')`);
  return n;
};

const topicLevel = (name: string) => (v: string) => {
  if (!v || /[/+#]/.test(v)) throw new UsageError(`${name} may not be empty or contain / + # ('${v}')`);
  return v;
};

interface BrokerOpts {
  broker?: string;
  config?: string;
}

/** --broker, else broker.url of hark.yaml (with its account). */
async function brokerOf(opts: BrokerOpts): Promise<FleetBrokerOptions> {
  if (opts.config && !existsSync(opts.config)) throw new UsageError(`${opts.config}: no such config file`);
  const config = await loadConfig(opts.config);
  const url = opts.broker ?? config.broker.url;
  if (!url) throw new UsageError("no broker: give --broker mqtt://HOST:PORT (or broker.url in hark.yaml)");
  if (!/^(mqtts?|wss?|tcp):\/\//.test(url)) throw new UsageError(`--broker: '${url}' is not an mqtt://, mqtts://, ws:// or wss:// URL`);
  const b = config.broker;
  return {
    url,
    ...(b.username !== undefined ? { username: b.username } : {}),
    ...(b.password !== undefined ? { password: b.password } : {}),
    ...(b.protocol_version ? { protocolVersion: b.protocol_version } : {}),
  };
}

const withBroker = (c: Command) =>
  c.option("--broker <url>", "the MQTT broker (default: broker.url in hark.yaml)").option("--config <file>", "hark.yaml (default ./hark.yaml when present)");

const err1 = (e: unknown) => new CommandError((e instanceof Error ? e.message : String(e)).split("\n")[0]!);

const STATE_ORDER = ["idle", "downloading", "verifying", "checking", "active", "rolled_back", "failed"] as const;

function line(s: DeviceStatus): string {
  const progress = s.progress ? ` ${s.progress.chunks}/${s.progress.of}` : "";
  const m = s.metrics;
  const metrics = m && m.accuracy !== undefined ? ` accuracy ${(m.accuracy * 100).toFixed(0)}% p95 ${m.p95Ms} ms` : "";
  return `${s.device.padEnd(20)} ${s.cohort.padEnd(10)} ${(s.version || "(shipped)").padEnd(16)} ${s.status.padEnd(12)}${s.target && s.target !== s.version ? ` ${s.target}` : ""}${progress}${metrics}${s.error ? `  ${s.error}` : ""}`;
}

export function register(program: Command): void {
  const fleet = program.command("fleet").description("deliver signed model bundles to devices over MQTT: publish, status, rollback, clear (docs/fleet.md)");

  withBroker(
    fleet
      .command("publish")
      .description("announce a bundle (hark models pack) to a cohort and serve it in chunks on the broker; with --expect, wait for the devices' verdicts")
      .argument("<bundle>", "the bundle file")
      .option("--cohort <name>", `the devices to reach (default: ${ALL_COHORT}, every device)`, topicLevel("--cohort"))
      .option("--percent <n>", "only this share of the cohort's devices (a stable choice per device id)", int("--percent", 1, 100))
      .option("--chunk-size <bytes>", `chunk size (default ${DEFAULT_CHUNK_SIZE})`, int("--chunk-size", 1024, 16 * 1024 * 1024))
      .option("--expect <n>", "stay, serve the bundle again after broker restarts, and wait until N devices are on it (or refused it); exit 1 if any refused", int("--expect", 1))
      .option("--timeout <s>", "with --expect: give up after this many seconds", int("--timeout", 1), 600)
      .option("--json", "the devices' statuses as JSON on stdout"),
  ).action(async (file: string, opts: BrokerOpts & { cohort?: string; percent?: number; chunkSize?: number; expect?: number; timeout: number; json?: boolean }) => {
    if (!existsSync(file)) throw new UsageError(`${file}: no such file`);
    if (!isBundleFile(file)) throw new CommandError(`${file}: not a model bundle (a tar file written by hark models pack)`);
    const broker = await brokerOf(opts);
    const cohort = opts.cohort ?? ALL_COHORT;
    let prepared;
    try {
      prepared = await prepareBundle(file, opts.chunkSize ?? DEFAULT_CHUNK_SIZE);
    } catch (e) {
      throw err1(e);
    }
    const a = prepared.announce;
    const t0 = performance.now();
    const tty = process.stderr.isTTY;
    let shown = -1;
    const pub = await FleetPublisher.start(prepared, {
      broker, cohort, ...(opts.percent !== undefined ? { percent: opts.percent } : {}),
      onProgress: (done, of) => {
        const pct = Math.floor((done / of) * 10);
        if (tty && pct !== shown) process.stderr.write(`\rhark: publishing ${a.version}: ${done}/${of} chunks`), (shown = pct);
      },
    }).catch((e: unknown) => {
      throw err1(e);
    });
    const sec = () => ((performance.now() - t0) / 1000).toFixed(1);
    process.stderr.write(`${tty ? "\r" : ""}hark: ${a.version} (${(a.bytes / 1e6).toFixed(1)} MB, ${a.chunks} chunks) announced to cohort ${cohort}${opts.percent !== undefined ? ` (${opts.percent}%)` : ""} in ${sec()} s\n`);
    if (opts.expect === undefined) {
      await pub.close();
      return;
    }
    let last = "";
    let lastAt = 0;
    let lastSettled = -1;
    try {
      const settled = await pub.waitFor(opts.expect, opts.timeout * 1000, (s, all) => {
        const counts = new Map<string, number>();
        for (const d of all.filter((x) => x.target === a.version || x.version === a.version)) counts.set(d.status, (counts.get(d.status) ?? 0) + 1);
        const states = STATE_ORDER.filter((k) => counts.has(k)).map((k) => `${counts.get(k)} ${k}`);
        const text = `hark: ${s.length}/${opts.expect} settled (${states.join(", ") || "waiting"})`;
        // A line when a device settles, else at most one a second.
        if (text === last || (s.length === lastSettled && performance.now() - lastAt < 1000)) return;
        process.stderr.write(`${text} at ${sec()} s\n`);
        [last, lastAt, lastSettled] = [text, performance.now(), s.length];
      });
      const ms = performance.now() - t0;
      const active = settled.filter((s) => s.status === "active");
      const refused = settled.filter((s) => s.status !== "active");
      if (opts.json) process.stdout.write(JSON.stringify({ version: a.version, bytes: a.bytes, chunks: a.chunks, cohort, seconds: Math.round(ms) / 1000, active: active.length, refused: refused.length, devices: settled }, null, 2) + "\n");
      else process.stdout.write(`${a.version}: ${active.length} of ${settled.length} devices active, ${refused.length} refused it, in ${(ms / 1000).toFixed(1)} s (${(a.bytes / 1e6).toFixed(1)} MB)\n`);
      if (refused.length) throw new CommandError(`${a.version}: ${refused.length} of ${settled.length} devices refused it (${refused[0]!.device}: ${refused[0]!.error ?? refused[0]!.status})`);
    } catch (e) {
      if (e instanceof CommandError) throw e;
      throw err1(e);
    } finally {
      await pub.close();
    }
  });

  withBroker(
    fleet
      .command("status")
      .description("the devices' versions and last update (their retained status topics)")
      .option("--cohort <name>", "only this cohort's devices")
      .option("--json", "JSON output"),
  ).action(async (opts: BrokerOpts & { cohort?: string; json?: boolean }) => {
    const broker = await brokerOf(opts);
    const r = await fleetStatus(broker).catch((e: unknown) => {
      throw err1(e);
    });
    const devices = r.devices.filter((d) => !opts.cohort || d.cohort === opts.cohort);
    const announces = r.announces.filter((x) => !opts.cohort || x.cohort === opts.cohort || x.cohort === ALL_COHORT);
    if (opts.json) return void process.stdout.write(JSON.stringify({ announces, devices }, null, 2) + "\n");
    // One write: a reader that stops early (| head) does not make it fail.
    const out: string[] = [];
    for (const { cohort, announce } of announces)
      out.push(`cohort ${cohort}: ${announce.action === "install" ? `install ${announce.version}` : `rollback from ${announce.from}`}${announce.percent !== undefined ? ` (${announce.percent}%)` : ""}, ${new Date(announce.seq).toISOString()}`);
    if (!devices.length) out.push("no devices have reported");
    const byVersion = new Map<string, number>();
    for (const d of devices) byVersion.set(d.version || "(shipped)", (byVersion.get(d.version || "(shipped)") ?? 0) + 1);
    if (devices.length) {
      out.push(`${"device".padEnd(20)} ${"cohort".padEnd(10)} ${"version".padEnd(16)} status`);
      for (const d of devices) out.push(line(d));
      out.push(`${devices.length} devices: ${[...byVersion].map(([v, n]) => `${n} on ${v}`).join(", ")}`);
    }
    process.stdout.write(out.join("\n") + "\n");
  });

  withBroker(
    fleet
      .command("rollback")
      .description("order a cohort's devices that run the announced version (or --from V) back to the version they ran before")
      .requiredOption("--cohort <name>", "the cohort", topicLevel("--cohort"))
      .option("--from <version>", "the version to leave (default: the one announced to the cohort)")
      .option("--percent <n>", "only this share of the cohort's devices", int("--percent", 1, 100)),
  ).action(async (opts: BrokerOpts & { cohort: string; from?: string; percent?: number }) => {
    const broker = await brokerOf(opts);
    const order = await orderRollback(broker, opts.cohort, opts.from, opts.percent).catch((e: unknown) => {
      throw err1(e);
    });
    process.stdout.write(`cohort ${opts.cohort}: devices on ${order.from} go back to their previous version (hark fleet status)\n`);
  });

  withBroker(
    fleet
      .command("clear")
      .description("remove a version's chunks from the broker (once no cohort is announced to install it)")
      .argument("<version>", "the bundle version"),
  ).action(async (version: string, opts: BrokerOpts) => {
    const broker = await brokerOf(opts);
    const n = await clearVersion(broker, version).catch((e: unknown) => {
      throw err1(e);
    });
    process.stdout.write(`${version}: ${n} chunks removed from the broker\n`);
  });

  withBroker(
    fleet
      .command("devices")
      .description("simulate N devices in this process (each its own models folder under DIR, starting on the shipped models) until Ctrl-C: for trying and timing rollouts")
      .requiredOption("--count <n>", "how many devices", int("--count", 1, 1000))
      .requiredOption("--dir <dir>", "their models folders: DIR/dev-01 …")
      .option("--cohort <name>", `their cohort (default ${ALL_COHORT})`, topicLevel("--cohort"))
      .option("--pubkey <pem>", "the trusted public key (default: models.trusted_key / $HARK_MODELS_PUBKEY)")
      .option("--check-count <n>", "items of the check set each device runs (default: all)", int("--check-count", 1))
      .addOption(new Option("--prefix <id>", "device id prefix").default("dev")),
  ).action(async (opts: BrokerOpts & { count: number; dir: string; cohort?: string; pubkey?: string; checkCount?: number; prefix: string }) => {
    const broker = await brokerOf(opts);
    const config = await loadConfig(opts.config);
    const trustedKey = opts.pubkey ?? config.models?.trustedKey;
    if (!trustedKey) throw new UsageError("no trusted key: give --pubkey FILE (or models.trusted_key in hark.yaml)");
    const grammar = await loadSources({ ...(config.grammar ? { grammar: config.grammar } : {}), ...(config.devices ? { devices: config.devices } : {}) });
    const items = readCheckSet(defaultCheckSet(), opts.checkCount);
    const check = (files: { model: string; draft?: string; words?: string }) => acceptanceCheck(files, { grammar, items, bounds: DEFAULT_BOUNDS });
    const shipped = modelsDir(config.env.modelsDir);
    const m = readManifest(shipped);
    const abs = (f: string) => (isAbsolute(f) ? f : join(shipped, f));
    const agents: FleetAgent[] = [];
    for (let i = 1; i <= opts.count; i++) {
      const id = `${opts.prefix}-${String(i).padStart(2, "0")}`;
      const dir = resolve(opts.dir, id);
      if (!existsSync(join(dir, "manifest.yaml"))) {
        // A device fresh from the factory: the shipped active models (by path, not copied).
        mkdirSync(dir, { recursive: true });
        const models = m.models.filter((e) => e.name === m.active.slm || e.name === m.active.draft).map((e) => ({ ...e, file: abs(e.file), ...(e.words ? { words: abs(e.words) } : {}) }));
        writeManifest({ active: m.active, history: [], models }, dir);
      }
      agents.push(FleetAgent.start({ device: id, cohort: opts.cohort ?? ALL_COHORT, modelsDir: dir, broker, trustedKey, check }));
    }
    process.stderr.write(`hark: ${opts.count} simulated devices (${agents[0]!.status.device} … ${agents.at(-1)!.status.device}) on ${broker.url}, cohort ${opts.cohort ?? ALL_COHORT}; Ctrl-C to stop\n`);
    await new Promise<void>((res) => {
      process.once("SIGINT", () => res());
      process.once("SIGTERM", () => res());
    });
    await Promise.all(agents.map((a) => a.stop()));
  });
}
