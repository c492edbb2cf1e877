/**
 * `npm run bench:gc`: garbage collection on a MinIO store of 200 runs (raw_data → preprocessed_data
 * → data_train → model_export each, with run records), prod moved 10 times, several thousand
 * objects; built through the store API, not 200 pipeline runs. It checks that GC keeps exactly what
 * the rules keep, that `mlpipe lineage model_export:prod` still works (the real CLI, against the
 * same MinIO) and that every version in prod's lineage downloads with every sha256 verified, and
 * reports the time taken and the bytes freed. Appends a line to bench/history/gc.jsonl.
 *
 *   npm run bench:gc                       # 200 runs, 10 prod moves, keep-last 10
 *   npm run bench:gc -- --runs 50 --json
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { collectGarbage } from '../src/gc/collect';
import { traceArtifact, type ArtifactTrace } from '../src/lineage/trace';
import { openStore } from '../src/store/index';
import { sleep } from '../src/store/concurrency';
import type { VersionedArtifactStore } from '../src/store/versioned-store';
import { readCodeVersion } from '../src/code-version';
import { projectRoot } from '../src/config';
import { buildLineageStore, CHAIN } from '../test/support/lineage-store';
import { startMinio } from '../test/support/minio';

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '200' },
    'prod-moves': { type: 'string', default: '10' },
    'keep-last': { type: 'string', default: '10' },
    'size-kb': { type: 'string', default: '64' },
    json: { type: 'boolean', default: false },
  },
});
const RUNS = Number(args.runs);
const MOVES = Number(args['prod-moves']);
const KEEP_LAST = Number(args['keep-last']);
const GRACE_MS = 1000;

async function objectCount(store: VersionedArtifactStore): Promise<{ objects: number; bytes: number }> {
  const backend = (store as unknown as { backend: { listInfo(p: string): Promise<Array<{ size: number }>> } })
    .backend;
  const all = await backend.listInfo('');
  return { objects: all.length, bytes: all.reduce((s, o) => s + o.size, 0) };
}

async function downloadTrace(
  store: VersionedArtifactStore,
  t: ArtifactTrace,
  dir: string,
): Promise<string[]> {
  await store.download(await store.resolve(t.ref), join(dir, t.ref.replace(':', '_')));
  const refs = [t.ref];
  for (const input of t.inputs) refs.push(...(await downloadTrace(store, input, dir)));
  return refs;
}

async function main(): Promise<void> {
  const minio = await startMinio();
  const scratch = mkdtempSync(join(tmpdir(), 'mlpipe-bench-gc-'));
  try {
    await minio.createBucket('bench-gc');
    const uri = 's3://bench-gc/store';
    const store = openStore(uri, { s3: minio.s3, project: 'default' });
    const prodAt = Array.from({ length: MOVES }, (_, i) => Math.floor(((i + 0.5) * RUNS) / MOVES));
    const t0 = Date.now();
    await buildLineageStore(store, { runs: RUNS, prodAt, bytes: Number(args['size-kb']) * 1024 });
    const buildMs = Date.now() - t0;
    await sleep(GRACE_MS + 1200); // past the blob grace period (S3 ages have whole seconds)
    const before = await objectCount(store);

    const rules = { keepLast: KEEP_LAST, olderThanMs: 0, graceMs: GRACE_MS };
    const dry = await collectGarbage(store, { ...rules, dryRun: true });
    assert.deepEqual(await objectCount(store), before, 'the dry run deleted nothing');
    const report = await collectGarbage(store, { ...rules, dryRun: false });
    const after = await objectCount(store);

    // Exactly what the rules keep: the last KEEP_LAST runs (latest's moves) and the last KEEP_LAST
    // prod models with their lineage.
    const keptRuns = new Set<number>();
    for (let i = Math.max(0, RUNS - KEEP_LAST); i < RUNS; i++) keptRuns.add(i);
    for (const i of prodAt.slice(-KEEP_LAST)) keptRuns.add(i);
    const expected = [...keptRuns].flatMap((i) => CHAIN.map((c) => `${c.name}:v${i}`)).sort();
    const actual: string[] = [];
    for (const name of await store.listArtifacts())
      for (const n of await store.listVersionNumbers(name)) actual.push(`${name}:v${n}`);
    assert.deepEqual(actual.sort(), expected, 'GC kept exactly what the rules keep');

    // The real CLI against the same store, then every digest of prod's lineage.
    const cli = execFileSync(
      join(projectRoot(), 'bin', 'mlpipe'),
      [
        '--set',
        `storage.uri=${uri}`,
        '--set',
        `storage.s3.endpoint=${minio.endpoint}`,
        '--set',
        'main.project_name=default',
        'lineage',
        'model_export:prod',
      ],
      { encoding: 'utf8', env: process.env },
    );
    const trace = await traceArtifact(store, 'model_export:prod');
    const verified = await downloadTrace(store, trace, join(scratch, 'lineage'));
    assert.equal(verified.length, CHAIN.length, 'prod lineage is complete');
    for (const ref of verified) assert.ok(cli.includes(ref), `mlpipe lineage shows ${ref}`);
    // Every remaining version downloads whole.
    for (const ref of expected)
      await store.download(await store.resolve(ref), join(scratch, 'all', ref.replace(':', '_')));

    const result = {
      bench: 'gc',
      at: new Date().toISOString(),
      code: readCodeVersion(projectRoot()),
      runs: RUNS,
      prodMoves: MOVES,
      keepLast: KEEP_LAST,
      buildMs,
      before,
      after,
      versions: { kept: report.versions.kept.length, deleted: report.versions.deleted.length },
      blobsDeleted: report.blobs.deleted.length,
      bytesFreed: report.bytesFreed,
      gcMs: report.durationMs,
      dryRunMs: dry.durationMs,
      keptExactly: true,
      prodLineage: verified,
    };
    appendFileSync(join(projectRoot(), 'bench', 'history', 'gc.jsonl'), `${JSON.stringify(result)}\n`);
    if (args.json) console.log(JSON.stringify(result, null, 2));
    else {
      console.log(
        `store: ${RUNS} runs, prod moved ${MOVES} times, ${before.objects} objects (${(before.bytes / 1e6).toFixed(1)} MB), built in ${(buildMs / 1000).toFixed(1)} s`,
      );
      console.log(`dry run: ${(dry.durationMs / 1000).toFixed(2)} s, deleted nothing`);
      console.log(
        `gc: ${(report.durationMs / 1000).toFixed(2)} s; ${report.versions.deleted.length} versions and ${report.blobs.deleted.length} blobs deleted, ${(report.bytesFreed / 1e6).toFixed(1)} MB freed; ${after.objects} objects left`,
      );
      console.log(
        `kept exactly the rules' ${expected.length} versions; prod lineage ${verified.join(' ← ')} verified; mlpipe lineage OK`,
      );
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
    await minio.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
