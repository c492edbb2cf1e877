/**
 * The one module shared by workflows, activities, the worker and the CLI: names, constants and the
 * small JSON shapes that cross the Temporal boundary. Everything here is plain data (payloads stay small).
 * Workflow code imports this file (it has no runtime dependencies).
 */

export const TASK_QUEUE = 'ml-pipeline';
export const WORKFLOW_TYPE = 'trainingPipeline';
export const SWEEP_WORKFLOW_TYPE = 'sweepPipeline';
export const DEFAULT_NAMESPACE = 'default';
export const DEFAULT_TEMPORAL_ADDRESS = 'localhost:7233';
export const DEFAULT_WEB_UI = 'http://localhost:8233';

export const STEP_NAMES = [
  'get_data',
  'preprocess',
  'check_data',
  'segregate',
  'train_random_forest',
  'evaluate',
] as const;
export type StepName = (typeof STEP_NAMES)[number];

/** Names the reference MLflow project used for the same steps; config accepts them unchanged. */
export const STEP_ALIASES: Readonly<Record<string, StepName>> = {
  download: 'get_data',
  random_forest: 'train_random_forest',
};

/** Artifact names the steps produce (as in the reference's W&B project). */
export const ARTIFACTS = {
  raw: 'raw_data',
  preprocessed: 'preprocessed_data',
  checkReport: 'check_report',
  /** The data contract inferred from a reference dataset version (src/checks/contract). */
  dataContract: 'data_contract',
  train: 'data_train',
  test: 'data_test',
  model: 'model_export',
  /** A sharded fit's plan: the binned training matrix, labels, seeds and fitted processor. */
  trainMatrix: 'train_matrix',
  /** Trees a shard of a sharded fit built (a contiguous run of tree indices). */
  treeShard: 'tree_shard',
  evaluation: 'evaluation',
  report: 'run_report',
} as const;

/** Typed search attributes registered on the dev server and upserted by the workflow. */
export const SEARCH_ATTRIBUTES = {
  step: 'MlpipeStep',
  status: 'MlpipeStatus',
  trigger: 'MlpipeTrigger',
  testAuc: 'MlpipeTestAuc',
  modelRef: 'MlpipeModelRef',
} as const;

export type TriggerKind = 'cli' | 'temporal-cli' | 'schedule' | 'sweep';

export interface TriggerInfo {
  kind: TriggerKind;
  /** Schedule ID, sweep parent workflow ID, or the CLI user. */
  id?: string;
}

/** Workflow input. `{}` runs the defaults from config/pipeline.yaml as loaded by the worker. */
export interface PipelineInput {
  /** Hydra-style `a.b.c=value` overrides applied on top of the worker's config. */
  overrides?: string[];
  /** A partial config object merged on top of the worker's config (after overrides). */
  config?: Record<string, unknown>;
  trigger?: TriggerInfo;
  /** Pinned input artifacts (used by sweeps so that every trial trains on the same data). */
  // e.g. {"model": "model_export:v3"} with main.execute_steps=[evaluate] scores any exported model.
  inputs?: Partial<Record<'raw' | 'data' | 'train' | 'test' | 'model', string>>;
}

/** A resolved artifact reference: what a step consumed or produced. */
export interface ResolvedRef {
  /** As asked, e.g. `data_train:latest`. */
  requested?: string;
  name: string;
  version: number;
  /** `name:vN` */
  ref: string;
  digest: string;
  reused?: boolean;
}

export type Metrics = Record<string, number>;

export interface StepResult {
  step: StepName;
  consumed: ResolvedRef[];
  produced: ResolvedRef[];
  metrics?: Metrics;
  /** Short human summary for the Web UI and the CLI. */
  summary: string;
  /** Small structured details (never tables). */
  details?: Record<string, unknown>;
}

export type StepStatus = 'pending' | 'running' | 'completed' | 'failed' | 'skipped';

export interface StepProgress {
  step: StepName;
  status: StepStatus;
  attempts: number;
  startedAt?: string;
  endedAt?: string;
  durationMs?: number;
  summary?: string;
  error?: string;
}

export interface PipelineProgress {
  workflowId: string;
  /** `awaiting_approval`: evaluate chose the candidate and the run waits for `approve` / `reject` (evaluate.approval). */
  status: 'running' | 'awaiting_approval' | 'completed' | 'failed';
  currentStep?: StepName;
  steps: StepProgress[];
  /** Trees done / total during training, from the train activity's heartbeats. */
  training?: { done: number; total: number };
  /** A sharded fit's shards (random_forest.shards), as the workflow has seen them finish. */
  shards?: ShardProgress[];
}

export interface ShardProgress {
  shard: number;
  /** Tree indices [from, to). */
  from: number;
  to: number;
  status: 'running' | 'completed' | 'failed';
  attempts?: number;
  /** Trees the final attempt built, and trees it took from earlier attempts' checkpoints. */
  built?: number;
  resumed?: number;
  worker?: string;
  durationMs?: number;
}

export interface PromotionDecision {
  promoted: boolean;
  reason: string;
  metric: string;
  candidate: number;
  prod?: number;
  prodRef?: string;
  /** Set when evaluate.approval is `required` and the candidate won: the approval gate's state and outcome. */
  approval?: ApprovalState;
}

// ---- the approval gate (evaluate.approval: required) ----------------------------------------

/** The workflow's `patched()` ID of the approval gate. */
export const APPROVAL_PATCH = 'approval-gate';
/** Temporal Update names the gate accepts, with an ApprovalInput. */
export const APPROVAL_UPDATES = { approve: 'approve', reject: 'reject' } as const;

export type ApprovalDecision = 'awaiting_approval' | 'approved' | 'rejected' | 'approval_timed_out';

/** The argument of the `approve` and `reject` updates. */
export interface ApprovalInput {
  /** Why (kept in the alias history and the run record). */
  reason: string;
  /** Who: `cli:<user>` from `mlpipe approve`, any name from elsewhere. */
  actor: string;
}

export interface ApprovalState {
  decision: ApprovalDecision;
  /** The candidate waiting for the alias, e.g. `model_export:v4`. */
  candidateRef: string;
  candidateVersion: number;
  /** The alias's version when evaluate decided (null: it did not exist): the CAS's expected version. */
  championVersion: number | null;
  /** The test split both models were scored on. */
  testRef: string;
  requestedAt: string;
  /** evaluate.approval_timeout as configured. */
  timeout: string;
  actor?: string;
  reason?: string;
  decidedAt?: string;
}

export interface PipelineResult {
  workflowId: string;
  runId: string;
  configDigest: string;
  modelRef?: string;
  metrics: Metrics;
  artifacts: Partial<Record<StepName, ResolvedRef[]>>;
  promotion?: PromotionDecision;
  reportRef?: string;
  lineageKey: string;
  steps: StepProgress[];
  /** Set when tracking.mlflow.uri is: what reached the MLflow tracking server. */
  mlflow?: MlflowSyncState;
}

/** What the optional MLflow tracking sink sends for a run (src/tracking/mlflow), in sending order. */
export const MLFLOW_SYNC_ITEMS = [
  'run',
  'params',
  'metrics',
  'tags',
  'model',
  'registered_model',
  'alias',
  'status',
] as const;
export type MlflowSyncItem = (typeof MLFLOW_SYNC_ITEMS)[number];

/** Where a run stands in an MLflow tracking server; kept in the run record and returned by the workflow. */
export interface MlflowSyncState {
  /** The tracking server (never with credentials: those come only from the environment). */
  uri: string;
  experimentId?: string;
  /** MLflow's run ID (the run's name and `mlpipe.workflow_id` tag are the workflow ID). */
  runId?: string;
  runUrl?: string;
  /** MLflow's logged model holding the model export. */
  modelId?: string;
  registeredModel?: { name: string; version: string; alias?: string };
  synced: MlflowSyncItem[];
  /** What is still to send: `mlpipe sync <workflowId>` sends it. */
  unsynced: MlflowSyncItem[];
  /** Why each unsynced item was not sent (the server's own message). */
  errors?: Partial<Record<MlflowSyncItem, string>>;
  /** True when the server did not answer (or failed): a later attempt may send what is left. */
  retryable?: boolean;
  /** Tries so far: the workflow's (its activity retries), then one more per `mlpipe sync`. */
  attempts: number;
  at: string;
}
