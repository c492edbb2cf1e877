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
import type { PlannedLookup, StepCacheLookup } from '../activities/step-cache';
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

/** Lookups made ahead for later steps (one activity for a run of hits), per workflow execution. */
export interface StepCacheState {
  ahead: Map<StepName, PlannedLookup>;
}

export function newStepCacheState(): StepCacheState {
  return { ahead: new Map() };
}

function sameInputs(a: Record<string, string>, b: Record<string, string>): boolean {
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && a[k] === b[k]);
}

export interface CachedStep {
  state: StepCacheState;
  /** This step and the steps after it in this run. */
  remaining: StepName[];
  /** Artifact name → ref produced so far in this run; pinned input refs. */
  produced: Record<string, string>;
  pinned: Record<string, string | undefined>;
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
  let lookup: StepCacheLookup | undefined = s.state.ahead.get(step);
  s.state.ahead.delete(step);
  try {
    // A lookup made ahead is used only if this step's inputs are those it was made with.
    if (!lookup || !sameInputs((lookup as PlannedLookup).inputs, stepInput.inputs)) {
      const acts = proxyActivities<Activities>({
        startToCloseTimeout: '2m',
        retry: RETRY,
        summary: `${s.position} ${step}${s.remaining.length > 1 ? ` and on` : ''}: cache lookup (a hit skips its step)`,
      });
      const planned = await acts.lookupStepCaches({
        steps: s.remaining.map((st) => ({
          step: st,
          ...cacheUse(s.input, st),
          ...(resolved.resume
            ? { previous: { workflowId: resolved.resume.workflowId, key: resolved.resume.keys[st] } }
            : {}),
        })),
        config: stepInput.config,
        produced: s.produced,
        pinned: s.pinned,
      });
      s.state.ahead = new Map(planned.map((p) => [p.step, p]));
      lookup = s.state.ahead.get(step);
      s.state.ahead.delete(step);
      if (!lookup || !sameInputs((lookup as PlannedLookup).inputs, stepInput.inputs))
        throw new Error(`the cache lookup of ${step} was made with other inputs`);
    }
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
