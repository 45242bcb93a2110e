// The best path's score of a soundswallower decoder (PocketSphinx `ps_get_hyp`'s out-parameter),
// which the JS API does not expose: read through the exported C function and a 4-byte heap cell.

/** What reading the score needs from a soundswallower instance. */
export interface HypScoreModule {
  HEAP32: Int32Array;
  _malloc(n: number): number;
  _free(p: number): void;
  _decoder_hyp(d: number, outScore: number): number;
}

/** The path score of the decoder's current hypothesis (log base 1.0001 >> 10 units). */
export function hypScore(ss: HypScoreModule, cdecoder: number): number {
  const p = ss._malloc(4);
  try {
    ss._decoder_hyp(cdecoder, p);
    return ss.HEAP32[p >> 2] as number;
  } finally {
    ss._free(p);
  }
}
