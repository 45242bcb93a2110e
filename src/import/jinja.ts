// Home Assistant response templates (Jinja) → hark response templates (text with {slot}).
//
// hark's templates have text and {slot} only: no conditions, loops, filters or entity state. So:
//   - text is kept; `{{ slots.x }}` becomes `{x}` (a filter on it is ignored and noted);
//   - `{% set %}` writes nothing and is skipped;
//   - an `{% if %}` whose branches all read the same is kept, any other is not expressible;
//   - anything else (state, query results, loops, arithmetic) is not expressible.
// What is not expressible is dropped at the edge of a response when the rest still reads as a
// sentence ("Turned on {{ translations.get(state.domain) }}" → "Turned on"); inside a sentence, or
// when the rest would dangle ("{name} is {{ state.state }}" → "{name} is"), the whole response is
// dropped: a wrong or broken answer is worse than hark's own.

type JNode =
  | { t: "text"; text: string }
  | { t: "expr"; expr: string }
  | { t: "if"; branches: JNode[][]; hasElse: boolean }
  | { t: "stmt"; what: string }; // for / macro / set …: no text hark can produce

type Segment = { t: "text"; text: string } | { t: "slot"; name: string } | { t: "lost"; what: string };

export interface ConvertedResponse {
  /** The hark template; undefined when the response cannot be expressed. */
  text?: string;
  /** What was simplified (kept text) or why nothing was kept. */
  notes: string[];
}

/** Parse the Jinja subset used by HA responses: text, {{ }}, if/elif/else, other blocks opaque. */
function parseJinja(src: string): JNode[] {
  const tokens: { kind: "text" | "expr" | "stmt"; body: string }[] = [];
  const re = /\{\{-?([\s\S]*?)-?\}\}|\{%-?([\s\S]*?)-?%\}|\{#[\s\S]*?#\}/g;
  let last = 0;
  for (const m of src.matchAll(re)) {
    if (m.index! > last) tokens.push({ kind: "text", body: src.slice(last, m.index) });
    if (m[1] !== undefined) tokens.push({ kind: "expr", body: m[1].trim() });
    else if (m[2] !== undefined) tokens.push({ kind: "stmt", body: m[2].trim() });
    last = m.index! + m[0].length;
  }
  if (last < src.length) tokens.push({ kind: "text", body: src.slice(last) });

  let i = 0;
  const parse = (stops: string[]): { nodes: JNode[]; stop?: string } => {
    const nodes: JNode[] = [];
    while (i < tokens.length) {
      const tok = tokens[i++]!;
      if (tok.kind === "text") nodes.push({ t: "text", text: tok.body });
      else if (tok.kind === "expr") nodes.push({ t: "expr", expr: tok.body });
      else {
        const kw = tok.body.split(/[\s:(]/)[0] ?? "";
        if (stops.includes(kw)) return { nodes, stop: kw };
        if (kw === "if") {
          const branches: JNode[][] = [];
          let hasElse = false;
          for (;;) {
            const r = parse(["elif", "else", "endif"]);
            branches.push(r.nodes);
            if (r.stop === "else") hasElse = true;
            if (r.stop !== "elif" && r.stop !== "else") break;
          }
          nodes.push({ t: "if", branches, hasElse });
        } else if (["for", "macro", "call", "filter", "block", "raw"].includes(kw)) {
          parse([`end${kw}`]);
          nodes.push({ t: "stmt", what: kw });
        } else nodes.push({ t: "stmt", what: kw });
      }
    }
    return { nodes };
  };
  return parse([]).nodes;
}

const SLOT_EXPR = /^slots\s*(?:\.\s*([A-Za-z_]\w*)|\[\s*["']([A-Za-z_]\w*)["']\s*\])\s*(\|[\s\S]*)?$/;

function render(nodes: JNode[], notes: Set<string>): Segment[] {
  const out: Segment[] = [];
  for (const n of nodes) {
    if (n.t === "text") out.push({ t: "text", text: n.text });
    else if (n.t === "expr") {
      const m = SLOT_EXPR.exec(n.expr);
      if (m) {
        out.push({ t: "slot", name: (m[1] ?? m[2])! });
        if (m[3]) notes.add(`filter "${m[3].slice(1).trim()}" ignored`);
      } else out.push({ t: "lost", what: `{{ ${n.expr} }}` });
    } else if (n.t === "stmt") {
      if (n.what !== "set") out.push({ t: "lost", what: `{% ${n.what} %}` });
    } else {
      const branches = n.branches.map((b) => render(b, notes));
      if (!n.hasElse) branches.push([]);
      const texts = branches.map((b) => (b.some((s) => s.t === "lost") ? undefined : tidy(flat(b))));
      if (texts.every((t) => t !== undefined && t === texts[0])) out.push({ t: "text", text: ` ${texts[0]!} ` });
      else out.push({ t: "lost", what: "{% if %} (hark templates have no conditions)" });
    }
  }
  return out;
}

const flat = (segs: Segment[]): string => segs.map((s) => (s.t === "text" ? s.text : s.t === "slot" ? `{${s.name}}` : "")).join("");

/** Words a sentence cannot end on once the value after them is gone. */
const DANGLING = new Set(["is", "are", "was", "were", "be", "for", "to", "at", "of", "in", "from", "with", "by", "the", "a", "an", "and", "or", "named", "than", "about"]);

function tidy(s: string): string {
  return s
    .replace(/\s+/g, " ")
    .replace(/\s+([,.!?;:])/g, "$1")
    .trim();
}

/** Convert one Home Assistant response template; see the module comment for the rules. */
export function convertResponse(jinja: string): ConvertedResponse {
  if (jinja.trim() === "") return { text: "", notes: [] }; // HA answers nothing (HassNevermind): so does hark
  const notes = new Set<string>();
  const segs = render(parseJinja(jinja), notes);
  const has = (s: Segment) => s.t === "slot" || (s.t === "text" && s.text.trim() !== "");
  const lost = segs.flatMap((s, i) => (s.t === "lost" ? [i] : []));
  const text = tidy(flat(segs));
  const lostWhat = [...new Set(lost.map((i) => (segs[i] as { what: string }).what))];
  const fail = (why: string): ConvertedResponse => ({ notes: [why, ...lostWhat] });
  if (!text) return fail("no text left");
  for (const i of lost) {
    const before = segs.slice(0, i).some(has);
    const after = segs.slice(i + 1).some(has);
    if (before && after) return fail("a value hark cannot fill stands inside the sentence");
    if (after && /^[a-z0-9,.;:]/.test(text)) return fail("the sentence would start in the middle");
    if (before && DANGLING.has(text.replace(/[.,!?;:]+$/, "").split(" ").pop()!.toLowerCase()))
      return fail(`the sentence would end on "${text}"`);
  }
  return { text, notes: [...notes, ...lostWhat.map((w) => `dropped ${w}`)] };
}
