/**
 * After the run record: send the run to the MLflow tracking server (tracking.mlflow.uri). Every
 * attempt writes what was and was not sent into the run record. While the server does not answer,
 * the attempt fails so Temporal retries it; the last attempt returns instead, so the sink never
 * fails the training, and `mlpipe sync <workflowId>` sends what is left.
 */
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { MlflowSyncState } from '../contract';
import type { PipelineConfig } from '../config';
import { getRunRecord } from '../lineage/trace';
import { webUiBase } from '../temporal/web-ui';
import { saveSyncState, syncRunToMlflow } from '../tracking/mlflow';
import type { ActivityDeps } from './deps';
import { toActivityError } from './failures';

export interface SyncMlflowInput {
  workflowId: string;
  config: PipelineConfig;
  /** The workflow's maximum attempts for this activity: the last one reports instead of failing. */
  maxAttempts: number;
}

export function createSyncMlflow(deps: ActivityDeps) {
  return async function syncMlflow(input: SyncMlflowInput): Promise<MlflowSyncState> {
    const uri = input.config.tracking.mlflow.uri;
    if (!uri) throw ApplicationFailure.nonRetryable('tracking.mlflow.uri is not set', 'ConfigError');
    let state: MlflowSyncState;
    try {
      const store = await deps.storeFor(input.config);
      const record = await getRunRecord(store, input.workflowId);
      if (!record)
        throw ApplicationFailure.nonRetryable(
          `no run record for ${input.workflowId} in ${store.uri}`,
          'DataError',
        );
      const attempt = Context.current().info.attempt;
      state = await syncRunToMlflow({
        record,
        store,
        settings: { uri, registerModel: input.config.tracking.mlflow.register_model },
        webUiUrl: webUiBase(input.config),
        attempts: attempt,
      });
      await saveSyncState(store, input.workflowId, state);
      const retry = state.retryable === true && attempt < input.maxAttempts;
      if (retry) {
        throw ApplicationFailure.retryable(
          `MLflow sync of ${input.workflowId} left ${state.unsynced.join(', ')} unsynced: ${firstError(state)}`,
          'MlflowUnavailable',
        );
      }
    } catch (err) {
      throw toActivityError(err);
    }
    return state;
  };
}

function firstError(state: MlflowSyncState): string {
  return Object.values(state.errors ?? {})[0] ?? '';
}
