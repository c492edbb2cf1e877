/**
 * check_data's data contract at the activity level (MockActivityEnvironment) on a real, project-scoped
 * filesystem store, with the default config (no column rules): the first run infers and publishes the
 * contract, a second run of the same data passes it, later data is held to it, and the command a
 * failure prints, run through the real CLI, is all it takes to accept new data.
 */
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { MockActivityEnvironment } from '@temporalio/testing';
import { ApplicationFailure } from '@temporalio/common';
import { createCheckData } from '../../src/activities/check-data';
import { loadConfig } from '../../src/config';
import { openStore } from '../../src/store';
import type { ArtifactStore } from '../../src/store/types';
import { sampleGenresCsv } from '../../src/sample-data';
import { storeOpener } from '../../src/worker';
import type { StepOutcome } from '../../src/activities/types';

const CLI = join(__dirname, '../../bin/mlpipe');
const PROJECT = 'songs';
let dir: string;
let storeDir: string;
let store: ArtifactStore;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mlpipe-contract-'));
  storeDir = join(dir, 'store');
  store = await openStore(storeDir, { project: PROJECT });
});
after(() => rmSync(dir, { recursive: true, force: true }));

const config = () =>
  loadConfig({
    overrides: [`storage.uri=${storeDir}`, `main.project_name=${PROJECT}`, 'data.target=genre'],
    env: {},
  });

async function publishCsv(csv: string): Promise<string> {
  const file = join(dir, `data-${Date.now()}-${Math.random()}.csv`);
  writeFileSync(file, csv);
  const { version } = await store.publish({
    name: 'preprocessed_data',
    type: 'preprocessed_data',
    files: [{ path: 'preprocessed_data.csv', source: file }],
  });
  return version.ref;
}

function check(ref: string): Promise<StepOutcome> {
  const activity = createCheckData({
    workDir: join(dir, 'work'),
    storeFor: storeOpener(dir),
    codeVersion: { package: 'test', version: '0', node: process.version },
    searchAttributes: false,
  });
  return new MockActivityEnvironment().run(activity, {
    config: config(),
    inputs: { data: ref },
  }) as Promise<StepOutcome>;
}

/** The sample with `edit(cells, i, header)` applied to each data row, and columns `drop` removed. */
function edited(
  csv: string,
  edit: (cells: string[], i: number, col: (name: string) => number) => void,
  drop: string[] = [],
) {
  const lines = csv.trim().split('\n');
  const header = lines[0].split(',');
  const col = (name: string) => header.indexOf(name);
  const keep = (cells: string[]) => cells.filter((_, j) => !drop.includes(header[j]));
  const rows = lines.slice(1).map((line, i) => {
    const cells = line.split(',');
    // Quoted fields with commas would shift cells; the sample's numeric rows never have them.
    if (cells.length === header.length) edit(cells, i, col);
    return keep(cells).join(',');
  });
  return [keep(header).join(','), ...rows].join('\n') + '\n';
}

async function failureOf(ref: string): Promise<ApplicationFailure> {
  let failure: ApplicationFailure | undefined;
  await assert.rejects(check(ref), (err: unknown) => {
    assert.ok(err instanceof ApplicationFailure, String(err));
    failure = err;
    return true;
  });
  assert.equal(failure!.nonRetryable, true);
  assert.equal(failure!.type, 'CheckFailed');
  return failure!;
}

const good = sampleGenresCsv({ rows: 1500, seed: 1 });

void it('infers the contract on the first run, publishes it keyed by the reference, and a second run passes it', async () => {
  const ref = await publishCsv(good);
  const first = await check(ref);
  assert.match(first.summary, /contract 17 columns, \d+ rules from preprocessed_data:v0; no reference yet/);
  assert.equal((await store.getAliases('preprocessed_data')).reference, 0);
  assert.equal((await store.getAliases('data_contract')).reference, 0);
  const contract = await store.resolve('data_contract:reference');
  assert.deepEqual(contract.metadata, {
    dataset: 'preprocessed_data:v0',
    datasetDigest: (await store.resolve(ref)).digest,
  });
  assert.ok(first.produced.some((r) => r.ref === 'data_contract:v0'));

  // The contract is in the check report, column by column.
  const reportDir = join(dir, 'report');
  await store.download(await store.resolve('check_report:latest'), reportDir);
  const report = JSON.parse(readFileSync(join(reportDir, 'check_report.json'), 'utf8')) as {
    contract: { ref: string; columns: { name: string; role: string; classes?: unknown[] }[] };
  };
  assert.equal(report.contract.ref, 'data_contract:v0');
  const genre = report.contract.columns.find((c) => c.name === 'genre');
  assert.equal(genre?.role, 'target');
  assert.equal(genre?.classes?.length, 15);

  const second = await check(ref);
  assert.match(
    second.summary,
    /all checks passed.*contract 17 columns.*KS \d+ columns vs preprocessed_data:v0/,
  );
  assert.ok(
    second.consumed.some((r) => r.requested === 'data_contract:reference' && r.ref === 'data_contract:v0'),
  );
  assert.equal((await store.listVersions('data_contract')).length, 1, 'the stored contract is reused');
});

void it('lists a violation of each kind on later data, ending with the command that accepts it, and publishes nothing', async () => {
  const broken = edited(
    good,
    (cells, i, col) => {
      if (i === 7) cells[col('energy')] = 'loud'; // numeric → string
      if (i === 3) cells[col('danceability')] = '7.5'; // outside [0, 1.1]
      if (i === 5) cells[col('genre')] = 'Polka'; // a class the target never had
      if (i % 5 === 0) cells[col('valence')] = ''; // 20% missing, the contract has 0%
    },
    ['liveness'], // a contract column gone
  );
  const ref = await publishCsv(broken);
  const versionsBefore = await store.listVersions('data_contract');
  const reportsBefore = await store.listVersions('check_report');
  const failure = await failureOf(ref);
  const m = failure.message;
  assert.match(
    m,
    /contract_column \[liveness\]: expected a number column \(data contract of preprocessed_data:v0\), found missing/,
  );
  assert.match(m, /contract_type \[energy\]: expected number .*found string \("loud" at row 8\)/);
  assert.match(
    m,
    /contract_range \[danceability\]: expected \[0\.0682, 1\.0738\] \(observed \[0\.152, 0\.99\] in preprocessed_data:v0, widened by 10% of the span; .*found 1 rows outside, first 7\.5 at row 4/,
  );
  assert.match(
    m,
    /contract_classes \[genre\]: expected one of the 15 classes of preprocessed_data:v0.*found unseen "Polka" in 1 rows/,
  );
  assert.match(m, /contract_missing \[valence\]: expected ≤ 5% missing .*found 20% missing \(300 rows\)/);
  const lastLine = m.trim().split('\n').at(-1)!.trim();
  assert.equal(
    lastLine,
    `mlpipe --set storage.uri=${storeDir} artifacts alias preprocessed_data reference 1 --expected 0 --project ${PROJECT}`,
  );
  assert.deepEqual(await store.listVersions('data_contract'), versionsBefore);
  assert.deepEqual(await store.listVersions('check_report'), reportsBefore);
  assert.equal((await store.getAliases('preprocessed_data')).reference, 0);
});

void it('accepts drifted data with the one printed command: the contract follows the moved reference', async () => {
  const drifted = edited(good, (cells, _i, col) => {
    cells[col('tempo')] = String(Number(cells[col('tempo')]) + 60);
  });
  const ref = await publishCsv(drifted);
  const failure = await failureOf(ref);
  assert.match(failure.message, /contract_range \[tempo\]/);
  assert.match(failure.message, /ks_drift \[tempo\]/, 'KS still runs when only contract rules fail');
  assert.match(
    failure.message,
    /If this data is right, accept it as the new reference \(the data contract follows it\):\n {2}mlpipe /,
  );
  const command = failure.message.trim().split('\n').at(-1)!.trim().split(' ');
  assert.equal(command[0], 'mlpipe');
  await promisify(execFile)(process.execPath, [CLI, ...command.slice(1)]);
  assert.equal((await store.getAliases('preprocessed_data')).reference, 2);

  const accepted = await check(ref);
  assert.match(accepted.summary, /contract 17 columns, \d+ rules from preprocessed_data:v2/);
  const contract = await store.resolve('data_contract:reference');
  assert.equal(contract.metadata.dataset, 'preprocessed_data:v2');
  assert.deepEqual(
    (await store.aliasHistory('data_contract', 'reference')).map((e) => [e.from, e.to]),
    [
      [null, 0],
      [0, contract.version],
    ],
  );
});
