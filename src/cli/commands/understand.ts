// hark understand: text → intents, one utterance or a JSONL batch.
import { Command, Option } from "commander";
import { createUnderstander, DEFAULT_UNDERSTANDER, loadSources, understanderNames, type Understanding } from "../../nlu/index.js";
import { UsageError } from "../../platform/errors.js";
import { readAllStdin, stdinLines, writeLine } from "../io.js";
import { addSourceOptions, sourceOptions } from "../options.js";
import { judge, loadTrust, type TrustDeps, type Verdict } from "../../trust/index.js";
import { sourcePaths } from "../../nlu/index.js";
import { fillFromContext } from "../../dialog/resolve.js";
import { PROFILES } from "../../dialog/profiles.js";
import type { SessionInfo } from "../../dialog/types.js";
import type { Grammar } from "../../grammar/types.js";

/** Utterances longer than this are rejected before normalization (no command is 10,000 characters). */
const MAX_CHARS = 10_000;

export function register(program: Command): void {
  addSourceOptions(
    program
      .command("understand")
      .description("understand an utterance: prints {text, intents:[{intent, slots, confidence, source}], ms}")
      .argument("[text...]", "the utterance (omit with --jsonl, or pipe it on stdin)")
      .option("--jsonl", "batch: one utterance per stdin line (plain text or {\"id\",\"text\",\"profile\"}) → one JSON line each")
      .addOption(new Option("--engine <engine>", "understanding engine").choices(understanderNames()).default(DEFAULT_UNDERSTANDER))
      .addOption(new Option("--profile <profile>", "where the request is said: a home speaker or a cabin seat (scope checks)").choices(["home", "car"]))
      .option("--area <name>", "the speaker's room (a satellite there): \"here\", \"this room\" and requests without a room mean it")
      .option("--no-trust", "print the raw understanding: no act/ask/refuse decision (negation, questions, unsaid values … are not checked)"),
  ).action(async (words: string[], opts) => {
    if (opts.jsonl && words.length) throw new UsageError("give TEXT or --jsonl, not both");
    const src = sourceOptions(opts);
    const matcher = await createUnderstander(opts.engine as string, src);
    const grammar = await loadSources(src);
    const trust = opts.trust === false ? undefined : loadTrust(grammar, undefined, sourcePaths(src).grammar);
    const areaOf = (name: string | undefined): string | undefined => {
      if (name === undefined) return undefined;
      const a = canonicalArea(grammar, name);
      if (!a) throw new UsageError(`unknown area '${name}' (the devices' areas: ${knownAreas(grammar).join(", ") || "none"})`);
      return a;
    };
    const defaultArea = areaOf(opts.area as string | undefined);
    try {
    const run = async (text: string, profile: "home" | "car" | undefined = opts.profile, area: string | undefined = defaultArea): Promise<Output> => {
      const t0 = performance.now();
      const result: Understanding =
        text.length > MAX_CHARS ? { text: text.slice(0, 200), intents: [], reason: `too long (${text.length} characters)` } : await matcher.understand(text);
      const decided = trust && text.length <= MAX_CHARS ? await decide(result, trust, (t) => matcher.understand(t), profile, area) : result;
      // The satellite's room fills a request that names no room or device, as `hark run` does.
      const session: SessionInfo = { id: "understand", profile: profile ?? "home", ...(area ? { area } : {}) };
      const placed = area ? { ...decided, intents: decided.intents.map((i) => fillFromContext(i, session, undefined, PROFILES[session.profile])) } : decided;
      return { ...placed, ms: Math.round((performance.now() - t0) * 1000) / 1000 };
    };

    if (!opts.jsonl) {
      let text = words.join(" ");
      if (!words.length) {
        if (process.stdin.isTTY) throw new UsageError("no text given (pass TEXT, pipe it on stdin, or use --jsonl)");
        text = (await readAllStdin()).trim();
      }
      await writeLine(JSON.stringify(order(await run(text))));
      return;
    }
    let bad = 0;
    let lineNo = 0;
    for await (const line of stdinLines()) {
      lineNo++;
      let id: unknown;
      let text = line;
      let profile: "home" | "car" | undefined = opts.profile;
      let area = defaultArea;
      if (line.trimStart().startsWith("{")) {
        try {
          const obj = JSON.parse(line) as { id?: unknown; text?: unknown; profile?: unknown; area?: unknown };
          if (typeof obj.text !== "string") throw new Error("missing \"text\"");
          if (obj.profile !== undefined && obj.profile !== "home" && obj.profile !== "car") throw new Error("\"profile\" must be home or car");
          if (obj.area !== undefined && typeof obj.area !== "string") throw new Error("\"area\" must be an area's name");
          if (typeof obj.area === "string" && !canonicalArea(grammar, obj.area)) throw new Error(`unknown area '${obj.area}'`);
          id = obj.id;
          text = obj.text;
          if (obj.profile) profile = obj.profile as "home" | "car";
          if (typeof obj.area === "string") area = canonicalArea(grammar, obj.area);
        } catch (err) {
          bad++;
          await writeLine(JSON.stringify({ line: lineNo, error: `invalid JSON line: ${(err as Error).message}`, intents: [] }));
          continue;
        }
      }
      const result = await run(text.length > MAX_CHARS ? text.slice(0, MAX_CHARS + 1) : text, profile, area);
      await writeLine(JSON.stringify(id === undefined ? order(result) : { id, ...order(result) }));
    }
    if (bad) {
      process.stderr.write(`hark: ${bad} of ${lineNo} lines were not valid JSON utterances\n`);
      process.exitCode = 1;
    }
    } finally {
      await matcher.dispose?.();
    }
  });
}

/** The trust policy's view: what would be acted on now, and what was held back and why. */
interface Decided extends Understanding {
  decision?: Exclude<Verdict["decision"], "pass">;
  /** Understood, but not to be acted on now (a negated, delayed or doubtful request, a question …). */
  withheld?: Understanding["intents"];
  /** What hark would say instead of acting. */
  say?: string;
}
type Output = Decided & { ms: number };

/** `intents` are exactly what hark would act on now; anything else is `withheld` with the decision and its reason. */
async function decide(u: Understanding, trust: TrustDeps, reunderstand: (t: string) => Understanding | Promise<Understanding>, profile?: "home" | "car", area?: string): Promise<Decided> {
  // Understanding, not acting: whether a device can carry an intent out is `hark run`'s to say (scope only with --profile).
  const session = { ...(profile ? { profile } : {}), ...(area ? { area } : {}) };
  const v = await judge({ text: u.text, understanding: u, devices: false, ...(profile || area ? { session } : {}) }, trust, reunderstand);
  switch (v.decision) {
    case "pass":
      return u;
    case "act":
      return { ...u, intents: v.intents };
    case "refuse":
      return { text: u.text, intents: [], reason: `${v.reason}${v.detail ? `: ${v.detail}` : ""}`, decision: "refuse", withheld: v.intents, say: v.speech };
    case "ask":
      return { text: u.text, intents: [], reason: v.reason, decision: "ask", withheld: v.intents, say: v.prompt };
    case "schedule":
      return { text: u.text, intents: [], reason: "delay", decision: "schedule", withheld: v.intents, say: v.speech };
    case "report":
      return { text: u.text, intents: [], reason: "question", decision: "report", withheld: v.intents };
  }
}

/** Stable key order for readers and diffs: text, intents, reason, decision, withheld, say, ms. */
function order(r: Output) {
  return {
    text: r.text,
    intents: r.intents,
    ...(r.reason ? { reason: r.reason } : {}),
    ...(r.decision ? { decision: r.decision } : {}),
    ...(r.withheld?.length ? { withheld: r.withheld } : {}),
    ...(r.say ? { say: r.say } : {}),
    ms: r.ms,
  };
}

/** An area's canonical name (as the matcher writes it) from its name or an alias, case-insensitively. */
function canonicalArea(g: Grammar, said: string): string | undefined {
  const list = g.lists.get("area");
  if (list?.kind !== "values") return undefined;
  const want = said.trim().toLowerCase();
  return list.values.find((v) => v.inText.toLowerCase() === want || String(v.out).toLowerCase() === want)?.out as string | undefined;
}

function knownAreas(g: Grammar): string[] {
  const list = g.lists.get("area");
  return list?.kind === "values" ? [...new Set(list.values.map((v) => String(v.out)))] : [];
}
