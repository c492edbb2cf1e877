/**
 * A forest fitted in pieces (plan → contiguous tree ranges built apart → bytes → assembled) is the
 * same model, byte for byte, as the one-process fit: for any number of shards, any thread count per
 * shard, and with OOB scoring and per-tree class weights, which depend on every tree.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  assembleShardedPipeline,
  buildTrees,
  decodeForestPlan,
  decodeTrees,
  encodeForestPlan,
  encodeTrees,
  fitInferencePipeline,
  modelDigest,
  planShardedFit,
  serializeModel,
  shardRanges,
  type PipelineFrame,
  type TreeArrays,
} from '../../src/ml/index';
import { SPEC, syntheticTable } from './synthetic';

const data = syntheticTable(600, 5);

async function shardedDigest(forestParams: Record<string, unknown>, shards: number, nJobs: number) {
  const plan = planShardedFit(data, { ...SPEC, random_forest: forestParams });
  // Every piece crosses a process boundary as bytes, as it does between activities.
  const frame = JSON.parse(JSON.stringify(plan.frame)) as PipelineFrame;
  const planBytes = encodeForestPlan(plan.forest);
  const chunks: Buffer[] = [];
  for (const { from, to } of shardRanges(plan.forest.seeds.length, shards)) {
    const forest = decodeForestPlan(planBytes);
    const indices = Array.from({ length: to - from }, (_, i) => from + i);
    chunks.push(encodeTrees(from, await buildTrees(forest, indices, nJobs)));
  }
  const trees: TreeArrays[] = [];
  for (const c of chunks.reverse()) {
    const { first, trees: part } = decodeTrees(c);
    part.forEach((t, i) => (trees[first + i] = t));
  }
  return modelDigest(serializeModel(assembleShardedPipeline(frame, decodeForestPlan(planBytes), trees)));
}

for (const [name, params] of [
  ['defaults', { n_estimators: 13, max_depth: 8, random_state: 7, n_jobs: 2 }],
  [
    'OOB score, balanced_subsample, unlimited depth',
    {
      n_estimators: 9,
      max_depth: null,
      oob_score: true,
      class_weight: 'balanced_subsample',
      random_state: 3,
      n_jobs: 1,
    },
  ],
] as const) {
  void test(`sharded fit is byte-identical to the one-process fit (${name})`, async () => {
    const whole = modelDigest(
      serializeModel(await fitInferencePipeline(data, { ...SPEC, random_forest: { ...params } })),
    );
    for (const [shards, nJobs] of [
      [1, 1],
      [2, 2],
      [3, 1],
      [7, 2],
    ]) {
      assert.equal(
        await shardedDigest({ ...params }, shards, nJobs),
        whole,
        `${shards} shards × ${nJobs} threads`,
      );
    }
  });
}

void test('a tree range out of the plan is refused; shard ranges cover every tree once', async () => {
  const plan = planShardedFit(data, { ...SPEC, random_forest: { n_estimators: 3, random_state: 1 } });
  await assert.rejects(buildTrees(plan.forest, [3], 1), /tree index 3 is outside the plan's 3 trees/);
  assert.deepEqual(shardRanges(10, 3), [
    { from: 0, to: 4 },
    { from: 4, to: 7 },
    { from: 7, to: 10 },
  ]);
  assert.deepEqual(shardRanges(2, 5), [
    { from: 0, to: 1 },
    { from: 1, to: 2 },
  ]);
});
