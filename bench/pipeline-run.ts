/**
 * The whole six-step workflow on a real dev server, timed from the workflow history (start to close),
 * with the filesystem store and, with --s3, the same run against a real MinIO in the same process.
 *
 *   npm run bench:pipeline -- [--data PATH] [--s3] [--json]
 *
 * Default data: ../shared/data/genres_mod.parquet when present, else the bundled synthetic sample.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { TASK_QUEUE, WORKFLOW_TYPE, type PipelineInput, type PipelineResult } from '../src/contract';
import { createPipelineWorker } from '../src/worker';
import { startTemporal } from '../test/support/temporal';
import { startMinio } from '../test/support/minio';

const { values: args } = parseArgs({
  options: {
    data: { type: 'string' },
    s3: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
});
const reference = resolve(__dirname, '../../shared/data/genres_mod.parquet');
const data = args.data ? resolve(args.data) : existsSync(reference) ? reference : 'sample:genres';

interface Measured {
  store: string;
  workflow_s: number;
  steps: Record<string, number>;
  test_auc_ovo: number;
  fit_s: number;
  model: string | undefined;
}

async function runOnce(
  env: TestWorkflowEnvironment,
  storeUri: string,
  extra: string[],
  id: string,
): Promise<Measured> {
  const input: PipelineInput = { overrides: [`data.source=${data}`, `storage.uri=${storeUri}`, ...extra] };
  const handle = await env.client.workflow.start(WORKFLOW_TYPE, {
    taskQueue: TASK_QUEUE,
    workflowId: id,
    args: [input],
  });
  const result = (await handle.result()) as PipelineResult;
  const d = await handle.describe();
  const workflowS = ((d.closeTime?.getTime() ?? 0) - d.startTime.getTime()) / 1000;
  return {
    store: storeUri.split(':')[0] === 's3' ? 's3' : 'fs',
    workflow_s: workflowS,
    steps: Object.fromEntries(result.steps.map((s) => [s.step, (s.durationMs ?? 0) / 1000])),
    test_auc_ovo: result.metrics.test_auc_ovo,
    fit_s: result.metrics.fit_s,
    model: result.modelRef,
  };
}

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const env = await startTemporal();
  const dir = mkdtempSync(join(tmpdir(), 'mlpipe-bench-'));
  const { worker } = await createPipelineWorker({
    address: env.address,
    namespace: 'default',
    taskQueue: TASK_QUEUE,
    workDir: join(dir, 'work'),
  });
  const running = worker.run();
  const results: Measured[] = [];
  try {
    // A warm-up run first (module loading, bundle, JIT) so both stores are measured warm.
    await runOnce(env, join(dir, 'warmup'), [], 'bench-warmup');
    results.push(await runOnce(env, join(dir, 'fs-store'), [], 'bench-fs'));
    if (args.s3) {
      const minio = await startMinio();
      try {
        await minio.createBucket('bench');
        results.push(
          await runOnce(
            env,
            's3://bench/artifacts',
            [
              `storage.s3.endpoint=${minio.endpoint}`,
              `storage.s3.region=${minio.region}`,
              'storage.s3.force_path_style=true',
            ],
            'bench-s3',
          ),
        );
      } finally {
        await minio.close();
      }
    }
  } finally {
    worker.shutdown();
    await running;
    await env.teardown();
    rmSync(dir, { recursive: true, force: true });
  }
  for (const r of results) {
    console.log(
      `${r.store}: workflow ${r.workflow_s.toFixed(2)} s, fit ${r.fit_s.toFixed(2)} s, test ROC-AUC ovo ${r.test_auc_ovo.toFixed(4)}  steps ${Object.entries(
        r.steps,
      )
        .map(([k, v]) => `${k}=${v.toFixed(2)}s`)
        .join(' ')}`,
    );
  }
  const summary: Record<string, unknown> = { data, fs: results[0] };
  if (results[1]) {
    summary.s3 = results[1];
    summary.s3_over_fs = Math.round((results[1].workflow_s / results[0].workflow_s) * 1000) / 1000;
    console.log(`S3 / filesystem workflow time: ${String(summary.s3_over_fs)}`);
  }
  if (args.json) console.log(JSON.stringify(summary));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
