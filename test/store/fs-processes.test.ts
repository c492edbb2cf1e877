/** The filesystem store's compare-and-swap holds across processes, not just across promises. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, it } from 'node:test';
import { openStore } from '../../src/store/index';

const run = promisify(execFile);
let root: string;

after(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

void it('gives one CAS winner and loses no alias move when 3 processes race', async () => {
  root = await mkdtemp(join(tmpdir(), 'mlpipe-fs-procs-'));
  const store = openStore(join(root, 'store'));
  for (let i = 0; i < 3; i++) {
    await writeFile(join(root, 'm.bin'), `model ${i}`);
    await store.publish({
      name: 'model_export',
      type: 'model',
      files: [{ path: 'm.bin', source: join(root, 'm.bin') }],
    });
  }
  await store.moveAlias('model_export', 'prod', 0, { expected: null });

  const processes = 3;
  const moves = 8;
  const outputs = await Promise.all(
    Array.from({ length: processes }, (_, id) =>
      run(process.execPath, [
        '--import',
        'tsx',
        join(__dirname, 'fs-alias-mover.ts'),
        join(root, 'store'),
        String(id),
        String(moves),
      ]),
    ),
  );
  const wins = outputs.map(
    (o) => (JSON.parse(o.stdout.trim().split('\n').at(-1)!) as { casWon: boolean }).casWon,
  );
  assert.equal(wins.filter(Boolean).length, 1, 'exactly one process wins the CAS from v0');

  const history = await store.aliasHistory('model_export', 'prod');
  assert.equal(history.length, 1 + 1 + processes * moves);
  for (let i = 1; i < history.length; i++)
    assert.equal(history[i].from, history[i - 1].to, `event ${i} chains`);
  assert.equal((await store.getAliases('model_export')).prod, history.at(-1)!.to);
});
