// hark bench --suite soak: tens of thousands of typed and thousands of spoken commands from several
// satellites (the default home and car sessions) through one hark runtime, against a loopback broker and
// simulated devices, with faults on a schedule — broker restarts, devices that never acknowledge, the
// runtime's CPU throttled to a fraction of a core — counting per command id what the devices did.
//
// Processes: this one runs the broker (src/bench/soak/broker.ts), the simulated home and car (the device
// side, whose log says what was applied) and the schedule; the runtime runs in a child process
// (src/bench/soak/worker.ts) so that its memory is its own and its CPU can be throttled alone
// (src/bench/soak/throttle.ts). Definitions of lost and duplicated: docs/soak.md.
import { fork, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { DeviceCatalog } from "../devices/catalog.js";
import { startSimulators, type SimulatorHandle } from "../devices/sim/simulator.js";
import { loadSources } from "../nlu/index.js";
import { DEFAULT_SESSIONS } from "../run/config.js";
import { startSoakBroker, type SoakBroker, type SoakBrokerKind } from "./soak/broker.js";
import type { AckRecord, DoneMessage, FromWorker, MemMessage, ReadyMessage, ToWorker } from "./soak/protocol.js";
import { cpuSeconds, makeThrottle, rssMb, type Throttle, type ThrottleChoice } from "./soak/throttle.js";

export interface SoakOptions {
  /** Typed commands (default 50,000). */
  text?: number;
  /** Spoken commands, pre-synthesised once and heard through VAD + grammar ASR each time (default 2,000). */
  spoken?: number;
  /** Stop issuing commands after this many minutes (default 60); the report says whether all were done. */
  minutes?: number;
  broker?: SoakBrokerKind;
  /** Broker restarts, spread over the run outside the throttled window (default 3). */
  restarts?: number;
  /** How long the broker stays down per restart (ms, default 500). */
  downMs?: number;
  /** How to throttle the runtime's CPU (default auto: cgroup v2, else v1, else a SIGSTOP/SIGCONT duty cycle); "off": never. */
  throttle?: ThrottleChoice | "off";
  /** The throttled runtime's share of one core (default 0.25). */
  cpu?: number;
  /** Share of the commands issued under throttling (default 0.1, from 80 % of the run on). */
  throttleShare?: number;
  /** Commands to devices that never acknowledge (default: one per 500 typed commands, at least 2). */
  mute?: number;
  /** Device confirmation timeout of the runtime (ms; default: hark's, timeouts.device). */
  deviceTimeoutMs?: number;
  /** The runtime's default understander (matcher, then the SLM when its models are installed) instead of the matcher alone. */
  slm?: boolean;
  /** Progress lines (stderr). */
  onProgress?: (line: string) => void;
}

interface Utterance {
  text: string;
  /** Index into the pre-synthesised list, for spoken ones. */
  spoken?: number;
}

/** Typed commands per satellite profile; every one acts on at least one device (checked at the start of the run: warm-up). */
const HOME_TEXT = [
  "turn on the kitchen lights",
  "turn off the kitchen lights",
  "set the pendant lights to 40 percent",
  "turn on the porch light",
  "turn off the porch light",
  "open the roller blind",
  "close the roller blind",
  "turn on the floor lamp",
  "turn off the floor lamp",
  "turn on the lights",
  "turn off the lights",
  "set the bedroom lights to 40 percent",
  "turn on the desk lamp",
  "turn off the desk lamp",
  "turn on the workbench light",
  "turn off the workbench light",
];
const CAR_TEXT = [
  "set the temperature to 22",
  "I'm cold",
  "set the temperature to 21",
  "set the volume to 30",
  "set the volume to 20",
  "turn on my seat heating",
  "turn off my seat heating",
];
/** Spoken (the default voice hears these right: docs/benchmarks.md, End to end). */
const HOME_SPOKEN = ["turn on the kitchen lights", "turn off the kitchen lights", "set the bedroom lights to 40 percent"];
const CAR_SPOKEN = ["set the temperature to 22", "set the volume to 30", "I'm cold"];
/** Devices that never acknowledge, and what each profile says to them (a rear window: every seat may move it). */
export const MUTE_DEVICES = { home: "fan.office_tower_fan", car: "window.rear_left" } as const;
const MUTE_TEXT = { home: ["turn on the tower fan", "turn off the tower fan"], car: ["open the rear left window", "close the rear left window"] };

export interface LatencyStats {
  n: number;
  p50: number;
  p95: number;
  max: number;
}

type Phase = "warmup" | "steady" | "restart" | "throttled";
const PHASES: Phase[] = ["warmup", "steady", "restart", "throttled"];

function stats(xs: number[]): LatencyStats | null {
  if (!xs.length) return null;
  const s = Float64Array.from(xs).sort();
  const q = (p: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))]!;
  const r = (x: number) => Math.round(x * 10) / 10;
  return { n: s.length, p50: r(q(0.5)), p95: r(q(0.95)), max: r(s[s.length - 1]!) };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)]! : NaN;
};

/** The repository root (dist/src/bench → ../../.., src/bench → ../..): where package.json is. */
function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json")) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

/** The runtime child: always the built worker (dist/), also when the suite itself runs from src/ (vitest). */
function workerPath(): string {
  const p = join(repoRoot(), "dist", "src", "bench", "soak", "worker.js");
  if (!existsSync(p)) throw new Error(`${p} is missing: run npm run build`);
  return p;
}

/** Which item of the run is spoken, typed, or for a mute device: spread evenly. 0 text, 1 spoken, 2 mute. */
export function schedule(text: number, spoken: number, mute: number): Uint8Array {
  const total = text + spoken;
  const kinds = new Uint8Array(total);
  for (let i = 0; i < total; i++) if (Math.floor(((i + 1) * spoken) / total) > Math.floor((i * spoken) / total)) kinds[i] = 1;
  // Mute commands among the typed ones, evenly, none in the first 5 % (warm-up).
  const typed: number[] = [];
  for (let i = 0; i < total; i++) if (kinds[i] === 0) typed.push(i);
  const from = Math.floor(typed.length * 0.05);
  const m = Math.min(mute, typed.length - from);
  for (let k = 0; k < m; k++) kinds[typed[from + Math.floor(((k + 0.5) * (typed.length - from)) / m)]!] = 2;
  return kinds;
}

export async function runSoak(o: SoakOptions = {}): Promise<Record<string, unknown>> {
  const nText = o.text ?? 50_000;
  const nSpoken = o.spoken ?? 2_000;
  const total = nText + nSpoken;
  if (total <= 0) throw new Error("nothing to do: no typed and no spoken commands");
  const nMute = o.mute ?? Math.max(2, Math.round(nText / 500));
  const restarts = o.restarts ?? 3;
  const downMs = o.downMs ?? 500;
  const fraction = o.cpu ?? 0.25;
  const throttleShare = o.throttleShare ?? 0.1;
    const deadline = Date.now() + (o.minutes ?? 60) * 60_000;
  const progress = o.onProgress ?? (() => undefined);
  const kinds = schedule(nText, nSpoken, nMute);
  const warmupCount = Math.max(1, Math.floor(total * 0.05));
  const throttleFrom = Math.floor(total * 0.8);
  const throttleTo = o.throttle === "off" ? throttleFrom : throttleFrom + Math.max(1, Math.floor(total * throttleShare));
  const restartAt = Array.from({ length: restarts }, (_, k) => Math.floor(total * (0.1 + (0.65 * (k + 0.5)) / restarts)));
  const sessions = DEFAULT_SESSIONS;
  const spokenList = [...HOME_SPOKEN, ...CAR_SPOKEN];

  const t0 = Date.now();
  progress(`soak: ${nText} typed + ${nSpoken} spoken commands (${nMute} to devices that never answer), ${sessions.length} satellites, ${restarts} broker restart(s), throttle ${o.throttle ?? "auto"} at ${fraction} core`);
  const broker: SoakBroker = await startSoakBroker(o.broker ?? "aedes");
  let sims: SimulatorHandle | undefined;
  let child: ChildProcess | undefined;
  let throttle: Throttle | undefined;
  const timers: NodeJS.Timeout[] = [];
  try {
    const grammar = await loadSources({});
    const catalog = new DeviceCatalog(grammar.devices.files);
    sims = await startSimulators({
      brokerUrl: broker.url,
      devices: catalog,
      faults: { [MUTE_DEVICES.home]: { neverAnswer: true }, [MUTE_DEVICES.car]: { neverAnswer: true } },
      discovery: false,
    });

    // ---- the runtime child ----
    const worker = fork(workerPath(), [], { stdio: ["ignore", "inherit", "inherit", "ipc"], execArgv: [] });
    child = worker;
    const waiting = new Map<number, (d: DoneMessage | undefined) => void>();
    let ready: (m: ReadyMessage) => void = () => undefined;
    let failed: (e: Error) => void = () => undefined;
    let stopped: (u: AckRecord[]) => void = () => undefined;
    const mem: MemMessage[] = [];
    const lateDone: DoneMessage[] = [];
    worker.on("message", (raw) => {
      const m = raw as FromWorker;
      if (m.t === "done") {
        const w = waiting.get(m.n);
        waiting.delete(m.n);
        if (w) w(m);
        else lateDone.push(m);
      } else if (m.t === "ready") ready(m);
      else if (m.t === "mem") mem.push(m);
      else if (m.t === "stopped") stopped(m.unattributed);
      else if (m.t === "failed") failed(new Error(`the runtime child failed to start: ${m.error}`));
    });
    let exited = false;
    // A send to a child that just died: its exit is handled below.
    worker.on("error", () => undefined);
    worker.on("exit", (code, signal) => {
      exited = true;
      failed(new Error(`the runtime child exited (${signal ?? code})`));
      for (const w of waiting.values()) w(undefined);
      waiting.clear();
    });
    const tell = (m: ToWorker) => worker.send(m);
    const readyMsg = await new Promise<ReadyMessage>((resolve, reject) => {
      ready = resolve;
      failed = reject;
      tell({
        t: "init",
        brokerUrl: broker.url,
        settings: { speech: { enabled: false }, ...(o.deviceTimeoutMs !== undefined ? { timeouts: { device: o.deviceTimeoutMs } } : {}) },
        slm: !!o.slm,
        spoken: nSpoken > 0 ? spokenList : [],
      });
    });
    const pid = readyMsg.pid;
    // Set up now (a method this machine lacks fails before the run, not in the middle); limited later.
    throttle = o.throttle === "off" ? undefined : makeThrottle(pid, fraction, o.throttle ?? "auto");
    progress(`soak: runtime ready in ${readyMsg.setupMs} ms (pid ${pid})${readyMsg.heard.length ? `; the recognizer hears: ${readyMsg.heard.map((h, i) => `"${spokenList[i]}" → "${h}"`).join(", ")}` : ""}`);

    // ---- bookkeeping ----
    const acks = new Map<string, AckRecord & { n: number }>();
    const latency: Record<"text" | "spoken" | "mute", Record<Phase, number[]>> = {
      text: { warmup: [], steady: [], restart: [], throttled: [] },
      spoken: { warmup: [], steady: [], restart: [], throttled: [] },
      mute: { warmup: [], steady: [], restart: [], throttled: [] },
    };
    const steadyText: number[] = [];
    const asrMs: number[] = [];
    const util = {
      answered: 0,
      acted: 0,
      noAnswer: 0,
      claimedWithoutCommand: 0,
      threw: 0,
      notActed: [] as Array<{ n: number; session: string; said: string; heard?: string; speech: string }>,
      notActedCount: 0,
      misheard: 0,
    };
    const mute = { utterances: 0, commands: 0, reportedFailed: 0, claimedOk: 0, answersSayingSo: 0, otherDevices: 0 };
    const record = (d: DoneMessage, item: { kind: number; session: string; u: Utterance; phase: Phase }) => {
      for (const a of d.commands) acks.set(a.id, { ...a, n: d.n });
      if (d.error) util.threw++;
      const kindName = item.kind === 1 ? "spoken" : item.kind === 2 ? "mute" : "text";
      latency[kindName][item.phase].push(d.ms);
      if (item.kind === 0 && item.phase === "steady") steadyText.push(d.ms);
      if (d.asrMs !== undefined) asrMs.push(d.asrMs);
      // Spoken: heard otherwise than the same recording was heard once before the run.
      if (item.kind === 1 && d.heard !== undefined && d.heard !== readyMsg.heard[item.u.spoken!]) util.misheard++;
      if (d.answers.length) util.answered++;
      const sent = d.commands.length;
      const claimedOk = d.answers.some((a) => a.kind === "answer") && !d.answers.some((a) => a.failed > 0 || a.kind === "error");
      if (item.kind === 2) {
        mute.utterances++;
        for (const c of d.commands) {
          if (c.device !== MUTE_DEVICES.home && c.device !== MUTE_DEVICES.car) {
            mute.otherDevices++;
            continue;
          }
          mute.commands++;
          if (c.ok) mute.claimedOk++;
          else mute.reportedFailed++;
        }
        if (d.answers.some((a) => a.kind === "error" && a.failed > 0)) mute.answersSayingSo++;
        return;
      }
      if (sent > 0 && d.commands.every((c) => c.ok)) util.acted++;
      else if (sent === 0 && claimedOk) util.claimedWithoutCommand++;
      else if (sent === 0) {
        util.notActedCount++;
        if (util.notActed.length < 20)
          util.notActed.push({ n: d.n, session: item.session, said: item.u.text, ...(d.heard !== undefined ? { heard: d.heard } : {}), speech: d.answers.map((a) => a.speech).join(" / ") });
      }
    };

    // ---- faults ----
    let brokerDown = false;
    let settleUntil = 0;
    const restartLog: Array<{ atCommand: number; downMs: number; upAfterMs: number }> = [];
    let restartBusy: Promise<void> = Promise.resolve();
    const doRestart = (at: number) => {
      restartBusy = restartBusy.then(async () => {
        const t = Date.now();
        brokerDown = true;
        await broker.stop();
        await new Promise((r) => setTimeout(r, downMs));
        await broker.start();
        brokerDown = false;
        settleUntil = Date.now() + 3000;
        restartLog.push({ atCommand: at, downMs, upAfterMs: Date.now() - t });
        progress(`soak: broker restarted at command ${at} (down ${Date.now() - t} ms)`);
      });
    };
    let throttleState = "before" as "before" | "on" | "after";
    const throttleInfo: Record<string, unknown> = {};
    let throttleStartCpu = 0;
    let throttleStats0: ReturnType<Throttle["stats"]> = {};
    /** The throttle's counters over the window. */
    const statsSince = (now: ReturnType<Throttle["stats"]>) =>
      Object.fromEntries(Object.entries(now).map(([k, v]) => [k, Math.round((v - ((throttleStats0 as Record<string, number>)[k] ?? 0)) * 1000) / 1000]));
    let throttleStartT = 0;
    let steadyCpu = { cpu: 0, wall: 0 };

    // ---- memory, progress ----
    const rss: Array<{ s: number; mb: number; done: number; heapMb?: number }> = [];
    let done = 0;
    let issued = 0;
    let spokenDone = 0;
    let warmupEnd: { s: number; done: number; heapUsedMb?: number } | undefined;
    const sample = () => {
      const mb = rssMb(pid);
      const h = mem[mem.length - 1];
      if (Number.isFinite(mb)) rss.push({ s: (Date.now() - t0) / 1000, mb, done, ...(h ? { heapMb: h.heapUsed / 1048576 } : {}) });
      if (mem.length > 100) mem.splice(0, mem.length - 10);
    };
    timers.push(setInterval(sample, 1000));
    let lastCpu = { cpu: cpuSeconds(pid), t: Date.now() };
    timers.push(
      setInterval(() => {
        const cpu = cpuSeconds(pid);
        const now = Date.now();
        if (throttleState !== "on" && warmupEnd) {
          steadyCpu = { cpu: steadyCpu.cpu + (cpu - lastCpu.cpu), wall: steadyCpu.wall + (now - lastCpu.t) / 1000 };
        }
        lastCpu = { cpu, t: now };
        const last = rss[rss.length - 1];
        progress(
          `soak: ${done}/${total} done (${spokenDone} spoken), ${acks.size} device commands, ` +
            `rss ${last ? Math.round(last.mb) : "?"} MB, ${throttleState === "on" ? "throttled" : brokerDown ? "broker down" : warmupEnd ? "steady" : "warm-up"}, ${Math.round((now - t0) / 1000)} s`,
        );
      }, 5000),
    );

    const afterDone = () => {
      done++;
      if (!warmupEnd && done >= warmupCount && (nSpoken === 0 || spokenDone > 0)) {
        sample();
        const h = mem[mem.length - 1];
        warmupEnd = { s: (Date.now() - t0) / 1000, done, ...(h ? { heapUsedMb: Math.round(h.heapUsed / 1048576) } : {}) };
        lastCpu = { cpu: cpuSeconds(pid), t: Date.now() };
        progress(`soak: warm-up over after ${done} commands`);
      }
      while (restartAt.length && done >= restartAt[0]!) doRestart(restartAt.shift()!);
      if (throttleState === "before" && throttle && done >= throttleFrom) {
        throttle.on();
        throttleStats0 = throttle.stats();
        throttleState = "on";
        throttleStartCpu = cpuSeconds(pid);
        throttleStartT = Date.now();
        throttleInfo.method = throttle.method;
        throttleInfo.fraction = fraction;
        throttleInfo.fromCommand = done;
        progress(`soak: CPU throttled to ${fraction} core (${throttle.method}) from command ${done}`);
      } else if (throttleState === "on" && done >= throttleTo) {
        throttle!.off();
        throttleState = "after";
        const s = (Date.now() - throttleStartT) / 1000;
        Object.assign(throttleInfo, { toCommand: done, seconds: Math.round(s * 10) / 10, cpuCoresUsed: Math.round(((cpuSeconds(pid) - throttleStartCpu) / s) * 1000) / 1000, ...statsSince(throttle!.stats()) });
        progress(`soak: throttling lifted at command ${done}`);
      }
    };

    // ---- the satellites: each takes the next item of the run when it is free ----
    let next = 0;
    const cursor = new Map<string, number>();
    const pick = (session: (typeof sessions)[number], kind: number): Utterance => {
      const home = session.profile === "home";
      const key = `${session.id}/${kind}`;
      const c = cursor.get(key) ?? 0;
      cursor.set(key, c + 1);
      if (kind === 1) {
        const k = (home ? 0 : HOME_SPOKEN.length) + (c % (home ? HOME_SPOKEN : CAR_SPOKEN).length);
        return { text: spokenList[k]!, spoken: k };
      }
      const list = kind === 2 ? MUTE_TEXT[session.profile] : home ? HOME_TEXT : CAR_TEXT;
      return { text: list[c % list.length]! };
    };
    const WATCHDOG_MS = 120_000;
    const satellite = async (session: (typeof sessions)[number]) => {
      while (next < total && Date.now() < deadline && !exited) {
        const i = next++;
        const kind = kinds[i]!;
        const u = pick(session, kind);
        const phase: Phase = !warmupEnd ? "warmup" : throttleState === "on" ? "throttled" : brokerDown || Date.now() < settleUntil ? "restart" : "steady";
        issued++;
        const d = await new Promise<DoneMessage | undefined>((resolve) => {
          const timer = setTimeout(() => {
            waiting.delete(i);
            resolve(undefined);
          }, WATCHDOG_MS);
          waiting.set(i, (m) => {
            clearTimeout(timer);
            resolve(m);
          });
          if (exited) return resolve(undefined);
          tell({ t: "cmd", n: i, session: session.id, ...(u.spoken !== undefined ? { spoken: u.spoken } : { text: u.text }) });
        });
        if (kind === 1) spokenDone++;
        if (d) record(d, { kind, session: session.id, u, phase });
        else util.noAnswer++;
        afterDone();
      }
    };
    await Promise.all(sessions.map(satellite));
    await restartBusy;
    if ((throttleState as string) === "on") {
      throttle!.off();
      const s = (Date.now() - throttleStartT) / 1000;
      Object.assign(throttleInfo, { toCommand: done, seconds: Math.round(s * 10) / 10, cpuCoresUsed: Math.round(((cpuSeconds(pid) - throttleStartCpu) / s) * 1000) / 1000, ...statsSince(throttle!.stats()) });
      throttleState = "after";
    }
    const wallS = (Date.now() - t0) / 1000;
    sample();
    const crashed = exited;
    // Late confirmations and resends settle, then the runtime stops (its bus fails what is still pending).
    await new Promise((r) => setTimeout(r, 1500));
    const unattributed = exited
      ? []
      : await new Promise<AckRecord[]>((resolve) => {
          stopped = resolve;
          failed = () => resolve([]);
          tell({ t: "stop" });
          setTimeout(() => resolve([]), 15_000).unref();
        });
    for (const d of lateDone) for (const a of d.commands) acks.set(a.id, { ...a, n: d.n });
    for (const a of unattributed) if (!acks.has(a.id)) acks.set(a.id, { ...a, n: -1 });
    await new Promise((r) => setTimeout(r, 300));

    // ---- what the devices did, per command id ----
    const applied = new Map<string, number>();
    const refusedByDevice = new Map<string, number>();
    for (const a of sims.log) {
      if (!a.commandId) continue;
      const m = a.ok ? applied : refusedByDevice;
      m.set(a.commandId, (m.get(a.commandId) ?? 0) + 1);
    }
    const acc = {
      deviceCommands: acks.size,
      confirmed: 0,
      appliedOnce: 0,
      lost: 0,
      duplicated: 0,
      refusedWithReason: {} as Record<string, number>,
      failedButApplied: 0,
      unreportedApplied: 0,
      resent: 0,
      unattributedAcks: unattributed.length,
      lostExamples: [] as unknown[],
      duplicatedExamples: [] as unknown[],
    };
    for (const [id, a] of acks) {
      const n = applied.get(id) ?? 0;
      if (sims.receivedCount(id) > 1) acc.resent++;
      if (n > 1) {
        acc.duplicated += n - 1;
        if (acc.duplicatedExamples.length < 10) acc.duplicatedExamples.push({ ...a, applied: n });
      }
      if (a.ok) {
        acc.confirmed++;
        if (n === 0 && !refusedByDevice.has(id)) {
          acc.lost++;
          if (acc.lostExamples.length < 10) acc.lostExamples.push({ ...a, applied: 0, received: sims.receivedCount(id) });
        } else if (n >= 1) acc.appliedOnce++;
      } else {
        const why = a.error ?? "failed";
        acc.refusedWithReason[why] = (acc.refusedWithReason[why] ?? 0) + 1;
        if (n > 0) acc.failedButApplied++;
      }
    }
    for (const [id, n] of applied)
      if (!acks.has(id)) {
        acc.unreportedApplied++;
        acc.duplicated += n;
        if (acc.duplicatedExamples.length < 10) acc.duplicatedExamples.push({ id, applied: n, reported: false });
      }
    // Utterances never answered, or answered "done" with no command sent, are lost too.
    const lostUtterances = util.noAnswer + util.claimedWithoutCommand;

    // ---- memory ----
    const after = warmupEnd ? rss.filter((r) => r.s >= warmupEnd!.s) : [];
    const w = Math.max(3, Math.floor(after.length * 0.1));
    const firstMb = after.length >= 2 * 3 ? median(after.slice(0, w).map((r) => r.mb)) : NaN;
    const lastMb = after.length >= 2 * 3 ? median(after.slice(-w).map((r) => r.mb)) : NaN;
    const growthPct = Number.isFinite(firstMb) ? Math.round(((lastMb - firstMb) / firstMb) * 1000) / 10 : null;
    // The floor under the garbage collector's sawtooth: lowest sample of the first and of the last fifth.
    const f = Math.max(3, Math.floor(after.length * 0.2));
    const troughFirst = after.length >= 2 * 3 ? Math.min(...after.slice(0, f).map((r) => r.mb)) : NaN;
    const troughLast = after.length >= 2 * 3 ? Math.min(...after.slice(-f).map((r) => r.mb)) : NaN;
    const troughGrowthPct = Number.isFinite(troughFirst) ? Math.round(((troughLast - troughFirst) / troughFirst) * 1000) / 10 : null;
    const step = Math.max(1, Math.ceil(rss.length / 40));
    const lastMem = mem[mem.length - 1];

    // ---- latency drift: steady typed commands, first vs last tenth ----
    const tenth = Math.max(1, Math.floor(steadyText.length / 10));
    const drift = steadyText.length >= 20 ? { first: stats(steadyText.slice(0, tenth)), last: stats(steadyText.slice(-tenth)) } : null;

    const lat = (k: "text" | "spoken" | "mute") => Object.fromEntries(PHASES.map((p) => [p, stats(latency[k][p])]));
    const doneText = latency.text.warmup.length + latency.text.steady.length + latency.text.restart.length + latency.text.throttled.length;
    const throttledP95 = stats([...latency.text.throttled])?.p95 ?? null;
    const report = {
      suite: "soak",
      complete: done >= total,
      runtimeCrashed: crashed,
      wallS: Math.round(wallS),
      planned: { text: nText, spoken: nSpoken, mute: nMute },
      done: { total: done, text: doneText, spoken: spokenDone, mute: mute.utterances },
      satellites: sessions.map((s) => s.id),
      broker: broker.kind,
      deviceTimeoutMs: readyMsg.deviceTimeoutMs,
      understander: o.slm ? "default (matcher → SLM)" : "matcher",
      recognizerHeard: Object.fromEntries(readyMsg.heard.map((h, i) => [spokenList[i]!, h])),
      commands: acc,
      utterances: {
        answered: util.answered,
        actedAndConfirmed: util.acted,
        lost: lostUtterances,
        noAnswer: util.noAnswer,
        claimedWithoutCommand: util.claimedWithoutCommand,
        notActed: util.notActedCount,
        notActedExamples: util.notActed,
        spokenMisheard: util.misheard,
        handlerErrors: util.threw,
      },
      mute: { devices: Object.values(MUTE_DEVICES), ...mute },
      faults: {
        restarts: restartLog,
        throttle: o.throttle === "off" ? null : Object.keys(throttleInfo).length ? throttleInfo : null,
        unthrottledCpuCores: steadyCpu.wall > 0 ? Math.round((steadyCpu.cpu / steadyCpu.wall) * 1000) / 1000 : null,
      },
      latencyMs: { text: lat("text"), spoken: lat("spoken"), mute: lat("mute"), asr: stats(asrMs), drift },
      memory: {
        warmupEnd: warmupEnd ? { atS: Math.round(warmupEnd.s), atCommand: warmupEnd.done, heapUsedMb: warmupEnd.heapUsedMb } : null,
        rssAfterWarmupMb: Number.isFinite(firstMb) ? Math.round(firstMb) : null,
        rssEndMb: Number.isFinite(lastMb) ? Math.round(lastMb) : null,
        rssMaxMb: rss.length ? Math.round(Math.max(...rss.map((r) => r.mb))) : null,
        growthPct,
        troughGrowthPct,
        heapUsedEndMb: lastMem ? Math.round(lastMem.heapUsed / 1048576) : null,
        externalEndMb: lastMem ? Math.round(lastMem.external / 1048576) : null,
        series: rss.filter((_, i) => i % step === 0).map((r) => [Math.round(r.s), Math.round(r.mb), r.done, ...(r.heapMb !== undefined ? [Math.round(r.heapMb)] : [])]),
      },
      acceptance: {
        commandsAtLeast50k: done >= 50_000,
        noneLost: acc.lost === 0 && lostUtterances === 0,
        noneDuplicated: acc.duplicated === 0,
        muteReportedAsFailures: mute.commands > 0 && mute.reportedFailed === mute.commands && mute.answersSayingSo === mute.utterances,
        rssGrowthWithin5Pct: growthPct !== null && growthPct <= 5,
        throttledTextP95Ms: throttledP95,
      },
      pass: !crashed && acc.lost === 0 && lostUtterances === 0 && acc.duplicated === 0 && util.threw === 0 && (mute.utterances === 0 || mute.reportedFailed === mute.commands),
    };
    return report;
  } finally {
    for (const t of timers) clearInterval(t);
    throttle?.dispose();
    if (child && child.exitCode === null && child.signalCode === null) {
      const c = child;
      const gone = new Promise((r) => c.once("exit", r));
      c.kill("SIGCONT");
      c.kill("SIGKILL");
      await gone;
    }
    await sims?.stop();
    await broker.close();
  }
}

/** The suite as `hark bench` calls it (registered in src/cli/commands/bench.ts). */
export async function soakSuite(opts: Record<string, unknown>, onProgress?: (line: string) => void): Promise<Record<string, unknown>> {
  const num = (k: string, v: unknown): number | undefined => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) throw new Error(`--${k}: not a number: ${String(v)}`);
    return n;
  };
  const throttle = opts.throttle === undefined ? undefined : String(opts.throttle);
  if (throttle !== undefined && !["auto", "cgroup2", "cgroup1", "cpulimit", "duty", "off"].includes(throttle)) throw new Error(`--throttle: auto, cgroup2, cgroup1, cpulimit, duty or off, got '${throttle}'`);
  const broker = opts.broker === undefined ? undefined : String(opts.broker);
  if (broker !== undefined && broker !== "aedes" && broker !== "mosquitto") throw new Error(`--broker: aedes or mosquitto, got '${broker}'`);
  const cpu = num("cpu", opts.cpu);
  if (cpu !== undefined && !(cpu > 0 && cpu <= 1)) throw new Error("--cpu: a share of one core, in (0, 1]");
  const o: SoakOptions = {
    ...(typeof opts.count === "number" ? { text: opts.count } : {}),
    ...(num("spoken-count", opts.spokenCount) !== undefined ? { spoken: Math.round(num("spoken-count", opts.spokenCount)!) } : {}),
    ...(num("minutes", opts.minutes) !== undefined ? { minutes: num("minutes", opts.minutes)! } : {}),
    ...(num("restarts", opts.restarts) !== undefined ? { restarts: Math.round(num("restarts", opts.restarts)!) } : {}),
    ...(num("mute", opts.mute) !== undefined ? { mute: Math.round(num("mute", opts.mute)!) } : {}),
    ...(num("device-timeout-ms", opts.deviceTimeoutMs) ? { deviceTimeoutMs: Math.round(num("device-timeout-ms", opts.deviceTimeoutMs)!) } : {}),
    ...(cpu !== undefined ? { cpu } : {}),
    ...(throttle ? { throttle: throttle as SoakOptions["throttle"] } : {}),
    ...(broker ? { broker: broker as SoakBrokerKind } : {}),
    ...(opts.slm ? { slm: true } : {}),
    ...(onProgress ? { onProgress } : {}),
  };
  return runSoak(o);
}
