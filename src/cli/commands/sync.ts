/**
 * `mlpipe sync <workflowId>`: send a run to the MLflow tracking server from its run record and the
 * store: what the end of the run could not send (the server was down), or a run made before
 * tracking was configured. Sending again is harmless: what is already there is found, not doubled.
 */
import type { Command } from 'commander';
import type { MlflowSyncState } from '../../contract';
import type { RunRecord } from '../../lineage/run-record';
import { getRunRecord } from '../../lineage/trace';
import { webUiBase } from '../../temporal/web-ui';
import { saveSyncState, syncRunToMlflow } from '../../tracking/mlflow';
import type { CliContext } from '../context';

interface RecordedTracking {
  tracking?: { mlflow?: { uri?: string | null; register_model?: string | null } };
}

export function formatSyncState(workflowId: string, state: MlflowSyncState): string {
  const lines = [
    `MLflow run of ${workflowId}: ${state.runUrl ?? '(not created)'}`,
    `   synced: ${state.synced.join(', ') || 'nothing'}`,
  ];
  if (state.registeredModel)
    lines.push(
      `   model version: ${state.registeredModel.name} v${state.registeredModel.version}${state.registeredModel.alias ? ` @${state.registeredModel.alias}` : ''}`,
    );
  for (const item of state.unsynced)
    lines.push(`   not synced: ${item}: ${state.errors?.[item] ?? 'unknown reason'}`);
  return lines.join('\n');
}

/**
 * Sends a recorded run to MLflow and keeps the result in its record. This command's settings win
 * (a run made before tracking was set up); else the run's own. Undefined: no server is configured.
 */
export async function syncRecordedRun(
  c: CliContext,
  record: RunRecord,
): Promise<MlflowSyncState | undefined> {
  const recorded = (record.config as RecordedTracking).tracking?.mlflow;
  const uri = c.config.tracking.mlflow.uri ?? recorded?.uri ?? null;
  if (!uri) return undefined;
  const registerModel = c.config.tracking.mlflow.register_model ?? recorded?.register_model ?? null;
  const project = (record.config as { main: { project_name: string } }).main.project_name;
  const store = await c.getStore(project);
  const state = await syncRunToMlflow({
    record,
    store,
    settings: { uri, registerModel },
    webUiUrl: webUiBase(c.config),
    attempts: (record.tracking?.mlflow?.attempts ?? 0) + 1,
  });
  await saveSyncState(store, record.workflowId, state);
  return state;
}

/**
 * After `mlpipe promote` / `rollback`: MLflow's alias follows prod. The run that produced the model
 * now at prod is sent again (idempotent: only the alias is new). Never fails the alias move itself.
 */
export async function followPromotionInMlflow(
  c: CliContext,
  producerWorkflowId: string | undefined,
  log: (line: string) => void,
): Promise<void> {
  if (!producerWorkflowId) return;
  try {
    const record = await getRunRecord(await c.getStore(), producerWorkflowId);
    if (!record) return;
    const state = await syncRecordedRun(c, record);
    if (!state) return;
    const model = state.registeredModel;
    if (model?.alias) log(`MLflow: ${model.name}@${model.alias} → version ${model.version}`);
    if (state.unsynced.length)
      log(
        `MLflow: not synced: ${state.unsynced.join(', ')} (${Object.values(state.errors ?? {})[0] ?? ''}); mlpipe sync ${producerWorkflowId} sends it later`,
      );
  } catch (err) {
    log(
      `MLflow: alias not moved (${err instanceof Error ? err.message : String(err)}); mlpipe sync ${producerWorkflowId} sends it later`,
    );
  }
}

export function registerSyncCommand(program: Command, ctx: () => CliContext): void {
  program
    .command('sync <workflowId>')
    .description(
      'send a run to the MLflow tracking server (tracking.mlflow.uri or $MLFLOW_TRACKING_URI) from its run record and the store',
    )
    .option('--json', 'print the sync state as JSON')
    .action(async (workflowId: string, opts: { json?: boolean }) => {
      const c = ctx();
      const record = await getRunRecord(await c.getStore(), workflowId);
      if (!record)
        throw new Error(
          `sync: no run record for "${workflowId}" in ${(await c.getStore()).uri} (mlpipe lineage lists a run's record; --set storage.uri=… names another store)`,
        );
      const state = await syncRecordedRun(c, record);
      if (!state)
        throw new Error(
          'sync: no MLflow tracking server: set MLFLOW_TRACKING_URI or --set tracking.mlflow.uri=http://host:5000',
        );
      console.log(opts.json ? JSON.stringify(state) : formatSyncState(workflowId, state));
      if (state.unsynced.length) process.exitCode = 1;
    });
}
