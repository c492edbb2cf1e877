/**
 * train_random_forest with its trees spread over the task queue's workers
 * (random_forest_pipeline.random_forest.shards):
 *
 * - planTreeShards fits the processor, bins the training matrix and publishes it once, with the
 *   labels, the per-tree seeds and the fitted processor, as `train_matrix`; it returns the shards'
 *   tree ranges (`auto`: one per worker polling the queue);
 * - trainTreeShard builds one contiguous range of trees from that plan, on any worker. It publishes
 *   the trees built so far as `tree_shard` versions every few seconds and heartbeats their refs,
 *   so a retry after a lost worker rebuilds only the trees after its last checkpoint;
 * - mergeTreeShards joins every shard's trees in tree order into the model (importances and the
 *   OOB score are computed there, from all trees) and exports it exactly as the one-activity step.
 *
 * The model is byte-identical to the one-activity fit for any number of shards and threads.
 */
import { writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { Context } from '@temporalio/activity';
import { CancelledFailure } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import {
  assembleShardedPipeline,
  TreeBuilder,
  decodeForestPlan,
  decodeTrees,
  encodeForestPlan,
  encodeTrees,
  planShardedFit,
  resolveNJobs,
  shardRanges,
  type PipelineFrame,
  type TreeArrays,
} from '../ml';
import { ARTIFACTS, type ResolvedRef } from '../contract';
import type { PipelineConfig } from '../config';
import type { ArtifactStore, ArtifactVersion } from '../store/types';
import type { ActivityDeps } from './deps';
import type {
  MergeTreeShardsInput,
  ShardPlan,
  ShardPlanOutcome,
  StepActivityInput,
  StepOutcome,
  TreeShardInput,
  TreeShardOutcome,
} from './types';
import { publishArtifact, toResolvedRef } from './artifact-io';
import { dataFailure, deterministic } from './failures';
import { runStep, type StepRun } from './step-context';
import { modelSpec } from './dataset';
import { publishTrainedModel, readTrainingData } from './train-random-forest';

const PLAN_FILE = 'forest-plan.bin';
const FRAME_FILE = 'pipeline.json';
const TREES_FILE = 'trees.bin';
/** How often a shard publishes the trees it has built since its last checkpoint. */
const CHECKPOINT_INTERVAL_MS = 2_000;

/** What a shard heartbeats: progress for the CLI and the Web UI, and its checkpoints for a retry. */
export interface ShardHeartbeat {
  done: number;
  total: number;
  unit: 'trees';
  shard: number;
  shards: number;
  /** `tree_shard` refs holding trees from, from + 1, … in order (contiguous from the range's start). */
  checkpoints: string[];
  /** Trees this attempt built, and trees it took from an earlier attempt's checkpoints. */
  built: number;
  resumed: number;
}

export function createPlanTreeShards(deps: ActivityDeps) {
  return (input: StepActivityInput): Promise<ShardPlanOutcome> =>
    runStep('train_random_forest', deps.workDir, (run) =>
      heartbeating(run, { unit: 'plan' }, async () => {
        const config = input.config;
        const store = await deps.storeFor(config);
        const training = await readTrainingData(store, config, input.inputs.train, run.scratch);
        const spec = modelSpec(config, training.plan);
        const t0 = performance.now();
        const fit = await deterministic('train_random_forest', () => planShardedFit(training.train, spec));
        const nTrees = fit.forest.seeds.length;
        const requested = config.random_forest_pipeline.random_forest.shards;
        const shards = requested === 'auto' ? await pollingWorkers() : requested;
        const ranges = shardRanges(nTrees, shards);
        const planFile = join(run.scratch, PLAN_FILE);
        const frameFile = join(run.scratch, FRAME_FILE);
        await writeFile(planFile, encodeForestPlan(fit.forest));
        await writeFile(frameFile, JSON.stringify(fit.frame));
        const planSeconds = (performance.now() - t0) / 1000;
        const matrix = await publishArtifact(store, {
          name: ARTIFACTS.trainMatrix,
          type: 'binned_matrix',
          description: `Binned training matrix, labels, per-tree seeds and fitted processor of a sharded fit (${fit.forest.job.binned.nRows} rows × ${fit.forest.job.binned.nFeatures} features, ${nTrees} trees) from ${training.data.version.ref}`,
          metadata: {
            rows: fit.forest.job.binned.nRows,
            features: fit.forest.job.binned.nFeatures,
            trees: nTrees,
          },
          producer: run.producer,
          files: [
            { path: PLAN_FILE, source: planFile },
            { path: FRAME_FILE, source: frameFile },
          ],
        });
        const plan: ShardPlan = {
          matrix,
          nTrees,
          planSeconds: round3(planSeconds),
          requested,
          ranges,
        };
        return {
          step: 'train_random_forest',
          consumed: [training.data.resolved],
          produced: [matrix],
          summary: `planned ${nTrees} trees in ${ranges.length} shard${ranges.length === 1 ? '' : 's'}${requested === 'auto' ? ' (auto: workers polling the queue)' : ''}; matrix ${matrix.ref}`,
          shardPlan: plan,
        };
      }),
    );
}

/** Workers polling this activity's task queue (distinct identities), at least 1. */
async function pollingWorkers(): Promise<number> {
  const ctx = Context.current();
  const response = await ctx.client.workflowService.describeTaskQueue({
    namespace: ctx.info.workflowNamespace,
    taskQueue: { name: ctx.info.taskQueue },
    taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
  });
  const identities = new Set((response.pollers ?? []).map((p) => p.identity ?? ''));
  return Math.max(1, identities.size);
}

export function createTrainTreeShard(deps: ActivityDeps) {
  return (input: TreeShardInput): Promise<TreeShardOutcome> =>
    runStep(
      'train_random_forest',
      deps.workDir,
      async (run) => {
        const { config, shard, shards, from, to } = input;
        const store = await deps.storeFor(config);
        const ctx = Context.current();
        const matrix = await store.resolve(input.matrix);
        const total = to - from;
        const trees: TreeArrays[] = new Array<TreeArrays>(total);
        // Trees an earlier attempt checkpointed (contiguous from `from`) are taken, not rebuilt.
        const earlier = (ctx.info.heartbeatDetails as ShardHeartbeat | undefined)?.checkpoints ?? [];
        const checkpoints: ResolvedRef[] = [];
        let next = from;
        for (const ref of earlier) {
          const version = await store.resolve(ref);
          const part = decodeTrees(await store.readFile(version, TREES_FILE), ref);
          if (part.first !== next) break;
          part.trees.forEach((t, i) => (trees[part.first - from + i] = t));
          next += part.trees.length;
          checkpoints.push(toResolvedRef(version, ref));
        }
        const resumed = next - from;
        let built = 0;
        let published = next;
        let lastCheckpoint = performance.now();
        let publishing: Promise<void> = Promise.resolve();
        const beat = (): void =>
          run.heartbeat({
            done: resumed + built,
            total,
            unit: 'trees',
            shard,
            shards,
            checkpoints: checkpoints.map((c) => c.ref),
            built,
            resumed,
          } satisfies ShardHeartbeat);
        /** Publishes the trees after the last checkpoint that are all built, as one tree_shard version. */
        const checkpoint = (): Promise<void> => {
          publishing = publishing.then(async () => {
            let end = published;
            while (end < to && trees[end - from] !== undefined) end++;
            if (end === published) return;
            const ref = await publishTrees(
              store,
              run,
              input,
              published,
              trees.slice(published - from, end - from),
            );
            checkpoints.push(ref);
            published = end;
            beat();
          });
          return publishing;
        };
        beat();
        const indices = Array.from({ length: to - next }, (_, i) => next + i);
        const lease = await acquireBuilder(store, matrix, config);
        // A long tree must not look like a lost worker, and cancellation arrives with a heartbeat's reply.
        const keepAlive = setInterval(beat, 1_000);
        try {
          await lease.builder.build(indices, {
            signal: run.signal,
            onTree: (t, tree) => {
              trees[t - from] = tree;
              built++;
              beat();
              if (performance.now() - lastCheckpoint >= CHECKPOINT_INTERVAL_MS) {
                lastCheckpoint = performance.now();
                void checkpoint().catch(() => undefined); // a failed checkpoint surfaces at the final one
              }
            },
          });
        } catch (err) {
          if (run.signal.aborted) throw new CancelledFailure(`shard ${shard + 1} of ${shards} cancelled`);
          throw dataFailure(err, `train_random_forest shard ${shard + 1} of ${shards}`);
        } finally {
          clearInterval(keepAlive);
          lease.release();
        }
        await publishing.catch(() => undefined);
        await checkpoint();
        return {
          step: 'train_random_forest',
          consumed: [toResolvedRef(matrix, input.matrix)],
          produced: checkpoints,
          summary: `shard ${shard + 1}/${shards}: trees ${from}–${to - 1}, built ${built}${resumed ? `, ${resumed} from an earlier attempt` : ''}`,
          shard,
          from,
          to,
          built,
          resumed,
          // Temporal's default worker identity, as the Web UI shows it for the attempt.
          identity: `${process.pid}@${hostname()}`,
        };
      },
      `shard${input.shard}`,
    );
}

async function publishTrees(
  store: ArtifactStore,
  run: StepRun,
  input: TreeShardInput,
  first: number,
  trees: readonly TreeArrays[],
): Promise<ResolvedRef> {
  const file = join(run.scratch, `trees-${first}.bin`);
  await writeFile(file, encodeTrees(first, trees));
  return publishArtifact(store, {
    name: ARTIFACTS.treeShard,
    type: 'forest_trees',
    description: `Trees ${first}–${first + trees.length - 1} of shard ${input.shard + 1}/${input.shards} of ${input.matrix}`,
    metadata: { first, count: trees.length, shard: input.shard, matrix: input.matrix },
    producer: run.producer,
    files: [{ path: TREES_FILE, source: file }],
  });
}

export function createMergeTreeShards(deps: ActivityDeps) {
  return async (input: MergeTreeShardsInput): Promise<StepOutcome> => {
    const merged = await mergeShards(deps, input);
    // The train step's time is the whole sharded fit's: from planning to the published model.
    const startedAt = input.planned?.startedAt ?? merged.startedAt;
    return { ...merged, startedAt, durationMs: Date.now() - Date.parse(startedAt) };
  };
}

function mergeShards(deps: ActivityDeps, input: MergeTreeShardsInput): Promise<StepOutcome> {
  return runStep('train_random_forest', deps.workDir, (run) =>
    heartbeating(run, { unit: 'merge' }, async () => {
      const config: PipelineConfig = input.step.config;
      const store = await deps.storeFor(config);
      const matrix = await store.resolve(input.plan.matrix.ref);
      const [planBytes, frameBytes] = await Promise.all([
        store.readFile(matrix, PLAN_FILE),
        store.readFile(matrix, FRAME_FILE),
      ]);
      const training = await readTrainingData(store, config, input.step.inputs.train, run.scratch);
      const t0 = performance.now();
      const forest = await deterministic(matrix.ref, () =>
        decodeForestPlan(planBytes, `${matrix.ref}/${PLAN_FILE}`),
      );
      const frame = JSON.parse(frameBytes.toString('utf8')) as PipelineFrame;
      const trees = new Array<TreeArrays>(input.plan.nTrees);
      const chunks = input.shards.flatMap((s) => s.produced);
      for (const chunk of chunks) {
        const version = await store.resolve(chunk.ref);
        const part = decodeTrees(await store.readFile(version, TREES_FILE), chunk.ref);
        part.trees.forEach((t, i) => (trees[part.first + i] = t));
      }
      for (let t = 0; t < trees.length; t++) {
        if (trees[t] === undefined)
          throw new Error(`internal: no shard delivered tree ${t} of ${trees.length}`);
      }
      const pipeline = await deterministic('train_random_forest', () =>
        assembleShardedPipeline(frame, forest, trees),
      );
      const assembleSeconds = (performance.now() - t0) / 1000;
      // The fit's critical path: planning, the shards from the first start to the last end, assembly.
      const starts = input.shards.map((s) => Date.parse(s.startedAt));
      const ends = input.shards.map((s) => Date.parse(s.startedAt) + s.durationMs);
      const shardSeconds = (Math.max(...ends) - Math.min(...starts)) / 1000;
      const fitSeconds = input.plan.planSeconds + shardSeconds + assembleSeconds;
      const shards = input.shards.map((s) => ({
        shard: s.shard,
        trees: [s.from, s.to],
        attempt: s.attempt,
        built: s.built,
        resumed: s.resumed,
        worker: s.identity,
        durationMs: s.durationMs,
        checkpoints: s.produced.map((c) => c.ref),
      }));
      const rebuilt = input.shards.reduce((n, s) => n + s.built, 0) - input.plan.nTrees;
      return publishTrainedModel(run, store, config, training, pipeline, {
        fitSeconds,
        consumed: [toResolvedRef(matrix, input.plan.matrix.ref), ...chunks],
        summary: ` in ${input.shards.length} shards${rebuilt > 0 ? ` (${rebuilt} trees rebuilt after lost attempts)` : ''}`,
        details: {
          sharding: {
            shards,
            requested: input.plan.requested,
            matrix: input.plan.matrix.ref,
            planSeconds: input.plan.planSeconds,
            shardSeconds: round3(shardSeconds),
            assembleSeconds: round3(assembleSeconds),
          },
        },
      });
    }),
  );
}

/**
 * Runs `work` heartbeating every second: the train step has a heartbeat timeout, and reading the
 * data or exporting the model must not look like a lost worker (or delay a cancellation).
 */
async function heartbeating<T>(run: StepRun, details: unknown, work: () => Promise<T>): Promise<T> {
  run.heartbeat(details);
  const timer = setInterval(() => run.heartbeat(details), 1_000);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}

/**
 * The plan and tree threads of each fit whose shards run in this process, while any of them runs:
 * K shards on one worker share one decoded matrix and n_jobs threads (as many as the one-activity
 * fit uses), instead of K copies and K × n_jobs threads competing for the same cores.
 */
const builders = new Map<string, { ready: Promise<TreeBuilder>; users: number }>();

async function acquireBuilder(
  store: ArtifactStore,
  matrix: ArtifactVersion,
  config: PipelineConfig,
): Promise<{ builder: TreeBuilder; release: () => void }> {
  const key = `${store.uri}|${matrix.digest}`;
  let entry = builders.get(key);
  if (!entry) {
    const ready = deterministic(matrix.ref, async () => {
      const plan = decodeForestPlan(await store.readFile(matrix, PLAN_FILE), `${matrix.ref}/${PLAN_FILE}`);
      return new TreeBuilder(plan, resolveNJobs(config.random_forest_pipeline.random_forest.n_jobs));
    });
    entry = { ready, users: 0 };
    builders.set(key, entry);
    ready.catch(() => builders.delete(key));
  }
  const e = entry;
  e.users++;
  let builder: TreeBuilder;
  try {
    builder = await e.ready;
  } catch (err) {
    e.users--;
    throw err;
  }
  if (!builder.usable) {
    e.users--;
    if (builders.get(key) === e) builders.delete(key);
    if (e.users === 0) void builder.close();
    return acquireBuilder(store, matrix, config);
  }
  let released = false;
  return {
    builder,
    release: () => {
      if (released) return;
      released = true;
      e.users--;
      if (e.users === 0) {
        if (builders.get(key) === e) builders.delete(key);
        void builder.close();
      }
    },
  };
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
