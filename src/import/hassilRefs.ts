// What a hassil template refers to, resolved the way hassil resolves it: a <rule> is the data
// entry's own rule first, then a global one, and a {list} the entry's own list first, then a global one.

/** References made by a hassil template: lists ({list} / {list:slot}) and rules (<rule>). */
export function templateRefs(template: string): { lists: { list: string; slot: string }[]; rules: string[] } {
  const lists: { list: string; slot: string }[] = [];
  const rules: string[] = [];
  for (const m of template.matchAll(/\{([^{}:]+)(?::([^{}]+))?\}/g)) {
    const list = m[1]!.trim();
    lists.push({ list, slot: (m[2] ?? list).trim() });
  }
  for (const m of template.matchAll(/<([^<>]+)>/g)) rules.push(m[1]!.trim());
  return { lists, rules };
}

/** Point {list} references at other lists, keeping the slot name: {color} → {Intent_color:color}. */
export function renameLists(template: string, renames: Map<string, string>): string {
  if (renames.size === 0) return template;
  return template.replace(/\{([^{}:]+)(?::([^{}]+))?\}/g, (whole, l: string, s: string | undefined) => {
    const to = renames.get(l.trim());
    return to ? `{${to}:${(s ?? l).trim()}}` : whole;
  });
}

/**
 * Global rules hark cannot load on their own: they use a rule or a list that only data entries define
 * (hassil resolves <rule> and {list} where the rule is expanded, e.g. <what_is_the_class_of_name> uses
 * each entry's own <class>). They are copied into the data entries that use them.
 */
export function contextRules(rules: Map<string, string>, lists: Set<string>): Set<string> {
  const out = new Set<string>();
  for (let changed = true; changed; ) {
    changed = false;
    for (const [name, text] of rules) {
      if (out.has(name)) continue;
      const refs = templateRefs(text);
      if (refs.rules.some((r) => !rules.has(r) || out.has(r)) || refs.lists.some((l) => !lists.has(l.list))) {
        out.add(name);
        changed = true;
      }
    }
  }
  return out;
}

export interface Resolved {
  /** References that resolve nowhere ("{list}", "<rule>"). */
  unknown: Set<string>;
  /** Global rules the data entry needs its own copy of. */
  copies: Set<string>;
  /** slot → lists that fill it. */
  slots: Map<string, Set<string>>;
}

/**
 * Follow a template's references through rules. `local` are the entry's rules, `localLists` its own
 * lists; a global rule that is a context rule, or that names a list the entry redefines, is copied.
 */
export function resolveRefs(
  template: string,
  local: Record<string, string>,
  globals: Map<string, string>,
  context: Set<string>,
  lists: Set<string>,
  localLists: Set<string> = new Set(),
): Resolved {
  const unknown = new Set<string>();
  const copies = new Set<string>();
  const slots = new Map<string, Set<string>>();
  const seen = new Set<string>();
  const walk = (text: string) => {
    const refs = templateRefs(text);
    for (const { list, slot } of refs.lists) {
      if (!lists.has(list) && !localLists.has(list)) unknown.add(`{${list}}`);
      const set = slots.get(slot) ?? new Set<string>();
      set.add(list);
      slots.set(slot, set);
    }
    for (const r of refs.rules) {
      if (seen.has(r)) continue;
      seen.add(r);
      const body = local[r] ?? globals.get(r);
      if (body === undefined) {
        unknown.add(`<${r}>`);
        continue;
      }
      if (local[r] === undefined && (context.has(r) || templateRefs(body).lists.some((l) => localLists.has(l.list)))) copies.add(r);
      walk(body);
    }
  };
  walk(template);
  return { unknown, copies, slots };
}
