// Names out, placeholders in. Before the model sees an utterance, every device, area and floor name in it
// (any spoken form the devices files give) is replaced by a placeholder that says what it is: the device's
// domain for names ("turn on the @light1"), "@area1", "@floor1". The model answers with placeholders
// ("HassTurnOn name: @light1") and the parser maps them back to canonical names.
//
// Why: names are the one open-ended part of a command. A model that has to copy them fails on names it
// never saw ("switch the gramophone off" → a navigation intent), and no amount of training covers every
// integrator's device. The devices files know the names and their domains; the model only needs the
// sentence around them. A new devices file works without retraining, and the domain in the placeholder
// tells "set the @light1 to 30" (brightness) from "set the @cover1 to 30" (position).
import type { SlotValue } from "../../grammar/types.js";
import type { OutputSpec } from "./types.js";

/** Placeholder prefix per spoken list; names use their device's domain instead. */
const LIST_PREFIX: Record<string, string> = { area: "area", floor: "floor" };
/** Order of preference when one span is a form of several lists (a device named like its room). */
const LIST_ORDER = ["name", "area", "floor"];
/** Placeholders per prefix in one utterance; more distinct names than this stay words. */
export const MAX_PER_PREFIX = 6;
/** The prefix of a name whose domain the model has no placeholder for. */
export const GENERIC_PREFIX = "device";

export interface Delexed {
  /** The utterance with placeholders. */
  text: string;
  /** placeholder → the list and canonical value it stands for. */
  slots: Map<string, { list: string; value: SlotValue }>;
  /** The utterance as said (normalized, before placeholders): free text is copied from these words. */
  said?: string;
}

export interface DelexOptions {
  /** Use the generic "@device" prefix for every name (training: so the model knows it too). */
  generic?: boolean;
  /** Whether the model has a placeholder token (e.g. "@light1"); names of other domains use "@device". */
  hasPlaceholder?: (placeholder: string) => boolean;
}

function prefixOf(spec: OutputSpec, list: string, value: SlotValue, o: DelexOptions): string {
  if (list !== "name") return LIST_PREFIX[list] ?? list;
  const domain = spec.domains.get(String(value));
  if (!domain || o.generic || (o.hasPlaceholder && !o.hasPlaceholder(`@${domain}1`))) return GENERIC_PREFIX;
  return domain;
}

/** Replace the names in a normalized utterance, longest first (maximal munch: "living room tv" is a device, not an area + "tv"). */
export function delexicalize(norm: string, spec: OutputSpec, options: DelexOptions = {}): Delexed {
  const words = norm.split(" ").filter(Boolean);
  type Hit = { start: number; len: number; list: string; value: SlotValue };
  const hits: Hit[] = [];
  for (const list of LIST_ORDER) {
    const forms = spec.spoken.get(list);
    if (!forms) continue;
    for (const [form, value] of forms) {
      if (!spec.actionable.has(`${list}\u0000${value}`)) continue;
      const fw = form.split(" ");
      for (let i = 0; i + fw.length <= words.length; i++) if (fw.every((w, k) => words[i + k] === w)) hits.push({ start: i, len: fw.length, list, value });
    }
  }
  hits.sort((a, b) => b.len - a.len || a.start - b.start || LIST_ORDER.indexOf(a.list) - LIST_ORDER.indexOf(b.list));
  const taken: Array<Hit | undefined> = new Array(words.length);
  for (const h of hits) {
    let free = true;
    for (let k = h.start; k < h.start + h.len; k++) if (taken[k]) free = false;
    if (free) for (let k = h.start; k < h.start + h.len; k++) taken[k] = h;
  }
  // Placeholders numbered per prefix in order of first mention; the same entity keeps its placeholder.
  const byEntity = new Map<string, string>();
  const counts = new Map<string, number>();
  const slots: Delexed["slots"] = new Map();
  const out: string[] = [];
  for (let i = 0; i < words.length; ) {
    const h = taken[i];
    if (!h || h.start !== i) {
      out.push(words[i]!);
      i++;
      continue;
    }
    const entity = `${h.list}\u0000${h.value}`;
    let ph = byEntity.get(entity);
    if (!ph) {
      const prefix = prefixOf(spec, h.list, h.value, options);
      const n = (counts.get(prefix) ?? 0) + 1;
      if (n <= MAX_PER_PREFIX) {
        counts.set(prefix, n);
        ph = `@${prefix}${n}`;
        byEntity.set(entity, ph);
        slots.set(ph, { list: h.list, value: h.value });
      }
    }
    if (ph) out.push(ph);
    else out.push(...words.slice(i, i + h.len));
    i += h.len;
  }
  return { text: out.join(" "), slots, said: words.join(" ") };
}

/** The placeholders of one prefix: @light1 … @light6. */
export function placeholdersOf(prefix: string): string[] {
  return Array.from({ length: MAX_PER_PREFIX }, (_, i) => `@${prefix}${i + 1}`);
}

/** Every placeholder a model for this spec may see: its tokenizer makes each one a single token. */
export function placeholderSymbols(domains: Iterable<string>): string[] {
  return [...new Set([...domains, GENERIC_PREFIX, ...Object.values(LIST_PREFIX)])].sort().flatMap(placeholdersOf);
}
