/**
 * `mlpipe approve <workflowId> --reason …` and `mlpipe reject …`: the person's side of the approval
 * gate (evaluate.approval: required). Each sends the run's Temporal Update and waits for its result,
 * so the command returns once the alias has moved (or was kept), and prints the decision.
 */
import type { Command } from 'commander';
import { userInfo } from 'node:os';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { APPROVAL_UPDATES, type ApprovalInput, type PromotionDecision } from '../../contract';
import type { CliContext } from '../context';

export function registerApproveCommands(program: Command, ctx: () => CliContext): void {
  for (const [name, verb] of [
    [APPROVAL_UPDATES.approve, 'approve: move the alias to the candidate (compare-and-swap)'],
    [APPROVAL_UPDATES.reject, 'reject: keep the alias where it is'],
  ] as const) {
    program
      .command(`${name} <workflowId>`)
      .description(`decide on a run that awaits approval (evaluate.approval: required); ${verb}`)
      .requiredOption('--reason <text>', 'why (kept in the alias history and the run record)')
      .option('--actor <name>', 'who decides (default: cli:<OS user>)')
      .option('--json', 'print the promotion decision as JSON')
      .action(async (workflowId: string, opts: { reason: string; actor?: string; json?: boolean }) => {
        const started = performance.now();
        const client = await ctx().existingClient();
        const input: ApprovalInput = {
          reason: opts.reason,
          actor: opts.actor ?? `cli:${userInfo().username}`,
        };
        let decision: PromotionDecision;
        try {
          decision = await client.workflow
            .getHandle(workflowId)
            .executeUpdate<PromotionDecision, [ApprovalInput]>(name, { args: [input] });
        } catch (err) {
          // The validator's message says why (nothing waits, already decided, bad input): show it alone.
          if (err instanceof WorkflowUpdateFailedError && err.cause)
            throw new Error(`${name} ${workflowId}: ${err.cause.message}`, { cause: err });
          throw err;
        }
        const ms = Math.round(performance.now() - started);
        if (opts.json) return console.log(JSON.stringify(decision));
        const approval = decision.approval;
        console.log(
          `${workflowId}: ${approval?.decision ?? name} by ${input.actor}; ${approval?.candidateRef ?? 'candidate'} ${
            decision.promoted ? 'promoted' : 'not promoted'
          } (${decision.reason}) [${ms} ms]`,
        );
      });
  }
}
