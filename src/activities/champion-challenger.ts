/**
 * Champion/challenger at the end of evaluate: read where prod is, score that model, decide, and move
 * prod by compare-and-swap from exactly the version the decision was made against. When a concurrent
 * run moves prod in between, the move is refused and the decision is made again against the model
 * that run promoted, so a worse candidate never replaces a better model it was not compared with.
 * A prod model that serves another task (other classes, inputs the test split lacks) is not compared
 * at all: the run completes, prod stays where it is, and the decision says why (README, Promotion).
 */
import { ApplicationFailure } from '@temporalio/activity';
import type { PromotionDecision } from '../contract';
import { decidePromotion } from '../promotion/decide';
import { AliasConflictError, ArtifactNotFoundError } from '../store/errors';
import type { ArtifactStore, ArtifactVersion } from '../store/types';

/**
 * scoreChampion's verdict that prod's model answers another question than the candidate, so no
 * score of it on this test split can be compared with the candidate's.
 */
export class IncomparableChampion extends Error {
  override readonly name = 'IncomparableChampion';
  constructor(
    readonly ref: string,
    readonly why: string,
  ) {
    super(`${ref} serves another task (${why})`);
  }
}

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
  /** Scores the model at `ref` on the same test split; throws IncomparableChampion if it serves another task. */
  scoreChampion(ref: string): Promise<number>;
  /** Recorded with the alias move. */
  actor: string;
  /** The alias move's reason when not the decision's own (an approver's); the decision's goes into details.comparison. */
  reason?: string;
  details: Record<string, unknown>;
}

/** Metrics where lower is better are compared negated. */
export function higherIsBetter(metric: string, value: number): number {
  return /log_loss|error|mse|mae/.test(metric) ? -value : value;
}

/** One champion/challenger decision against where the alias is now, and the version it was made against. */
export interface ProdDecision {
  promotion: PromotionDecision;
  /** The alias's version the decision was made against (undefined: the alias does not exist). */
  prodVersion?: ArtifactVersion;
}

/**
 * Reads where the alias is, scores that model (once per champion, kept in `championScores`) and
 * decides, without moving anything: the approval gate moves the alias later, from `prodVersion`.
 */
export async function decideAgainstProd(
  c: ChampionChallenger,
  championScores = new Map<string, number>(),
): Promise<ProdDecision> {
  const { store, candidate, metric, alias } = c;
  const prodVersion = await resolveIfPresent(store, `${candidate.name}:${alias}`);
  let prod: { score: number; ref: string } | undefined;
  if (prodVersion && prodVersion.ref !== candidate.ref) {
    let score = championScores.get(prodVersion.ref);
    if (score === undefined) {
      try {
        score = await c.scoreChampion(prodVersion.ref);
      } catch (err) {
        if (!(err instanceof IncomparableChampion)) throw err;
        return { promotion: notCompared(c, prodVersion.ref, err.why), prodVersion };
      }
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
  return { promotion: { ...decision, candidate: c.candidateScore, prod: prod?.score }, prodVersion };
}

export async function promoteIfBetter(c: ChampionChallenger): Promise<PromotionDecision> {
  const { store, candidate, alias } = c;
  // A champion is scored once, however many rounds meet it.
  const championScores = new Map<string, number>();
  for (let round = 1; ; round++) {
    const { promotion, prodVersion } = await decideAgainstProd(c, championScores);
    if (!promotion.promoted) return promotion;
    try {
      await store.moveAlias(candidate.name, alias, candidate.version, {
        expected: prodVersion ? prodVersion.version : null,
        reason: c.reason ?? promotion.reason,
        actor: c.actor,
        details: {
          ...promotion,
          ...(c.reason !== undefined ? { comparison: promotion.reason } : {}),
          ...c.details,
        },
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

/**
 * The safe answer when prod serves another task: keep prod. Replacing it would silently change what
 * its consumers are served (other classes, other inputs); whoever means to switch tasks moves prod
 * by hand (`mlpipe promote`), and the reason below says so.
 */
function notCompared(c: ChampionChallenger, prodRef: string, why: string): PromotionDecision {
  return {
    promoted: false,
    reason: `prod ${prodRef} serves another task (${why}); not compared, prod kept (mlpipe promote ${c.candidate.ref} moves it by hand)`,
    metric: c.metric,
    candidate: c.candidateScore,
    prodRef,
  };
}

async function resolveIfPresent(store: ArtifactStore, ref: string): Promise<ArtifactVersion | undefined> {
  try {
    return await store.resolve(ref);
  } catch (err) {
    if (err instanceof ArtifactNotFoundError) return undefined;
    throw err;
  }
}
