/**
 * Champion/challenger: the candidate replaces prod only when it is strictly better, by at least min_delta, on
 * the chosen metric (higher is better; log loss is negated by the caller), or when there is no prod.
 */
import type { PromotionDecision } from '../contract';

export interface PromotionInput {
  metric: string;
  minDelta: number;
  candidate: number;
  candidateRef: string;
  prod?: { score: number; ref: string };
}

export function decidePromotion(input: PromotionInput): PromotionDecision {
  const { metric, candidate, prod, minDelta } = input;
  if (!Number.isFinite(candidate)) {
    return { promoted: false, reason: `candidate ${metric} is not a number`, metric, candidate };
  }
  if (!prod) {
    return { promoted: true, reason: 'no prod model yet', metric, candidate };
  }
  if (prod.ref === input.candidateRef) {
    return {
      promoted: false,
      reason: 'candidate is already prod',
      metric,
      candidate,
      prod: prod.score,
      prodRef: prod.ref,
    };
  }
  const delta = candidate - prod.score;
  // "Better by at least min_delta": with min_delta 0 a tie is not better, so prod stays.
  const promoted = delta > 0 && delta >= minDelta;
  return {
    promoted,
    reason: promoted
      ? `better than ${prod.ref} by ${delta.toFixed(4)} ≥ min_delta ${minDelta}`
      : `not better than ${prod.ref} by at least min_delta ${minDelta} (delta ${delta.toFixed(4)})`,
    metric,
    candidate,
    prod: prod.score,
    prodRef: prod.ref,
  };
}
