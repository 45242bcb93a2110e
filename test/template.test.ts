import { describe, expect, it } from "vitest";
import { parseTemplate, TemplateSyntaxError } from "../src/grammar/template.js";
import type { Expr } from "../src/grammar/types.js";

/** Compact rendering of an expression tree, to compare structure without positions. */
function show(e: Expr): string {
  switch (e.type) {
    case "text": return JSON.stringify(e.text);
    case "seq": return `seq(${e.items.map(show).join(",")})`;
    case "alt": return `${e.optional ? "opt" : "alt"}(${e.items.map(show).join(",")})`;
    case "perm": return `perm(${e.items.map(show).join(",")})`;
    case "slot": return `{${e.list}:${e.slot}}`;
    case "rule": return `<${e.name}>`;
  }
}

describe("template parser (hassil syntax)", () => {
  it.each([
    ["turn on", '"turn on"'],
    ["(a|b) c", 'seq(alt("a","b")," c")'],
    ["[the] {area}", 'seq(opt("the")," ",{area:area})'],
    ["{brightness:level}%", 'seq({brightness:level},"%")'],
    ["<turn> on", 'seq(<turn>," on")'],
    ["(red;big) ball", 'seq(perm("red","big")," ball")'],
    ["[a|b]", 'opt("a","b")'],
    ["((x|y) z|w)", 'alt(seq(alt("x","y")," z"),"w")'],
  ])("%s", (src, expected) => {
    expect(show(parseTemplate(src))).toBe(expected);
  });

  it.each([
    ["turn (on", 5, "unclosed '('"],
    ["turn on]", 7, "unexpected ']'"],
    ["set {area", 4, "unclosed '{'"],
    ["set {} now", 4, "bad slot reference"],
    ["<turn on", 0, "unclosed '<'"],
    ["a;b", 1, "outside parentheses"],
    ["(a|b;c)", 4, "cannot mix"],
  ])("rejects %s at offset %i", (src, offset, message) => {
    try {
      parseTemplate(src);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(TemplateSyntaxError);
      expect((err as TemplateSyntaxError).offset).toBe(offset);
      expect((err as Error).message).toContain(message);
    }
  });
});
