/**
 * `--follow-alias` against a real filesystem artifact store: the server serves model_export:prod, a
 * second version is published, prod moves, and the server switches to it (and logs the swap). A version
 * that cannot be loaded never replaces a working model.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { isDeepStrictEqual } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { type FastifyInstance } from 'fastify';
import { type InferencePipeline } from '../../src/ml/pipeline';
import { type Table } from '../../src/ml/table';
import { createScoringServer } from '../../src/serve';
import { openStore, type ArtifactStore } from '../../src/store';
import { fitSmallPipeline, sampleTable } from './fixture';
import { exportPipeline } from './server-harness';

const NAME = 'model_export';

let work: string;
let store: ArtifactStore;
let app: FastifyInstance;
let base: string;
let modelA: InferencePipeline;
let modelB: InferencePipeline;
let rows: Table;
const logLines: string[] = [];

async function publishDir(dir: string, aliases: string[] = []) {
  const files = (await readdir(dir)).map((f) => ({ path: f, source: join(dir, f) }));
  const { version } = await store.publish({ name: NAME, type: 'model', files, aliases });
  return version;
}

async function servedRef(): Promise<string | null> {
  const res = await fetch(`${base}/version`);
  return ((await res.json()) as { model: { ref: string | null } }).model.ref;
}

async function predictions(): Promise<string[]> {
  const columns = modelA.inputSchema.map((c) => c.name);
  const data = Array.from({ length: rows.nRows }, (_, i) => columns.map((c) => rows.value(i, c)));
  const res = await fetch(`${base}/invocations`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ dataframe_split: { columns, data } }),
  });
  assert.equal(res.status, 200);
  return ((await res.json()) as { predictions: string[] }).predictions;
}

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 10_000) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`timed out waiting for ${what}`);
}

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'mlpipe-follow-'));
  store = openStore(join(work, 'store'));
  [modelA, modelB] = await Promise.all([fitSmallPipeline(1), fitSmallPipeline(2, 20)]);
  rows = sampleTable(80, 42);
  const v = await publishDir(await exportPipeline(modelA, work, 'a'), ['prod']);
  assert.equal(v.ref, `${NAME}:v${v.version}`);
  const logStream = new Writable({
    write(chunk: Buffer, _enc, done) {
      logLines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  app = await createScoringServer({
    model: `${NAME}:prod`,
    store,
    cacheDir: join(work, 'cache'),
    followAlias: true,
    pollIntervalMs: 100,
    logger: { level: 'info', stream: logStream },
  });
  base = await app.listen({ host: '127.0.0.1', port: 0 });
});

after(async () => {
  await app?.close();
  await rm(work, { recursive: true, force: true });
});

void describe('--follow-alias', () => {
  let first: string;

  void it('serves the version prod points at', async () => {
    const aliases = await store.getAliases(NAME);
    first = `${NAME}:v${aliases.prod}`;
    assert.equal(await servedRef(), first);
    const table = rows.select(modelA.inputSchema.map((c) => c.name));
    assert.deepEqual(await predictions(), modelA.predict(table));
  });

  void it('ignores a new version until prod moves to it, then switches and logs the swap', async () => {
    const v2 = await publishDir(await exportPipeline(modelB, work, 'b'));
    await new Promise((r) => setTimeout(r, 400)); // several polls: latest moved, prod did not
    assert.equal(await servedRef(), first);

    const table = rows.select(modelB.inputSchema.map((c) => c.name));
    const expectedA = modelA.predict(table);
    const expectedB = modelB.predict(table);
    assert.notDeepEqual(expectedB, expectedA, 'the two test models must disagree somewhere');

    // Clients keep scoring through the swap: every answer is wholly one model's, none fails.
    let swapped = false;
    const answers: string[][] = [];
    const client = async () => {
      while (!swapped) answers.push(await predictions());
      answers.push(await predictions());
    };
    const clients = [client(), client(), client()];
    await store.moveAlias(NAME, 'prod', v2.version, { reason: 'test', actor: 'test' });
    try {
      await waitFor(async () => (await servedRef()) === v2.ref, `the server to serve ${v2.ref}`);
    } finally {
      swapped = true;
      await Promise.all(clients);
    }
    for (const a of answers) assert.ok(isDeepStrictEqual(a, expectedA) || isDeepStrictEqual(a, expectedB));
    assert.ok(answers.some((a) => isDeepStrictEqual(a, expectedA)));
    assert.deepEqual(answers[answers.length - 1], expectedB);
    assert.deepEqual(await predictions(), expectedB);
    const swap = logLines
      .map((l) => JSON.parse(l) as { msg: string; to?: string })
      .find((l) => l.msg.includes('model swapped'));
    assert.ok(swap, `a swap log line, got:\n${logLines.join('\n')}`);
    assert.equal(swap.to, v2.ref);
  });

  void it('keeps serving the current model when prod moves to a version that does not load', async () => {
    const brokenDir = join(work, 'broken');
    await exportPipeline(modelA, work, 'broken');
    await writeFile(join(brokenDir, 'MLmodel'), 'flavors: {}\n');
    const broken = await publishDir(brokenDir);
    const current = await servedRef();
    await store.moveAlias(NAME, 'prod', broken.version, { reason: 'test', actor: 'test' });
    await waitFor(async () => logLines.some((l) => l.includes('could not follow alias')), 'a warning');
    assert.equal(await servedRef(), current);
    assert.equal((await predictions()).length, rows.nRows);
  });

  void it('refuses --follow-alias without an alias ref', async () => {
    await assert.rejects(
      createScoringServer({ model: `${NAME}:v0`, store, cacheDir: join(work, 'cache'), followAlias: true }),
      /alias/,
    );
  });
});
