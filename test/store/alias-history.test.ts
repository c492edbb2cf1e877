/**
 * The order of writes behind an alias move: the move being replaced goes into the history before the
 * alias object is swapped, so no move is ever stored nowhere, even when the swap fails.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FsBackend } from '../../src/store/backends/fs';
import { keys } from '../../src/store/keys';
import { VersionedArtifactStore } from '../../src/store/versioned-store';
import { interceptCalls } from '../support/intercept-calls';

let root: string;

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'mlpipe-alias-history-'));
});

after(async () => {
  await rm(root, { recursive: true, force: true });
});

/**
 * A filesystem store holding three versions of `m`, whose backend logs its writes and can fail the
 * next swap of a given key.
 */
async function storeWithThreeVersions(name: string): Promise<{
  store: VersionedArtifactStore;
  writes: string[];
  failNextSwap: (key: string) => void;
}> {
  const dir = join(root, name);
  const writes: string[] = [];
  let failing: string | null = null;
  const backend = interceptCalls(new FsBackend(join(dir, 'store')), (method, key) => {
    if (method === 'putIfMatch' && key === failing) {
      failing = null;
      throw new Error(`simulated failure swapping ${String(key)}`);
    }
    if (method.startsWith('put')) writes.push(`${method} ${String(key)}`);
  });
  const store = new VersionedArtifactStore(backend);
  await mkdir(dir, { recursive: true });
  for (let i = 0; i < 3; i++) {
    const source = join(dir, `m${i}.bin`);
    await writeFile(source, `model ${i}`);
    await store.publish({ name: 'm', type: 'model', files: [{ path: 'm.bin', source }] });
  }
  return { store, writes, failNextSwap: (key) => (failing = key) };
}

void describe('alias history', () => {
  void it('writes the replaced move into the history before it swaps the alias object', async () => {
    const { store, writes } = await storeWithThreeVersions('order');
    await store.moveAlias('m', 'prod', 0, { reason: 'first' });
    await store.moveAlias('m', 'prod', 2, { reason: 'second' });
    await store.moveAlias('m', 'prod', 1, { reason: 'rollback' });

    for (const alias of ['latest', 'prod']) {
      const swaps = writes
        .map((w, i) => ({ w, i }))
        .filter(({ w }) => w === `putIfMatch ${keys.alias('m', alias)}`);
      assert.equal(swaps.length, 2, `${alias}: two moves replaced an earlier one`);
      swaps.forEach(({ i }, n) => {
        const history = `putIfAbsent ${keys.history('m', alias, n + 1)}`;
        const at = writes.indexOf(history);
        assert.ok(
          at >= 0 && at < i,
          `${alias}: move ${n + 1} is in the history before move ${n + 2} replaces it`,
        );
      });
      // The last move lives in the alias object until a later move replaces it.
      assert.equal(writes.includes(`putIfAbsent ${keys.history('m', alias, 3)}`), false);
    }
    assert.deepEqual(
      (await store.aliasHistory('m', 'prod')).map((e) => [e.from, e.to, e.reason]),
      [
        [null, 0, 'first'],
        [0, 2, 'second'],
        [2, 1, 'rollback'],
      ],
    );
    assert.deepEqual(
      (await store.aliasHistory('m', 'latest')).map((e) => [e.from, e.to]),
      [
        [null, 0],
        [0, 1],
        [1, 2],
      ],
    );
  });

  void it('loses no move and writes none twice when a swap fails after the history write', async () => {
    const { store, failNextSwap } = await storeWithThreeVersions('failure');
    await store.moveAlias('m', 'prod', 0, { reason: 'first' });
    failNextSwap(keys.alias('m', 'prod'));
    await assert.rejects(store.moveAlias('m', 'prod', 2, { reason: 'failed' }), /simulated failure/);
    assert.equal((await store.getAliases('m')).prod, 0, 'the alias did not move');
    assert.deepEqual(
      (await store.aliasHistory('m', 'prod')).map((e) => e.reason),
      ['first'],
      'the first move is listed once, from its history object',
    );
    await store.moveAlias('m', 'prod', 2, { reason: 'retried' });
    assert.deepEqual(
      (await store.aliasHistory('m', 'prod')).map((e) => [e.from, e.to, e.reason]),
      [
        [null, 0, 'first'],
        [0, 2, 'retried'],
      ],
    );
  });
});
