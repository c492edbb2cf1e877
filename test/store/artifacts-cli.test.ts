/** `mlpipe artifacts …` driven through commander against a real filesystem store. */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Command } from 'commander';
import { registerArtifactsCommands } from '../../src/cli/commands/artifacts';
import {
  AliasConflictError,
  ArtifactNotFoundError,
  openStore,
  type ArtifactStore,
} from '../../src/store/index';
import { FsBackend } from '../../src/store/backends/fs';
import { VersionedArtifactStore } from '../../src/store/versioned-store';
import { Table, writeParquet } from '../../src/ml/table/index';

void describe('mlpipe artifacts', () => {
  let work: string;
  let store: ArtifactStore;

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'mlpipe-cli-artifacts-'));
    store = openStore(join(work, 'store'));
    for (const content of ['first model', 'second model']) {
      await writeFile(join(work, 'model.bin'), content);
      await store.publish({
        name: 'model_export',
        type: 'model',
        producer: { workflowId: 'wf-1', runId: 'r', step: 'train_random_forest', attempt: 1 },
        metadata: { auc: 0.9 },
        files: [{ path: 'model/model.bin', source: join(work, 'model.bin') }],
      });
    }
  });
  after(async () => {
    await rm(work, { recursive: true, force: true });
  });

  const run = (...args: string[]) => runOn(store, ...args);

  async function runOn(on: ArtifactStore, ...args: string[]): Promise<string> {
    const lines: string[] = [];
    const program = new Command('mlpipe').exitOverride();
    registerArtifactsCommands(
      program,
      () => Promise.resolve(on),
      (line) => lines.push(line),
    );
    await program.parseAsync(['node', 'mlpipe', 'artifacts', ...args]);
    return lines.join('\n');
  }

  void it('lists artifacts and versions', async () => {
    assert.match(await run('ls'), /model_export\s+2\s+v1\s+latest→v1/);
    const versions = await run('ls', 'model_export');
    assert.match(versions, /model_export:v0/);
    assert.match(versions, /model_export:v1 .*latest/);
    assert.match(versions, /wf-1\/train_random_forest#1/);
    assert.equal(JSON.parse(await run('ls', 'model_export', '--json')).versions.length, 2);
  });

  void it('shows a version as text and JSON', async () => {
    const text = await run('show', 'model_export:latest');
    assert.match(text, /^model_export:v1 {2}\(resolved from model_export:latest\)/);
    assert.match(text, /model\/model\.bin/);
    const json = JSON.parse(await run('show', 'model_export:v0', '--json'));
    assert.equal(json.ref, 'model_export:v0');
    assert.deepEqual(json.aliases, []);
    await assert.rejects(run('show', 'model_export:prod'), ArtifactNotFoundError);
  });

  void it('says which files of a version are stored together in a pack', async () => {
    const packing = new VersionedArtifactStore(new FsBackend(join(work, 'packed-store')), {
      packSmallFiles: true,
    });
    await writeFile(join(work, 'a.json'), '{"a":1}');
    await writeFile(join(work, 'b.json'), '{"b":2}');
    await packing.publish({
      name: 'small',
      type: 't',
      files: ['a.json', 'b.json'].map((path) => ({ path, source: join(work, path) })),
    });
    assert.match(
      await runOn(packing, 'show', 'small'),
      /in 2 file\(s\) \(2 small ones stored together in 1 pack\(s\)\)/,
    );
    assert.doesNotMatch(await run('show', 'model_export:v0'), /pack/);
  });

  void it('moves an alias by CAS and shows its history', async () => {
    assert.equal(
      await run('alias', 'model_export', 'prod', 'v0', '--expected', 'none', '--reason', 'first'),
      'model_export:prod (new) → v0 (first)',
    );
    await assert.rejects(run('alias', 'model_export', 'prod', '1', '--expected', 'none'), AliasConflictError);
    assert.equal(
      await run('alias', 'model_export', 'prod', '1', '--expected', 'v0'),
      'model_export:prod v0 → v1',
    );
    const history = await run('history', 'model_export', 'prod', '--moves');
    assert.match(history, /prod\s+\(new\) → v0\s+cli:\S+\s+first/);
    assert.match(history, /prod\s+v0 → v1/);
    // One alias without --moves: the interval each version held it, the current one open.
    const intervals = (await run('history', 'model_export', 'prod')).split('\n');
    assert.match(intervals[1], /^\S+Z\s+\S+Z\s+v0\s+cli:\S+\s+first$/);
    assert.match(intervals[2], /^\S+Z\s+\(now\)\s+v1\s+cli:\S+$/);
    assert.match(await run('history', 'model_export'), /latest/);
  });

  void it('downloads a version with verified digests', async () => {
    const out = await run('download', 'model_export:v0', join(work, 'dl'));
    assert.match(out, /downloaded model_export:v0 \(1 file\(s\)/);
    assert.equal(await readFile(join(work, 'dl', 'model', 'model.bin'), 'utf8'), 'first model');
  });

  void it('downloads a Parquet table and, with --csv, exports it as CSV beside it', async () => {
    const table = new Table([
      { name: 'x', type: 'double', values: Float64Array.from([1.5, NaN]) },
      { name: 's', type: 'string', values: ['a, b', null] },
    ]);
    await writeParquet(table, join(work, 'data_test.parquet'));
    await store.publish({
      name: 'data_test',
      type: 'segregated_data',
      files: [{ path: 'data_test.parquet', source: join(work, 'data_test.parquet') }],
    });
    const out = await run('download', 'data_test:latest', join(work, 'dl-csv'), '--csv');
    assert.match(out, /exported data_test\.parquet as CSV/);
    assert.equal(await readFile(join(work, 'dl-csv', 'data_test.csv'), 'utf8'), 'x,s\n1.5,"a, b"\n,\n');
  });
});
