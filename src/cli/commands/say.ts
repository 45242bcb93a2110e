// hark say TEXT [-o OUT.wav] [--voice …] [--rate R]
// Speaks TEXT (or stdin when TEXT is omitted) with the chosen voice. With -o the audio is written as
// a 16-bit WAV ("-o -" writes the WAV to stdout) and one JSON line describes it; without -o it is
// played through aplay.
import { writeFileSync } from "node:fs";
import type { Command } from "commander";
import { AudioError } from "../../audio/errors.js";
import { play } from "../../audio/playback.js";
import { encodeWav16 } from "../../audio/wav.js";
import { createSynthesizer, DEFAULT_VOICE, SynthesisError } from "../../tts/index.js";
import { CommandError, UsageError } from "../../platform/errors.js";

interface SayOptions {
  output?: string;
  voice: string;
  rate?: string;
}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) return "";
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(typeof c === "string" ? Buffer.from(c) : (c as Buffer));
  return Buffer.concat(chunks).toString("utf8");
}

export async function runSay(textArgs: string[], opts: SayOptions): Promise<void> {
  const text = (textArgs.length ? textArgs.join(" ") : await readStdin()).trim();
  if (!text) throw new UsageError("say: nothing to say (give TEXT or pipe it on stdin)");
  let rate: number | undefined;
  if (opts.rate !== undefined) {
    rate = Number(opts.rate);
    if (!Number.isFinite(rate) || rate <= 0) throw new UsageError(`say: --rate must be a positive number, got "${opts.rate}"`);
  }
  let synth;
  try {
    synth = createSynthesizer(opts.voice, rate !== undefined ? { rate } : {});
  } catch (err) {
    if (err instanceof SynthesisError) throw new CommandError(err.message);
    throw err;
  }
  try {
    const t0 = performance.now();
    const audio = await synth.synthesize(text);
    const ms = performance.now() - t0;
    const seconds = audio.samples.length / audio.sampleRate;
    if (opts.output !== undefined) {
      const wav = encodeWav16(audio.samples, audio.sampleRate);
      if (opts.output === "-") {
        process.stdout.write(wav);
        return;
      }
      try {
        writeFileSync(opts.output, wav);
      } catch (err) {
        throw new CommandError(`say: cannot write ${opts.output} (${(err as NodeJS.ErrnoException).code ?? err})`);
      }
      const info = {
        file: opts.output,
        voice: synth.voice,
        text,
        sampleRate: audio.sampleRate,
        seconds: Number(seconds.toFixed(3)),
        ms: Math.round(ms),
        rtf: seconds > 0 ? Number((ms / 1000 / seconds).toFixed(4)) : 0,
      };
      process.stdout.write(`${JSON.stringify(info)}\n`);
      return;
    }
    await play(audio.samples, audio.sampleRate);
  } catch (err) {
    if (err instanceof SynthesisError || err instanceof AudioError) throw new CommandError(err.message);
    throw err;
  } finally {
    synth.close();
  }
}

export function register(program: Command): void {
  program
    .command("say")
    .description("Speak TEXT (or stdin) with an offline voice: play it through aplay, or write a WAV with -o")
    .argument("[text...]", "what to say; read from stdin when omitted")
    .option("-o, --output <file>", "write a 16-bit WAV here instead of playing (\"-\" = stdout)")
    .option("--voice <voice>", "flite[:slt|rms|awb|kal16|kal], espeak[:VOICE], piper:MODEL.onnx, kokoro:DIR, matcha:MODEL.onnx (#N = speaker)", DEFAULT_VOICE)
    .option("--rate <r>", "speaking rate, 1 = normal")
    .action(async (text: string[], opts: SayOptions) => runSay(text, opts));
}
