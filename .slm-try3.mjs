import { SlmEngine } from "./dist/src/nlu/slm/engine.js";
import { loadSources } from "./dist/src/nlu/index.js";
import { Sampler } from "./dist/src/compile/sample.js";
const grammar = await loadSources({});
const e = await SlmEngine.load({ model: process.argv[2], draft: process.argv[3], grammar, mode: "plain" });
const texts = [...new Sampler(grammar, { seed: 9 }).take(150)].map(s => s.text);
for (const mode of ["grammar", "plain", "jump", "spec", "lookup", ...(process.argv[3] ? ["draft", "hdraft"] : [])]) {
  for (const x of texts.slice(0, 20)) await e.decode(x, { mode });
  let t = 0, d = 0, p = 0, tok = 0, ev = 0;
  for (const x of texts) { const r = await e.decode(x, { mode }); t += r.totalMs; d += r.decodeMs; p += r.promptMs; tok += r.tokens; ev += r.evaluations; }
  const n = texts.length;
  console.log(mode.padEnd(8), "total", (t / n).toFixed(2), "prompt", (p / n).toFixed(2), "decode", (d / n).toFixed(2), "tok", (tok / n).toFixed(1), "evals", (ev / n).toFixed(1));
}
await e.dispose();
