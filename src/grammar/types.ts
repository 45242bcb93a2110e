// The grammar model: what grammars/ and devices/ YAML files load into.
// Everything hark compiles (matcher graph, ASR FSG, SLM output language, samples, responses) is derived from this.

/** Where something was written, for precise error messages (1-based line and column). */
export interface SourceLoc {
  file: string;
  line: number;
  col: number;
}

/** A parsed sentence template in hassil syntax. */
export type Expr =
  | { type: "text"; text: string; pos: number } // literal words ("turn on")
  | { type: "seq"; items: Expr[]; pos: number }
  | { type: "alt"; items: Expr[]; optional: boolean; pos: number } // (a|b) or [a|b]
  | { type: "perm"; items: Expr[]; pos: number } // (a;b): any order
  | { type: "slot"; list: string; slot: string; pos: number } // {list} or {list:slot}
  | { type: "rule"; name: string; pos: number }; // <rule>

export type SlotValue = string | number;

/** One entry of a value list: spoken forms (a template, no slots) → canonical value. */
export interface ListValue {
  in: Expr;
  inText: string;
  out: SlotValue;
  /** Extra facts about the value (e.g. a device's domain and area), checked by requires_context. */
  context?: Record<string, SlotValue>;
  loc?: SourceLoc;
}

export interface ValuesList {
  kind: "values";
  name: string;
  values: ListValue[];
  /** "the hallway and the living room": one slot, several values → several intents. */
  multiple: boolean;
  loc?: SourceLoc;
}

export type RangeType = "number" | "percentage" | "temperature";

export interface RangeList {
  kind: "range";
  name: string;
  from: number;
  to: number;
  step: number;
  type: RangeType;
  /** "halves" admits 21.5; "tenths" admits 21.3. */
  fractions?: "halves" | "tenths";
  /** Spoken value × multiplier = slot value. */
  multiplier?: number;
  loc?: SourceLoc;
}

export interface WildcardList {
  kind: "wildcard";
  name: string;
  /** Free text is bounded: at most this many words. */
  maxWords: number;
  /** Representative values for samples and the ASR grammar (free text cannot be enumerated). */
  examples: string[];
  loc?: SourceLoc;
}

export type SlotList = ValuesList | RangeList | WildcardList;

export interface Sentence {
  text: string;
  expr: Expr;
  loc?: SourceLoc;
}

/** Context constraint: a value, a list of admissible values, or {slot: true} (the value must be filled). */
export type ContextConstraint = SlotValue | SlotValue[] | { slot: true };

/** A group of sentences sharing fixed slots, context constraints and a response (hassil's `data` entry). */
export interface DataBlock {
  sentences: Sentence[];
  /** Slot values implied by the sentence ("lights" → domain: light). */
  slots: Record<string, SlotValue>;
  requiresContext: Record<string, ContextConstraint>;
  excludesContext: Record<string, ContextConstraint>;
  /** Key into the intent's responses. */
  response?: string;
  /** Local expansion rules, visible only to this block's sentences. */
  rules: Map<string, Rule>;
}

export interface SlotDef {
  name: string;
  /** List that fills it (defaults to the slot name when such a list exists); null for slots that only data blocks fix ("domain"). */
  list: string | null;
  required: boolean;
  description?: string;
  /** Question to ask when a required slot is missing ("Which room?"). */
  prompt?: string;
}

export interface IntentDef {
  name: string;
  description?: string;
  domain?: string;
  slots: Map<string, SlotDef>;
  data: DataBlock[];
  /** Response templates: key → text with {slot} references. */
  responses: Record<string, string>;
  /** Ask the user before acting (unlock, open garage). */
  confirm?: boolean;
  loc?: SourceLoc;
}

export interface Rule {
  name: string;
  text: string;
  expr: Expr;
  loc?: SourceLoc;
}

export interface Grammar {
  language: string;
  intents: Map<string, IntentDef>;
  lists: Map<string, SlotList>;
  rules: Map<string, Rule>;
  /** Words and phrases that carry no meaning ("please", "uh", "could you"). */
  skipWords: string[];
  /** Words read when typed but not listened for (grammar ASR): slang the recognizer confuses with other commands' words. */
  unheardWords?: string[];
  /** Content hash of every source file that built this grammar. */
  hash: string;
  files: string[];
}
