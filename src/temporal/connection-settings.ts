/** Where the Temporal server is: env first (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE), then config. */
import { DEFAULT_NAMESPACE } from '../contract';

export interface TemporalSettings {
  /** Undefined when neither env nor config names a server: the CLI then starts the embedded dev server. */
  address?: string;
  namespace: string;
  taskQueue: string;
}

export function temporalSettings(
  config: { temporal: { address: string | null; namespace: string; task_queue: string } },
  env: NodeJS.ProcessEnv = process.env,
): TemporalSettings {
  return {
    address: env.TEMPORAL_ADDRESS || config.temporal.address || undefined,
    namespace: env.TEMPORAL_NAMESPACE || config.temporal.namespace || DEFAULT_NAMESPACE,
    taskQueue: config.temporal.task_queue,
  };
}
