/**
 * promoteApproved: the approval gate's last step (evaluate.approval: required). A person approved the
 * candidate against the champion evaluate compared it with; the alias moves by compare-and-swap from
 * exactly that champion, with the approver as the move's actor and their reason as its reason. If the
 * alias moved while the run waited, the approval was given against a model that is no longer there:
 * the candidate is compared again with the new champion on the same test split, as champion/challenger
 * does after a lost race, and moves only if it is still better (never a blind overwrite).
 */
import { Context } from '@temporalio/activity';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { ApprovalState, PromotionDecision } from '../contract';
import type { PipelineConfig } from '../config';
import { AliasConflictError } from '../store/errors';
import type { ArtifactStore } from '../store/types';
import type { ActivityDeps } from './deps';
import { promoteIfBetter } from './champion-challenger';
import { scoreChampion } from './champion-task';
import { loadTestSplit, scoreModel } from './evaluate';
import { toActivityError } from './failures';

export interface PromoteApprovedInput {
  config: PipelineConfig;
  /** evaluate's decision, its approval state carrying decision `approved`, the actor and the reason. */
  promotion: PromotionDecision & { approval: ApprovalState };
}

export function createPromoteApproved(deps: ActivityDeps) {
  return async function promoteApproved(input: PromoteApprovedInput): Promise<PromotionDecision> {
    const info = Context.current().info;
    const workflowId = info.workflowExecution?.workflowId ?? 'standalone';
    const scratch = join(deps.workDir, 'runs', workflowId, `promote-approved-${info.attempt}`);
    try {
      const store = await deps.storeFor(input.config);
      return await promote(store, input, workflowId, scratch);
    } catch (err) {
      throw toActivityError(err);
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  };
}

async function promote(
  store: ArtifactStore,
  input: PromoteApprovedInput,
  workflowId: string,
  scratch: string,
): Promise<PromotionDecision> {
  const { config, promotion } = input;
  const { approval } = promotion;
  const alias = config.evaluate.promote_alias;
  const candidate = await store.resolve(approval.candidateRef);
  const { approval: _state, ...decision } = promotion;
  const approvedMove = {
    reason: approval.reason,
    actor: approval.actor,
    details: {
      ...decision,
      promoted: true,
      decision: 'approved',
      comparison: promotion.reason,
      workflowId,
      test: approval.testRef,
      requestedAt: approval.requestedAt,
    },
  };
  try {
    await store.moveAlias(candidate.name, alias, candidate.version, {
      ...approvedMove,
      expected: approval.championVersion,
    });
    return { ...promotion, promoted: true };
  } catch (err) {
    if (!(err instanceof AliasConflictError)) throw err;
  }
  // The alias moved while the run waited: decide again against whoever holds it now.
  await mkdir(scratch, { recursive: true });
  const { test, target } = await loadTestSplit(store, config, approval.testRef, scratch);
  const { loaded } = await scoreModel(store, candidate.ref, scratch, test, target);
  const again = await promoteIfBetter({
    store,
    candidate,
    candidateScore: promotion.candidate,
    metric: promotion.metric,
    minDelta: config.evaluate.min_delta,
    alias,
    scoreChampion: (ref) =>
      scoreChampion(ref, {
        store,
        scratch,
        test,
        target,
        metric: promotion.metric,
        candidateClasses: loaded.pipeline.classes,
      }),
    actor: approval.actor ?? workflowId,
    reason: approval.reason,
    details: { ...approvedMove.details, recompared: true },
  });
  const championThen = approval.championVersion === null ? 'no prod' : `v${approval.championVersion}`;
  return {
    ...again,
    reason: `${alias} moved from ${championThen} while awaiting approval; compared again: ${again.reason}`,
    approval,
  };
}
