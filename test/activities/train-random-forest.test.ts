/**
 * The train activity alone (MockActivityEnvironment) on a real filesystem store: a retry of the step
 * (attempt 2) exports a byte-identical model and reuses the version instead of publishing a second one,
 * and it heartbeats trees done of total while the forest trains on worker threads.
 */
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createTrainRandomForest } from '../../src/activities/train-random-forest';
import type { StepOutcome } from '../../src/activities/types';
import { DEFAULT_PROJECT, loadConfig } from '../../src/config';
import { addTextFeature, parseCsv, writeCsv } from '../../src/ml';
import { openStore } from '../../src/store';
import type { ArtifactStore } from '../../src/store/types';
import { sampleGenresCsv } from '../../src/sample-data';
import { storeOpener } from '../../src/worker';

let dir: string;
let store: ArtifactStore;
let trainRef: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mlpipe-train-'));
  store = await openStore(join(dir, 'store'), { project: DEFAULT_PROJECT });
  const csv = join(dir, 'data_train.csv');
  const table = addTextFeature(parseCsv(sampleGenresCsv({ rows: 1200, seed: 3 })), {
    name: 'text_feature',
    columns: ['title', 'song_name'],
    separator: ' ',
  });
  await writeCsv(table, csv);
  const { version } = await store.publish({
    name: 'data_train',
    type: 'segregated_data',
    files: [{ path: 'data_train.csv', source: csv }],
  });
  trainRef = version.ref;
});
after(() => rmSync(dir, { recursive: true, force: true }));

void it('exports the same digest on a retry and reuses the version', { timeout: 120_000 }, async () => {
  const config = loadConfig({
    overrides: [`storage.uri=${join(dir, 'store')}`, 'random_forest_pipeline.random_forest.n_estimators=12'],
  });
  const train = createTrainRandomForest({
    workDir: join(dir, 'work'),
    storeFor: storeOpener(dir),
    codeVersion: { package: 'test', version: '0', node: process.version },
    searchAttributes: false,
  });
  const execution = { workflowId: 'wf-retry', runId: 'run-1' };
  const first = new MockActivityEnvironment({ attempt: 1, workflowExecution: execution });
  const beats: unknown[] = [];
  first.on('heartbeat', (d: unknown) => beats.push(d));
  const a = (await first.run(train, { config, inputs: { train: trainRef } })) as StepOutcome;
  const b = (await new MockActivityEnvironment({ attempt: 2, workflowExecution: execution }).run(train, {
    config,
    inputs: { train: trainRef },
  })) as StepOutcome;
  assert.equal(b.produced[0].digest, a.produced[0].digest);
  assert.equal(b.produced[0].ref, a.produced[0].ref, 'no second version');
  assert.equal((await store.listVersions('model_export')).length, 1);
  assert.ok(
    beats.some((d) => (d as { unit?: string }).unit === 'trees' && (d as { total: number }).total === 12),
    JSON.stringify(beats.slice(0, 3)),
  );
  assert.ok(a.metrics && a.metrics.val_auc_ovo > 0.6 && a.metrics.val_auc_ovo < 1);
});
