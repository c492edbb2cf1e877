export { InferencePipeline, fitInferencePipeline, withDerivedColumns } from './inference-pipeline';
export type { FitPipelineOptions } from './inference-pipeline';
export { validateSpec, referenceTracks } from './spec';
export type { PipelineSpec } from './spec';
export { labelStrings, sortedClasses, encodeLabels, decodeLabels, argmaxRows } from './labels';
export type { EncodedLabels } from './labels';
export { planShardedFit, assembleShardedPipeline, shardRanges } from './sharded-fit';
export type { PipelineFrame, ShardedFitPlan } from './sharded-fit';
