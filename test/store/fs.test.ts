import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { openStore } from '../../src/store/index';
import { FsBackend } from '../../src/store/backends/fs';
import { VersionedArtifactStore } from '../../src/store/versioned-store';
import { runStoreContract, streamHooked } from './contract';

const roots: string[] = [];
after(async () => {
  await Promise.all(roots.map((r) => rm(r, { recursive: true, force: true })));
});

runStoreContract('filesystem', async () => {
  const root = await mkdtemp(join(tmpdir(), 'mlpipe-fs-store-'));
  roots.push(root);
  return {
    store: openStore(root),
    tamperBlob: (sha256, bytes) => writeFile(join(root, 'blobs', 'sha256', sha256), bytes),
    deleteKey: (key) => rm(join(root, ...key.split('/')), { force: true }),
    withStreamHook: (hook) => new VersionedArtifactStore(streamHooked(new FsBackend(root), hook)),
  };
});
