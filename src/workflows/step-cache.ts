/**
 * The step cache in the workflow: before a step runs, an activity computes its key and looks it up
 * (the workflow cannot do I/O); a hit skips the step and takes its cached outputs, a miss runs it
 * and records the outcome under the key. evaluate is cached by its model and test digests, but the
 * champion/challenger decision is always made again (prod may have moved), so on a hit the evaluate
 * activity still runs, with the cached scores. Deterministic: @temporalio/workflow and types only.
 * Old histories replay without it: the pipeline calls this only where `patched(STEP_CACHE_PATCH)`.
 */
import { isCancellation, log, proxyActivities } from '@temporalio/workflow';
import type { createActivities } from '../activities';
import type { StepCacheLookup } from '../activities/step-cache';
import type { ResolvedRun, StepActivityInput, StepOutcome } from '../activities/types';
import type { PipelineInput, StepCacheInfo, StepName } from '../contract';

type Activities = ReturnType<typeof createActivities>;

export const STEP_CACHE_PATCH = 'step-cache';

const RETRY = { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 10 };

/** Whether the step may be served from the cache, and if not, why (recorded as the miss reason). */
export function cacheUse(input: PipelineInput, step: StepName): { use: boolean; why?: string } {
  if (input.noCache) return { use: false, why: 'cache not used (--no-cache)' };
  if (input.force?.includes(step)) return { use: false, why: `forced (--force ${step})` };
  return { use: true };
}

export function cacheInfo(lookup: StepCacheLookup): StepCacheInfo {
  return {
    hit: Boolean(lookup.hit),
    key: lookup.key,
    reason: lookup.reason,
    ...(lookup.hit ? { from: `${lookup.hit.from.workflowId}/${lookup.hit.from.step}` } : {}),
    ...(lookup.warning ? { warning: lookup.warning } : {}),
  };
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export interface CachedStep {
  step: StepName;
  /** `3/6` as the activity summaries number steps. */
  position: string;
  input: PipelineInput;
  resolved: ResolvedRun;
  stepInput: StepActivityInput;
  /** Runs the step's own activity. */
  run(stepInput: StepActivityInput): Promise<StepOutcome>;
  /** Called with the step's cache state as soon as it is known (before the step runs). */
  onCache(info: StepCacheInfo): void;
}

/** Runs one step through the cache: lookup, then the cached outcome or the step and its record. */
export async function runThroughCache(s: CachedStep): Promise<StepOutcome> {
  const { step, stepInput, resolved } = s;
  const acts = proxyActivities<Activities>({
    startToCloseTimeout: '2m',
    retry: RETRY,
    summary: `${s.position} ${step}: cache lookup (a hit skips the step)`,
  });
  let lookup: StepCacheLookup | undefined;
  try {
    lookup = await acts.lookupStepCache({
      step,
      config: stepInput.config,
      inputs: stepInput.inputs,
      ...cacheUse(s.input, step),
      ...(resolved.resume
        ? { previous: { workflowId: resolved.resume.workflowId, key: resolved.resume.keys[step] } }
        : {}),
    });
  } catch (err) {
    if (isCancellation(err)) throw err;
    // The cache only saves work: when it cannot be read, the step runs.
    log.warn(`${step}: cache lookup failed, running the step: ${message(err)}`);
    s.onCache({ hit: false, key: '', reason: `cache lookup failed: ${message(err)}` });
    return s.run(stepInput);
  }
  s.onCache(cacheInfo(lookup));
  const hit = lookup.hit;
  if (hit && step !== 'evaluate') return hit.outcome;
  if (hit) {
    const evaluation = hit.outcome.produced[0];
    return s.run({
      ...stepInput,
      cached: { evaluation, metrics: hit.outcome.metrics ?? {}, from: `${hit.from.workflowId}/${step}` },
    });
  }
  const outcome = await s.run(stepInput);
  try {
    const record = proxyActivities<Activities>({
      startToCloseTimeout: '2m',
      retry: RETRY,
      summary: `${s.position} ${step}: record in the cache`,
    });
    await record.recordStepCache({
      step,
      config: stepInput.config,
      key: lookup.key,
      components: lookup.components,
      outcome,
    });
  } catch (err) {
    if (isCancellation(err)) throw err;
    log.warn(`${step}: its outcome could not be cached: ${message(err)}`);
  }
  return outcome;
}
