/** `mlpipe promote` and `mlpipe rollback` through the real CLI on a real filesystem store. */
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DEFAULT_PROJECT } from '../../src/config';
import { openStore } from '../../src/store';
import type { ArtifactStore } from '../../src/store/types';

const run = promisify(execFile);
const CLI = join(__dirname, '../../bin/mlpipe');
let dir: string;
let store: ArtifactStore;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mlpipe-promote-'));
  store = await openStore(join(dir, 'store'), { project: DEFAULT_PROJECT });
  for (let i = 0; i < 3; i++) {
    writeFileSync(join(dir, 'model.bin'), `model ${i}`);
    await store.publish({
      name: 'model_export',
      type: 'model_export',
      files: [{ path: 'model.bin', source: join(dir, 'model.bin') }],
    });
  }
});
after(() => rmSync(dir, { recursive: true, force: true }));

function mlpipe(...args: string[]) {
  return run(process.execPath, [CLI, '--set', `storage.uri=${join(dir, 'store')}`, ...args]);
}

void it('promotes by hand, rolls back to the previous version, and keeps both reasons in the history', async () => {
  await mlpipe('promote', 'model_export:v0', '--reason', 'first release');
  await mlpipe('promote', 'model_export:v2', '--reason', 'better on new data');
  assert.equal((await store.getAliases('model_export')).prod, 2);
  const { stdout } = await mlpipe('rollback', '--reason', 'regression in prod');
  assert.match(stdout, /model_export:prod v2 → v0/);
  assert.equal((await store.getAliases('model_export')).prod, 0);
  const history = await store.aliasHistory('model_export', 'prod');
  assert.deepEqual(
    history.map((e) => [e.from, e.to, e.reason]),
    [
      [null, 0, 'first release'],
      [0, 2, 'better on new data'],
      [2, 0, 'regression in prod'],
    ],
  );
  assert.ok(history.every((e) => e.actor?.startsWith('cli:')));
});

void it('refuses to promote a version that does not exist, naming it', async () => {
  await assert.rejects(
    mlpipe('promote', 'model_export:v9', '--reason', 'typo'),
    (err: { stderr: string }) => {
      assert.match(err.stderr, /model_export:v9/);
      return true;
    },
  );
  assert.equal((await store.getAliases('model_export')).prod, 0);
});
