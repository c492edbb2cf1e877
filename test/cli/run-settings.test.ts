/**
 * `mlpipe run --set …` settings given after `run` steer everything the command does, as global ones
 * do: the embedded dev server's port, Web UI port and database, and the store (and project) that the
 * run's report is read back from. A real run on a real embedded dev server.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';

const BIN = join(__dirname, '..', '..', 'bin', 'mlpipe');
const work = mkdtempSync(join(tmpdir(), 'mlpipe-run-settings-'));
const server = [
  'temporal.dev_server.port=7593',
  'temporal.dev_server.ui_port=8593',
  `temporal.dev_server.db_file=${join(work, 'temporal.db')}`,
].flatMap((s) => ['--set', s]);

after(() => {
  spawnSync(process.execPath, [BIN, ...server, 'server', 'stop'], { encoding: 'utf8' });
  rmSync(work, { recursive: true, force: true });
});

void it('uses the dev server, store and project given after run', { timeout: 300_000 }, () => {
  const res = spawnSync(
    process.execPath,
    [
      BIN,
      'run',
      '--json',
      ...server,
      ...[
        `storage.uri=${join(work, 'store')}`,
        'main.project_name=settings_after_run',
        'data.sample.rows=400',
        'random_forest_pipeline.random_forest.n_estimators=5',
      ].flatMap((s) => ['--set', s]),
    ],
    { encoding: 'utf8', timeout: 240_000, env: { ...process.env, CI: 'true' } },
  );
  assert.equal(res.status, 0, res.stderr);
  const result = JSON.parse(res.stdout.slice(res.stdout.indexOf('{'))) as {
    url: string;
    reportPath?: string;
  };
  assert.match(result.url, /^http:\/\/localhost:8593\//, 'the Web UI link names the ui_port given');
  assert.ok(existsSync(join(work, 'temporal.db')), 'the dev server uses the db_file given');
  assert.ok(result.reportPath && existsSync(result.reportPath), 'the report was read from the project given');
  assert.ok(existsSync(join(work, 'store', 'projects', 'settings_after_run', 'artifacts')));
});
