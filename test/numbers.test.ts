import { describe, expect, it } from "vitest";
import { numberToWords, parseNumberToken, wordsToNumbers } from "../src/grammar/numbers.js";

const w2n = (s: string): string[] => wordsToNumbers(s === "" ? [] : s.split(" "));

describe("wordsToNumbers", () => {
  it.each<[string, string[]]>([
    ["set it to twenty one degrees", ["set", "it", "to", "21", "degrees"]],
    ["one hundred and five", ["105"]],
    ["one hundred five", ["105"]],
    ["a hundred", ["100"]],
    ["a hundred and five", ["105"]],
    ["a thousand", ["1000"]],
    ["a hundred thousand", ["100000"]],
    ["twenty one point five", ["21.5"]],
    ["twenty one point two five", ["21.25"]],
    ["zero point five", ["0.5"]],
    // "and a half" stays words: the matcher attaches it to ranges with fractions.
    ["twenty one and a half", ["21", "and", "a", "half"]],
    ["seventy second", ["70", "second"]],
    ["two thousand twenty", ["2020"]],
    ["two thousand and five", ["2005"]],
    ["twenty one thousand five hundred", ["21500"]],
    ["nine hundred ninety nine thousand nine hundred ninety nine", ["999999"]],
    ["nineteen", ["19"]],
    ["zero", ["0"]],
    ["21", ["21"]],
    ["21.5", ["21.5"]],
    ["twenty 1", ["20", "1"]],
    ["five ten", ["5", "10"]],
    ["one two three", ["1", "2", "3"]],
    ["twenty twenty", ["20", "20"]],
    ["zero zero seven", ["0", "0", "7"]],
    ["minus five degrees", ["-5", "degrees"]],
    ["negative twenty one", ["-21"]],
    ["minus 5", ["-5"]],
  ])("%s", (input, expected) => {
    expect(w2n(input)).toEqual(expected);
  });

  it.each<[string, string[]]>([
    ["oh", ["oh"]],
    ["half", ["half"]],
    ["turn on half the lights", ["turn", "on", "half", "the", "lights"]],
    ["a light", ["a", "light"]],
    ["a", ["a"]],
    ["hundred", ["hundred"]],
    ["thousand", ["thousand"]],
    ["rock and roll", ["rock", "and", "roll"]],
    ["first floor", ["first", "floor"]],
    ["the second light", ["the", "second", "light"]],
    ["twenty first floor", ["twenty", "first", "floor"]],
    ["one hundred and first", ["one", "hundred", "and", "first"]],
    ["one hundredth", ["one", "hundredth"]],
    ["minus twenty first", ["minus", "twenty", "first"]],
    ["minus", ["minus"]],
    ["minus the lights", ["minus", "the", "lights"]],
    ["point five", ["point", "5"]], // no leading integer: "point" stays a word
    ["twenty point", ["20", "point"]],
    ["one hundred and", ["100", "and"]],
    ["one and two", ["1", "and", "2"]],
    ["", []],
  ])("leaves non-numbers alone: %s", (input, expected) => {
    expect(w2n(input)).toEqual(expected);
  });

  it("converts numbers that are not quantities too (templates are normalized identically)", () => {
    // "one of the lights" in an utterance matches a template written "one of the lights" because both become "1".
    expect(w2n("one of the lights")).toEqual(["1", "of", "the", "lights"]);
    expect(w2n("five first")).toEqual(["5", "first"]);
    expect(w2n("twenty seconds")).toEqual(["20", "seconds"]);
  });

  it("does not mutate its input", () => {
    const input = ["twenty", "one"];
    wordsToNumbers(input);
    expect(input).toEqual(["twenty", "one"]);
  });

  it("round-trips every integer 0..10000", () => {
    for (let n = 0; n <= 10000; n++) {
      const got = wordsToNumbers(numberToWords(n).split(" "));
      if (got.length !== 1 || got[0] !== String(n)) expect(got, `n=${n}`).toEqual([String(n)]);
    }
  });

  it("round-trips every x.5 in 0..100 and a sample of large and negative numbers", () => {
    const xs: number[] = [];
    for (let n = 0; n <= 100; n++) xs.push(n + 0.5);
    for (let n = 10001; n <= 999_999; n += 997) xs.push(n);
    xs.push(999_999, -1, -21.5, -100000);
    for (const x of xs) expect(wordsToNumbers(numberToWords(x).split(" ")), `x=${x}`).toEqual([String(x)]);
  });
});

describe("numberToWords", () => {
  it.each<[number, string]>([
    [0, "zero"],
    [7, "seven"],
    [19, "nineteen"],
    [21, "twenty one"],
    [40, "forty"],
    [100, "one hundred"],
    [105, "one hundred five"],
    [1000, "one thousand"],
    [2020, "two thousand twenty"],
    [21.5, "twenty one point five"],
    [0.25, "zero point two five"],
    [-5, "minus five"],
    [999_999, "nine hundred ninety nine thousand nine hundred ninety nine"],
  ])("%s", (n, expected) => {
    expect(numberToWords(n)).toBe(expected);
  });

  it("rejects what it cannot speak", () => {
    expect(() => numberToWords(1_000_000)).toThrow(RangeError);
    expect(() => numberToWords(Number.NaN)).toThrow(RangeError);
    expect(() => numberToWords(Infinity)).toThrow(RangeError);
    expect(() => numberToWords(1e-7)).toThrow(RangeError);
  });
});

describe("parseNumberToken", () => {
  it.each<[string, number | undefined]>([
    ["21", 21],
    ["21.5", 21.5],
    ["-3", -3],
    ["0", 0],
    ["twenty", undefined],
    ["", undefined],
    ["21.", undefined],
    [".5", undefined],
    ["1e3", undefined],
    ["50%", undefined],
    ["+3", undefined],
  ])("%s", (token, expected) => {
    expect(parseNumberToken(token)).toBe(expected);
  });
});
