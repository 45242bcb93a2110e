import { loadSources } from "./dist/src/nlu/index.js";
import { outputSpec, parseOutput } from "./dist/src/nlu/slm/format.js";
import { OutputLanguage } from "./dist/src/nlu/slm/language.js";
import { intentsEqual } from "./dist/src/bench/intentsEqual.js";
import { Sampler } from "./dist/src/compile/sample.js";
import { normalizeText } from "./dist/src/grammar/normalize.js";
import { renderOutput } from "./dist/src/nlu/slm/format.js";
import { readFileSync } from "node:fs";
const g = await loadSources({});
const spec = outputSpec(g); const lang = new OutputLanguage(spec);
let bad = 0, badParse = 0, n = 0;
for (const s of new Sampler(g, { seed: 5 }).take(3000)) {
  n++;
  const out = renderOutput(g, spec, s.intents, normalizeText(s.text));
  const st = lang.advance(lang.initial(), " " + out);
  if (!lang.accepts(st)) { if (bad++ < 5) console.log("NOT IN LANGUAGE", out); }
  const p = parseOutput(spec, out);
  if (!p || !intentsEqual(p, s.intents)) { if (badParse++ < 8) console.log("PARSE", s.text, "|", out, JSON.stringify(p), JSON.stringify(s.intents)); }
}
console.log({ n, bad, badParse });
