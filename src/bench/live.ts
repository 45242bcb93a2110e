// hark bench --suite live: the live listener (src/run/listen.ts) against the batch path on recordings.
// Each file (followed by a second of silence) is heard both ways: how often the live endpoint cut one
// command into several utterances, how often the two paths heard different words, which endpoints
// ended the utterances, and the decoding work of each path.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { arraySource } from "../audio/source.js";
import { readAudioFile } from "../audio/source.js";
import type { Grammar } from "../grammar/types.js";
import type { ListenOptions } from "../run/listen.js";
import { Hearing, type Heard } from "../run/voice.js";

export interface LiveBenchReport {
  suite: "live";
  files: number;
  /** Files the live path heard as more than one utterance (a command cut by a pause). */
  split: number;
  /** Files whose words differ between the live and the batch path. */
  differ: number;
  endpoints: Record<string, number>;
  ms: { live: number; batch: number };
  options: ListenOptions;
  errors: Array<{ file: string; batch: string; live: string }>;
}

export async function liveBench(grammar: Grammar, dir: string, live: ListenOptions, onProgress?: (done: number, total: number) => void): Promise<LiveBenchReport> {
  const files = readdirSync(dir).filter((f) => /\.wav$/i.test(f)).sort();
  if (!files.length) throw new Error(`${dir}: no .wav files`);
  const hearing = await Hearing.create({ grammar, live });
  const report: LiveBenchReport = { suite: "live", files: files.length, split: 0, differ: 0, endpoints: {}, ms: { live: 0, batch: 0 }, options: live, errors: [] };
  const words = (hs: Heard[]): string => hs.map((h) => h.text || "<rejected>").join(" / ");
  try {
    for (const [i, f] of files.entries()) {
      const { samples } = await readAudioFile(join(dir, f));
      const x = new Float32Array(samples.length + 16000);
      x.set(samples);
      let t = performance.now();
      const batch = await hearing.hearSamples(x);
      report.ms.batch += performance.now() - t;
      t = performance.now();
      const heard: Heard[] = [];
      for await (const h of hearing.hearStream(arraySource(x, 16000, { frameSamples: 320 }))) heard.push(h);
      report.ms.live += performance.now() - t;
      for (const h of heard) if (h.endpoint) report.endpoints[h.endpoint] = (report.endpoints[h.endpoint] ?? 0) + 1;
      if (heard.length > 1) report.split++;
      if (words(heard) !== words(batch)) {
        report.differ++;
        report.errors.push({ file: f, batch: words(batch), live: words(heard) });
      }
      onProgress?.(i + 1, files.length);
    }
  } finally {
    hearing.close();
  }
  report.ms = { live: Math.round(report.ms.live), batch: Math.round(report.ms.batch) };
  return report;
}
