/**
 * The six-step training pipeline as one Temporal workflow. Each step is an activity with the retry
 * policy and timeouts from config; the workflow only orders steps, threads artifact refs between
 * them, keeps the Web UI legible and records lineage at the end (also when a step fails).
 */
import {
  ApplicationFailure,
  CancellationScope,
  defineQuery,
  isCancellation,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import type { createActivities } from '../activities';
import type { ResolvedRun, StepActivityInput, StepOutcome } from '../activities/types';
import type {
  Metrics,
  MlflowSyncState,
  PipelineInput,
  PipelineProgress,
  PipelineResult,
  PromotionDecision,
  ResolvedRef,
  StepName,
  StepProgress,
  TriggerInfo,
} from '../contract';
import { APPROVAL_PATCH, SEARCH_ATTRIBUTES, WORKFLOW_TYPE } from '../contract';
import { ApprovalGate, approvalMarkdown, type PendingPromotion } from './approval-gate';
import { renderProgressMarkdown } from './progress-table';
import { resolveStepInputs } from './step-plan';
import { shardingRequested, trainSharded } from './sharded-training';

type Activities = ReturnType<typeof createActivities>;

export const progressQuery = defineQuery<PipelineProgress>('progress');

/** Activity names per step; `resolveRun` and `recordRun` are bookkeeping around them. */
const STEP_ACTIVITY: Record<StepName, keyof Activities> = {
  get_data: 'getData',
  preprocess: 'preprocess',
  check_data: 'checkData',
  segregate: 'segregate',
  train_random_forest: 'trainRandomForest',
  evaluate: 'evaluate',
};

const STEP_SUMMARY: Record<StepName, string> = {
  get_data: 'get_data: fetch the raw table and log raw_data',
  preprocess: 'preprocess: drop duplicates, build the text feature',
  check_data: 'check_data: deterministic checks and KS drift tests',
  segregate: 'segregate: stratified train/test split',
  train_random_forest: 'train_random_forest: fit and export the inference pipeline',
  evaluate: 'evaluate: score on the test split, champion/challenger',
};

const bookkeeping = proxyActivities<Activities>({
  startToCloseTimeout: '2m',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 10 },
});

/**
 * Alias events (src/events) after the last step: one try, bounded; the delivery records its own
 * failures for redelivery, and the run never fails or waits long because of a webhook.
 */
const eventDelivery = proxyActivities<Activities>({
  startToCloseTimeout: '2m',
  retry: { maximumAttempts: 1 },
  summary: 'deliver alias events (webhooks, Temporal)',
});

function keywordPair(name: string, value: string): SearchAttributeUpdatePair {
  return { key: { name, type: 'KEYWORD' }, value } as SearchAttributeUpdatePair;
}

function detectTrigger(input: PipelineInput): TriggerInfo {
  if (input.trigger) return input.trigger;
  // A run started by a Temporal Schedule carries the schedule's ID in a system search attribute.
  const scheduledBy = workflowInfo().typedSearchAttributes.get({
    name: 'TemporalScheduledById',
    type: 'KEYWORD',
  } as never) as unknown;
  if (typeof scheduledBy === 'string' && scheduledBy) return { kind: 'schedule', id: scheduledBy };
  const parent = workflowInfo().parent;
  if (parent) return { kind: 'sweep', id: parent.workflowId };
  return { kind: 'temporal-cli' };
}

/**
 * The message to show for a failed step. Activity failures wrap the real cause, and the innermost
 * message is the one that names the file / column / key; a wrapper that repeats it with context
 * (`data.source x.csv: the table has no rows` around `the table has no rows`) says more, so the
 * outermost message that contains the innermost one is shown.
 */
function errorMessage(err: unknown): string {
  const chain: string[] = [];
  for (let cur: unknown = err; cur; cur = (cur as { cause?: unknown }).cause) {
    chain.push(cur instanceof Error ? cur.message : String(cur));
    if (typeof cur !== 'object') break;
  }
  const innermost = chain[chain.length - 1];
  return (innermost && chain.find((m) => m.includes(innermost))) || innermost;
}

/**
 * The optional MLflow sink, after the run record (it sends the run from the record). It retries a
 * few times and never fails the run: what was not sent stays listed in the record for `mlpipe sync`.
 */
async function syncToMlflow(run: ResolvedRun, maxAttempts: number): Promise<MlflowSyncState | undefined> {
  const { syncMlflow } = proxyActivities<Activities>({
    startToCloseTimeout: '10m',
    retry: {
      initialInterval: '2s',
      backoffCoefficient: 2,
      maximumInterval: '30s',
      maximumAttempts: maxAttempts,
    },
    summary: 'tracking: send the run to MLflow',
  });
  try {
    return await CancellationScope.nonCancellable(() =>
      syncMlflow({ workflowId: workflowInfo().workflowId, config: run.config, maxAttempts }),
    );
  } catch {
    return undefined; // the record says what is left (or, with the store unreachable, nothing was sent)
  }
}

export async function trainingPipeline(input: PipelineInput = {}): Promise<PipelineResult> {
  const info = workflowInfo();
  const trigger = detectTrigger(input);
  const startedAt = info.runStartTime.toISOString();
  const progress: PipelineProgress = { workflowId: info.workflowId, status: 'running', steps: [] };
  setHandler(progressQuery, () => progress, {
    description: 'The run so far: each step with its status, attempts, timings and one-line result.',
  });

  let run: ResolvedRun | undefined;
  const outcomes: StepOutcome[] = [];
  const metrics: Metrics = {};
  const produced: Record<string, string> = {};
  const artifacts: Partial<Record<StepName, ResolvedRef[]>> = {};
  let promotion: PromotionDecision | undefined;
  let modelRef: string | undefined;
  let approvalNote: string | undefined;
  const gate = new ApprovalGate(() =>
    progress.currentStep ? `the run is at step ${progress.currentStep}` : `the run is ${progress.status}`,
  );

  const publishProgress = (): void => {
    const headline =
      [modelRef ? `Model: \`${modelRef}\`` : undefined, approvalNote].filter(Boolean).join('\n\n') ||
      undefined;
    setCurrentDetails(renderProgressMarkdown(progress, headline));
    if (run?.searchAttributes) {
      upsertSearchAttributes([
        keywordPair(SEARCH_ATTRIBUTES.status, progress.status),
        keywordPair(SEARCH_ATTRIBUTES.step, progress.currentStep ?? 'none'),
        keywordPair(SEARCH_ATTRIBUTES.trigger, trigger.kind),
        ...(modelRef ? [keywordPair(SEARCH_ATTRIBUTES.modelRef, modelRef)] : []),
        ...(metrics.test_auc_ovo !== undefined
          ? [
              {
                key: { name: SEARCH_ATTRIBUTES.testAuc, type: 'DOUBLE' },
                value: metrics.test_auc_ovo,
              } as SearchAttributeUpdatePair,
            ]
          : []),
      ]);
    }
  };

  let mlflow: MlflowSyncState | undefined;

  const finish = async (status: 'completed' | 'failed' | 'cancelled', error?: string) => {
    progress.status = status === 'completed' ? 'completed' : 'failed';
    progress.currentStep = undefined;
    publishProgress();
    if (!run) return undefined;
    const resolved = run;
    // Lineage is written even when the run was cancelled: it is the run's record.
    const recorded = await CancellationScope.nonCancellable(() =>
      bookkeeping.recordRun({
        workflowId: info.workflowId,
        runId: info.runId,
        workflowType: WORKFLOW_TYPE,
        status,
        error,
        trigger,
        input,
        config: resolved.config,
        configDigest: resolved.configDigest,
        codeVersion: resolved.codeVersion,
        startedAt,
        steps: progress.steps,
        outcomes,
        metrics,
        promotion,
        parentWorkflowId: info.parent?.workflowId,
      }),
    );
    const sink = resolved.config.tracking?.mlflow;
    if (sink?.uri && patched('mlflow-sink')) mlflow = await syncToMlflow(resolved, sink.max_attempts);
    return recorded;
  };

  try {
    run = await bookkeeping.resolveRun(input);
  } catch (err) {
    progress.status = 'failed';
    setCurrentDetails(`**Status:** failed\n\nThe configuration could not be resolved: ${errorMessage(err)}`);
    throw err;
  }
  const resolved = run;
  progress.steps = resolved.steps.map((step): StepProgress => ({ step, status: 'pending', attempts: 0 }));
  publishProgress();

  for (const [i, step] of resolved.steps.entries()) {
    const entry = progress.steps[i];
    entry.status = 'running';
    entry.attempts = 1;
    progress.currentStep = step;
    publishProgress();

    const acts = proxyActivities<Activities>({
      ...resolved.stepOptions[step],
      summary: `${i + 1}/${resolved.steps.length} ${STEP_SUMMARY[step]}`,
    });
    const stepInput: StepActivityInput = {
      config: resolved.config,
      inputs: resolveStepInputs(
        step,
        produced,
        input.inputs ?? {},
        resolved.config.random_forest_pipeline.export_artifact,
      ),
      promote: trigger.kind !== 'sweep',
    };
    try {
      const activity = acts[STEP_ACTIVITY[step]] as (x: StepActivityInput) => Promise<StepOutcome>;
      // Runs recorded before sharding existed never ask for it, so they replay on the old path.
      const sharded =
        step === 'train_random_forest' && shardingRequested(resolved.config) && patched('sharded-training');
      const outcome = sharded
        ? await trainSharded(stepInput, {
            options: resolved.stepOptions[step],
            label: `${i + 1}/${resolved.steps.length} train_random_forest`,
            progress,
            onProgress: publishProgress,
          })
        : await activity(stepInput);
      outcomes.push(outcome);
      for (const ref of outcome.produced) produced[ref.name] = ref.ref;
      artifacts[step] = outcome.produced;
      Object.assign(metrics, outcome.metrics ?? {});
      if (outcome.promotion) promotion = outcome.promotion;
      if (step === 'train_random_forest') {
        modelRef = outcome.produced.find(
          (r) => r.name === resolved.config.random_forest_pipeline.export_artifact,
        )?.ref;
      }
      Object.assign(entry, {
        status: 'completed',
        attempts: outcome.attempt,
        startedAt: outcome.startedAt,
        durationMs: outcome.durationMs,
        summary: outcome.summary,
      } satisfies Partial<StepProgress>);
    } catch (err) {
      entry.status = 'failed';
      entry.error = errorMessage(err);
      const cancelled = isCancellation(err);
      await finish(cancelled ? 'cancelled' : 'failed', `${step}: ${entry.error}`);
      if (cancelled) throw err;
      throw ApplicationFailure.create({
        type: 'PipelineStepFailed',
        message: `step ${step} failed: ${entry.error}`,
        nonRetryable: true,
        cause: err instanceof Error ? err : undefined,
      });
    }
  }

  if (promotion?.approval?.decision === 'awaiting_approval' && patched(APPROVAL_PATCH)) {
    const pending = promotion as PendingPromotion;
    const alias = resolved.config.evaluate.promote_alias;
    progress.status = 'awaiting_approval';
    approvalNote = approvalMarkdown(pending, info.workflowId, alias);
    publishProgress();
    const approvalActs = proxyActivities<Activities>({
      ...resolved.stepOptions.evaluate,
      summary: `approval: move ${alias} to ${pending.approval.candidateRef} by compare-and-swap`,
    });
    try {
      promotion = await gate.wait(pending, (approved) =>
        approvalActs.promoteApproved({ config: resolved.config, promotion: approved }),
      );
    } catch (err) {
      const message = `approval: ${errorMessage(err)}`;
      await finish(isCancellation(err) ? 'cancelled' : 'failed', message);
      if (isCancellation(err)) throw err;
      throw ApplicationFailure.create({ type: 'ApprovalFailed', message, nonRetryable: true });
    }
    progress.status = 'running';
    approvalNote = undefined;
    const evaluated = progress.steps.find((s) => s.step === 'evaluate');
    if (evaluated)
      evaluated.summary = `${evaluated.summary ?? ''}; ${promotion.approval?.decision}: ${promotion.reason}`;
  }

  if (patched('alias-events')) {
    try {
      await eventDelivery.deliverAliasEvents({ config: resolved.config });
    } catch {
      // The moves are made and kept; `mlpipe events ls --failed` / `redeliver` take it from here.
    }
  }

  const recorded = await finish('completed');
  return {
    workflowId: info.workflowId,
    runId: info.runId,
    configDigest: resolved.configDigest,
    modelRef,
    metrics,
    artifacts,
    promotion,
    ...(mlflow ? { mlflow } : {}),
    reportRef: recorded?.report?.ref,
    lineageKey: recorded?.lineageKey ?? `runs/${info.workflowId}`,
    steps: progress.steps,
  };
}
