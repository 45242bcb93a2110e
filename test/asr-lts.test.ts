import { describe, expect, it } from "vitest";
import { compoundPronunciation, letterToSound } from "../src/asr/lts.js";
import { restrictDictionary } from "../src/asr/soundswallower/model.js";

describe("letter-to-sound fallback", () => {
  it.each([
    ["zigbee", "Z IH G B IY"],
    ["shelly", "SH EH L IY"],
    ["phone", "F OW N"],
    ["nightlight", "N AY T L AY T"],
  ])("%s → %s", (word, pron) => expect(letterToSound(word)).toBe(pron));

  it("always yields at least one phone from the model's phone set", () => {
    for (const w of ["x", "qqq", "'", "aeiou", "rhythm"]) expect(letterToSound(w)).toMatch(/^[A-Z]+( [A-Z]+)*$/);
  });

  it("prefers dictionary pieces: compounds and plurals", () => {
    const dict = new Map([["living", "L IH V IH NG"], ["room", "R UW M"], ["lamp", "L AE M P"]]);
    const first = (w: string) => dict.get(w);
    expect(compoundPronunciation("livingroom", first)).toBe("L IH V IH NG R UW M");
    expect(compoundPronunciation("lamps", first)).toBe("L AE M P S");
    expect(compoundPronunciation("zorblex", first)).toBeUndefined();
  });
});

describe("restrictDictionary", () => {
  it("keeps only the grammar's words, with variants, and guesses the rest", () => {
    const full = new Map([["the", ["DH AH", "DH IY"]], ["light", ["L AY T"]], ["unused", ["AH N"]]]);
    const d = restrictDictionary(full, ["light", "the", "zorblex"], [["ph_aa", "AA"]]);
    expect(d.text.split("\n").filter(Boolean)).toEqual(["light L AY T", "the DH AH", "the(2) DH IY", `zorblex ${letterToSound("zorblex")}`, "ph_aa AA"]);
    expect(d.guessed).toEqual([{ word: "zorblex", pron: letterToSound("zorblex"), how: "rules" }]);
  });
});
