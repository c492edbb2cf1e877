/**
 * Point in time: which version an alias named at an instant, and the intervals each version held it,
 * from the append-only alias history. Pure cases on hand-made histories (time gaps, a move missing
 * from the chain, rollbacks, before the first move), then the same questions on a real history in
 * the filesystem store and in MinIO, and through `mlpipe artifacts show --at` / `history`.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Command } from 'commander';
import { registerArtifactsCommands } from '../../src/cli/commands/artifacts';
import {
  AliasNotSetError,
  aliasIntervals,
  moveInForceAt,
  openStore,
  parseInstant,
  resolveAt,
  type AliasEvent,
  type ArtifactStore,
} from '../../src/store';
import { type RunningMinio, minioSkipReason, startMinio } from '../support/minio';

const move = (from: number | null, to: number, at: string, reason?: string): AliasEvent => ({
  name: 'model_export',
  alias: 'prod',
  from,
  to,
  at,
  actor: 'test',
  ...(reason ? { reason } : {}),
});

// Weeks between moves, a rollback to v1, and a move from v5 that the history never saw set (a gap).
const HISTORY: AliasEvent[] = [
  move(null, 1, '2026-11-01T10:00:00.000Z', 'first'),
  move(1, 2, '2026-11-10T10:00:00.000Z', 'better'),
  move(2, 1, '2026-11-12T08:30:00.000Z', 'rollback: regression'),
  move(5, 3, '2026-12-01T00:00:00.000Z', 'after a missing move'),
];

void describe('alias timeline (pure)', () => {
  void it('answers the version in force at any instant, between moves and on a move', () => {
    const at = (t: string) => moveInForceAt(HISTORY, parseInstant(t), 'model_export:prod').to;
    assert.equal(at('2026-11-01T10:00Z'), 1, 'a move holds from its own instant');
    assert.equal(at('2026-11-05'), 1, 'a quiet week in between');
    assert.equal(at('2026-11-11T12:00Z'), 2);
    assert.equal(at('2026-11-12T08:29:59Z'), 2, 'a second before the rollback');
    assert.equal(at('2026-11-12T09:30+01:00'), 1, 'the rollback, in another zone');
    assert.equal(at('2026-11-30T23:59:59.999Z'), 1);
    assert.equal(at('2027-06-01'), 3, 'after the last move: the current version');
  });

  void it('names the first move when asked about an instant before it', () => {
    assert.throws(
      () => moveInForceAt(HISTORY, parseInstant('2026-10-31T12:00Z'), 'model_export:prod'),
      (err: Error) => {
        assert.ok(err instanceof AliasNotSetError);
        assert.match(err.message, /model_export:prod was first set at 2026-11-01T10:00:00\.000Z \(to v1\)/);
        assert.match(err.message, /2026-10-31T12:00:00\.000Z is before that/);
        return true;
      },
    );
    assert.throws(() => moveInForceAt([], new Date(), 'model_export:prod'), /has never been set/);
  });

  void it('lists the intervals in which each version held the alias, a rollback as a second interval', () => {
    const intervals = aliasIntervals(HISTORY);
    assert.deepEqual(
      intervals.map((i) => [i.version, i.from, i.to, i.reason]),
      [
        [1, '2026-11-01T10:00:00.000Z', '2026-11-10T10:00:00.000Z', 'first'],
        [2, '2026-11-10T10:00:00.000Z', '2026-11-12T08:30:00.000Z', 'better'],
        [1, '2026-11-12T08:30:00.000Z', '2026-12-01T00:00:00.000Z', 'rollback: regression'],
        [3, '2026-12-01T00:00:00.000Z', undefined, 'after a missing move'],
      ],
    );
    assert.deepEqual(
      intervals.map((i) => i.gapAfter),
      [undefined, undefined, { nextMoveFrom: 5 }, undefined],
      'the move from v5 says one is missing after the rollback',
    );
  });

  void it('parses --at as ISO 8601 with a zone or a date, and refuses the rest with the expected form', () => {
    assert.equal(parseInstant('2026-12-01T12:00Z').toISOString(), '2026-12-01T12:00:00.000Z');
    assert.equal(parseInstant('2026-12-01').toISOString(), '2026-12-01T00:00:00.000Z');
    assert.equal(parseInstant('2026-12-01T13:00:30.5+01:00').toISOString(), '2026-12-01T12:00:30.500Z');
    for (const bad of ['2026-12-01T12:00', 'yesterday', '2026-02-30', '2026-12-01T25:00Z', '']) {
      assert.throws(
        () => parseInstant(bad),
        /--at .*expected an ISO 8601 time with a zone, such as 2026-12-01T12:00Z/,
        bad,
      );
    }
  });
});

/** A real history: v0, v1, back to v0 (a rollback), then v2, with an instant noted between each move. */
async function pointInTimeCases(store: ArtifactStore, work: string): Promise<void> {
  for (const content of ['a', 'b', 'c']) {
    await writeFile(join(work, 'model.bin'), `model ${content}`);
    await store.publish({
      name: 'model_export',
      type: 'model',
      files: [{ path: 'model.bin', source: join(work, 'model.bin') }],
    });
  }
  const pause = () => new Promise((r) => setTimeout(r, 15));
  const instants: Date[] = [];
  const note = async () => {
    await pause();
    instants.push(new Date());
    await pause();
  };
  await note(); // before the first move
  for (const [to, reason] of [
    [0, 'first'],
    [1, 'better'],
    [0, 'rollback'],
    [2, 'retrained'],
  ] as const) {
    await store.moveAlias('model_export', 'prod', to, { reason, actor: 'cli:test' });
    await note();
  }
  await assert.rejects(
    resolveAt(store, 'model_export:prod', instants[0]),
    /model_export:prod was first set at .* \(to v0\)/,
  );
  const seen = [];
  for (const at of instants.slice(1))
    seen.push((await resolveAt(store, 'model_export:prod', at)).version.ref);
  assert.deepEqual(seen, ['model_export:v0', 'model_export:v1', 'model_export:v0', 'model_export:v2']);
  // latest has a history too: v2 was published before any instant noted here.
  assert.equal((await resolveAt(store, 'model_export', instants[1])).version.ref, 'model_export:v2');
  // A version ref is itself at any time after it was created, and refused before.
  assert.equal((await resolveAt(store, 'model_export:v1', instants[1])).ref, 'model_export:v1');
  await assert.rejects(
    resolveAt(store, 'model_export:v1', new Date('2000-01-01T00:00Z')),
    /was created at .* after 2000-01-01/,
  );

  const intervals = aliasIntervals(await store.aliasHistory('model_export', 'prod'));
  assert.deepEqual(
    intervals.map((i) => [i.version, i.reason, i.actor]),
    [
      [0, 'first', 'cli:test'],
      [1, 'better', 'cli:test'],
      [0, 'rollback', 'cli:test'],
      [2, 'retrained', 'cli:test'],
    ],
  );
  assert.ok(intervals.every((i, k) => k === intervals.length - 1 || i.to === intervals[k + 1].from));
  assert.ok(intervals.every((i) => !i.gapAfter));

  // The same through the CLI.
  const lines: string[] = [];
  const program = new Command('mlpipe').exitOverride();
  registerArtifactsCommands(
    program,
    () => Promise.resolve(store),
    (line) => lines.push(line),
  );
  const cli = async (...args: string[]) => {
    lines.length = 0;
    await program.parseAsync(['node', 'mlpipe', 'artifacts', ...args]);
    return lines.join('\n');
  };
  const shown = await cli('show', 'model_export:prod', '--at', instants[2].toISOString());
  assert.match(
    shown,
    /^model_export:v1 {2}\(model_export:prod at .*: moved v0 → v1 at .* by cli:test: better\)/,
  );
  const json = JSON.parse(
    await cli('show', 'model_export:prod', '--at', instants[3].toISOString(), '--json'),
  );
  assert.equal(json.ref, 'model_export:v0');
  assert.equal(json.move.reason, 'rollback');
  const table = await cli('history', 'model_export', 'prod');
  assert.match(table.split('\n')[0], /^FROM\s+TO\s+VERSION\s+WHO\s+WHY$/);
  assert.match(table.split('\n')[3], /\S+Z\s+\S+Z\s+v0\s+cli:test\s+rollback$/);
  assert.match(table.split('\n')[4], /\S+Z\s+\(now\)\s+v2\s+cli:test\s+retrained$/);
  assert.match(await cli('history', 'model_export', 'prod', '--moves'), /prod\s+v0 → v1\s+cli:test\s+better/);
}

void describe('alias timeline on the filesystem store', () => {
  let work: string;
  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'mlpipe-timeline-'));
  });
  after(async () => {
    await rm(work, { recursive: true, force: true });
  });
  void it('resolves prod at instants between moves, after a rollback, and refuses one before the first move', async () => {
    await pointInTimeCases(openStore(join(work, 'store'), { project: 'default' }), work);
  });
});

const skip = minioSkipReason();
void describe('alias timeline on MinIO', { skip }, () => {
  let minio: RunningMinio | undefined;
  let work: string;
  before(async () => {
    if (skip) return;
    work = await mkdtemp(join(tmpdir(), 'mlpipe-timeline-s3-'));
    minio = await startMinio();
    await minio.createBucket('timeline');
  });
  after(async () => {
    await minio?.close();
    if (work) await rm(work, { recursive: true, force: true });
  });
  void it('gives the same answers as the filesystem store', async () => {
    await pointInTimeCases(openStore('s3://timeline/store', { project: 'default', s3: minio!.s3 }), work);
  });
});
