import { SlmEngine } from "./dist/src/nlu/slm/engine.js";
import { loadSources } from "./dist/src/nlu/index.js";
const grammar = await loadSources({});
const e = await SlmEngine.load({ model: process.argv[2], draft: process.argv[3], grammar, mode: "plain" });
const texts = ["turn on the kitchen lights", "tell me a joke", "set the temperature to 21 degrees", "pause the music in the living room", "navigate to the nearest gas station"];
for (const mode of ["grammar", "plain", "jump", "spec", "lookup", ...(process.argv[3] ? ["draft"] : [])]) {
  const res = [];
  let t = 0;
  for (let k = 0; k < 3; k++) for (const x of texts) { const r = await e.decode(x, { mode }); if (k === 2) { res.push(r.output); t += r.totalMs; } }
  console.log(mode, (t / texts.length).toFixed(2), "ms", JSON.stringify(res));
}
console.log((await e.understand("turn on the kitchen lights")));
await e.dispose();
