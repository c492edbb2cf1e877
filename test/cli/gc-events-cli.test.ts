/**
 * `mlpipe gc`, `mlpipe events` and a CLI move's inline delivery, through the real CLI on a real
 * filesystem store and a real local webhook receiver.
 */
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DEFAULT_PROJECT } from '../../src/config';
import { openStore } from '../../src/store';
import type { VersionedArtifactStore } from '../../src/store/versioned-store';
import type { GcReport } from '../../src/gc/collect';
import { buildLineageStore } from '../support/lineage-store';
import { closedPort, startReceiver, type WebhookReceiver } from '../support/webhook-receiver';

const run = promisify(execFile);
const CLI = join(__dirname, '../../bin/mlpipe');
const SECRET_ENV = 'MLPIPE_TEST_CLI_WEBHOOK_SECRET';
const secret = randomBytes(16).toString('hex');
let dir: string;
let store: VersionedArtifactStore;
let receiver: WebhookReceiver;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mlpipe-gc-cli-'));
  store = openStore(join(dir, 'store'), { project: DEFAULT_PROJECT });
  await buildLineageStore(store, { runs: 6, prodAt: [1, 3] });
  receiver = await startReceiver(secret);
});
after(async () => {
  await receiver.close();
  rmSync(dir, { recursive: true, force: true });
});

function mlpipe(settings: string[], ...args: string[]) {
  return run(
    process.execPath,
    [CLI, '--set', `storage.uri=${join(dir, 'store')}`, ...settings.flatMap((s) => ['--set', s]), ...args],
    {
      env: { ...process.env, [SECRET_ENV]: secret },
    },
  );
}

const files = () => readdirSync(join(dir, 'store'), { recursive: true }).sort();

void it('gc --dry-run says what would go and why, and deletes nothing; gc then deletes it', async () => {
  const before = files();
  const rules = ['--keep-last', '1', '--older-than', '0s', '--grace', '0s'];
  const { stdout } = await mlpipe([], 'gc', '--dry-run', ...rules);
  assert.match(stdout, /dry run, nothing deleted/);
  assert.match(stdout, /would delete default\/raw_data:v0 .*: no alias, not in any alias's last 1 moves/);
  assert.match(stdout, /freed/);
  assert.deepEqual(files(), before);

  const json = JSON.parse((await mlpipe([], 'gc', '--json', ...rules)).stdout) as GcReport;
  // Kept: run 5 (latest) and run 3 (prod) with their lineage; runs 0, 1, 2 and 4 go.
  assert.deepEqual(
    json.versions.deleted.filter((d) => d.ref.startsWith('model_export')).map((d) => d.ref),
    ['model_export:v0', 'model_export:v1', 'model_export:v2', 'model_export:v4'],
  );
  assert.ok(json.bytesFreed > 0);
  assert.deepEqual(await store.listVersionNumbers('raw_data'), [3, 5]);
  const lineage = await mlpipe([], 'lineage', 'model_export:prod');
  assert.match(lineage.stdout, /raw_data:v3/);
});

void it('a CLI promotion delivers its event inline; a webhook that is down is listed and redelivered', async () => {
  const up = [`events.webhooks=[{url: "${receiver.url}", secret_env: ${SECRET_ENV}}]`];
  const promoted = await mlpipe(up, 'promote', 'model_export:v5', '--reason', 'newest');
  assert.match(promoted.stderr, /event default\/model_export\/prod\/3 delivered/);
  assert.deepEqual(receiver.applied, ['default/model_export/prod/3']);

  const down = [
    `events.webhooks=[{url: "http://127.0.0.1:${await closedPort()}/hooks", secret_env: ${SECRET_ENV}}]`,
  ];
  const t0 = Date.now();
  const rolled = await mlpipe(down, 'rollback', '--reason', 'oops');
  assert.ok(Date.now() - t0 < 15_000);
  assert.match(rolled.stdout, /model_export:prod v5 → v3/);
  assert.match(
    rolled.stderr,
    /failed \(.*ECONNREFUSED.*\); the move stands\. Retry with: mlpipe events redeliver default\/model_export\/prod\/4/,
  );
  const failed = await mlpipe(down, 'events', 'ls', '--failed');
  assert.match(failed.stdout, /default\/model_export\/prod\/4 .* model_export:prod v5 → v3/);
  assert.match(failed.stdout, /FAILED/);

  const redelivered = await mlpipe(
    up.map((s) => s),
    'events',
    'redeliver',
    'default/model_export/prod/4',
  );
  assert.match(redelivered.stdout, /delivered default\/model_export\/prod\/4/);
  assert.ok(receiver.applied.includes('default/model_export/prod/4'));
});
