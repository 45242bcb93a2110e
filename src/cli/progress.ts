// Progress bars for long work (training, replay, fixtures, bench) on stderr, through cli-progress.
// Only when stderr is a terminal (and not CI, not TERM=dumb): in pipes, CI and tests nothing is drawn,
// and the text lines a command logs go to stderr as plain lines, as before. stdout (JSON lines) is
// never touched. Commands call startProgress/progressGroup, then tick/update/log, and stop in a finally.
import cliProgress from "cli-progress";

export interface Progress {
  /** One more item done; `label` says which (shown after the bar). */
  tick(label?: string): void;
  /** `done` items of `total` (the total may change, e.g. a training phase with another step count). */
  update(done: number, total?: number, label?: string): void;
}

export interface ProgressGroup {
  /** Whether bars are drawn (stderr is a terminal): callers may then leave out lines a bar replaces. */
  readonly shown: boolean;
  /** A bar under the ones already shown (a no-op bar when nothing is drawn or there is nothing to count). */
  bar(name: string, total: number): Progress;
  /** A line of text: above the bars on a terminal, a plain line on stderr otherwise. */
  log(line: string): void;
  /** Remove the bars (call it in a finally: the redraw timer would keep the process alive). */
  stop(): void;
}

const NONE: Progress = { tick: () => {}, update: () => {} };

/** Whether bars are drawn on this stream: a terminal, outside CI, with a capable TERM. */
export function progressShown(stream: NodeJS.WriteStream = process.stderr): boolean {
  return stream.isTTY === true && !process.env.CI && process.env.TERM !== "dumb";
}

/** Several bars and log lines (e.g. a model and its draft training side by side). */
export function progressGroup(stream: NodeJS.WriteStream = process.stderr): ProgressGroup {
  if (!progressShown(stream)) {
    return { shown: false, bar: () => NONE, log: (line) => void stream.write(`${line}\n`), stop: () => {} };
  }
  const multi = new cliProgress.MultiBar({
    stream,
    format: "{name} [{bar}] {value}/{total} {percentage}% {eta_formatted} {label}",
    barsize: 24,
    barCompleteChar: "#",
    barIncompleteChar: "-",
    clearOnComplete: true,
    // Long labels are cut to the terminal's width; wrapping is never switched off (Ctrl-C would leave it off).
    linewrap: true,
    hideCursor: false,
    etaBuffer: 50,
    fps: 8,
  });
  let stopped = false;
  let drawn = false; // lines logged before the first bar are written at once (the redraw timer starts with it)
  return {
    shown: true,
    bar(name, total) {
      if (stopped || total <= 0) return NONE;
      drawn = true;
      const b = multi.create(total, 0, { name, label: "" });
      return {
        tick(label = "") {
          b.increment(1, { label });
        },
        update(done, newTotal, label) {
          if (newTotal !== undefined && newTotal !== b.getTotal()) b.setTotal(Math.max(1, newTotal));
          b.update(done, label === undefined ? {} : { label });
        },
      };
    },
    log(line) {
      if (stopped || !drawn) stream.write(`${line}\n`);
      else multi.log(`${line}\n`);
    },
    stop() {
      if (stopped) return;
      stopped = true;
      if (!drawn) return;
      multi.update(); // lines still waiting for the next redraw
      multi.stop();
    },
  };
}

/** One bar (`name` before it); `stop()` removes it. */
export function startProgress(name: string, total: number, stream: NodeJS.WriteStream = process.stderr): Progress & { stop(): void } {
  const group = progressGroup(stream);
  const bar = group.bar(name, total);
  return { ...bar, stop: () => group.stop() };
}
