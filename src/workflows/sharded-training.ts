/**
 * train_random_forest spread over the task queue's workers (random_forest_pipeline.random_forest.shards):
 * plan (publish the binned matrix once) → one trainTreeShard activity per contiguous tree range, on
 * the same task queue so that any worker takes any shard → merge and export. Each activity has the
 * train step's timeouts and retry policy, so a lost worker costs only its shards' retries. A shard
 * that fails for good cancels the others; cancelling the run cancels them all (they heartbeat).
 */
import { ActivityCancellationType, CancellationScope, proxyActivities } from '@temporalio/workflow';
import type { createActivities } from '../activities';
import type {
  StepActivityInput,
  StepActivityOptions,
  StepOutcome,
  TreeShardOutcome,
} from '../activities/types';
import type { PipelineConfig } from '../config';
import type { PipelineProgress, ShardProgress } from '../contract';

type Activities = ReturnType<typeof createActivities>;

/** Whether the run's config asks for more than one shard (configs from before sharding never do). */
export function shardingRequested(config: PipelineConfig): boolean {
  const shards = (config.random_forest_pipeline.random_forest as { shards?: number | 'auto' }).shards;
  return shards !== undefined && shards !== 1;
}

export interface ShardedTrainingContext {
  options: StepActivityOptions;
  /** The step's label in activity summaries, e.g. `5/6 train_random_forest`. */
  label: string;
  /** The run's progress: its `shards` and `training` are kept up to date here. */
  progress: PipelineProgress;
  onProgress: () => void;
}

export async function trainSharded(
  input: StepActivityInput,
  ctx: ShardedTrainingContext,
): Promise<StepOutcome> {
  const acts = (summary: string) =>
    proxyActivities<Activities>({ ...ctx.options, summary: `${ctx.label}: ${summary}` });
  // A cancelled shard is waited for until its worker has stopped building (it learns of the
  // cancellation from its next heartbeat), so a cancelled run leaves no trees being built.
  const shardActs = (summary: string) =>
    proxyActivities<Activities>({
      ...ctx.options,
      summary: `${ctx.label}: ${summary}`,
      cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
    });
  const planned = await acts('plan the shards, publish the binned training matrix').planTreeShards(input);
  const { shardPlan: plan } = planned;
  const K = plan.ranges.length;
  const shards: ShardProgress[] = plan.ranges.map(({ from, to }, shard) => ({
    shard,
    from,
    to,
    status: 'running',
  }));
  ctx.progress.shards = shards;
  ctx.progress.training = { done: 0, total: plan.nTrees };
  ctx.onProgress();

  const scope = new CancellationScope();
  const outcomes = await scope.run(() =>
    Promise.all(
      plan.ranges.map(({ from, to }, shard) =>
        shardActs(`shard ${shard + 1}/${K}, trees ${from}–${to - 1}`)
          .trainTreeShard({ config: input.config, matrix: plan.matrix.ref, shard, shards: K, from, to })
          .then(
            (out: TreeShardOutcome) => {
              Object.assign(shards[shard], {
                status: 'completed',
                attempts: out.attempt,
                built: out.built,
                resumed: out.resumed,
                worker: out.identity,
                durationMs: out.durationMs,
              } satisfies Partial<ShardProgress>);
              if (ctx.progress.training) ctx.progress.training.done += to - from;
              ctx.onProgress();
              return out;
            },
            (err: unknown) => {
              shards[shard].status = 'failed';
              ctx.onProgress();
              // One shard lost for good loses the fit: stop the others building trees nobody will use.
              scope.cancel();
              throw err;
            },
          ),
      ),
    ),
  );
  const merged = await acts(`merge ${K} shards' trees, export the model`).mergeTreeShards({
    step: input,
    plan,
    planned: { startedAt: planned.startedAt },
    shards: outcomes,
  });
  // The step's attempts are the most any of its activities needed (its time is planning to export).
  return { ...merged, attempt: Math.max(planned.attempt, merged.attempt, ...outcomes.map((o) => o.attempt)) };
}
