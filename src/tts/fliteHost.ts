// The process flite runs in (forked by FliteSynthesizer). Flite is a WASI command program: every
// sentence instantiates it afresh under node:wasi. Doing that thousands of times inside the
// process that also runs the ASR and the VAD ended, now and then, in a V8 SIGSEGV; here the WASM
// runs with explicit bounds checks (set on this process's command line) and a crash costs one
// restart, not the assistant.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { WASI } from "node:wasi";

/** One request from the parent: flite's argv (without the output file) and an id to answer with. */
export interface FliteRequest {
  id: number;
  args: string[];
}
/** The answer: the WAV flite wrote, or a one-line error. */
export type FliteReply = { id: number; wav: Uint8Array } | { id: number; error: string };

const wasmPath = process.argv[2];
if (!wasmPath || !process.send) {
  process.stderr.write("fliteHost: run by FliteSynthesizer with the path of flite.wasm\n");
  process.exit(2);
}

const dir = mkdtempSync(join(tmpdir(), "hark-flite-"));
process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
process.on("disconnect", () => process.exit(0));
const bytes = readFileSync(wasmPath);
const compiled = WebAssembly.compile(new Uint8Array(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.byteLength));

async function run(req: FliteRequest): Promise<FliteReply> {
  const file = `${req.id}.wav`;
  const path = join(dir, file);
  try {
    const wasi = new WASI({ version: "preview1", args: [...req.args, `/out/${file}`], env: {}, preopens: { "/out": dir }, returnOnExit: true });
    const instance = await WebAssembly.instantiate(await compiled, wasi.getImportObject() as WebAssembly.Imports);
    const code = wasi.start(instance);
    if (code !== 0) return { id: req.id, error: `flite exited with status ${code}` };
    return { id: req.id, wav: readFileSync(path) };
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    return { id: req.id, error: e.code === "ENOENT" ? "flite wrote no audio" : `flite failed: ${e.message}` };
  } finally {
    rmSync(path, { force: true });
  }
}

// Requests are served one at a time, in order: flite is single-threaded and fast (≈ 30 ms a sentence).
let queue = Promise.resolve();
process.on("message", (req: FliteRequest) => {
  queue = queue.then(async () => {
    process.send!(await run(req));
  });
});
