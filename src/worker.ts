/**
 * The worker: the composition root that builds the activities' dependencies (store, work folder,
 * code version) and serves the workflows and activities on the `ml-pipeline` task queue.
 * `mlpipe worker` runs it standalone against TEMPORAL_ADDRESS; `mlpipe run` runs it in-process.
 */
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { Connection } from '@temporalio/client';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { mkdirSync } from 'node:fs';
import { createActivities } from './activities';
import type { ActivityDeps } from './activities';
import { loadConfig, projectRoot, type PipelineConfig } from './config';
import { openStore } from './store';
import type { ArtifactStore } from './store/types';
import { readCodeVersion } from './code-version';
import { stepCodeDigests, type StepCodeDigests } from './cache/code-digest';
import { ensureSearchAttributes } from './temporal/search-attributes';

export interface PipelineWorkerOptions {
  address: string;
  namespace: string;
  taskQueue: string;
  /** Base config the workflow input's overrides apply to. */
  configPath?: string;
  workDir?: string;
  /** Each step's code digest for the step cache (default: this build's, computed once at start-up). */
  codeDigests?: () => Promise<StepCodeDigests>;
  /** Extra worker options (e.g. a prebuilt workflow bundle, or shutdown grace time in tests). */
  worker?: Partial<WorkerOptions>;
}

/**
 * Opens stores by URI once per worker; activities share them. Each is scoped to the run's
 * main.project_name, so two projects' runs on one worker never see each other's artifacts or aliases.
 */
export function storeOpener(baseDir: string): (config: PipelineConfig) => Promise<ArtifactStore> {
  const stores = new Map<string, Promise<ArtifactStore>>();
  return (config) => {
    const project = config.main.project_name;
    const key = `${config.storage.uri}|${JSON.stringify(config.storage.s3)}|${project}`;
    let store = stores.get(key);
    if (!store) {
      // Opened inside the promise: a bad project name then rejects it like any other open failure.
      store = Promise.resolve().then(() =>
        openStore(config.storage.uri, {
          baseDir,
          project,
          s3: {
            endpoint: config.storage.s3.endpoint ?? undefined,
            region: config.storage.s3.region ?? undefined,
            forcePathStyle: config.storage.s3.force_path_style,
          },
        }),
      );
      store.catch(() => stores.delete(key));
      stores.set(key, store);
    }
    return store;
  };
}

export async function createPipelineWorker(
  opts: PipelineWorkerOptions,
): Promise<{ worker: Worker; connection: NativeConnection }> {
  const root = projectRoot();
  const client = await Connection.connect({ address: opts.address });
  const searchAttributes = await ensureSearchAttributes(client, opts.namespace);
  await client.close();

  const workDir = opts.workDir ?? join(tmpdir(), 'mlpipe-work');
  mkdirSync(workDir, { recursive: true });
  // Started now, awaited by the first cache lookup: the worker does not wait for it to start polling.
  const digests = opts.codeDigests ? undefined : stepCodeDigests();
  digests?.catch(() => undefined);
  const deps: ActivityDeps = {
    workDir,
    codeDigests: opts.codeDigests ?? (() => digests!),
    storeFor: storeOpener(root),
    codeVersion: readCodeVersion(root),
    searchAttributes,
    configPath: opts.configPath ? resolve(opts.configPath) : undefined,
  };
  const connection = await NativeConnection.connect({ address: opts.address });
  const worker = await Worker.create({
    connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue,
    workflowsPath: require.resolve('./workflows'),
    activities: createActivities(deps),
    // Training is CPU-bound on worker threads; a couple of concurrent activities keep heartbeats flowing.
    maxConcurrentActivityTaskExecutions: 4,
    // Heartbeats carry "trees done of total"; send them about once a second so the CLI and the Web UI
    // follow training live (the default throttle is up to 80% of the heartbeat timeout).
    maxHeartbeatThrottleInterval: '1s',
    defaultHeartbeatThrottleInterval: '1s',
    ...opts.worker,
  });
  return { worker, connection };
}

/** Standalone worker entry (`mlpipe worker` or `node dist/worker.js`). */
export async function runWorker(opts: Partial<PipelineWorkerOptions> = {}): Promise<void> {
  const config = loadConfig({ path: opts.configPath });
  const { worker, connection } = await createPipelineWorker({
    address: opts.address ?? process.env.TEMPORAL_ADDRESS ?? config.temporal.address ?? 'localhost:7233',
    namespace: opts.namespace ?? process.env.TEMPORAL_NAMESPACE ?? config.temporal.namespace,
    taskQueue: opts.taskQueue ?? config.temporal.task_queue,
    configPath: opts.configPath,
    workDir: opts.workDir,
  });
  try {
    await worker.run();
  } finally {
    await connection.close();
  }
}

if (require.main === module) {
  runWorker().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
