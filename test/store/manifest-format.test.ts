/**
 * Manifests record the layout they were written in, so that code meeting a newer layout refuses it
 * by name instead of misreading it (code from before packs saw a packed file's blob as missing).
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FsBackend } from '../../src/store/backends/fs';
import { UnsupportedFormatError, isRetryableStoreError } from '../../src/store/errors';
import { keys } from '../../src/store/keys';
import { MANIFEST_FORMAT, VersionedArtifactStore } from '../../src/store/versioned-store';

let root: string;

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'mlpipe-manifest-format-'));
});

after(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A store with `m:v0` (`prod` on it) and a way to rewrite v0's manifest and alias objects. */
async function storeWithVersion(name: string) {
  const storeDir = join(root, name, 'store');
  const store = new VersionedArtifactStore(new FsBackend(storeDir), { packSmallFiles: true });
  const source = join(root, `${name}.txt`);
  await writeFile(source, 'content');
  await store.publish({ name: 'm', type: 'model', files: [{ path: 'm.txt', source }] });
  await store.moveAlias('m', 'prod', 0);
  const objects = [keys.version('m', 0), keys.alias('m', 'latest'), keys.alias('m', 'prod')].map((k) =>
    join(storeDir, ...k.split('/')),
  );
  /** Applies `edit` to the manifest and to both alias objects' copies of it. */
  async function rewriteManifest(edit: (manifest: Record<string, unknown>) => void) {
    for (const path of objects) {
      const doc = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
      edit((doc.manifest as Record<string, unknown> | undefined) ?? doc);
      await writeFile(path, JSON.stringify(doc));
    }
  }
  return { store, rewriteManifest, storeDir };
}

void describe('manifest format', () => {
  void it('is written with every new version, and does not change the version digest', async () => {
    const { store, rewriteManifest } = await storeWithVersion('written');
    const v0 = await store.resolve('m:v0');
    assert.equal(v0.format, MANIFEST_FORMAT);
    assert.equal((await store.resolve('m:prod')).format, MANIFEST_FORMAT);

    // A manifest from before the field (format 1) still reads, with the same digest.
    await rewriteManifest((m) => delete m.format);
    const legacy = await store.resolve('m:prod');
    assert.equal(legacy.format, undefined);
    assert.equal(legacy.digest, v0.digest);
    assert.equal((await store.listVersions('m')).length, 1);
  });

  void it('refuses a newer format by ref, alias, listing and publish, naming the version and the store', async () => {
    const { store, rewriteManifest, storeDir } = await storeWithVersion('newer');
    await rewriteManifest((m) => (m.format = MANIFEST_FORMAT + 1));
    const refused = (e: unknown) => {
      assert.ok(e instanceof UnsupportedFormatError, String(e));
      assert.equal(isRetryableStoreError(e), false);
      assert.match(e.message, /m:v0/);
      assert.ok(e.message.includes(storeDir), e.message);
      assert.match(e.message, new RegExp(`format ${MANIFEST_FORMAT + 1}.*up to ${MANIFEST_FORMAT}`));
      return true;
    };
    await assert.rejects(store.resolve('m:v0'), refused);
    await assert.rejects(store.resolve('m:prod'), refused);
    await assert.rejects(store.resolve('m:latest'), refused);
    await assert.rejects(store.listVersions('m'), refused);
    // Publishing next to it would mean reading it to decide reuse: refused too, and nothing written.
    const source = join(root, 'newer-2.txt');
    await writeFile(source, 'other content');
    await assert.rejects(
      store.publish({ name: 'm', type: 'model', files: [{ path: 'm.txt', source }] }),
      refused,
    );
    await rewriteManifest((m) => (m.format = MANIFEST_FORMAT));
    assert.deepEqual(
      (await store.listVersions('m')).map((v) => v.ref),
      ['m:v0'],
    );
  });
});
