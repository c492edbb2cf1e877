/**
 * The inference pipeline fitted with its forest spread over processes. The planning process fits
 * the processor and plans the forest (bins the matrix, draws the seeds); shard processes build
 * contiguous ranges of trees from that plan; the assembling process joins the trees in tree order
 * and puts the pipeline together. Each piece is the one the one-process fit uses, so the result is
 * byte-identical to `fitInferencePipeline` with the same spec and data.
 */
import { type ForestPlan, assembleForest, planForest } from '../forest/forest';
import type { TreeArrays } from '../forest/predictor';
import type { ColumnSpec, Table } from '../table/table';
import { type ColumnTransformerState, FittedColumnTransformer } from '../transformers/column-transformer';
import { InferencePipeline, checkFitInput, fitProcessor } from './inference-pipeline';
import { type PipelineSpec, validateSpec } from './spec';

/** Everything of the pipeline but its forest: JSON, small. */
export interface PipelineFrame {
  spec: PipelineSpec;
  classes: string[];
  inputSchema: ColumnSpec[];
  processor: ColumnTransformerState;
}

export interface ShardedFitPlan {
  frame: PipelineFrame;
  forest: ForestPlan;
}

/** Fits the processor and plans the forest; errors name the column, row or hyperparameter. */
export function planShardedFit(rawTable: Table, specIn: PipelineSpec): ShardedFitPlan {
  const input = checkFitInput(rawTable, specIn);
  if (input.engine.name !== 'native') {
    throw new Error(
      `random_forest.shards: sharded training needs the native engine, not ${input.engine.name} (set random_forest.shards to 1)`,
    );
  }
  const { processor, X, inputSchema } = fitProcessor(input);
  return {
    frame: { spec: input.spec, classes: input.classes, inputSchema, processor: processor.toState() },
    forest: planForest(X, input.codes, input.params, input.classes),
  };
}

/** The fitted pipeline from its frame, its forest plan and every tree of the plan in tree order. */
export function assembleShardedPipeline(
  frame: PipelineFrame,
  forest: ForestPlan,
  trees: readonly TreeArrays[],
): InferencePipeline {
  return new InferencePipeline(
    validateSpec(frame.spec),
    frame.classes,
    frame.inputSchema,
    FittedColumnTransformer.fromState(frame.processor),
    assembleForest(forest, trees),
  );
}

/**
 * Splits trees 0 .. nTrees - 1 into `shards` contiguous ranges [from, to) whose sizes differ by at
 * most one (the first ranges get the extra trees). More shards than trees gives one tree each.
 */
export function shardRanges(nTrees: number, shards: number): Array<{ from: number; to: number }> {
  const k = Math.max(1, Math.min(Math.floor(shards), nTrees));
  const base = Math.floor(nTrees / k);
  const extra = nTrees % k;
  const out: Array<{ from: number; to: number }> = [];
  let from = 0;
  for (let s = 0; s < k; s++) {
    const to = from + base + (s < extra ? 1 : 0);
    out.push({ from, to });
    from = to;
  }
  return out;
}
