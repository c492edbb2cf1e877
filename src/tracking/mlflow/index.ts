/** The optional MLflow tracking sink: send a run from its record and the store, and keep where it stands. */
import type { MlflowSyncState } from '../../contract';
import { runRecordKey, type RunRecord } from '../../lineage/run-record';
import type { ArtifactStore } from '../../store/types';

export { MlflowApiError, MlflowClient } from './client';
export { configParams } from './params';
export { syncRunToMlflow, type MlflowSinkSettings, WORKFLOW_ID_TAG, MODEL_REF_TAG } from './sync-run';

/** Keeps the sync's state in the run record, so `mlpipe lineage` and `mlpipe sync` know what is left. */
export async function saveSyncState(
  store: ArtifactStore,
  workflowId: string,
  state: MlflowSyncState,
): Promise<RunRecord | undefined> {
  const key = runRecordKey(workflowId);
  const record = await store.getRecord<RunRecord>(key);
  if (!record) return undefined;
  const updated: RunRecord = { ...record, tracking: { ...record.tracking, mlflow: state } };
  await store.putRecord(key, updated);
  return updated;
}
