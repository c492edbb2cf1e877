/**
 * The frame around every step activity: who is running (for the producer record), timing,
 * and the mapping of errors to retryable / non-retryable failures.
 */
import { Context } from '@temporalio/activity';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { StepName } from '../contract';
import type { Producer } from '../store/types';
import type { StepOutcome } from './types';
import { toActivityError } from './failures';

export interface StepRun {
  step: StepName;
  producer: Producer;
  /** A private scratch folder for this attempt, removed when the attempt ends. */
  scratch: string;
  heartbeat(details?: unknown): void;
  signal: AbortSignal;
}

export type StepBody<R extends StepBodyResult = StepBodyResult> = (run: StepRun) => Promise<R>;
export type StepBodyResult = Omit<StepOutcome, 'startedAt' | 'durationMs' | 'attempt'>;

/**
 * `part` names one of several activities of the same step that may run at once (a shard of the
 * train step), so that each gets its own scratch folder.
 */
export async function runStep<R extends StepBodyResult>(
  step: StepName,
  workDir: string,
  body: StepBody<R>,
  part?: string,
): Promise<R & Pick<StepOutcome, 'startedAt' | 'durationMs' | 'attempt'>> {
  const ctx = Context.current();
  const info = ctx.info;
  const startedAt = new Date();
  const t0 = performance.now();
  // Activities here always run inside a workflow (never standalone), so the execution is known.
  const execution = info.workflowExecution ?? { workflowId: 'standalone', runId: info.activityId };
  const producer: Producer = {
    workflowId: execution.workflowId,
    runId: execution.runId,
    step,
    attempt: info.attempt,
  };
  const scratch = join(
    workDir,
    'runs',
    producer.workflowId,
    producer.runId,
    `${step}${part ? `-${part}` : ''}-${info.attempt}`,
  );
  await mkdir(scratch, { recursive: true });
  try {
    const result = await body({
      step,
      producer,
      scratch,
      heartbeat: (d) => ctx.heartbeat(d),
      signal: ctx.cancellationSignal,
    });
    ctx.log.info(`${step}: ${result.summary}`);
    return {
      ...result,
      startedAt: startedAt.toISOString(),
      durationMs: Math.round(performance.now() - t0),
      attempt: info.attempt,
    };
  } catch (err) {
    throw toActivityError(err);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
