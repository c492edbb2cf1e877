/**
 * Alias events to a real local HTTP receiver: the signature checks, a 500 is retried, delivery is
 * idempotent by move ID, and a webhook that is down never holds up a move; its delivery succeeds
 * on redelivery. The outbox also drops intents whose move never happened.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import {
  deliverOutbox,
  isFailed,
  listDeliveries,
  redeliver,
  type DeliverySettings,
} from '../../src/events/deliver';
import { sinksFromConfig } from '../../src/events/sinks';
import { signBody, verifySignature } from '../../src/events/signature';
import type { AliasEventPayload } from '../../src/events/payload';
import { openStore } from '../../src/store/index';
import type { VersionedArtifactStore } from '../../src/store/versioned-store';
import { closedPort, startReceiver, type WebhookReceiver } from '../support/webhook-receiver';

const SECRET_ENV = 'MLPIPE_TEST_WEBHOOK_SECRET';
const secret = randomBytes(16).toString('hex');

function settings(url: string, attempts = 3): DeliverySettings {
  return {
    sinks: sinksFromConfig({
      webhooks: [{ url, secret_env: SECRET_ENV }],
      temporal: null,
      attempts,
      initial_interval: '50ms',
      timeout: '1s',
    }),
    attempts,
    initialIntervalMs: 50,
    timeoutMs: 1000,
  };
}

void describe('alias events to a webhook', () => {
  let dir: string;
  let store: VersionedArtifactStore;
  let receiver: WebhookReceiver;
  let versions = 0;

  before(async () => {
    process.env[SECRET_ENV] = secret;
    dir = await mkdtemp(join(tmpdir(), 'mlpipe-events-'));
    receiver = await startReceiver(secret);
  });
  after(async () => {
    await receiver.close();
    await rm(dir, { recursive: true, force: true });
    delete process.env[SECRET_ENV];
  });
  beforeEach(async () => {
    store = openStore(join(dir, `store-${versions}`), { project: 'default' });
    receiver.requests.length = 0;
    receiver.applied.length = 0;
  });

  const publishAndPromote = async () => {
    const file = join(dir, `m${versions++}.bin`);
    await writeFile(file, randomBytes(64));
    const { version } = await store.publish({
      name: 'model',
      type: 'model',
      files: [{ path: 'm.bin', source: file }],
    });
    return store.moveAlias('model', 'prod', version.version, { reason: 'better', actor: 'test' });
  };

  void it('posts the move, signed with the secret from the environment, with its move ID as the idempotency key', async () => {
    const event = await publishAndPromote();
    assert.equal(event.id, 'default/model/prod/1');
    const summary = await deliverOutbox(store, settings(receiver.url));
    assert.deepEqual(summary.delivered, ['default/model/prod/1']);
    assert.equal(receiver.requests.length, 1);
    const [req] = receiver.requests;
    assert.equal(req.status, 200);
    assert.equal(req.headers['idempotency-key'], event.id);
    const payload = JSON.parse(req.body) as AliasEventPayload;
    assert.equal(payload.id, event.id);
    assert.equal(payload.to, 'model:v0');
    assert.equal(payload.ref, 'model:prod');
    assert.ok(verifySignature(secret, req.body, req.headers['x-mlpipe-signature'] as string));
    assert.ok(
      !verifySignature(
        secret,
        req.body.replace('model:v0', 'model:v9'),
        req.headers['x-mlpipe-signature'] as string,
      ),
    );
    assert.ok(!verifySignature('another secret', req.body, req.headers['x-mlpipe-signature'] as string));
    assert.equal(req.headers['x-mlpipe-signature'], signBody(secret, req.body));
    // The secret is in no stored record.
    const [record] = await listDeliveries(store);
    assert.ok(!JSON.stringify(record).includes(secret));
    assert.equal(record.sinks[new URL(receiver.url).origin + '/hooks/mlpipe'].status, 'delivered');
    assert.deepEqual(await store.readOutbox(), []);
  });

  void it('retries after a 500 and is idempotent by move ID on redelivery', async () => {
    const event = await publishAndPromote();
    receiver.script.push(500);
    const summary = await deliverOutbox(store, settings(receiver.url));
    assert.deepEqual(summary.delivered, [event.id]);
    assert.deepEqual(
      receiver.requests.map((r) => r.status),
      [500, 200],
    );
    const [record] = await listDeliveries(store);
    assert.equal(Object.values(record.sinks)[0].attempts, 2);
    // Redelivered by ID: the receiver gets it again, under the same ID, and applies it once.
    await redeliver(store, settings(receiver.url), { id: event.id! });
    assert.equal(receiver.requests.length, 3);
    assert.deepEqual(
      receiver.requests.map((r) => r.headers['idempotency-key']),
      [event.id, event.id, event.id],
    );
    assert.deepEqual(receiver.applied, [event.id]);
  });

  void it('a webhook down the whole time never holds up the move; redelivery succeeds once it is up', async () => {
    const port = await closedPort();
    const down = settings(`http://127.0.0.1:${port}/hooks/mlpipe`, 2);
    const t0 = Date.now();
    const event = await publishAndPromote();
    assert.ok(Date.now() - t0 < 1000, 'the move itself does not deliver');
    assert.equal((await store.resolve('model:prod')).version, event.to);
    const summary = await deliverOutbox(store, down);
    assert.deepEqual(summary.delivered, []);
    assert.equal(summary.failed.length, 1);
    assert.match(summary.failed[0].error, /ECONNREFUSED/);
    const failed = (await listDeliveries(store)).filter(isFailed);
    assert.deepEqual(
      failed.map((r) => r.id),
      [event.id],
    );
    assert.deepEqual(await store.readOutbox(), [], 'a recorded failure leaves the outbox');

    const up = await startReceiver(secret, port);
    try {
      const again = await redeliver(store, down, { failed: true });
      assert.deepEqual(again.delivered, [event.id]);
      assert.deepEqual(up.applied, [event.id]);
      assert.deepEqual((await listDeliveries(store)).filter(isFailed), []);
      assert.equal(Object.values((await listDeliveries(store))[0].sinks)[0].attempts, 3);
    } finally {
      await up.close();
    }
  });

  void it('a 4xx answer is not retried; a missing secret is a clear failure naming the variable', async () => {
    await publishAndPromote();
    receiver.script.push(404);
    const summary = await deliverOutbox(store, settings(receiver.url));
    assert.equal(receiver.requests.length, 1);
    assert.match(summary.failed[0].error, /HTTP 404/);

    await publishAndPromote();
    delete process.env[SECRET_ENV];
    try {
      const unsigned = await deliverOutbox(store, settings(receiver.url));
      assert.match(
        unsigned.failed[0].error,
        new RegExp(`${SECRET_ENV} \\(events.webhooks\\[0\\].secret_env\\) is not set`),
      );
    } finally {
      process.env[SECRET_ENV] = secret;
    }
  });

  void it('only moves that happened are delivered: a lost compare-and-swap leaves nothing, latest is not an event', async () => {
    await publishAndPromote(); // latest and prod moved; only prod is in the outbox
    await assert.rejects(store.moveAlias('model', 'prod', 0, { expected: 7 }));
    const outbox = await store.readOutbox();
    assert.deepEqual(
      outbox.map((e) => [e.event.id, e.state]),
      [['default/model/prod/1', 'moved']],
    );
    // An intent left by a mover that died before its swap, long ago: dropped, never delivered.
    const ghost = { ...outbox[0].event, id: 'default/model/prod/2', to: 0, at: '2020-01-01T00:00:00.000Z' };
    const backend = (store as unknown as { backend: { put(k: string, b: Buffer): Promise<void> } }).backend;
    await backend.put(
      'events/outbox/default/model/prod/2/0000000000000000.json',
      Buffer.from(JSON.stringify(ghost)),
    );
    const summary = await deliverOutbox(store, settings(receiver.url));
    assert.equal(summary.dropped, 1);
    assert.equal(summary.delivered.length, 1);
    assert.equal(receiver.requests.length, 1);
  });
});
