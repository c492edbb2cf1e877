/**
 * Builds a store that looks like many pipeline runs, quickly: each run publishes raw_data →
 * preprocessed_data → data_train → model_export through the store API (with producers) and writes
 * a run record naming what each step consumed and produced, so lineage and GC see real runs.
 * Used by test/gc and bench/gc.ts.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ResolvedRef } from '../../src/contract';
import { runRecordKey, type RunRecord, type StepRecord } from '../../src/lineage/run-record';
import type { ArtifactStore, ArtifactVersion } from '../../src/store/types';

export const CHAIN = [
  { step: 'get_data', name: 'raw_data' },
  { step: 'preprocess', name: 'preprocessed_data' },
  { step: 'segregate', name: 'data_train' },
  { step: 'train_random_forest', name: 'model_export' },
] as const;

export interface BuiltRun {
  workflowId: string;
  /** The versions it published, in CHAIN order. */
  versions: ArtifactVersion[];
}

export interface BuildOptions {
  runs: number;
  /** Indexes of the runs whose model moves prod (in order). */
  prodAt: number[];
  /** Bytes of each run's large files (raw data and model). */
  bytes?: number;
  /** Prefix of the runs' workflow IDs. */
  prefix?: string;
}

const ref = (v: ArtifactVersion, requested?: string): ResolvedRef => ({
  ...(requested ? { requested } : {}),
  name: v.name,
  version: v.version,
  ref: v.ref,
  digest: v.digest,
});

/** Publishes one run's chain and its record. `project` is the store's project (its run record's main.project_name). */
export async function publishRun(
  store: ArtifactStore,
  workflowId: string,
  opts: { bytes?: number; dir: string; record?: boolean },
): Promise<BuiltRun> {
  const versions: ArtifactVersion[] = [];
  const steps: StepRecord[] = [];
  const bytes = opts.bytes ?? 4096;
  for (const [i, link] of CHAIN.entries()) {
    const files = [];
    const body = join(opts.dir, `${workflowId}-${link.name}.bin`);
    await writeFile(
      body,
      randomBytes(link.name === 'raw_data' || link.name === 'model_export' ? bytes : 512),
    );
    files.push({ path: link.name === 'model_export' ? 'model.mlpm' : `${link.name}.bin`, source: body });
    if (link.name === 'model_export') {
      // The same small file in every export: one blob (or pack member) shared by many versions.
      const shared = join(opts.dir, `${workflowId}-MLmodel`);
      await writeFile(shared, 'flavors: {temporal_ml_pipeline: {}}\n');
      files.push({ path: 'MLmodel', source: shared });
      const metrics = join(opts.dir, `${workflowId}-metrics.json`);
      await writeFile(metrics, JSON.stringify({ run: workflowId }));
      files.push({ path: 'metrics.json', source: metrics });
    }
    const { version } = await store.publish({
      name: link.name,
      type: link.name,
      files,
      producer: { workflowId, runId: 'r', step: link.step, attempt: 1 },
    });
    versions.push(version);
    const consumed = i === 0 ? [] : [ref(versions[i - 1], `${versions[i - 1].name}:latest`)];
    steps.push({
      step: link.step,
      status: 'completed',
      attempts: 1,
      consumed,
      produced: [ref(version)],
    } as StepRecord);
  }
  if (opts.record !== false) {
    const now = new Date().toISOString();
    const record = {
      record_version: 1,
      workflowId,
      runId: 'r',
      workflowType: 'trainingPipeline',
      status: 'completed',
      trigger: { kind: 'cli' },
      input: {},
      startedAt: now,
      endedAt: now,
      config: { main: { project_name: store.project ?? 'genre_classification' } },
      configDigest: '0'.repeat(64),
      codeVersion: { package: 'temporal-ml-pipeline', version: 'test', node: process.version },
      steps,
      consumed: [],
      produced: steps.flatMap((s) => s.produced),
      metrics: {},
    } satisfies RunRecord;
    await store.putRecord(runRecordKey(workflowId), record);
  }
  return { workflowId, versions };
}

/** `runs` runs, prod moved to the models of the runs in `prodAt`. */
export async function buildLineageStore(store: ArtifactStore, opts: BuildOptions): Promise<BuiltRun[]> {
  const dir = await mkdtemp(join(tmpdir(), 'mlpipe-lineage-store-'));
  try {
    const runs: BuiltRun[] = [];
    for (let i = 0; i < opts.runs; i++) {
      const run = await publishRun(store, `${opts.prefix ?? 'run'}-${String(i).padStart(4, '0')}`, {
        dir,
        ...(opts.bytes !== undefined ? { bytes: opts.bytes } : {}),
      });
      runs.push(run);
      if (opts.prodAt.includes(i)) {
        const model = run.versions[3];
        await store.moveAlias(model.name, 'prod', model.version, {
          reason: `run ${i} is better`,
          actor: run.workflowId,
        });
      }
    }
    return runs;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
