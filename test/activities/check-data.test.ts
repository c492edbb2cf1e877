/**
 * The check_data activity alone (MockActivityEnvironment) on a real filesystem store: every failure is
 * listed with column, expected and found, the failure is non-retryable, and nothing is published.
 */
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { ApplicationFailure } from '@temporalio/common';
import { createCheckData } from '../../src/activities/check-data';
import { exampleConfigPath, loadConfig } from '../../src/config';
import { openStore } from '../../src/store';
import type { ArtifactStore } from '../../src/store/types';
import { sampleGenresCsv } from '../../src/sample-data';
import { storeOpener } from '../../src/worker';
import type { StepOutcome } from '../../src/activities/types';
import { raceAliasMoves } from '../support/race-alias-moves';

let dir: string;
let store: ArtifactStore;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mlpipe-check-'));
  store = await openStore(join(dir, 'store'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

async function publishCsv(name: string, csv: string): Promise<string> {
  const file = join(dir, `${name}.csv`);
  writeFileSync(file, csv);
  const { version } = await store.publish({
    name,
    type: 'preprocessed_data',
    files: [{ path: 'preprocessed_data.csv', source: file }],
  });
  return version.ref;
}

function activity() {
  return createCheckData({
    workDir: join(dir, 'work'),
    storeFor: storeOpener(dir),
    codeVersion: { package: 'test', version: '0', node: process.version },
    searchAttributes: false,
  });
}

void it('passes good data, tags the first reference, and fails drifted or broken data listing every failure', async () => {
  // The raw sample has no text_feature column (preprocess adds it), so this check does not ask for it.
  const config = loadConfig({
    path: exampleConfigPath('genres'),
    overrides: [`storage.uri=${join(dir, 'store')}`],
  });
  const good = sampleGenresCsv({ rows: 1500, seed: 1 });
  const goodRef = await publishCsv('preprocessed_data', good);
  const env = new MockActivityEnvironment();
  const ok = (await env.run(activity(), { config, inputs: { data: goodRef } })) as StepOutcome;
  assert.match(ok.summary, /all checks passed/);
  assert.equal((await store.getAliases('preprocessed_data')).reference, 0, 'first run tags the reference');

  // Break it: a value out of range, an unknown class, text in a numeric column, and a shifted tempo
  // distribution (KS drift).
  const lines = good.trim().split('\n');
  const header = lines[0].split(',');
  const tempo = header.indexOf('tempo');
  const dance = header.indexOf('danceability');
  const genre = header.indexOf('genre');
  const energy = header.indexOf('energy');
  const broken = [lines[0]]
    .concat(
      lines.slice(1).map((line, i) => {
        const cells = line.split(',');
        if (cells.length !== header.length) return line;
        cells[tempo] = String(Number(cells[tempo]) * 1.6 || 200);
        if (i === 3) cells[dance] = '7.5';
        if (i === 5) cells[genre] = 'Polka';
        if (i === 7) cells[energy] = 'loud';
        return cells.join(',');
      }),
    )
    .join('\n');
  const badRef = await publishCsv('preprocessed_data', broken);
  const aliasesBefore = await store.getAliases('preprocessed_data');
  const reportsBefore = await store.listArtifacts();
  await assert.rejects(env.run(activity(), { config, inputs: { data: badRef } }), (err: unknown) => {
    assert.ok(err instanceof ApplicationFailure, String(err));
    assert.equal(err.nonRetryable, true);
    assert.equal(err.type, 'CheckFailed');
    assert.match(err.message, /range \[danceability\]: expected \[0, 1\], found 1 rows outside, first 7\.5/);
    assert.match(err.message, /class_names \[genre\].*"Polka"/);
    assert.match(err.message, /range \[tempo\]/);
    assert.match(err.message, /column_type \[energy\]: expected number, found string \("loud" at row 8\)/);
    return true;
  });
  assert.deepEqual(
    { ...(await store.getAliases('preprocessed_data')), latest: aliasesBefore.latest },
    aliasesBefore,
  );
  assert.deepEqual(await store.listArtifacts(), reportsBefore, 'a failed check publishes no report');
});

void it('fails on distribution drift against the reference with the corrected alpha', async () => {
  const config = loadConfig({
    path: exampleConfigPath('genres'),
    overrides: [`storage.uri=${join(dir, 'store')}`, '~check_data.ranges.tempo'],
  });
  const lines = sampleGenresCsv({ rows: 1500, seed: 2 }).trim().split('\n');
  const tempo = lines[0].split(',').indexOf('tempo');
  const shifted = [
    lines[0],
    ...lines.slice(1).map((line) => {
      const cells = line.split(',');
      cells[tempo] = String(Number(cells[tempo]) + 25);
      return cells.join(',');
    }),
  ].join('\n');
  const ref = await publishCsv('preprocessed_data', shifted);
  await assert.rejects(
    new MockActivityEnvironment().run(activity(), { config, inputs: { data: ref } }),
    (err: unknown) => {
      assert.ok(err instanceof ApplicationFailure);
      assert.equal(err.nonRetryable, true);
      assert.match(err.message, /ks_drift \[tempo\]: expected p ≥ 0\.00512 against preprocessed_data:v0/);
      assert.doesNotMatch(err.message, /ks_drift \[danceability\]/);
      return true;
    },
  );
});

void it('leaves a reference tagged by a concurrent first run in place, and checks against it on retry', async () => {
  const raceDir = join(dir, 'store-race');
  const raced = openStore(raceDir);
  const config = loadConfig({
    path: exampleConfigPath('genres'),
    overrides: [`storage.uri=${raceDir}`],
  });
  const refs: string[] = [];
  for (const seed of [11, 12]) {
    const file = join(dir, `race-${seed}.csv`);
    writeFileSync(file, sampleGenresCsv({ rows: 1500, seed }));
    const { version } = await raced.publish({
      name: 'preprocessed_data',
      type: 'preprocessed_data',
      files: [{ path: 'preprocessed_data.csv', source: file }],
    });
    refs.push(version.ref);
  }
  // The other run tags its data (v0) as the reference just before this run (checking v1) does.
  const racingStore = raceAliasMoves(raced, async (real, k) => {
    if (k === 0)
      await real.moveAlias('preprocessed_data', 'reference', 0, { expected: null, actor: 'other-run' });
  });
  const checkData = createCheckData({
    workDir: join(dir, 'work'),
    storeFor: () => Promise.resolve(racingStore),
    codeVersion: { package: 'test', version: '0', node: process.version },
    searchAttributes: false,
  });
  await assert.rejects(
    new MockActivityEnvironment().run(checkData, { config, inputs: { data: refs[1] } }),
    (e: unknown) => {
      assert.ok(e instanceof ApplicationFailure, String(e));
      assert.equal(e.type, 'ReferenceRaced');
      assert.equal(e.nonRetryable, false, 'a retry checks against the new reference');
      assert.match(e.message, /preprocessed_data:reference was set by a concurrent run/);
      return true;
    },
  );
  assert.equal((await raced.getAliases('preprocessed_data')).reference, 0, 'the other run’s tag stands');
  const retried = (await new MockActivityEnvironment({ attempt: 2 }).run(checkData, {
    config,
    inputs: { data: refs[1] },
  })) as StepOutcome;
  assert.match(retried.summary, /KS \d+ columns vs preprocessed_data:v0/);
  assert.equal((await raced.getAliases('preprocessed_data')).reference, 0);
});
