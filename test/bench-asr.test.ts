// `hark bench --suite asr`: the default voice speaks generated commands, grammar ASR + matcher bring
// them back; the report splits the decoder's start-up (first decoder, a second one from its snapshot,
// first-touch cost).
import { describe, expect, it } from "vitest";
import { benchAsr, firstTouchMsPerMB } from "../src/bench/asr.js";

describe("bench asr", () => {
  it("round-trips generated commands and reports where start-up goes", async () => {
    const r = await benchAsr({ count: 4, seed: 3 });
    expect(r.n).toBe(4);
    expect(r.exact).toBeGreaterThanOrEqual(3);
    expect(r.rtf).toBeGreaterThan(0);
    expect(r.firstResultMs?.p50).toBeGreaterThan(0);
    const s = r.startup!;
    for (const part of [s.first, s.second]) {
      expect(part.decoderMs).toBeGreaterThan(0);
      expect(part.prepareMs).toBeGreaterThanOrEqual(0);
    }
    // The second recognizer starts from the snapshot the first one left (or found) in the cache.
    expect(s.second.decoder).toBe("snapshot");
    expect(s.firstTouchMsPerMB).toBeGreaterThan(0);
  }, 120_000);

  it("measures the cost of touching fresh memory", () => {
    const ms = firstTouchMsPerMB(4);
    expect(ms).toBeGreaterThan(0);
    expect(Number.isFinite(ms)).toBe(true);
  });
});
