/** materializeModel over the filesystem store and local directories (the S3 cases are in s3.test.ts). */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { ArtifactNotFoundError, InvalidRefError, materializeModel, openStore } from '../../src/store/index';

void describe('materializeModel', () => {
  let work: string;
  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'mlpipe-materialize-'));
  });
  after(async () => {
    await rm(work, { recursive: true, force: true });
  });

  void it('downloads a store ref once into the cache and reuses it', async () => {
    const store = openStore(join(work, 'store'));
    await writeFile(join(work, 'MLmodel'), 'flavors: {}\n');
    const { version } = await store.publish({
      name: 'model_export',
      type: 'model',
      files: [{ path: 'MLmodel', source: join(work, 'MLmodel') }],
    });
    await store.moveAlias('model_export', 'prod', version.version);
    const cacheDir = join(work, 'cache');
    const first = await materializeModel('model_export:prod', { store, cacheDir });
    assert.equal(first.version?.digest, version.digest);
    assert.equal(await readFile(join(first.dir, 'MLmodel'), 'utf8'), 'flavors: {}\n');
    const second = await materializeModel('exercise_14/model_export:v0', { store, cacheDir });
    assert.equal(second.dir, first.dir);
    assert.deepEqual(
      await readdir(join(cacheDir, 'artifacts', 'model_export')),
      [first.dir.split('/').at(-1)],
      'no temp dirs left',
    );
    await assert.rejects(
      materializeModel('model_export:staging', { store, cacheDir }),
      ArtifactNotFoundError,
    );
    await assert.rejects(materializeModel('model_export:prod', { cacheDir }), InvalidRefError);
  });

  void it('uses a local directory as is (path or file:// URI) and names a missing one', async () => {
    const dir = join(work, 'local-model');
    await mkdir(dir, { recursive: true });
    assert.equal((await materializeModel(dir, { cacheDir: work })).dir, dir);
    assert.equal((await materializeModel(pathToFileURL(dir).href, { cacheDir: work })).dir, dir);
    await assert.rejects(materializeModel(join(work, 'nope'), { cacheDir: work }), /nope/);
  });
});
