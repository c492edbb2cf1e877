/**
 * The approval gate (evaluate.approval: required). evaluate chose the candidate but did not move the
 * alias; the run waits, durably, for a Temporal Update `approve` or `reject` carrying {reason, actor},
 * or for evaluate.approval_timeout. An approval runs the promoteApproved activity (compare-and-swap
 * from the champion evaluate saw) and the update returns once the alias has moved, so the caller
 * sees the outcome. Updates are validated before they are accepted: a malformed input, or one sent
 * when nothing is waiting (before evaluate, after a decision or a timeout), is rejected and never
 * enters the history.
 */
import { ApplicationFailure, condition, defineUpdate, setHandler } from '@temporalio/workflow';
import type { ApprovalInput, ApprovalState, PromotionDecision } from '../contract';
import { APPROVAL_UPDATES } from '../contract';

export const approveUpdate = defineUpdate<PromotionDecision, [ApprovalInput]>(APPROVAL_UPDATES.approve);
export const rejectUpdate = defineUpdate<PromotionDecision, [ApprovalInput]>(APPROVAL_UPDATES.reject);

/** A decision evaluate left to a person. */
export type PendingPromotion = PromotionDecision & { approval: ApprovalState };

type Verdict = { decision: 'approved' | 'rejected' } & ApprovalInput;

const MAX_REASON = 2000;
const MAX_ACTOR = 200;

export class ApprovalGate {
  private pending?: PendingPromotion;
  private verdict?: Verdict;
  private closed?: string;
  private outcome?: { promotion: PromotionDecision } | { error: string };

  /** `where` says what the run is doing, for the message that rejects an update when nothing waits. */
  constructor(private readonly where: () => string) {
    const describe = (verb: string) =>
      `${verb} the candidate that awaits approval: {"reason": "…", "actor": "…"}; returns the promotion decision`;
    setHandler(approveUpdate, (input) => this.decide('approved', input), {
      validator: (input) => this.validate(APPROVAL_UPDATES.approve, input),
      description: describe('Approve (the alias moves by compare-and-swap)'),
    });
    setHandler(rejectUpdate, (input) => this.decide('rejected', input), {
      validator: (input) => this.validate(APPROVAL_UPDATES.reject, input),
      description: describe('Reject (the alias stays)'),
    });
  }

  private validate(name: string, input: unknown): void {
    const usage = `${name} takes {"reason": "…", "actor": "…"}`;
    if (typeof input !== 'object' || input === null || Array.isArray(input))
      throw new Error(`${usage}; got ${JSON.stringify(input) ?? 'nothing'}`);
    const { reason, actor } = input as Record<string, unknown>;
    for (const [key, value, max] of [
      ['reason', reason, MAX_REASON],
      ['actor', actor, MAX_ACTOR],
    ] as const) {
      if (typeof value !== 'string' || value.trim() === '')
        throw new Error(
          `${usage}: "${key}" must be a non-empty string, got ${JSON.stringify(value) ?? 'nothing'}`,
        );
      if (value.length > max) throw new Error(`${usage}: "${key}" is longer than ${max} characters`);
    }
    if (this.closed) throw new Error(`${name}: nothing awaits approval any more (${this.closed})`);
    if (this.verdict)
      throw new Error(`${name}: the candidate was already ${this.verdict.decision} by ${this.verdict.actor}`);
    if (!this.pending) throw new Error(`${name}: nothing awaits approval in this run (${this.where()})`);
  }

  private async decide(decision: Verdict['decision'], input: ApprovalInput): Promise<PromotionDecision> {
    this.verdict = { decision, reason: input.reason.trim(), actor: input.actor.trim() };
    await condition(() => this.outcome !== undefined);
    const outcome = this.outcome!;
    if ('error' in outcome)
      throw ApplicationFailure.nonRetryable(
        `${decision}, but the alias could not be moved: ${outcome.error}`,
      );
    return outcome.promotion;
  }

  /**
   * Waits for a verdict or the timeout. `promote` moves the alias for an approved candidate; a
   * rejection or a timeout keeps the alias where it is. The returned decision carries the approval's
   * outcome, actor, reason and time.
   */
  async wait(
    pending: PendingPromotion,
    promote: (approved: PendingPromotion) => Promise<PromotionDecision>,
  ): Promise<PromotionDecision> {
    this.pending = pending;
    const decided = await condition(() => this.verdict !== undefined, pending.approval.timeout);
    // Workflow time (the sandbox's Date is deterministic).
    // eslint-disable-next-line no-restricted-globals
    const decidedAt = new Date().toISOString();
    const verdict = this.verdict;
    if (!decided || !verdict) {
      this.closed = `the wait timed out after ${pending.approval.timeout}`;
      return {
        ...pending,
        promoted: false,
        reason: `no approval within evaluate.approval_timeout ${pending.approval.timeout}: the alias was kept (evaluate had found: ${pending.reason})`,
        approval: { ...pending.approval, decision: 'approval_timed_out', decidedAt },
      };
    }
    const approval: ApprovalState = {
      ...pending.approval,
      decision: verdict.decision,
      actor: verdict.actor,
      reason: verdict.reason,
      decidedAt,
    };
    try {
      const promoted = verdict.decision === 'approved' ? await promote({ ...pending, approval }) : undefined;
      const promotion: PromotionDecision = promoted
        ? {
            ...promoted,
            reason: `approved by ${verdict.actor} (${verdict.reason}); ${promoted.reason}`,
            approval,
          }
        : {
            ...pending,
            promoted: false,
            reason: `rejected by ${verdict.actor}: ${verdict.reason}`,
            approval,
          };
      this.outcome = { promotion };
      return promotion;
    } catch (err) {
      this.outcome = { error: err instanceof Error ? err.message : String(err) };
      throw err;
    } finally {
      this.closed = `the candidate was ${verdict.decision} by ${verdict.actor}`;
    }
  }
}

/** The Web UI's current-details block while a run waits: both scores and the commands that decide. */
export function approvalMarkdown(p: PendingPromotion, workflowId: string, alias: string): string {
  const champion =
    p.approval.championVersion === null
      ? `(no ${alias} yet)`
      : (p.prodRef ?? `v${p.approval.championVersion}`);
  return [
    `**Awaiting approval** to move \`${alias}\` to \`${p.approval.candidateRef}\` (requested ${p.approval.requestedAt}, times out after ${p.approval.timeout}: then ${alias} is kept)`,
    '',
    `| | model | ${p.metric} |`,
    '|---|---|---|',
    `| candidate | ${p.approval.candidateRef} | ${fmt(p.candidate)} |`,
    `| champion | ${champion} | ${fmt(p.prod)} |`,
    '',
    `evaluate: ${p.reason}`,
    '',
    `Approve: \`mlpipe approve ${workflowId} --reason "…"\` · reject: \`mlpipe reject ${workflowId} --reason "…"\``,
  ].join('\n');
}

function fmt(x: number | undefined): string {
  return x === undefined ? '-' : x.toFixed(4);
}
