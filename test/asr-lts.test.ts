import { describe, expect, it } from "vitest";
import { compoundPronunciation, letterToSound } from "../src/asr/lts.js";
import { compoundVariants, restrictDictionary } from "../src/asr/soundswallower/model.js";

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

describe("compound words", () => {
  it("are their parts' pronunciations in a row: primary first, then one part's alternative at a time", () => {
    expect(compoundVariants([["DH AH", "DH IY"], ["L AY T"]])).toEqual(["DH AH L AY T", "DH IY L AY T"]);
    // 1 + Σ(nᵢ − 1) variants, not the product 2 × 3
    expect(compoundVariants([["A"], ["B1", "B2"], ["C1", "C2", "C3"]])).toEqual(["A B1 C1", "A B2 C1", "A B1 C2", "A B1 C3"]);
    expect(compoundVariants([["A1", "A2"], ["B1", "B2"]], 1)).toEqual(["A1 B1"]);
  });

  it("get dictionary entries and are listed with their alternatives for the FSG", () => {
    const full = new Map([["the", ["DH AH", "DH IY"]], ["light", ["L AY T"]]]);
    const d = restrictDictionary(full, ["the+light", "light", "the+zorblex"], [], "+");
    const lines = d.text.split("\n").filter(Boolean);
    expect(lines.slice(0, 3)).toEqual(["the+light DH AH L AY T", "the+light(2) DH IY L AY T", "light L AY T"]);
    expect(lines[3]).toBe(`the+zorblex DH AH ${letterToSound("zorblex")}`);
    expect(d.alternates.get("the+light")).toEqual(["the+light(2)"]);
    expect(d.alternates.has("light")).toBe(false);
    expect(d.guessed.map((g) => g.word)).toEqual(["zorblex"]);
  });
});
