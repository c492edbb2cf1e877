/**
 * An alias object carries a copy of its version's manifest, so resolving `name:alias` is one read.
 * Alias objects written before the copy existed still resolve, through the manifest itself.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FsBackend } from '../../src/store/backends/fs';
import { keys } from '../../src/store/keys';
import { VersionedArtifactStore } from '../../src/store/versioned-store';
import { interceptCalls } from '../support/intercept-calls';

let root: string;

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'mlpipe-alias-manifest-'));
});

after(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A filesystem store with versions v0 and v1 of `m`, `prod` on v0, whose backend logs its reads. */
async function storeWithReads(name: string) {
  const dir = join(root, name);
  const reads: string[] = [];
  const storeDir = join(dir, 'store');
  const store = new VersionedArtifactStore(
    interceptCalls(new FsBackend(storeDir), (method, key) => {
      if (method === 'get' || method === 'exists') reads.push(String(key));
    }),
  );
  for (let i = 0; i < 2; i++) {
    const source = join(root, `${name}-${i}.txt`);
    await writeFile(source, `content ${i}`);
    await store.publish({ name: 'm', type: 'model', files: [{ path: 'm.txt', source }] });
  }
  await store.moveAlias('m', 'prod', 0);
  reads.length = 0;
  return { store, reads, storeDir };
}

void describe('alias objects carry their manifest', () => {
  void it('resolves an alias with one read, to the same manifest as the version ref', async () => {
    const { store, reads } = await storeWithReads('one-read');
    const latest = await store.resolve('m:latest');
    const prod = await store.resolve('m:prod');
    assert.deepEqual(reads, [keys.alias('m', 'latest'), keys.alias('m', 'prod')]);
    assert.deepEqual(latest, await store.resolve('m:v1'));
    assert.deepEqual(prod, await store.resolve('m:v0'));
  });

  void it('resolves an alias object written without the copy through the manifest', async () => {
    const { store, reads, storeDir } = await storeWithReads('older-object');
    const path = join(storeDir, ...keys.alias('m', 'prod').split('/'));
    const doc = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
    delete doc.manifest;
    await writeFile(path, JSON.stringify(doc));
    const prod = await store.resolve('m:prod');
    assert.equal(prod.ref, 'm:v0');
    assert.deepEqual(reads, [keys.alias('m', 'prod'), keys.version('m', 0)]);
  });
});
