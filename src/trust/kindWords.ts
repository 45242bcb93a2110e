// "turn on the lamp" in a room with a ceiling light and a floor lamp means the floor lamp. A word for
// some devices of a kind (cues.yaml `kind_words`: "lamp" among lights), said instead of the kind's own
// words, narrows a request by kind and room to the devices whose names hold that word. A room without
// one is not asked for its other lights when the home has lamps elsewhere; in a home without any, the
// word means the kind.
import { defaultDomain } from "../act/plan.js";
import type { IntentResult } from "../nlu/types.js";
import type { Cues } from "./cues.js";
import type { Knowledge } from "./knowledge.js";

export type Narrowed =
  /** One intent per device meant. */
  | { kind: "narrowed"; intents: IntentResult[] }
  /** "the lamp" with two lamps in the room: which one is not known. */
  | { kind: "several"; intents: IntentResult[]; word: string }
  /** "the lamp" in a room without one, when the home has lamps elsewhere: not this room's other lights. */
  | { kind: "elsewhere"; word: string; area: string; names: string[] };

const plain = (w: string) => (w.length > 3 && w.endsWith("s") ? w.slice(0, -1) : w);

export function narrowByKindWord(intent: IntentResult, tokens: readonly string[], k: Knowledge, cues: Cues, speakerArea?: string): Narrowed | undefined {
  // "pause the living room radio": the media intents act on players without naming the domain.
  const domain = intent.slots.domain ?? defaultDomain(intent.intent);
  if (typeof domain !== "string" || intent.slots.name !== undefined || intent.slots.device_class !== undefined) return undefined;
  const words = cues.kindWords.get(domain);
  if (!words) return undefined;
  const said = tokens.filter((t) => words.has(t));
  // The kind's own words said too ("the lamps and the lights"): the whole kind is meant.
  const kindSaid = cues.domainWords.find(tokens).some((h) => h.tag === domain && !tokens.slice(h.start, h.end).every((t) => words.has(t)));
  if (!said.length || kindSaid) return undefined;
  const area = typeof intent.slots.area === "string" ? intent.slots.area : speakerArea;
  if (!area) return undefined;
  const list = k.grammar.lists.get("name");
  if (list?.kind !== "values") return undefined;
  const inRoom = list.values.filter((v) => v.context?.domain === domain && String(v.context?.area ?? "").toLowerCase() === area.toLowerCase());
  const stems = new Set(said.map(plain));
  // The names (devices) among these values whose name or an alias holds the word said.
  const calledSo = (values: typeof list.values) => [...new Set(values.filter((v) => k.formsOf(list, v.out).some((f) => f.some((w) => stems.has(plain(w))))).map((v) => String(v.out)))];
  const meant = calledSo(inRoom);
  const all = new Set(inRoom.map((v) => String(v.out)));
  if (!meant.length) {
    const elsewhere = calledSo(list.values.filter((v) => v.context?.domain === domain));
    return elsewhere.length && all.size ? { kind: "elsewhere", word: plain(said[0]!), area, names: elsewhere } : undefined;
  }
  if (meant.length === all.size) return undefined;
  const intents = meant.map((name) => ({ ...intent, slots: { ...intent.slots, name, area } }));
  // A singular word for several devices: asked, the devices named.
  const singular = said.every((w) => plain(w) === w);
  return singular && meant.length > 1 ? { kind: "several", intents, word: said[0]! } : { kind: "narrowed", intents };
}
