// A CPU throttled to a fraction of a core, standing in for thermal throttling, for one process (the soak
// suite's runtime child). Methods, first that works with `auto`:
// - cgroup2: a child cgroup with cpu.max = "<fraction × period> <period>" (needs a writable cgroup v2 with the cpu controller);
// - cgroup1: the same with cpu.cfs_quota_us / cpu.cfs_period_us (a writable v1 cpu hierarchy);
// - cpulimit: Debian's cpulimit (apt-get install cpulimit) on the pid, only when asked for (`--throttle cpulimit`);
// - duty: our own SIGSTOP/SIGCONT duty cycle (runs `fraction` of every 100 ms period).
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export type ThrottleMethod = "cgroup2" | "cgroup1" | "cpulimit" | "duty";

export interface Throttle {
  readonly method: ThrottleMethod;
  readonly fraction: number;
  /** Limit the process to `fraction` of one core from now on. */
  on(): void;
  /** Lift the limit. */
  off(): void;
  /** The cgroup's throttling counters (cgroup methods only): periods throttled, seconds throttled. */
  stats(): { periods?: number; throttledPeriods?: number; throttledS?: number };
  /** Lift the limit and undo the set-up (the process goes back to its own cgroup). */
  dispose(): void;
}

const PERIOD_US = 100_000;

function mounts(): Array<{ type: string; dir: string; opts: string[] }> {
  try {
    return readFileSync("/proc/mounts", "utf8")
      .split("\n")
      .map((l) => l.split(" "))
      .filter((f) => f.length >= 4)
      .map((f) => ({ dir: f[1]!, type: f[2]!, opts: f[3]!.split(",") }));
  } catch {
    return [];
  }
}

/** The process's cgroup path for a v1 controller ("cpu") or v2 (""), from /proc/PID/cgroup. */
function cgroupPath(pid: number, controller: string): string | undefined {
  try {
    for (const line of readFileSync(`/proc/${pid}/cgroup`, "utf8").split("\n")) {
      const [, ctl, path] = line.split(":");
      if (ctl === undefined || path === undefined) continue;
      if (controller === "" ? ctl === "" : ctl.split(",").includes(controller)) return path;
    }
  } catch {
    /* not linux */
  }
  return undefined;
}

function readStat(file: string): Record<string, number> {
  const out: Record<string, number> = {};
  try {
    for (const l of readFileSync(file, "utf8").split("\n")) {
      const [k, v] = l.split(" ");
      if (k && v !== undefined) out[k] = Number(v);
    }
  } catch {
    /* gone */
  }
  return out;
}

/** Make a cgroup for pid; undefined when this machine does not let us. */
function cgroupThrottle(pid: number, fraction: number, version: 1 | 2): Throttle | undefined {
  const m = mounts().find((x) => (version === 2 ? x.type === "cgroup2" : x.type === "cgroup" && x.opts.includes("cpu")));
  if (!m) return undefined;
  const own = cgroupPath(pid, version === 2 ? "" : "cpu");
  if (own === undefined) return undefined;
  const parent = join(m.dir, own);
  const dir = join(parent, `hark-soak-${pid}`);
  const limitFile = version === 2 ? "cpu.max" : "cpu.cfs_quota_us";
  const quota = Math.max(1000, Math.round(fraction * PERIOD_US));
  try {
    if (version === 2) {
      const ctl = readFileSync(join(parent, "cgroup.controllers"), "utf8").split(/\s+/);
      if (!ctl.includes("cpu")) return undefined;
      const sub = readFileSync(join(parent, "cgroup.subtree_control"), "utf8").split(/\s+/);
      if (!sub.includes("cpu")) writeFileSync(join(parent, "cgroup.subtree_control"), "+cpu");
    }
    if (!existsSync(dir)) mkdirSync(dir);
    if (version === 1) writeFileSync(join(dir, "cpu.cfs_period_us"), String(PERIOD_US));
    writeFileSync(join(dir, limitFile), version === 2 ? `max ${PERIOD_US}` : "-1");
    writeFileSync(join(dir, "cgroup.procs"), String(pid));
  } catch {
    try {
      rmdirSync(dir);
    } catch {
      /* never made */
    }
    return undefined;
  }
  const off = () => {
    try {
      writeFileSync(join(dir, limitFile), version === 2 ? `max ${PERIOD_US}` : "-1");
    } catch {
      /* the process is gone */
    }
  };
  return {
    method: version === 2 ? "cgroup2" : "cgroup1",
    fraction,
    on: () => writeFileSync(join(dir, limitFile), version === 2 ? `${quota} ${PERIOD_US}` : String(quota)),
    off,
    stats() {
      const s = readStat(join(dir, "cpu.stat"));
      return version === 2
        ? { periods: s.nr_periods, throttledPeriods: s.nr_throttled, throttledS: (s.throttled_usec ?? 0) / 1e6 }
        : { periods: s.nr_periods, throttledPeriods: s.nr_throttled, throttledS: (s.throttled_time ?? 0) / 1e9 };
    },
    dispose() {
      off();
      try {
        if (existsSync(`/proc/${pid}`)) writeFileSync(join(parent, "cgroup.procs"), String(pid));
      } catch {
        /* exited meanwhile */
      }
      try {
        rmdirSync(dir);
      } catch {
        /* a process still inside: the kernel frees it when it exits */
      }
    },
  };
}

function cont(pid: number): void {
  try {
    process.kill(pid, "SIGCONT");
  } catch {
    /* gone */
  }
}

function cpulimitThrottle(pid: number, fraction: number): Throttle | undefined {
  if (spawnSync("sh", ["-c", "command -v cpulimit"]).status !== 0) return undefined;
  let proc: ChildProcess | undefined;
  const off = () => {
    proc?.kill("SIGTERM");
    proc = undefined;
    cont(pid);
  };
  return {
    method: "cpulimit",
    fraction,
    on() {
      proc ??= spawn("cpulimit", ["-p", String(pid), "-l", String(Math.max(1, Math.round(fraction * 100)))], { stdio: "ignore" });
    },
    off,
    stats: () => ({}),
    dispose: off,
  };
}

/** SIGSTOP/SIGCONT: the process runs the first `fraction` of every 100 ms and is stopped for the rest. */
function dutyThrottle(pid: number, fraction: number): Throttle {
  let timer: NodeJS.Timeout | undefined;
  const period = PERIOD_US / 1000;
  let periods = 0;
  const off = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    cont(pid);
  };
  const cycle = () => {
    periods++;
    cont(pid);
    timer = setTimeout(() => {
      try {
        process.kill(pid, "SIGSTOP");
      } catch {
        return off();
      }
      timer = setTimeout(cycle, period * (1 - fraction));
    }, period * fraction);
  };
  return {
    method: "duty",
    fraction,
    on() {
      if (!timer) cycle();
    },
    off,
    stats: () => ({ periods, throttledPeriods: periods }),
    dispose: off,
  };
}

export type ThrottleChoice = "auto" | ThrottleMethod;

/** A throttle for pid by the method asked for (auto: cgroup v2, else v1, else the duty cycle). */
export function makeThrottle(pid: number, fraction: number, how: ThrottleChoice = "auto"): Throttle {
  if (!(fraction > 0 && fraction <= 1)) throw new Error(`the CPU fraction must be in (0, 1], got ${fraction}`);
  const tries: Array<() => Throttle | undefined> =
    how === "auto"
      ? [() => cgroupThrottle(pid, fraction, 2), () => cgroupThrottle(pid, fraction, 1), () => dutyThrottle(pid, fraction)]
      : how === "cgroup2"
        ? [() => cgroupThrottle(pid, fraction, 2)]
        : how === "cgroup1"
          ? [() => cgroupThrottle(pid, fraction, 1)]
          : how === "cpulimit"
            ? [() => cpulimitThrottle(pid, fraction)]
            : [() => dutyThrottle(pid, fraction)];
  for (const t of tries) {
    const r = t();
    if (r) return r;
  }
  throw new Error(`cannot throttle with ${how} on this machine (${how === "cpulimit" ? "apt-get install cpulimit" : "no writable cgroup with the cpu controller"}); try --throttle duty`);
}

/** CPU seconds (user + system) the process used so far, from /proc/PID/stat; NaN when unknown. */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // fields after the name: state(3) … utime(14) stime(15) → indexes 11, 12 here
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return NaN;
  }
}

/** Resident memory of a process, MB, from /proc/PID/status; NaN when unknown. */
export function rssMb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}
