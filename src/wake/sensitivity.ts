// The wake spotter's one setting, kept apart from the decoder so configuration can name its default
// without loading the speech engine.

/** The safer side of the measured trade (docs/benchmarks.md "Wake word"): a false wake can act on a request nobody addressed to hark. */
export const DEFAULT_WAKE_SENSITIVITY = 0.35;

/**
 * The phone loop's probability per phone for a sensitivity s (0..1): 10^(−4·s). At 0 the loop pays
 * nothing and its freer fit always beats the phrase (the phrase is never heard); at 1 each phone
 * costs 1e−4 and the phrase wins wherever it roughly fits.
 */
export function phonePrice(sensitivity: number): number {
  const s = Math.min(1, Math.max(0, sensitivity));
  return 10 ** (-4 * s);
}
