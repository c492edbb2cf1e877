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

export function createResolveRun(deps: ActivityDeps) {
  return async function resolveRun(input: PipelineInput): Promise<ResolvedRun> {
    let config;
    try {
      config = loadConfig({ path: deps.configPath, overrides: input.overrides ?? [], patch: input.config });
    } catch (err) {
      throw ApplicationFailure.create({
        type: 'ConfigError',
        message: err instanceof Error ? err.message : String(err),
        nonRetryable: true,
      });
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
    };
  };
}
