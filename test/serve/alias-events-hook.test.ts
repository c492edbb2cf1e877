/**
 * `--follow-alias` driven by alias events: the scoring server takes mlpipe's signed webhook on
 * POST /hooks/alias-events and reloads at once when prod moves (its poll interval is a minute, so
 * only the event can explain the swap); an unsigned or wrongly signed POST is refused.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type FastifyInstance } from 'fastify';
import { deliverOutbox } from '../../src/events/deliver';
import { signBody } from '../../src/events/signature';
import { sinksFromConfig } from '../../src/events/sinks';
import { createScoringServer } from '../../src/serve';
import { ALIAS_EVENTS_PATH } from '../../src/serve/alias-event-hook';
import { openStore } from '../../src/store';
import type { VersionedArtifactStore } from '../../src/store/versioned-store';
import { fitSmallPipeline } from './fixture';
import { exportPipeline } from './server-harness';

const NAME = 'model_export';
const SECRET_ENV = 'MLPIPE_TEST_SERVE_HOOK_SECRET';
const secret = randomBytes(16).toString('hex');

let work: string;
let store: VersionedArtifactStore;
let app: FastifyInstance;
let base: string;

async function publishDir(dir: string, aliases: string[] = []) {
  const files = (await readdir(dir)).map((f) => ({ path: f, source: join(dir, f) }));
  return (await store.publish({ name: NAME, type: 'model', files, aliases })).version;
}

async function servedRef(): Promise<string | null> {
  const res = await fetch(`${base}/version`);
  return ((await res.json()) as { model: { ref: string | null } }).model.ref;
}

before(async () => {
  process.env[SECRET_ENV] = secret;
  work = await mkdtemp(join(tmpdir(), 'mlpipe-serve-hook-'));
  store = openStore(join(work, 'store'), { project: 'default' });
  const [modelA] = await Promise.all([fitSmallPipeline(1)]);
  await publishDir(await exportPipeline(modelA, work, 'a'), ['prod']);
  app = await createScoringServer({
    model: `${NAME}:prod`,
    store,
    cacheDir: join(work, 'cache'),
    followAlias: true,
    pollIntervalMs: 60_000,
    eventSecret: secret,
    logger: false,
  });
  base = await app.listen({ host: '127.0.0.1', port: 0 });
});

after(async () => {
  await app?.close();
  await rm(work, { recursive: true, force: true });
  delete process.env[SECRET_ENV];
});

void describe('--follow-alias with alias events', () => {
  void it('refuses an unsigned or wrongly signed event', async () => {
    const body = JSON.stringify({ id: 'x', event: { name: NAME, alias: 'prod' }, project: 'default' });
    for (const signature of [undefined, signBody('not the secret', body)]) {
      const res = await fetch(`${base}${ALIAS_EVENTS_PATH}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(signature ? { 'x-mlpipe-signature': signature } : {}),
        },
        body,
      });
      assert.equal(res.status, 401);
    }
  });

  void it('reloads as soon as the webhook for a prod move arrives', async () => {
    const before = await servedRef();
    const modelB = await fitSmallPipeline(2, 20);
    const v2 = await publishDir(await exportPipeline(modelB, work, 'b'));
    await store.moveAlias(NAME, 'prod', v2.version, { reason: 'test' });
    assert.equal(await servedRef(), before, 'no poll within the minute');
    const summary = await deliverOutbox(store, {
      sinks: sinksFromConfig({
        webhooks: [{ url: `${base}${ALIAS_EVENTS_PATH}`, secret_env: SECRET_ENV }],
        temporal: null,
        attempts: 1,
        initial_interval: '100ms',
        timeout: '10s',
      }),
      attempts: 1,
      initialIntervalMs: 100,
      timeoutMs: 10_000,
    });
    assert.deepEqual(summary.failed, []);
    // The first publish's prod move, then this one: both delivered, the second reloads.
    assert.deepEqual(summary.delivered, ['default/model_export/prod/1', 'default/model_export/prod/2']);
    assert.equal(await servedRef(), v2.ref, 'swapped by the time the webhook was answered');
  });
});
