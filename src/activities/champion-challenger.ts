/**
 * Champion/challenger at the end of evaluate: read where prod is, score that model, decide, and move
 * prod by compare-and-swap from exactly the version the decision was made against. When a concurrent
 * run moves prod in between, the move is refused and the decision is made again against the model
 * that run promoted, so a worse candidate never replaces a better model it was not compared with.
 */
import { ApplicationFailure } from '@temporalio/activity';
import type { PromotionDecision } from '../contract';
import { decidePromotion } from '../promotion/decide';
import { AliasConflictError, ArtifactNotFoundError } from '../store/errors';
import type { ArtifactStore, ArtifactVersion } from '../store/types';

/** Decisions in a row that may lose the race for prod before the step leaves it to Temporal's retry. */
export const PROMOTION_ROUNDS = 5;

export interface ChampionChallenger {
  store: ArtifactStore;
  candidate: ArtifactVersion;
  /** The candidate's score on the test split, as computed (not negated). */
  candidateScore: number;
  metric: string;
  minDelta: number;
  alias: string;
  /** Scores the model at `ref` on the same test split. */
  scoreChampion(ref: string): Promise<number>;
  /** Recorded with the alias move. */
  actor: string;
  details: Record<string, unknown>;
}

/** Metrics where lower is better are compared negated. */
export function higherIsBetter(metric: string, value: number): number {
  return /log_loss|error|mse|mae/.test(metric) ? -value : value;
}

export async function promoteIfBetter(c: ChampionChallenger): Promise<PromotionDecision> {
  const { store, candidate, metric, alias } = c;
  // A champion is scored once, however many rounds meet it.
  const championScores = new Map<string, number>();
  for (let round = 1; ; round++) {
    const prodVersion = await resolveIfPresent(store, `${candidate.name}:${alias}`);
    let prod: { score: number; ref: string } | undefined;
    if (prodVersion && prodVersion.ref !== candidate.ref) {
      let score = championScores.get(prodVersion.ref);
      if (score === undefined) {
        score = await c.scoreChampion(prodVersion.ref);
        championScores.set(prodVersion.ref, score);
      }
      prod = { score, ref: prodVersion.ref };
    } else if (prodVersion) {
      prod = { score: c.candidateScore, ref: prodVersion.ref };
    }
    const decision = decidePromotion({
      metric,
      minDelta: c.minDelta,
      candidate: higherIsBetter(metric, c.candidateScore),
      candidateRef: candidate.ref,
      prod: prod && { ...prod, score: higherIsBetter(metric, prod.score) },
    });
    const promotion: PromotionDecision = { ...decision, candidate: c.candidateScore, prod: prod?.score };
    if (!decision.promoted) return promotion;
    try {
      await store.moveAlias(candidate.name, alias, candidate.version, {
        expected: prodVersion ? prodVersion.version : null,
        reason: decision.reason,
        actor: c.actor,
        details: { ...promotion, ...c.details },
      });
      return promotion;
    } catch (err) {
      if (!(err instanceof AliasConflictError)) throw err;
      if (round >= PROMOTION_ROUNDS) {
        // Transient contention, not a fault of this run: a later attempt decides afresh.
        throw ApplicationFailure.retryable(
          `${candidate.name}:${alias} moved under ${round} promotion decisions in a row: ${err.message}`,
          'PromotionContended',
        );
      }
    }
  }
}

async function resolveIfPresent(store: ArtifactStore, ref: string): Promise<ArtifactVersion | undefined> {
  try {
    return await store.resolve(ref);
  } catch (err) {
    if (err instanceof ArtifactNotFoundError) return undefined;
    throw err;
  }
}
