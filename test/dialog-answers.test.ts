// Yes, no and cancel said the many ways people say them (grammars/en/language/answers.yaml).
import { describe, expect, it } from "vitest";
import { isCancel, isNo, isYes } from "../src/dialog/phrases.js";

describe("answers to a confirmation", () => {
  it.each(["yes", "yeah go ahead", "hmm… ok, yes", "sure, why not", "ok yeah do it", "Yes please.", "okay then", "go for it", "yes, it's the paramedics", "yes, quickly"])("%s is yes", (t) => {
    expect(isYes(t)).toBe(true);
    expect(isNo(t)).toBe(false);
  });
  it.each(["no", "nah, leave it", "actually no", "ok, no", "no thanks", "no don't", "no, we're staying in"])("%s is no", (t) => {
    expect(isNo(t)).toBe(true);
    expect(isYes(t)).toBe(false);
  });
  it.each(["hmm", "please", "yes no", "yes and turn on the lights", "no, open the patio curtains", "sure it's cold"])("%s is neither", (t) => {
    expect(isYes(t)).toBe(false);
    expect(isNo(t)).toBe(false);
  });
  it("cancel phrases stand alone, with fillers around them", () => {
    expect(isCancel("never mind")).toBe(true);
    expect(isCancel("stop it please")).toBe(true);
    expect(isCancel("stop the music")).toBe(false);
  });
});
