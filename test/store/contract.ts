/**
 * The artifact-store contract, run against every backend (fs.test.ts, s3.test.ts). Each test gets a
 * fresh, empty store from `makeStore`. `tamperBlob` rewrites a stored blob behind the store's back,
 * the way disk rot or a bad copy would. Stores that pack small files (src/store/packs.ts) pass the
 * same tests: they are about what a caller sees, not about the layout.
 */
import assert from 'node:assert/strict';
import { readlinkSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  AliasConflictError,
  ArtifactNotFoundError,
  DigestMismatchError,
  InvalidPublishError,
  InvalidRefError,
  isRetryableStoreError,
  versionDigest,
  type ArtifactStore,
  type Producer,
} from '../../src/store/index';
import type { ObjectBackend } from '../../src/store/backends/backend';
import { keys } from '../../src/store/keys';
import { interceptCalls } from '../support/intercept-calls';

export interface StoreFixture {
  store: ArtifactStore;
  /** Rewrite a stored blob's bytes (`edit` gets them as stored) directly in the backing storage. */
  tamperBlob(sha256: string, edit: (stored: Buffer) => Buffer): Promise<void>;
  /** Delete one object (key relative to the store root) directly in the backing storage. */
  deleteKey(key: string): Promise<void>;
  /** The same store, with `hook` awaited at the start of every streamed (large-file) upload. */
  withStreamHook(hook: () => Promise<void>): ArtifactStore;
}

/** `backend` with `hook` awaited before each putStreamIfAbsent (for StoreFixture.withStreamHook). */
export function streamHooked(backend: ObjectBackend, hook: () => Promise<void>): ObjectBackend {
  return interceptCalls(backend, (method) => (method === 'putStreamIfAbsent' ? hook() : undefined));
}

export function runStoreContract(name: string, makeStore: () => Promise<StoreFixture>): void {
  void describe(`artifact store contract: ${name}`, () => {
    let work: string;
    let counter = 0;

    before(async () => {
      work = await mkdtemp(join(tmpdir(), 'mlpipe-contract-'));
    });
    after(async () => {
      await rm(work, { recursive: true, force: true });
    });

    /** Writes `files` (path → content) into a fresh directory and returns PublishFile entries. */
    async function sources(files: Record<string, string | Buffer>) {
      const dir = join(work, `src-${counter++}`);
      const out = [];
      for (const [path, content] of Object.entries(files)) {
        const source = join(dir, ...path.split('/'));
        await mkdir(join(source, '..'), { recursive: true });
        await writeFile(source, content);
        out.push({ path, source });
      }
      return out;
    }

    function freshDir(): string {
      return join(work, `out-${counter++}`);
    }

    const producer = (workflowId: string, attempt = 1): Producer => ({
      workflowId,
      runId: `run-${workflowId}`,
      step: 'train_random_forest',
      attempt,
    });

    void it('publishes v0, resolves it by every ref form, lists it and downloads its bytes', async () => {
      const { store } = await makeStore();
      const files = await sources({
        'data.csv': 'a,b\n1,2\n',
        'model/weights.bin': Buffer.from([0, 1, 2, 255]),
      });
      const { version, reused } = await store.publish({
        name: 'preprocessed_data',
        type: 'dataset',
        description: 'clean rows',
        metadata: { rows: 1 },
        producer: producer('wf-1'),
        files,
      });
      assert.equal(reused, false);
      assert.equal(version.version, 0);
      assert.equal(version.ref, 'preprocessed_data:v0');
      assert.equal(version.size, 8 + 4);
      assert.equal(version.type, 'dataset');
      assert.equal(version.description, 'clean rows');
      assert.deepEqual(version.metadata, { rows: 1 });
      assert.deepEqual(version.producer, producer('wf-1'));
      assert.equal(version.digest, versionDigest(version.files));
      assert.deepEqual(
        version.files.map((f) => f.path),
        ['data.csv', 'model/weights.bin'],
      );

      for (const ref of [
        'preprocessed_data',
        'preprocessed_data:latest',
        'preprocessed_data:v0',
        'exercise_14/preprocessed_data.csv:latest',
        'proj/preprocessed_data.parquet',
      ]) {
        assert.deepEqual(await store.resolve(ref), version, ref);
      }
      assert.deepEqual(await store.listArtifacts(), ['preprocessed_data']);
      assert.deepEqual(await store.listVersions('preprocessed_data'), [version]);
      assert.deepEqual(await store.getAliases('preprocessed_data'), { latest: 0 });

      const dest = freshDir();
      assert.equal(await store.download(version, dest), dest);
      assert.equal(await readFile(join(dest, 'data.csv'), 'utf8'), 'a,b\n1,2\n');
      assert.deepEqual(await readFile(join(dest, 'model', 'weights.bin')), Buffer.from([0, 1, 2, 255]));
      assert.deepEqual(await store.readFile(version, 'data.csv'), Buffer.from('a,b\n1,2\n'));
    });

    void it('keeps versions immutable: new content is v1, v0 still serves its own bytes', async () => {
      const { store } = await makeStore();
      const first = await sources({ 'x.txt': 'one' });
      const v0 = (await store.publish({ name: 'art', type: 't', files: first })).version;
      await writeFile(first[0].source, 'changed after publishing');
      const v1 = (await store.publish({ name: 'art', type: 't', files: await sources({ 'x.txt': 'two' }) }))
        .version;
      assert.equal(v1.version, 1);
      assert.notEqual(v1.digest, v0.digest);
      assert.deepEqual(await store.resolve('art:v0'), v0);
      assert.equal((await store.resolve('art')).version, 1);
      assert.equal((await store.readFile(v0, 'x.txt')).toString(), 'one');
      assert.equal((await store.readFile(v1, 'x.txt')).toString(), 'two');
      assert.deepEqual(await store.getAliases('art'), { latest: 1 });
    });

    void it('stores a large file once when two artifacts share it, and both serve it verified', async () => {
      const { store } = await makeStore();
      // Over the one-request size for small blobs, so it takes the streamed create-only upload.
      const big = Buffer.alloc(3 * 1024 * 1024 + 17, 'model bytes ');
      const a = (
        await store.publish({ name: 'first', type: 't', files: await sources({ 'm.bin': big, x: 'a' }) })
      ).version;
      const b = (
        await store.publish({ name: 'second', type: 't', files: await sources({ 'm.bin': big, x: 'b' }) })
      ).version;
      const blobOf = (v: typeof a) => v.files.find((f) => f.path === 'm.bin')!.sha256;
      assert.equal(blobOf(a), blobOf(b));
      if (process.platform === 'linux') {
        // The second upload found the blob stored and dropped its body unread: its file is closed too.
        await new Promise((resolve) => setTimeout(resolve, 50));
        const open = (await readdir('/proc/self/fd')).filter((fd) => {
          try {
            return readlinkSync(`/proc/self/fd/${fd}`).endsWith('m.bin');
          } catch {
            return false;
          }
        });
        assert.deepEqual(open, [], 'no file handle stays open on a published source');
      }
      for (const v of [a, b]) {
        const dir = freshDir();
        await store.download(v, dir);
        assert.ok((await readFile(join(dir, 'm.bin'))).equals(big));
      }
    });

    void it('reuses the latest version when the content is identical (W&B semantics)', async () => {
      const { store } = await makeStore();
      const v0 = (
        await store.publish({ name: 'art', type: 't', files: await sources({ a: '1', 'b/c': '2' }) })
      ).version;
      const again = await store.publish({
        name: 'art',
        type: 't',
        files: (await sources({ 'b/c': '2', a: '1' })).reverse(),
      });
      assert.equal(again.reused, true);
      assert.deepEqual(again.version, v0);
      assert.equal((await store.listVersions('art')).length, 1);
      // Different content after that is a new version; going back to the old content is a new version too.
      await store.publish({ name: 'art', type: 't', files: await sources({ a: '9' }) });
      const back = await store.publish({
        name: 'art',
        type: 't',
        files: await sources({ a: '1', 'b/c': '2' }),
      });
      assert.equal(back.reused, false);
      assert.equal(back.version.version, 2);
      assert.equal(back.version.digest, v0.digest);
    });

    void it('does not create a second version when the same producer retries its publish', async () => {
      const { store } = await makeStore();
      const model = { 'model.bin': 'weights-A' };
      const first = await store.publish({
        name: 'model_export',
        type: 'model',
        producer: producer('wf-a', 1),
        files: await sources(model),
      });
      // Another run publishes in between, so `latest` no longer matches the retried content.
      await store.publish({
        name: 'model_export',
        type: 'model',
        producer: producer('wf-b', 1),
        files: await sources({ 'model.bin': 'weights-B' }),
      });
      const sameAttempt = await store.publish({
        name: 'model_export',
        type: 'model',
        producer: producer('wf-a', 1),
        files: await sources(model),
      });
      assert.equal(sameAttempt.reused, true);
      assert.equal(sameAttempt.version.version, first.version.version);
      const nextAttempt = await store.publish({
        name: 'model_export',
        type: 'model',
        producer: producer('wf-a', 2),
        files: await sources(model),
      });
      assert.equal(
        nextAttempt.version.version,
        first.version.version,
        'a retried step attempt with the same bytes reuses its version',
      );
      assert.equal((await store.listVersions('model_export')).length, 2);
      // A different run with that content is a new version (latest is wf-b's).
      const other = await store.publish({
        name: 'model_export',
        type: 'model',
        producer: producer('wf-c', 1),
        files: await sources(model),
      });
      assert.equal(other.reused, false);
      assert.equal(other.version.version, 2);
    });

    void it('finishes, not duplicates, a producer publish that crashed after writing its manifest', async () => {
      const fx = await makeStore();
      const files = { 'model.bin': 'weights' };
      const first = await fx.store.publish({
        name: 'm',
        type: 'model',
        producer: producer('wf-crash'),
        files: await sources(files),
      });
      // Simulate the crash: the manifest is there, the producer index and the `latest` move are not.
      await fx.deleteKey(keys.producer('m', 'wf-crash', 'train_random_forest', first.version.digest));
      await fx.deleteKey(keys.alias('m', 'latest'));
      await fx.deleteKey(keys.history('m', 'latest', 1));
      await assert.rejects(fx.store.resolve('m:latest'), ArtifactNotFoundError);
      const retry = await fx.store.publish({
        name: 'm',
        type: 'model',
        producer: producer('wf-crash', 2),
        files: await sources(files),
      });
      assert.equal(retry.reused, true);
      assert.equal(retry.version.version, 0);
      assert.equal((await fx.store.listVersions('m')).length, 1);
      assert.equal((await fx.store.resolve('m:latest')).version, 0);
    });

    void it('gives concurrent publishes of different content distinct versions, latest the highest', async () => {
      const { store } = await makeStore();
      const results = await Promise.all(
        Array.from({ length: 6 }, async (_, i) =>
          store.publish({ name: 'art', type: 't', files: await sources({ f: `content ${i}` }) }),
        ),
      );
      const numbers = results.map((r) => r.version.version).sort((a, b) => a - b);
      assert.deepEqual(numbers, [0, 1, 2, 3, 4, 5]);
      assert.equal((await store.resolve('art:latest')).version, 5);
      const latestMoves = await store.aliasHistory('art', 'latest');
      for (let i = 1; i < latestMoves.length; i++) {
        assert.equal(latestMoves[i].from, latestMoves[i - 1].to, 'latest history is a chain');
        assert.ok(latestMoves[i].to > latestMoves[i - 1].to, 'latest only moves forward');
      }
    });

    void it('moves aliases by compare-and-swap: one winner among 12 concurrent moves, no lost update', async () => {
      const { store } = await makeStore();
      for (let i = 0; i < 4; i++)
        await store.publish({ name: 'model_export', type: 'model', files: await sources({ m: `v${i}` }) });
      await store.moveAlias('model_export', 'prod', 0, {
        expected: null,
        reason: 'first promotion',
        actor: 'test',
      });
      await assert.rejects(
        store.moveAlias('model_export', 'prod', 1, { expected: null }),
        AliasConflictError,
      );

      const contenders = await Promise.allSettled(
        Array.from({ length: 12 }, (_, i) =>
          store.moveAlias('model_export', 'prod', 1 + (i % 3), { expected: 0, actor: `contender-${i}` }),
        ),
      );
      const winners = contenders.filter((c) => c.status === 'fulfilled');
      assert.equal(winners.length, 1, 'exactly one CAS from v0 wins');
      for (const c of contenders) {
        if (c.status === 'rejected') {
          assert.ok(c.reason instanceof AliasConflictError, String(c.reason));
          assert.equal(isRetryableStoreError(c.reason), false);
        }
      }
      const winner = (winners[0] as PromiseFulfilledResult<{ to: number; actor?: string }>).value;
      assert.equal((await store.getAliases('model_export')).prod, winner.to);

      // Unconditional (but atomic) moves all land, and each one is in the history, chained.
      const targets = Array.from({ length: 12 }, (_, i) => i % 4);
      await Promise.all(
        targets.map((to, i) =>
          store.moveAlias('model_export', 'prod', to, { actor: `mover-${i}`, details: { i } }),
        ),
      );
      const history = await store.aliasHistory('model_export', 'prod');
      assert.equal(history.length, 2 + 12);
      assert.equal(history[0].from, null);
      assert.equal(history[0].reason, 'first promotion');
      for (let i = 1; i < history.length; i++)
        assert.equal(history[i].from, history[i - 1].to, `event ${i} starts where ${i - 1} ended`);
      assert.deepEqual(
        new Set(history.slice(2).map((e) => e.actor)),
        new Set(targets.map((_, i) => `mover-${i}`)),
      );
      assert.equal((await store.getAliases('model_export')).prod, history.at(-1)!.to);
    });

    void it('keeps alias history append-only and lists every alias', async () => {
      const { store } = await makeStore();
      for (let i = 0; i < 3; i++)
        await store.publish({ name: 'm', type: 'model', files: await sources({ m: `${i}` }) });
      await store.moveAlias('m', 'prod', 0, { reason: 'r0' });
      await store.moveAlias('m', 'reference', 1);
      const before = await store.aliasHistory('m', 'prod');
      await store.moveAlias('m', 'prod', 2, { reason: 'r1', details: { auc: 0.97 } });
      await store.moveAlias('m', 'prod', 1, { reason: 'rollback' });
      const afterMoves = await store.aliasHistory('m', 'prod');
      assert.deepEqual(afterMoves.slice(0, before.length), before, 'earlier events are never rewritten');
      assert.deepEqual(
        afterMoves.map((e) => [e.from, e.to, e.reason]),
        [
          [null, 0, 'r0'],
          [0, 2, 'r1'],
          [2, 1, 'rollback'],
        ],
      );
      assert.deepEqual(afterMoves[1].details, { auc: 0.97 });
      const all = await store.aliasHistory('m');
      assert.deepEqual(new Set(all.map((e) => e.alias)), new Set(['latest', 'prod', 'reference']));
      assert.equal(all.length, 3 + 3 + 1);
      assert.deepEqual(await store.getAliases('m'), { latest: 2, prod: 1, reference: 1 });
      await assert.rejects(store.moveAlias('m', 'prod', 7), ArtifactNotFoundError);
      await assert.rejects(store.moveAlias('m', 'v3', 1), InvalidRefError);
    });

    void it('refuses a large source that changes while it is published, naming it, and stores nothing', async () => {
      const fx = await makeStore();
      const size = 2 * 1024 * 1024; // above the size that is read into memory: the file is streamed
      const [file] = await sources({ 'model.bin': Buffer.alloc(size, 1) });
      const store = fx.withStreamHook(() => writeFile(file.source, Buffer.alloc(size, 2)));
      await assert.rejects(store.publish({ name: 'm', type: 'model', files: [file] }), (err: unknown) => {
        assert.ok(err instanceof InvalidPublishError, String(err));
        assert.match(err.message, /model\.bin\) changed while it was being published/);
        assert.equal(isRetryableStoreError(err), false);
        return true;
      });
      await assert.rejects(fx.store.resolve('m:latest'), ArtifactNotFoundError);
      assert.deepEqual(await fx.store.listVersions('m'), []);
      // Published again as it now is, it goes through.
      const { version } = await fx.store.publish({ name: 'm', type: 'model', files: [file] });
      const dest = freshDir();
      await fx.store.download(version, dest);
      assert.ok((await readFile(join(dest, 'model.bin'))).equals(Buffer.alloc(size, 2)));
    });

    void it('detects a corrupted blob on download and on readFile, leaving no partial file', async () => {
      const fx = await makeStore();
      const { version } = await fx.store.publish({
        name: 'art',
        type: 't',
        files: await sources({ 'good.txt': 'fine', 'bad.txt': 'original bytes' }),
      });
      const bad = version.files.find((f) => f.path === 'bad.txt')!;
      // Flip one byte of bad.txt where it is stored: its own blob, or its range of a pack.
      await fx.tamperBlob(bad.pack?.sha256 ?? bad.sha256, (stored) => {
        const copy = Buffer.from(stored);
        copy[bad.pack?.offset ?? 0] ^= 0x20;
        return copy;
      });
      const dest = freshDir();
      await assert.rejects(fx.store.download(version, dest), (err: unknown) => {
        assert.ok(err instanceof DigestMismatchError, String(err));
        assert.match(err.message, /art:v0/);
        assert.match(err.message, /bad\.txt/);
        assert.ok(err.message.includes(bad.sha256), 'names the expected digest');
        assert.equal(isRetryableStoreError(err), false);
        return true;
      });
      assert.ok(!(await readdir(dest)).some((f) => f.startsWith('bad.txt')), 'no partial bad.txt');
      await assert.rejects(fx.store.readFile(version, 'bad.txt'), DigestMismatchError);
      assert.equal((await fx.store.readFile(version, 'good.txt')).toString(), 'fine');
    });

    void it('names the file and the blob that holds it when that blob is gone', async () => {
      const fx = await makeStore();
      const { version } = await fx.store.publish({
        name: 'gone',
        type: 't',
        files: await sources({ 'kept.txt': 'kept', 'lost.txt': 'lost' }),
      });
      const lost = version.files.find((f) => f.path === 'lost.txt')!;
      const blob = lost.pack?.sha256 ?? lost.sha256;
      await fx.deleteKey(keys.blob(blob));
      const namesIt = (err: unknown) => {
        assert.ok(err instanceof ArtifactNotFoundError, String(err));
        assert.match(err.message, /gone:v0/);
        assert.match(err.message, /lost\.txt/);
        assert.ok(err.message.includes(blob), 'names the missing blob');
        assert.equal(isRetryableStoreError(err), false);
        return true;
      };
      await assert.rejects(fx.store.download(version, freshDir()), namesIt);
      await assert.rejects(fx.store.readFile(version, 'lost.txt'), namesIt);
    });

    void it('leaves no version behind when a publish fails before its manifest', async () => {
      const { store } = await makeStore();
      const files = await sources({ 'a.txt': 'a' });
      files.push({ path: 'b.txt', source: join(work, 'does-not-exist.txt') });
      await assert.rejects(store.publish({ name: 'half', type: 't', files }), (err: unknown) => {
        assert.ok(err instanceof InvalidPublishError, String(err));
        assert.match(err.message, /does-not-exist\.txt/);
        return true;
      });
      assert.deepEqual(await store.listVersions('half'), []);
      assert.deepEqual(await store.listArtifacts(), []);
      await assert.rejects(store.resolve('half'), ArtifactNotFoundError);
      await assert.rejects(
        store.publish({
          name: 'dup',
          type: 't',
          files: [...(await sources({ x: '1' })), ...(await sources({ x: '2' }))],
        }),
        InvalidPublishError,
      );
      await assert.rejects(
        store.publish({ name: 'esc', type: 't', files: [{ path: '../x', source: files[0].source }] }),
        InvalidRefError,
      );
    });

    void it('names the ref and the store in not-found errors and rejects malformed refs', async () => {
      const { store } = await makeStore();
      await store.publish({ name: 'art', type: 't', files: await sources({ f: '1' }) });
      for (const ref of ['missing:latest', 'art:v9', 'art:prod']) {
        await assert.rejects(store.resolve(ref), (err: unknown) => {
          assert.ok(err instanceof ArtifactNotFoundError, String(err));
          assert.ok(err.message.includes(ref), err.message);
          assert.ok(err.message.includes(store.uri), err.message);
          assert.equal(isRetryableStoreError(err), false);
          return true;
        });
      }
      for (const ref of ['', 'art:', 'a b:latest', '../x:latest', 'art:v1x/'])
        await assert.rejects(store.resolve(ref), InvalidRefError, ref);
    });

    void it('stores records: last write wins, listed by prefix', async () => {
      const { store } = await makeStore();
      assert.equal(await store.getRecord('runs/none'), undefined);
      await store.putRecord('runs/wf-1', { status: 'running' });
      await store.putRecord('runs/wf-1', { status: 'done', auc: 0.97 });
      await store.putRecord('runs/sched-x-2026-11-28T04:00:00Z', { status: 'done' });
      await store.putRecord('sweeps/s1', {});
      assert.deepEqual(await store.getRecord('runs/wf-1'), { status: 'done', auc: 0.97 });
      assert.deepEqual((await store.listRecords('runs/')).sort(), [
        'runs/sched-x-2026-11-28T04:00:00Z',
        'runs/wf-1',
      ]);
      await assert.rejects(store.putRecord('../escape', {}), InvalidRefError);
      assert.ok(!store.uri.includes('@'), 'the store URI carries no credentials');
    });
  });
}
