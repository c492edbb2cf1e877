/**
 * Shapes passed between the workflow and the activities. All small JSON: refs, digests, metrics.
 */
import type {
  PipelineInput,
  PromotionDecision,
  ResolvedRef,
  StepName,
  StepProgress,
  StepResult,
  TriggerInfo,
  Metrics,
} from '../contract';
import type { PipelineConfig } from '../config';

export interface StepActivityOptions {
  startToCloseTimeout: string;
  heartbeatTimeout?: string;
  retry: {
    initialInterval: string;
    backoffCoefficient: number;
    maximumInterval: string;
    maximumAttempts: number;
    nonRetryableErrorTypes?: string[];
  };
}

export interface CodeVersion {
  package: string;
  version: string;
  gitCommit?: string;
  node: string;
}

/** What the first activity resolves from the workflow input: everything the workflow must not compute itself. */
export interface ResolvedRun {
  config: PipelineConfig;
  configDigest: string;
  steps: StepName[];
  stepOptions: Record<StepName, StepActivityOptions>;
  codeVersion: CodeVersion;
  storeUri: string;
  /** Whether the worker could register the typed search attributes (upserting unknown ones fails the workflow task). */
  searchAttributes: boolean;
}

export interface StepActivityInput {
  config: PipelineConfig;
  /** Input slot → artifact ref (`data_train:v3`, `data_train:latest`). */
  inputs: Record<string, string>;
  /** Skip the prod comparison and alias move (sweep trials). */
  promote?: boolean;
}

export interface StepOutcome extends StepResult {
  startedAt: string;
  durationMs: number;
  attempt: number;
  promotion?: PromotionDecision;
}

export interface RunRecordInput {
  workflowId: string;
  runId: string;
  workflowType: string;
  status: 'completed' | 'failed' | 'cancelled';
  error?: string;
  trigger: TriggerInfo;
  input: PipelineInput;
  config: PipelineConfig;
  configDigest: string;
  codeVersion: CodeVersion;
  startedAt: string;
  steps: StepProgress[];
  outcomes: StepOutcome[];
  metrics: Metrics;
  promotion?: PromotionDecision;
  parentWorkflowId?: string;
}

export interface RunRecordResult {
  lineageKey: string;
  report?: ResolvedRef;
  reportPath?: string;
}

/** A sharded fit's plan, from planTreeShards: where the matrix is and which trees each shard builds. */
export interface ShardPlan {
  /** The published `train_matrix` version (binned matrix, labels, seeds, fitted processor). */
  matrix: ResolvedRef;
  nTrees: number;
  /** Seconds spent fitting the processor and binning (the fit's part before the shards). */
  planSeconds: number;
  /** random_forest.shards as configured (a number, or auto). */
  requested: number | 'auto';
  /** Contiguous tree ranges [from, to), one per shard. */
  ranges: Array<{ from: number; to: number }>;
}

export interface ShardPlanOutcome extends StepOutcome {
  shardPlan: ShardPlan;
}

export interface TreeShardInput {
  config: PipelineConfig;
  /** The train_matrix ref (`train_matrix:vN`). */
  matrix: string;
  shard: number;
  shards: number;
  from: number;
  to: number;
}

/** A shard's trees (its `produced` are the tree_shard versions, in tree order) and what it cost. */
export interface TreeShardOutcome extends StepOutcome {
  shard: number;
  from: number;
  to: number;
  /** Trees this (final) attempt built, and trees it took from earlier attempts' checkpoints. */
  built: number;
  resumed: number;
  /** The worker that ran the final attempt (`pid@host`, Temporal's default identity). */
  identity: string;
}

export interface MergeTreeShardsInput {
  step: StepActivityInput;
  plan: ShardPlan;
  /** When planning started: the step's time runs from there to the end of the merge. */
  planned: { startedAt: string };
  shards: TreeShardOutcome[];
}
