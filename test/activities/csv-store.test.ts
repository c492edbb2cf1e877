/**
 * Stores written before issue 15 hold their tables as CSV. The data steps still read them (the
 * extension picks the reader) and publish what they write as Parquet with the same values and types.
 * check_data and train_random_forest on CSV artifacts are covered by their own activity tests, which
 * publish CSV inputs.
 */
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createPreprocess } from '../../src/activities/preprocess';
import { createSegregate } from '../../src/activities/segregate';
import type { StepOutcome } from '../../src/activities/types';
import { DEFAULT_PROJECT, loadConfig } from '../../src/config';
import { dropDuplicates, parseCsv, readTable } from '../../src/ml';
import { openStore } from '../../src/store';
import type { ArtifactStore } from '../../src/store/types';
import { sampleGenresCsv } from '../../src/sample-data';
import { storeOpener } from '../../src/worker';

let dir: string;
let store: ArtifactStore;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mlpipe-csvstore-'));
  store = await openStore(join(dir, 'store'), { project: DEFAULT_PROJECT });
});
after(() => rmSync(dir, { recursive: true, force: true }));

const deps = () => ({
  workDir: join(dir, 'work'),
  storeFor: storeOpener(dir),
  codeVersion: { package: 'test', version: '0', node: process.version },
  searchAttributes: false,
});

async function downloadTable(ref: string) {
  const version = await store.resolve(ref);
  const out = join(dir, 'dl', `${version.name}-v${version.version}`);
  await store.download(version, out);
  assert.equal(version.files.length, 1);
  assert.match(version.files[0].path, /\.parquet$/, `${ref} is written as Parquet`);
  return readTable(join(out, version.files[0].path));
}

void it('preprocess and segregate read CSV artifacts of an older store and write Parquet', async () => {
  const csvText = sampleGenresCsv({ rows: 900, seed: 5 });
  // Repeat some rows, so that preprocess has duplicates to drop.
  const lines = csvText.trim().split('\n');
  const withDuplicates = [...lines, ...lines.slice(1, 41)].join('\n') + '\n';
  const csv = join(dir, 'raw_data.csv');
  writeFileSync(csv, withDuplicates);
  const raw = await store.publish({
    name: 'raw_data',
    type: 'raw_data',
    files: [{ path: 'raw_data.csv', source: csv }],
  });
  const config = loadConfig({ overrides: [`storage.uri=${join(dir, 'store')}`, 'data.target=genre'] });

  const pre = (await new MockActivityEnvironment().run(createPreprocess(deps()), {
    config,
    inputs: { raw: raw.version.ref },
  })) as StepOutcome;
  const expected = dropDuplicates(parseCsv(withDuplicates));
  // The sample has a few duplicates of its own, beside the 40 repeated rows.
  assert.equal(pre.metrics?.dropped_duplicates, lines.length - 1 + 40 - expected.nRows);
  assert.ok(expected.nRows < lines.length - 1);
  const preprocessed = await downloadTable(pre.produced[0].ref);
  assert.deepEqual(preprocessed.schema(), expected.schema(), 'column types survive the CSV → Parquet step');
  for (const c of expected.columns)
    assert.deepEqual(
      Array.from(preprocessed.column(c.name).values as ArrayLike<unknown>),
      Array.from(c.values as ArrayLike<unknown>),
      c.name,
    );

  // segregate on a CSV preprocessed_data, as an older store's latest would be.
  const csvPre = join(dir, 'preprocessed_data.csv');
  writeFileSync(csvPre, withDuplicates);
  const oldPre = await store.publish({
    name: 'preprocessed_data',
    type: 'preprocessed_data',
    files: [{ path: 'preprocessed_data.csv', source: csvPre }],
  });
  const seg = (await new MockActivityEnvironment().run(createSegregate(deps()), {
    config,
    inputs: { data: oldPre.version.ref },
  })) as StepOutcome;
  const train = await downloadTable(seg.produced[0].ref);
  const test = await downloadTable(seg.produced[1].ref);
  assert.equal(train.nRows + test.nRows, lines.length - 1 + 40);
  assert.deepEqual(train.schema(), expected.schema());
});
