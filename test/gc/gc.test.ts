/**
 * Garbage collection on both backends (the filesystem and a real MinIO): a dry run deletes nothing;
 * a run keeps exactly what the rules keep and prod's lineage stays complete, every digest checked;
 * a publish that lands while GC runs (new blobs, and a blob reused from a version being deleted)
 * stays whole.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { collectGarbage, type GcOptions } from '../../src/gc/collect';
import { traceArtifact, type ArtifactTrace } from '../../src/lineage/trace';
import { openStore } from '../../src/store/index';
import type { VersionedArtifactStore } from '../../src/store/versioned-store';
import { sleep } from '../../src/store/concurrency';
import { buildLineageStore, CHAIN, publishRun, type BuiltRun } from '../support/lineage-store';
import { type RunningMinio, minioSkipReason, startMinio } from '../support/minio';

const RUNS = 12;
const PROD_AT = [1, 4, 6, 9];
const KEEP_LAST = 2;
const GRACE_MS = 1000;
/** LastModified on S3 has whole seconds: wait past the grace period with room. */
const PAST_GRACE_MS = 2200;

const rules = (dryRun: boolean): GcOptions => ({
  dryRun,
  keepLast: KEEP_LAST,
  olderThanMs: 0,
  graceMs: GRACE_MS,
});

/** The runs whose four versions the rules keep: the last KEEP_LAST of `latest`, and of `prod` with their lineage. */
function expectedRuns(): Set<number> {
  const kept = new Set<number>();
  for (let i = RUNS - KEEP_LAST; i < RUNS; i++) kept.add(i);
  for (const i of PROD_AT.slice(-KEEP_LAST)) kept.add(i);
  return kept;
}

async function versionSet(store: VersionedArtifactStore): Promise<string[]> {
  const out: string[] = [];
  for (const name of await store.listArtifacts())
    for (const n of await store.listVersionNumbers(name)) out.push(`${name}:v${n}`);
  return out.sort();
}

/** Downloads every version of the trace (each file's sha256 is verified on the way). */
async function downloadTrace(store: VersionedArtifactStore, t: ArtifactTrace, dir: string): Promise<number> {
  await store.download(await store.resolve(t.ref), join(dir, t.ref.replace(':', '_')));
  let n = 1;
  for (const input of t.inputs) n += await downloadTrace(store, input, dir);
  return n;
}

interface Backend {
  open(): Promise<VersionedArtifactStore>;
  /** Every object key and its bytes' identity, to prove a dry run touched nothing. */
  objects(store: VersionedArtifactStore): Promise<string[]>;
}

function gcSuite(label: string, backend: () => Backend): void {
  void describe(`gc on ${label}`, () => {
    let store: VersionedArtifactStore;
    let runs: BuiltRun[];
    let scratch: string;

    before(async () => {
      store = await backend().open();
      scratch = await mkdtemp(join(tmpdir(), 'mlpipe-gc-test-'));
      runs = await buildLineageStore(store, { runs: RUNS, prodAt: PROD_AT });
      await sleep(PAST_GRACE_MS);
    });
    after(async () => {
      await rm(scratch, { recursive: true, force: true });
    });

    void it('a dry run deletes nothing and says what would go and why', async () => {
      const before = await backend().objects(store);
      const report = await collectGarbage(store, rules(true));
      assert.deepEqual(await backend().objects(store), before);
      const doomed = (RUNS - expectedRuns().size) * CHAIN.length;
      assert.equal(report.versions.deleted.length, doomed);
      assert.ok(report.bytesFreed > 0);
      assert.ok(report.blobs.deleted.length >= doomed, `${report.blobs.deleted.length} blobs`);
      assert.match(report.versions.deleted[0].reason, /no alias, not in any alias's last 2 moves/);
    });

    void it('keeps exactly what the rules keep, with a publish landing mid-way, and prod lineage stays complete', async () => {
      // A doomed version's blob, published again as new content while GC runs (a reuse).
      const doomedRaw = runs[0].versions[0];
      const reusedFile = join(scratch, 'reused.bin');
      await writeFile(reusedFile, await store.readFile(doomedRaw, doomedRaw.files[0].path));
      const realList = store.listBlobs.bind(store);
      let concurrent: BuiltRun | undefined;
      store.listBlobs = async () => {
        const listed = await realList();
        // After GC has listed the blobs and deleted versions: an in-flight run (no record yet)
        // publishes fresh blobs, and another artifact reuses the doomed blob.
        concurrent = await publishRun(store, 'in-flight-run', { dir: scratch, record: false });
        await store.publish({
          name: 'reuse',
          type: 'reuse',
          files: [{ path: 'raw.bin', source: reusedFile }],
        });
        return listed;
      };
      let report;
      try {
        report = await collectGarbage(store, rules(false));
      } finally {
        store.listBlobs = realList;
      }
      const keptRuns = expectedRuns();
      const expected = [
        ...[...keptRuns].flatMap((i) => CHAIN.map((c) => `${c.name}:v${i}`)),
        ...CHAIN.map((c) => `${c.name}:v${RUNS}`), // the in-flight run's
        'reuse:v0',
      ].sort();
      assert.deepEqual(await versionSet(store), expected);
      assert.equal(report.versions.deleted.length, (RUNS - keptRuns.size) * CHAIN.length);
      assert.ok(report.bytesFreed > 0);

      // Every remaining version downloads whole (sha256 checked), the concurrent ones included.
      for (const v of [...concurrent!.versions, await store.resolve('reuse:v0')])
        await store.download(v, join(scratch, 'concurrent', v.ref.replace(':', '_')));
      for (const name of await store.listArtifacts())
        for (const v of await store.listVersions(name))
          await store.download(v, join(scratch, 'all', v.ref.replace(':', '_')));

      const trace = await traceArtifact(store, 'model_export:prod');
      assert.equal(trace.ref, `model_export:v${PROD_AT.at(-1)}`);
      assert.equal(await downloadTrace(store, trace, join(scratch, 'trace')), CHAIN.length);

      // The next GC: the in-flight run's versions became `latest`, which pushed run 10's out of
      // latest's last two moves; that is all there is to collect, and no blob is left orphaned.
      const again = await collectGarbage(store, rules(true));
      assert.deepEqual(
        again.versions.deleted.map((d) => d.ref).sort(),
        CHAIN.map((c) => `${c.name}:v${RUNS - 2}`).sort(),
      );
      const run10Blobs = new Set(
        (await Promise.all(CHAIN.map((c) => store.resolve(`${c.name}:v${RUNS - 2}`)))).flatMap((v) =>
          v.files.map((f) => f.pack?.sha256 ?? f.sha256),
        ),
      );
      assert.ok(again.blobs.deleted.length > 0);
      for (const h of again.blobs.deleted) assert.ok(run10Blobs.has(h), `blob ${h} was left orphaned`);
      assert.equal(again.blobs.youngUnreferenced, 0);
    });
  });
}

gcSuite('the filesystem store', () => ({
  open: async () => openStore(await mkdtemp(join(tmpdir(), 'mlpipe-gc-fs-')), { project: 'default' }),
  objects: async (store) => {
    const root = new URL(store.uri).pathname;
    const out: string[] = [];
    const walk = async (dir: string): Promise<void> => {
      for (const e of await readdir(dir, { withFileTypes: true })) {
        const p = join(dir, e.name);
        if (e.isDirectory()) await walk(p);
        else out.push(`${relative(root, p)} ${(await stat(p)).size}`);
      }
    };
    await walk(root);
    return out.sort();
  },
}));

const skip = minioSkipReason();
if (skip) {
  void it('gc on MinIO', { skip }, () => undefined);
} else {
  let minio: RunningMinio | undefined;
  let prefixes = 0;
  before(async () => {
    minio = await startMinio();
    await minio.createBucket('gc-store');
  });
  after(async () => {
    await minio?.close();
  });
  let opened: VersionedArtifactStore | undefined;
  gcSuite('MinIO', () => ({
    open: async () =>
      (opened = openStore(`s3://gc-store/t${prefixes++}`, { s3: minio!.s3, project: 'default' })),
    objects: async (store) => {
      // The store's own listing of every key with its size (S3 backend, paged).
      const backend = (
        store as unknown as {
          backend: { listInfo(p: string): Promise<Array<{ key: string; size: number }>> };
        }
      ).backend;
      return (await backend.listInfo('')).map((o) => `${o.key} ${o.size}`);
    },
  }));
  void opened;
}
