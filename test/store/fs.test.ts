import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { FsBackend } from '../../src/store/backends/fs';
import { VersionedArtifactStore } from '../../src/store/versioned-store';
import { runStoreContract, streamHooked } from './contract';

const roots: string[] = [];
after(async () => {
  await Promise.all(roots.map((r) => rm(r, { recursive: true, force: true })));
});

// Files by default; packed as an object store packs them, so that the pack layout is checked on
// both backends.
for (const packSmallFiles of [false, true]) {
  runStoreContract(packSmallFiles ? 'filesystem, small files packed' : 'filesystem', async () => {
    const root = await mkdtemp(join(tmpdir(), 'mlpipe-fs-store-'));
    roots.push(root);
    const blob = (sha256: string) => join(root, 'blobs', 'sha256', sha256);
    return {
      store: new VersionedArtifactStore(new FsBackend(root), { packSmallFiles }),
      tamperBlob: async (sha256, edit) => writeFile(blob(sha256), edit(await readFile(blob(sha256)))),
      deleteKey: (key) => rm(join(root, ...key.split('/')), { force: true }),
      withStreamHook: (hook) =>
        new VersionedArtifactStore(streamHooked(new FsBackend(root), hook), { packSmallFiles }),
    };
  });
}
