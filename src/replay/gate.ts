// Acting only on what was understood with enough evidence: a gate on the ASR evidence (margin per
// frame, or the calibrated score) splits the understood commands into accepted and asked back, and
// the curve shows the trade-off over a list of thresholds.
import type { AsrEvidence } from "../asr/types.js";

export interface Gate {
  /** Least margin (score units per frame) to act on. */
  minMargin?: number;
  /** Least calibrated score (0..1) to act on. */
  minScore?: number;
}

export const MARGIN_THRESHOLDS = [0, 0.25, 0.5, 0.75, 1, 1.5, 2, 3] as const;
export const SCORE_THRESHOLDS = [0.5, 0.7, 0.8, 0.9, 0.95, 0.98, 0.99] as const;

/**
 * The margin as a gate sees it: +∞ when every competitor fell out of the search or there was none
 * (nothing near means anything else), −∞ when it could not be measured (ask rather than act).
 */
export function gateMargin(e: AsrEvidence | undefined): number {
  if (!e) return -Infinity;
  if (e.beyondBeam || e.competitors === 0) return Infinity;
  return e.margin ?? -Infinity;
}

export function passes(e: AsrEvidence | undefined, gate: Gate): boolean {
  if (gate.minMargin !== undefined && !(gateMargin(e) >= gate.minMargin)) return false;
  if (gate.minScore !== undefined && !((e?.score ?? -Infinity) >= gate.minScore)) return false;
  return true;
}

/** One point of the curve, % of the labelled commands. */
export interface CurvePoint {
  threshold: number;
  acceptedCorrect: number;
  wrong: number;
  asked: number;
}

/** Understood labelled commands: whether each is right, and its evidence. */
export interface Understood {
  correct: boolean;
  evidence?: AsrEvidence;
}

export function curve(items: readonly Understood[], commands: number, by: "margin" | "score"): CurvePoint[] {
  const thresholds: readonly number[] = by === "margin" ? MARGIN_THRESHOLDS : SCORE_THRESHOLDS;
  const pct = (n: number): number => (commands ? Math.round((1000 * n) / commands) / 10 : 0);
  return thresholds.map((threshold) => {
    let ok = 0, wrong = 0, asked = 0;
    for (const it of items) {
      if (!passes(it.evidence, by === "margin" ? { minMargin: threshold } : { minScore: threshold })) asked++;
      else if (it.correct) ok++;
      else wrong++;
    }
    return { threshold, acceptedCorrect: pct(ok), wrong: pct(wrong), asked: pct(asked) };
  });
}
