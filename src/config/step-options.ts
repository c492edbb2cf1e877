/** Per-step Temporal activity options: steps.defaults, overridden key by key by steps.<step>. */
import type { StringValue } from '@temporalio/common';
import { STEP_NAMES, type StepName } from '../contract';
import { normalizeStepName } from './aliases';
import type { PipelineConfig } from './schema';

export interface StepOptions {
  startToCloseTimeout: StringValue;
  heartbeatTimeout?: StringValue;
  retry: {
    initialInterval: StringValue;
    backoffCoefficient: number;
    maximumInterval: StringValue;
    /** 0 = unlimited, as in Temporal. */
    maximumAttempts: number;
  };
}

/** `step` may be one of ours or a reference name (download, random_forest). */
export function resolveStepOptions(cfg: PipelineConfig, step: string): StepOptions {
  const name = normalizeStepName(step);
  const d = cfg.steps.defaults;
  const s = cfg.steps[name];
  // Durations were checked against ms's unit grammar by the schema.
  const heartbeat = (
    s.heartbeat_timeout !== undefined ? s.heartbeat_timeout : d.heartbeat_timeout
  ) as StringValue | null;
  return {
    startToCloseTimeout: (s.start_to_close_timeout ?? d.start_to_close_timeout) as StringValue,
    ...(heartbeat ? { heartbeatTimeout: heartbeat } : {}),
    retry: {
      initialInterval: (s.retry?.initial_interval ?? d.retry.initial_interval) as StringValue,
      backoffCoefficient: s.retry?.backoff_coefficient ?? d.retry.backoff_coefficient,
      maximumInterval: (s.retry?.maximum_interval ?? d.retry.maximum_interval) as StringValue,
      maximumAttempts: s.retry?.maximum_attempts ?? d.retry.maximum_attempts,
    },
  };
}

export function resolveAllStepOptions(cfg: PipelineConfig): Record<StepName, StepOptions> {
  return Object.fromEntries(STEP_NAMES.map((s) => [s, resolveStepOptions(cfg, s)])) as Record<
    StepName,
    StepOptions
  >;
}
