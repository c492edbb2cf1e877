/**
 * Sends one run, from its run record and the artifact store, to an MLflow tracking server:
 * an experiment per main.project_name, a run per workflow ID, the resolved config as params, the
 * metrics, tags (workflow ID, Web UI link, …), the model export as the run's logged model, and
 * optionally a registered model version with MLflow's alias following the store's promote alias.
 *
 * Idempotent, so the workflow's retries and `mlpipe sync` can send a run any number of times: the
 * run is found by its `mlpipe.workflow_id` tag, params and metrics already there are not sent again,
 * the logged model and the model version are found by tag / run before creating new ones. Each
 * item is sent or listed as unsynced with the reason; a server that does not answer stops the rest.
 */
import { parse as parseYaml } from 'yaml';
import type { MlflowSyncItem, MlflowSyncState } from '../../contract';
import type { RunRecord } from '../../lineage/run-record';
import type { ArtifactStore, ArtifactVersion } from '../../store/types';
import { webUiRunUrl } from '../../temporal/web-ui';
import {
  MlflowApiError,
  MlflowClient,
  type MlflowLoggedModel,
  type MlflowMetric,
  type MlflowRun,
  type MlflowTag,
} from './client';
import { chunks, configParams, MAX_PARAMS_PER_BATCH } from './params';

export const WORKFLOW_ID_TAG = 'mlpipe.workflow_id';
export const MODEL_REF_TAG = 'mlpipe.model_ref';
/** The name of the logged model (MLflow ≥ 3) and the run's artifact folder on older servers. */
export const LOGGED_MODEL_NAME = 'model';
const MAX_TAG_VALUE_LENGTH = 8000;
/** MLflow's alias names: word characters and dashes; `latest` and `v<n>` are its own. */
const MLFLOW_ALIAS = /^[\w-]+$/;

export interface MlflowSinkSettings {
  uri: string;
  /** A registered model name, or null: no model version. */
  registerModel: string | null;
}

export interface SyncRunInput {
  record: RunRecord;
  /** The store of the run's project (its model export and aliases). */
  store: ArtifactStore;
  settings: MlflowSinkSettings;
  /** The Temporal Web UI's base URL, for the run's link. */
  webUiUrl: string;
  attempts: number;
  env?: NodeJS.ProcessEnv;
}

/** The parts of the resolved config the sink reads (the record keeps the config as plain JSON). */
interface RecordConfig {
  main: { project_name: string; experiment_name?: string };
  random_forest_pipeline: { export_artifact: string };
  evaluate: { promote_alias: string };
  temporal: { namespace: string };
}

const ms = (iso: string) => new Date(iso).getTime();
const tag = (key: string, value: string): MlflowTag => ({
  key,
  value: value.length > MAX_TAG_VALUE_LENGTH ? value.slice(0, MAX_TAG_VALUE_LENGTH) : value,
});
const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** What a run sends, given its record: the model only if it trained one, and so on. */
function plannedItems(
  record: RunRecord,
  settings: MlflowSinkSettings,
  aliasFollows: boolean,
): MlflowSyncItem[] {
  const items: MlflowSyncItem[] = ['run', 'params', 'metrics', 'tags'];
  if (record.modelRef) items.push('model');
  if (record.modelRef && settings.registerModel && record.status === 'completed') {
    items.push('registered_model');
    if (aliasFollows) items.push('alias');
  }
  items.push('status');
  return items;
}

/** Whether the store's promote alias (prod) points at this run's model now. */
async function promoteAliasAtModel(store: ArtifactStore, record: RunRecord, config: RecordConfig) {
  if (!record.modelRef) return false;
  const [name, v] = record.modelRef.split(':v');
  const aliases = await store.getAliases(name);
  return aliases[config.evaluate.promote_alias] === Number(v);
}

export async function syncRunToMlflow(input: SyncRunInput): Promise<MlflowSyncState> {
  const { record, store, settings } = input;
  const config = record.config as RecordConfig;
  const client = new MlflowClient(settings.uri, { env: input.env });
  const aliasFollows = settings.registerModel ? await promoteAliasAtModel(store, record, config) : false;
  const planned = plannedItems(record, settings, aliasFollows);

  const state: MlflowSyncState = {
    uri: settings.uri,
    synced: [],
    unsynced: [],
    errors: {},
    attempts: input.attempts,
    at: new Date().toISOString(),
  };
  const errors = state.errors as Partial<Record<MlflowSyncItem, string>>;
  // After a fault that is not the item's own (no answer, 5xx), the rest is not tried: it is unsynced
  // for the same reason. An item's own refusal (4xx) leaves the items that do not need it to go on.
  let stopped: string | undefined;
  const needs: Partial<Record<MlflowSyncItem, MlflowSyncItem>> = {
    params: 'run',
    metrics: 'run',
    tags: 'run',
    model: 'run',
    registered_model: 'model',
    alias: 'registered_model',
    status: 'run',
  };
  const send = async (item: MlflowSyncItem, fn: () => Promise<void>): Promise<void> => {
    if (!planned.includes(item)) return;
    const dependency = needs[item];
    const missing = dependency && state.unsynced.includes(dependency) ? `needs ${dependency}` : undefined;
    if (stopped || missing) {
      state.unsynced.push(item);
      errors[item] = stopped ?? (missing as string);
      return;
    }
    try {
      await fn();
      state.synced.push(item);
    } catch (err) {
      state.unsynced.push(item);
      errors[item] = message(err);
      if (!(err instanceof MlflowApiError) || err.transient) stopped = message(err);
    }
  };

  let run: MlflowRun | undefined;
  let loggedModel: { source: string; modelId?: string } | undefined;
  let modelVersion: string | undefined;

  await send('run', async () => {
    const experimentId = await client.ensureExperiment(config.main.project_name);
    state.experimentId = experimentId;
    const found = await client.searchRunsByTag(experimentId, WORKFLOW_ID_TAG, record.workflowId);
    const runId =
      found[0]?.info.run_id ??
      (
        await client.createRun({
          experiment_id: experimentId,
          run_name: record.workflowId,
          start_time: ms(record.startedAt),
          tags: [tag(WORKFLOW_ID_TAG, record.workflowId)],
        })
      ).info.run_id;
    // Read back whole (search answers may leave out outputs): what is there is not sent again.
    run = await client.getRun(runId);
    state.runId = runId;
    state.runUrl = client.runUrl(experimentId, runId);
  });

  await send('params', async () => {
    const have = new Set((run?.data.params ?? []).map((p) => p.key));
    const missing = configParams(record.config).filter((p) => !have.has(p.key));
    for (const batch of chunks(missing, MAX_PARAMS_PER_BATCH))
      await client.logBatch(state.runId as string, { params: batch });
  });

  await send('metrics', async () => {
    const have = new Map((run?.data.metrics ?? []).map((m) => [m.key, m.value]));
    const timestamp = ms(record.endedAt);
    const metrics: MlflowMetric[] = Object.entries(record.metrics)
      .filter(([k, v]) => Number.isFinite(v) && have.get(k) !== v)
      .map(([key, value]) => ({ key, value, timestamp, step: 0 }));
    for (const batch of chunks(metrics, 1000))
      await client.logBatch(state.runId as string, { metrics: batch });
  });

  await send('tags', async () => {
    await client.logBatch(state.runId as string, { tags: runTags(record, config, input.webUiUrl, store) });
  });

  await send('model', async () => {
    loggedModel = await logModel(client, store, record, run as MlflowRun);
    state.modelId = loggedModel.modelId;
  });

  await send('registered_model', async () => {
    const name = settings.registerModel as string;
    await client.ensureRegisteredModel(name);
    const existing = await client.searchModelVersions(name, state.runId as string);
    const version =
      existing[0] ??
      (await client.createModelVersion({
        name,
        source: loggedModel?.source as string,
        run_id: state.runId as string,
        ...(loggedModel?.modelId ? { model_id: loggedModel.modelId } : {}),
        tags: [tag(MODEL_REF_TAG, record.modelRef as string), tag(WORKFLOW_ID_TAG, record.workflowId)],
      }));
    modelVersion = version.version;
    state.registeredModel = { name, version: version.version };
  });

  await send('alias', async () => {
    const alias = config.evaluate.promote_alias;
    if (!MLFLOW_ALIAS.test(alias) || alias === 'latest' || /^v\d+$/i.test(alias))
      throw new MlflowApiError(
        `evaluate.promote_alias "${alias}" is not a valid MLflow alias (letters, digits, _ and -; not latest or v<n>)`,
        undefined,
        'INVALID_ALIAS',
        false,
      );
    await client.setAlias(settings.registerModel as string, alias, modelVersion as string);
    if (state.registeredModel) state.registeredModel.alias = alias;
  });

  await send('status', async () => {
    const status =
      record.status === 'completed' ? 'FINISHED' : record.status === 'failed' ? 'FAILED' : 'KILLED';
    await client.updateRun(state.runId as string, status, ms(record.endedAt));
  });

  if (Object.keys(errors).length === 0) delete state.errors;
  if (stopped) state.retryable = true;
  return state;
}

function runTags(
  record: RunRecord,
  config: RecordConfig,
  webUiUrl: string,
  store: ArtifactStore,
): MlflowTag[] {
  const code = record.codeVersion;
  const tags = [
    tag(WORKFLOW_ID_TAG, record.workflowId),
    tag('mlpipe.temporal_run_id', record.runId),
    tag('mlpipe.web_ui', webUiRunUrl(webUiUrl, config.temporal.namespace, record.workflowId, record.runId)),
    tag('mlpipe.status', record.status),
    tag('mlpipe.trigger', `${record.trigger.kind}${record.trigger.id ? `:${record.trigger.id}` : ''}`),
    tag('mlpipe.config_digest', record.configDigest),
    tag(
      'mlpipe.code_version',
      `${code.package}@${code.version}${code.gitCommit ? ` (${code.gitCommit})` : ''}`,
    ),
    tag('mlpipe.store', store.uri),
    tag('mlflow.source.name', 'mlpipe'),
    tag('mlflow.source.type', 'JOB'),
  ];
  if (config.main.experiment_name) tags.push(tag('mlpipe.experiment_name', config.main.experiment_name));
  // MLflow links this tag to the commit: the bare hash, without the working tree's `-dirty` mark.
  if (code.gitCommit) tags.push(tag('mlflow.source.git.commit', code.gitCommit.replace(/-dirty$/, '')));
  if (record.parentWorkflowId) tags.push(tag('mlpipe.parent_workflow_id', record.parentWorkflowId));
  if (record.trigger.kind === 'cli' && record.trigger.id) tags.push(tag('mlflow.user', record.trigger.id));
  if (record.modelRef) tags.push(tag(MODEL_REF_TAG, record.modelRef));
  if (record.promotion)
    tags.push(
      tag(
        'mlpipe.promotion',
        `${record.promotion.promoted ? 'promoted' : 'kept'}: ${record.promotion.reason}`,
      ),
    );
  if (record.error) tags.push(tag('mlpipe.error', record.error));
  return tags;
}

/** Every file of the export, read (and checked against its sha256) from the store. */
async function exportFiles(store: ArtifactStore, version: ArtifactVersion): Promise<[string, Buffer][]> {
  const out: [string, Buffer][] = [];
  for (const f of version.files) out.push([f.path, await store.readFile(version, f.path)]);
  return out;
}

/**
 * The model export as the run's model, as the MLflow client's `log_model` leaves it: on MLflow ≥ 3 a
 * logged model (created PENDING, its artifacts uploaded, then READY) linked to the run as its output;
 * on older servers the files under the run's `model/` folder and the `mlflow.log-model.history` tag.
 * Returns the source a model version registers.
 */
async function logModel(
  client: MlflowClient,
  store: ArtifactStore,
  record: RunRecord,
  run: MlflowRun,
): Promise<{ source: string; modelId?: string }> {
  const modelRef = record.modelRef as string;
  const version = await store.resolve(modelRef);
  let model: MlflowLoggedModel | undefined;
  for (const output of run.outputs?.model_outputs ?? []) {
    const candidate = await client.getLoggedModel(output.model_id);
    if (candidate.info.tags?.some((t) => t.key === MODEL_REF_TAG && t.value === modelRef)) model = candidate;
  }
  if (!model) {
    try {
      model = await client.createLoggedModel({
        experiment_id: run.info.experiment_id,
        name: LOGGED_MODEL_NAME,
        source_run_id: run.info.run_id,
        tags: [tag(MODEL_REF_TAG, modelRef), tag('mlpipe.model_digest', version.digest)],
      });
    } catch (err) {
      if (err instanceof MlflowApiError && (err.errorCode === 'ENDPOINT_NOT_FOUND' || err.status === 404))
        return logModelBeforeMlflow3(client, store, run, version);
      throw err;
    }
    // Linked before the upload, as log_model does, so a retry finds it by the run's outputs.
    await client.logOutputs(run.info.run_id, model.info.model_id);
  }
  if (model.info.status !== 'LOGGED_MODEL_READY') {
    for (const [path, bytes] of await exportFiles(store, version))
      await client.uploadArtifact(model.info.artifact_uri, path, bytes);
    await client.finalizeLoggedModel(model.info.model_id);
  }
  return { source: model.info.artifact_uri, modelId: model.info.model_id };
}

async function logModelBeforeMlflow3(
  client: MlflowClient,
  store: ArtifactStore,
  run: MlflowRun,
  version: ArtifactVersion,
): Promise<{ source: string }> {
  const files = await exportFiles(store, version);
  for (const [path, bytes] of files)
    await client.uploadArtifact(run.info.artifact_uri, `${LOGGED_MODEL_NAME}/${path}`, bytes);
  const mlmodel = files.find(([p]) => p === 'MLmodel');
  const meta = (mlmodel ? parseYaml(mlmodel[1].toString('utf8')) : {}) as Record<string, unknown>;
  const entry = {
    run_id: run.info.run_id,
    artifact_path: LOGGED_MODEL_NAME,
    utc_time_created: meta.utc_time_created,
    flavors: meta.flavors,
    model_uuid: meta.model_uuid,
    ...(meta.signature ? { signature: meta.signature } : {}),
    ...(meta.saved_input_example_info ? { saved_input_example_info: meta.saved_input_example_info } : {}),
  };
  await client.logBatch(run.info.run_id, {
    tags: [tag('mlflow.log-model.history', JSON.stringify([entry]))],
  });
  return { source: `${run.info.artifact_uri}/${LOGGED_MODEL_NAME}` };
}
