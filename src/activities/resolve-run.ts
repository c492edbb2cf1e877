/**
 * First activity of every run: turn the small workflow input into the full, validated config and
 * everything derived from it (digest, step list, per-step Temporal options). Reading files is I/O,
 * so it cannot happen in workflow code; a bad config key fails here, once, non-retryably.
 */
import { ApplicationFailure } from '@temporalio/activity';
import type { PipelineInput, StepName } from '../contract';
import { STEP_NAMES } from '../contract';
import { configDigest, loadConfig, normalizeStepName, resolveStepOptions } from '../config';
import type { ActivityDeps } from './deps';
import type { ResolvedRun, StepActivityOptions } from './types';
import { NON_RETRYABLE_TYPES } from './failures';
import { getRunRecord } from '../lineage/trace';
import type { RunRecord } from '../lineage/run-record';
import type { ArtifactStore } from '../store/types';

/** How far a chain of resumes of resumes is followed before it is taken for a loop. */
const MAX_RESUME_CHAIN = 100;

interface ResumedInput {
  workflowId: string;
  record: RunRecord;
  overrides: string[];
  config?: Record<string, unknown>;
  inputs?: PipelineInput['inputs'];
}

/**
 * The input the run `mlpipe resume` / `{"resume": ID}` names had in effect: its own overrides,
 * config and pinned inputs on top of those of the run it resumed in turn, and so on. A missing
 * record is a config error.
 */
async function resumedInput(store: ArtifactStore, workflowId: string): Promise<ResumedInput> {
  const chain: RunRecord[] = [];
  for (let id: string | undefined = workflowId; id !== undefined;) {
    const record = await getRunRecord(store, id);
    if (!record)
      throw ApplicationFailure.create({
        type: 'ConfigError',
        message: `resume: no run record for workflow ${id} in ${store.uri}; give the workflow ID of an earlier run of this store (mlpipe lineage ID shows one), and its storage.uri if it is not the default`,
        nonRetryable: true,
      });
    chain.unshift(record);
    if (chain.length > MAX_RESUME_CHAIN)
      throw new Error(`resume: runs resume each other in a loop from ${workflowId}`);
    id = record.resumes;
  }
  return {
    workflowId,
    record: chain[chain.length - 1],
    overrides: chain.flatMap((r) => r.input.overrides ?? []),
    config: chain.some((r) => r.input.config)
      ? Object.assign({}, ...chain.map((r) => r.input.config ?? {}))
      : undefined,
    inputs: Object.assign({}, ...chain.map((r) => r.input.inputs ?? {})),
  };
}

export function createResolveRun(deps: ActivityDeps) {
  const load = (overrides: string[], patch: Record<string, unknown> | undefined) => {
    try {
      return loadConfig({ path: deps.configPath, overrides, patch });
    } catch (err) {
      throw ApplicationFailure.create({
        type: 'ConfigError',
        message: err instanceof Error ? err.message : String(err),
        nonRetryable: true,
      });
    }
  };
  return async function resolveRun(input: PipelineInput): Promise<ResolvedRun> {
    let config = load(input.overrides ?? [], input.config);
    let pinned = input.inputs;
    let resume: ResolvedRun['resume'];
    if (input.resume) {
      // The earlier run's record is in the store this run's settings name (the CLI passes them).
      const earlier = await resumedInput(await deps.storeFor(config), input.resume);
      config = load(
        [...earlier.overrides, ...(input.overrides ?? [])],
        earlier.config || input.config ? { ...earlier.config, ...input.config } : undefined,
      );
      pinned = { ...earlier.inputs, ...input.inputs };
      resume = {
        workflowId: earlier.workflowId,
        keys: Object.fromEntries(
          earlier.record.steps.filter((s) => s.cache).map((s) => [s.step, s.cache!.key]),
        ),
      };
    }
    const steps = config.main.execute_steps.map((s: string) => normalizeStepName(s));
    // The reference runs steps in pipeline order whatever order execute_steps lists them in.
    const ordered = STEP_NAMES.filter((s) => steps.includes(s));
    const stepOptions = {} as Record<StepName, StepActivityOptions>;
    for (const step of STEP_NAMES) {
      const opts = resolveStepOptions(config, step);
      stepOptions[step] = {
        ...opts,
        retry: { ...opts.retry, nonRetryableErrorTypes: NON_RETRYABLE_TYPES },
      };
    }
    const store = await deps.storeFor(config);
    return {
      config,
      configDigest: configDigest(config),
      steps: ordered,
      stepOptions,
      codeVersion: deps.codeVersion,
      storeUri: store.uri,
      searchAttributes: deps.searchAttributes,
      ...(pinned && Object.keys(pinned).length ? { inputs: pinned } : {}),
      ...(resume ? { resume } : {}),
    };
  };
}
