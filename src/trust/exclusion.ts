// "turn off the lights in here except the floor lamp", "all the fans but not the extractor": a request
// with something left out. The request is understood without the words that leave something out; what
// they name is looked up among the devices; the request is carried out on its devices but those, each
// named. Anything unsure (a thing left out that names no device or place here, a car place, a plan that
// fails) is refused as before: leaving out the wrong thing is a wrong action.
import { planIntents, type ActContext } from "../act/plan.js";
import type { DeviceCatalog } from "../devices/catalog.js";
import type { Device } from "../devices/types.js";
import type { IntentResult } from "../nlu/types.js";
import type { EntityTag } from "./knowledge.js";
import type { PhraseHit } from "./phrases.js";

/** Words between the exclusion and the name ("except the floor lamp", "but not my reading lamp"). */
const ARTICLES = new Set(["the", "my", "our", "your", "that", "this"]);
/** A kind word after an area said as the thing left out ("except the hallway ones", "but not the kitchen lights"). */
const KIND_AFTER = new Set(["one", "ones", "light", "lights", "lamp", "lamps", "fan", "fans"]);

export interface LeftOut {
  /** The words that leave something out: the exclusion and what it names. */
  span: { start: number; end: number };
  /** What is left out: a device, an area or a floor this home has. */
  excluded: EntityTag;
}

/** The thing an exclusion said at `hit` leaves out, when it is a known name said right after it. */
export function findLeftOut(tokens: readonly string[], hit: { start: number; end: number }, names: ReadonlyArray<PhraseHit<EntityTag>>): LeftOut | undefined {
  // The cue may hold the name itself ("not the pendants") or stop before it ("except the floor lamp").
  let j = hit.end;
  while (j < tokens.length && ARTICLES.has(tokens[j]!)) j++;
  const candidates = names.filter((n) => (n.start >= hit.start && n.start < hit.end) || n.start === j);
  const name = candidates.sort((a, b) => a.start - b.start || b.end - a.end)[0];
  if (!name) return undefined;
  let end = Math.max(hit.end, name.end);
  if (name.tag.kind !== "name" && KIND_AFTER.has(tokens[end] ?? "")) end++;
  return { span: { start: hit.start, end }, excluded: name.tag };
}

export type LeaveOutResult =
  /** The request's devices without those left out, each named (or the request as it was when it held none of them). */
  | { kind: "done"; intents: IntentResult[] }
  /** Nothing would be left. */
  | { kind: "nothing" }
  /** Not safely done here. */
  | { kind: "unsure" };

/** The devices a thing left out stands for. */
function excludedDevices(e: EntityTag, catalog: DeviceCatalog): Device[] {
  if (e.kind === "name") {
    const area = typeof e.context?.area === "string" ? e.context.area : undefined;
    return catalog.find({ name: e.value, ...(area ? { area } : {}) });
  }
  return catalog.find(e.kind === "area" ? { area: e.value } : { floor: e.value });
}

/** The intents carried out on the request's devices but the ones left out. */
export function leaveOut(intents: readonly IntentResult[], excluded: EntityTag, catalog: DeviceCatalog, ctx: ActContext): LeaveOutResult {
  const out = excludedDevices(excluded, catalog);
  if (!out.length || out.some((d) => d.kind !== "home")) return { kind: "unsure" };
  const ids = new Set(out.map((d) => d.id));
  const plan = planIntents([...intents], catalog, { ...ctx, report: true });
  if (plan.steps.length !== intents.length || plan.steps.some((s) => s.error || !s.targets.length)) return { kind: "unsure" };
  const result: IntentResult[] = [];
  for (const step of plan.steps) {
    const hits = step.targets.filter((d) => ids.has(d.id));
    if (!hits.length) {
      result.push(step.intent);
      continue;
    }
    if (step.targets.some((d) => d.kind !== "home" || !d.area)) return { kind: "unsure" };
    // Each device still meant, by its name and room: the slots that picked the devices give way to them.
    const { name: _n, area: _a, floor: _f, domain: _d, device_class: _c, ...rest } = step.intent.slots;
    for (const d of step.targets.filter((t) => !ids.has(t.id)))
      result.push({ ...step.intent, slots: { ...rest, name: d.name, area: catalog.area(d.area!)?.name ?? d.area! } });
  }
  return result.length ? { kind: "done", intents: result } : { kind: "nothing" };
}
