// hark.yaml: the `hark run` configuration, validated with zod; problems are reported as file:line:col: message.
// The HARK_* environment variables (src/platform/env.ts) are read here too, once, into `env`; `hark run`
// lays its flags over the result (src/cli/commands/run.ts) and the runtime takes it from there.
import { existsSync } from "node:fs";
import { z } from "zod";
import { YamlSource } from "../grammar/yamlSource.js";
import { DEFAULT_POLICIES, policyRuleSchema, type PolicyRule } from "../dialog/policy.js";
import { DEFAULT_TIMEOUTS, type DialogTimeouts, type ProfileKind } from "../dialog/types.js";
import { DEFAULT_WAKE_SENSITIVITY } from "../wake/sensitivity.js";
import { resolveTrustConfig, trustConfigSchema, type TrustConfig } from "../trust/index.js";
import { harkEnv, type HarkEnv } from "../platform/env.js";
import { brokerServeSchema } from "../bus/serve.js";

const ms = z.number().int().positive();

export const sessionSchema = z.strictObject({
  id: z.string().min(1),
  profile: z.enum(["home", "car"]),
  /** Home speaker: the room it stands in (area id, name or alias from devices/). */
  area: z.string().optional(),
  /** Car: the seat it serves. */
  seat: z.enum(["driver", "passenger", "rear_left", "rear_right"]).optional(),
  /** Replaces the profile's wake phrases. */
  wake_phrases: z.array(z.string().min(1)).optional(),
});

export const configSchema = z.strictObject({
  /** Which session typed input goes to when a line names none: the first session of this profile. */
  profile: z.enum(["home", "car"]).default("home"),
  grammar: z.string().optional(),
  devices: z.string().optional(),
  broker: z
    .strictObject({
      /** mqtt://host:port (or mqtts://); without it hark starts an embedded broker on 127.0.0.1. */
      url: z.string().regex(/^(mqtts?|wss?|tcp):\/\//, "must be an mqtt://, mqtts://, ws:// or wss:// URL").optional(),
      /** Embedded broker port (0 = any free port). */
      port: z.number().int().min(0).max(65535).optional(),
      username: z.string().optional(),
      password: z.string().optional(),
      /** A file (mode 0600) whose first line is the password, instead of password. */
      password_file: z.string().min(1).optional(),
      /** The simulated devices' account on an external broker (role device, devices: ['*']); default: username/password. */
      simulator: z.strictObject({ username: z.string().min(1), password: z.string().min(1).optional(), password_file: z.string().min(1).optional() }).optional(),
      /** The embedded broker locked: accounts with roles and ACLs, TLS (src/bus/serve.ts, docs/security.md). */
      serve: brokerServeSchema.optional(),
      protocol_version: z.union([z.literal(4), z.literal(5)]).optional(),
      ca: z.string().optional(),
      cert: z.string().optional(),
      key: z.string().optional(),
      reject_unauthorized: z.boolean().optional(),
    })
    .default({}),
  /** Start the simulated home and car (default: with the embedded broker only). */
  simulate: z.boolean().optional(),
  sessions: z.array(sessionSchema).min(1).optional(),
  timeouts: z
    .strictObject({
      listen: ms.optional(),
      understand: ms.optional(),
      clarify: ms.optional(),
      confirm: ms.optional(),
      act: ms.optional(),
      speak: ms.optional(),
      follow_up: ms.optional(),
      /** Per device command (confirmation by the device). */
      device: ms.optional(),
    })
    .default({}),
  policies: z
    .strictObject({
      /** Keep hark's built-in rules (confirm unlock/garage/disarm, window limits at speed). */
      defaults: z.boolean().default(true),
      rules: z.array(policyRuleSchema).default([]),
    })
    .default({ defaults: true, rules: [] }),
  /** When hark acts, asks back or refuses (src/trust/config.ts, docs/config.md). */
  trust: trustConfigSchema.default({}),
  vehicle: z
    .strictObject({
      /** VSS signal carrying the speed (km/h). */
      speed_signal: z.string().default("Vehicle.Speed"),
      /** Published (retained) at start when set. */
      speed_kmh: z.number().min(0).optional(),
    })
    .default({ speed_signal: "Vehicle.Speed" }),
  /** Spoken answers: every answer is also spoken with `voice` (to WAV files and/or the sound device). */
  speech: z
    .strictObject({
      /** Default: on. false = text answers only. */
      enabled: z.boolean().default(true),
      /** flite[:slt|rms|awb|kal16|kal], espeak[:VOICE], piper:MODEL.onnx … (as `hark say --voice`). */
      voice: z.string().min(1).default("flite:slt"),
      /** Write each answer as NNN-SESSION.wav in this folder. */
      say_to: z.string().min(1).optional(),
      /** Play through aplay: auto = when a sound device exists. */
      play: z.union([z.boolean(), z.literal("auto")]).default("auto"),
      /** Live input: the user speaking over an answer stops it (needs an echo-cancelled microphone near a loudspeaker). */
      barge_in: z.boolean().default(true),
    })
    .default({ enabled: true, voice: "flite:slt", play: "auto", barge_in: true }),
  /** Live input (`--input mic`): when an utterance ends (src/run/listen.ts). */
  listen: z
    .strictObject({
      /** Silence after speech that ends an utterance whose words make a whole sentence that cannot go on, ms. */
      short_silence_ms: z.number().int().min(0).max(2000).default(120),
      /** … a whole sentence that the grammar lets go on ("set the volume to thirty" … "five"), ms. */
      medium_silence_ms: z.number().int().min(0).max(5000).default(400),
      /** Silence that ends any utterance, ms. */
      long_silence_ms: z.number().int().min(100).max(10000).default(600),
    })
    .default({ short_silence_ms: 120, medium_silence_ms: 400, long_silence_ms: 600 }),
  /** Live input: a wake phrase spotted in the audio addresses the assistant (src/wake/spotter.ts). */
  wake: z
    .strictObject({
      /** Off: every utterance is addressed (push-to-talk, a cabin's talk button). */
      enabled: z.boolean().default(false),
      phrase: z.string().min(1).default("hey hark"),
      /** 0..1: higher wakes on less clear speech and falsely more often (docs/benchmarks.md "Wake word"). */
      sensitivity: z.number().min(0).max(1).default(DEFAULT_WAKE_SENSITIVITY),
    })
    .default({ enabled: false, phrase: "hey hark", sensitivity: DEFAULT_WAKE_SENSITIVITY }),
  /** The web console (`hark run --console HOST:PORT`, src/console/). */
  console: z
    .strictObject({
      /** Every request and socket must carry it (?token= or Authorization: Bearer); needed to listen beyond loopback. */
      token: z.string().min(8, "must be at least 8 characters").optional(),
    })
    .default({}),
  /** Model updates (docs/models.md). */
  models: z
    .strictObject({
      /** The trusted Ed25519 public key (PEM file path): `hark models add` accepts only bundles it signed. */
      trusted_key: z.string().min(1).optional(),
    })
    .default({}),
  /** Model updates over MQTT (docs/fleet.md): with this section `hark run` follows the fleet's announces. */
  fleet: z
    .strictObject({
      /** This device's id on the broker (default: the host name). */
      device: z.string().regex(/^[^/+#]+$/, "may not contain / + #").optional(),
      /** The cohort whose announces it follows (besides "all"). */
      cohort: z.string().regex(/^[^/+#]+$/, "may not contain / + #").default("all"),
      /** The acceptance check a new model must pass before it is used. */
      check: z
        .strictObject({
          /** JSONL of {text, intents} (default: models/eval/fleet-check.jsonl). */
          set: z.string().min(1).optional(),
          /** Only the first N items. */
          count: z.number().int().positive().optional(),
          min_accuracy: z.number().min(0).max(1).default(0.8),
          /** Bound on the 95th percentile of the per-utterance latency, ms. */
          max_latency_ms: z.number().positive().default(500),
        })
        .default({ min_accuracy: 0.8, max_latency_ms: 500 }),
    })
    .optional(),
  output: z.enum(["json", "text"]).default("json"),
  /** Unset: info (on a terminal `hark run` shows warnings only; src/cli/runLog.ts). */
  log_level: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).optional(),
});

export type HarkConfigFile = z.infer<typeof configSchema>;
export type SessionConfig = z.infer<typeof sessionSchema>;

export interface HarkConfig {
  file?: string;
  profile: ProfileKind;
  grammar?: string;
  devices?: string;
  broker: HarkConfigFile["broker"];
  simulate?: boolean;
  sessions: SessionConfig[];
  timeouts: DialogTimeouts;
  deviceTimeoutMs: number;
  policies: PolicyRule[];
  trust: TrustConfig;
  vehicle: HarkConfigFile["vehicle"];
  output: "json" | "text";
  speech: HarkConfigFile["speech"];
  listen: HarkConfigFile["listen"];
  wake: HarkConfigFile["wake"];
  /** The web console's token: console.token, else $HARK_CONSOLE_TOKEN. */
  console: { token?: string };
  /** The trusted public key of model bundles: models.trusted_key, else $HARK_MODELS_PUBKEY (a PEM path or PEM text). */
  models?: { trustedKey?: string };
  /** Model updates over MQTT (src/fleet/device.ts); absent: off. */
  fleet?: HarkConfigFile["fleet"];
  logLevel: HarkConfigFile["log_level"];
  /** The HARK_* environment variables (src/platform/env.ts), read once when the configuration is made. */
  env: HarkEnv;
}

/** Speakers in the demo home and the four cabin seats. */
export const DEFAULT_SESSIONS: SessionConfig[] = [
  { id: "living-room", profile: "home", area: "living_room" },
  { id: "kitchen", profile: "home", area: "kitchen" },
  { id: "driver", profile: "car", seat: "driver" },
  { id: "passenger", profile: "car", seat: "passenger" },
  { id: "rear-left", profile: "car", seat: "rear_left" },
  { id: "rear-right", profile: "car", seat: "rear_right" },
];

export function resolveConfig(parsed: HarkConfigFile, file?: string, env: HarkEnv = harkEnv()): HarkConfig {
  const t = parsed.timeouts;
  return {
    ...(file ? { file } : {}),
    profile: parsed.profile,
    ...(parsed.grammar ? { grammar: parsed.grammar } : {}),
    ...(parsed.devices ? { devices: parsed.devices } : {}),
    broker: parsed.broker,
    ...(parsed.simulate !== undefined ? { simulate: parsed.simulate } : {}),
    sessions: parsed.sessions ?? DEFAULT_SESSIONS,
    timeouts: {
      listen: t.listen ?? DEFAULT_TIMEOUTS.listen,
      understand: t.understand ?? DEFAULT_TIMEOUTS.understand,
      clarify: t.clarify ?? DEFAULT_TIMEOUTS.clarify,
      confirm: t.confirm ?? DEFAULT_TIMEOUTS.confirm,
      act: t.act ?? DEFAULT_TIMEOUTS.act,
      speak: t.speak ?? DEFAULT_TIMEOUTS.speak,
      followUp: t.follow_up ?? DEFAULT_TIMEOUTS.followUp,
    },
    deviceTimeoutMs: t.device ?? Math.max(500, (t.act ?? DEFAULT_TIMEOUTS.act) - 500),
    policies: [...(parsed.policies.defaults ? DEFAULT_POLICIES : []), ...parsed.policies.rules],
    trust: resolveTrustConfig(parsed.trust),
    vehicle: parsed.vehicle,
    output: parsed.output,
    speech: parsed.speech,
    listen: parsed.listen,
    wake: parsed.wake,
    console: { ...((parsed.console.token ?? env.consoleToken) ? { token: (parsed.console.token ?? env.consoleToken)! } : {}) },
    models: { ...((parsed.models.trusted_key ?? env.modelsPubkey) ? { trustedKey: (parsed.models.trusted_key ?? env.modelsPubkey)! } : {}) },
    ...(parsed.fleet ? { fleet: parsed.fleet } : {}),
    logLevel: parsed.log_level,
    env,
  };
}

/** Parse config text (tests, stdin). Throws GrammarError with file:line:col. */
export function parseConfig(text: string, file = "hark.yaml"): HarkConfig {
  const src = YamlSource.parse(file, text.trim() ? text : "{}");
  return resolveConfig(src.validate(configSchema), file);
}

/** Load a config file; with no path, ./hark.yaml when it exists, else the defaults. */
export async function loadConfig(path?: string): Promise<HarkConfig> {
  const file = path ?? (existsSync("hark.yaml") ? "hark.yaml" : undefined);
  if (!file) return resolveConfig(configSchema.parse({}));
  const src = await YamlSource.read(file);
  if (src.toJS() == null) return resolveConfig(configSchema.parse({}), file);
  return resolveConfig(src.validate(configSchema), file);
}
