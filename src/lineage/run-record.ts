/**
 * The run's lineage record, keyed by workflow ID: what ran (config + code), why (trigger), what it
 * read and wrote (refs as asked and as resolved, with digests), how each step went, and its metrics.
 * Stored as a small JSON record beside the artifacts, so `mlpipe lineage` answers "what made prod?"
 * from the store alone.
 */
import type {
  Metrics,
  MlflowSyncState,
  PipelineInput,
  PromotionDecision,
  ResolvedRef,
  StepProgress,
  TriggerInfo,
} from '../contract';

export const RUN_RECORD_PREFIX = 'runs/';
export const RUN_RECORD_VERSION = 1;

/**
 * Record keys allow a restricted alphabet; workflow IDs allow anything. Other characters (and a
 * leading non-alphanumeric) are written as `=XX` hex escapes, which is reversible and readable.
 */
export function runRecordKey(workflowId: string): string {
  const escaped = workflowId.replace(/[^A-Za-z0-9._:@+-]/g, (c) =>
    [...Buffer.from(c, 'utf8')].map((b) => `=${b.toString(16).padStart(2, '0')}`).join(''),
  );
  const safe = /^[A-Za-z0-9]/.test(escaped)
    ? escaped
    : `=${escaped.charCodeAt(0).toString(16)}${escaped.slice(1)}`;
  return `${RUN_RECORD_PREFIX}${safe}`;
}

export interface StepRecord extends StepProgress {
  consumed: ResolvedRef[];
  produced: ResolvedRef[];
  metrics?: Metrics;
  /** The step's structured details, such as the train step's feature plan. */
  details?: Record<string, unknown>;
}

export interface RunRecord {
  record_version: number;
  workflowId: string;
  runId: string;
  workflowType: string;
  parentWorkflowId?: string;
  status: 'completed' | 'failed' | 'cancelled';
  error?: string;
  trigger: TriggerInfo;
  /** The workflow input's overrides: small, user-given, never credentials (those come only from the environment). */
  input: Pick<PipelineInput, 'overrides' | 'inputs'> & { config?: Record<string, unknown> };
  startedAt: string;
  endedAt: string;
  config: unknown;
  configDigest: string;
  codeVersion: { package: string; version: string; gitCommit?: string; node: string };
  steps: StepRecord[];
  consumed: ResolvedRef[];
  produced: ResolvedRef[];
  metrics: Metrics;
  modelRef?: string;
  promotion?: PromotionDecision;
  report?: ResolvedRef;
  /** Where the run stands in the optional tracking sinks (tracking.mlflow): what was sent, what was not. */
  tracking?: { mlflow?: MlflowSyncState };
}

/** Artifacts consumed from outside the run (not produced by an earlier step of the same run). */
export function externalInputs(steps: StepRecord[]): ResolvedRef[] {
  const producedHere = new Set(steps.flatMap((s) => s.produced.map((r) => r.ref)));
  const seen = new Set<string>();
  return steps
    .flatMap((s) => s.consumed)
    .filter((r) => {
      if (producedHere.has(r.ref) || seen.has(r.ref)) return false;
      seen.add(r.ref);
      return true;
    });
}
