/**
 * The store contract against a real MinIO, plus what only S3 has: multipart uploads, an unreachable
 * endpoint (retryable), and credentials that must never leak into URIs, errors or stored objects.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  DeleteObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  GetObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import {
  StoreUnavailableError,
  isRetryableStoreError,
  materializeModel,
  openStore,
} from '../../src/store/index';
import { S3Backend, createS3Client } from '../../src/store/backends/s3';
import { VersionedArtifactStore } from '../../src/store/versioned-store';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { type RunningMinio, minioSkipReason, startMinio } from '../support/minio';
import { runStoreContract, streamHooked } from './contract';

const skip = minioSkipReason();
const BUCKET = 'contract';
let minio: RunningMinio | undefined;
let prefixes = 0;

if (skip) {
  void it('S3 store contract', { skip }, () => undefined);
} else {
  before(async () => {
    minio = await startMinio();
    await minio.createBucket(BUCKET);
  });
  after(async () => {
    await minio?.close();
  });

  runStoreContract('s3 (MinIO)', async () => {
    const m = minio!;
    const prefix = `t${prefixes++}`;
    const client = new S3Client(m.s3);
    return {
      store: openStore(`s3://${BUCKET}/${prefix}`, { s3: m.s3 }),
      deleteKey: async (key) => {
        await client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: `${prefix}/${key}` }));
      },
      tamperBlob: async (sha256, edit) => {
        const Key = `${prefix}/blobs/sha256/${sha256}`;
        const stored = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key }));
        const bytes = edit(Buffer.from(await stored.Body!.transformToByteArray()));
        await client.send(new PutObjectCommand({ Bucket: BUCKET, Key, Body: bytes }));
      },
      withStreamHook: (hook) =>
        new VersionedArtifactStore(
          streamHooked(new S3Backend(createS3Client(m.s3), { bucket: BUCKET, prefix }, m.s3), hook),
        ),
    };
  });

  void describe('s3 store: transport and secrets', () => {
    let work: string;
    before(async () => {
      work = await mkdtemp(join(tmpdir(), 'mlpipe-s3-'));
    });
    after(async () => {
      await rm(work, { recursive: true, force: true });
    });

    void it('uploads a large file in parts and reads it back verified', async () => {
      const store = openStore(`s3://${BUCKET}/large`, {
        s3: { ...minio!.s3, multipartThreshold: 8 * 1024 * 1024 },
      });
      const big = Buffer.alloc(18 * 1024 * 1024);
      for (let i = 0; i < big.length; i += 4) big.writeUInt32LE((i * 2654435761) >>> 0, i);
      await writeFile(join(work, 'big.bin'), big);
      const { version } = await store.publish({
        name: 'model_export',
        type: 'model',
        files: [{ path: 'model.bin', source: join(work, 'big.bin') }],
      });
      const blob = await new S3Client(minio!.s3).send(
        new GetObjectCommand({ Bucket: BUCKET, Key: `large/blobs/sha256/${version.files[0].sha256}` }),
      );
      assert.match(blob.ETag ?? '', /-\d+"$/, 'a multipart ETag ends with -<parts>');
      await blob.Body?.transformToByteArray();
      const dest = join(work, 'dl');
      await store.download(version, dest);
      assert.ok((await readFile(join(dest, 'model.bin'))).equals(big));
    });

    void it("packs a version's small files into one object, and reuses the pack for equal ones", async () => {
      const store = openStore(`s3://${BUCKET}/packed`, { s3: minio!.s3 });
      const client = new S3Client(minio!.s3);
      const blobs = async () =>
        (
          (await client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'packed/blobs/' })))
            .Contents ?? []
        ).map((o) => o.Key!.slice('packed/blobs/sha256/'.length));
      const dir = join(work, 'export');
      const small: Record<string, string> = {
        MLmodel: 'flavors: {}\n',
        'metrics.json': '{"auc":0.95}',
        'input_example.json': '{"columns":["a"],"data":[[1]]}',
        'plots/roc.svg': '<svg/>',
      };
      await mkdir(join(dir, 'plots'), { recursive: true });
      for (const [path, text] of Object.entries(small)) await writeFile(join(dir, path), text);
      const publish = async (modelBytes: Buffer) => {
        await writeFile(join(dir, 'model.bin'), modelBytes);
        return store.publish({
          name: 'model_export',
          type: 'model',
          files: ['model.bin', ...Object.keys(small)].map((path) => ({ path, source: join(dir, path) })),
        });
      };

      const first = (await publish(Buffer.alloc(2 * 1024 * 1024, 1))).version;
      const packed = first.files.filter((f) => f.pack);
      assert.deepEqual(packed.map((f) => f.path).sort(), Object.keys(small).sort());
      assert.equal(new Set(packed.map((f) => f.pack!.sha256)).size, 1, 'one pack');
      assert.equal(
        first.files.find((f) => f.path === 'model.bin')!.pack,
        undefined,
        'large files stay loose',
      );
      assert.deepEqual(
        (await blobs()).sort(),
        [packed[0].pack!.sha256, first.files.find((f) => f.path === 'model.bin')!.sha256].sort(),
      );

      const second = (await publish(Buffer.alloc(2 * 1024 * 1024, 2))).version;
      assert.equal(second.version, 1);
      assert.equal(second.files.find((f) => f.path === 'metrics.json')!.pack!.sha256, packed[0].pack!.sha256);
      assert.equal((await blobs()).length, 3, 'the second model file only: the pack is shared');

      const dest = join(work, 'export-back');
      await store.download(second, dest);
      for (const [path, text] of Object.entries(small))
        assert.equal(await readFile(join(dest, path), 'utf8'), text);
      assert.equal((await store.readFile(second, 'plots/roc.svg')).toString(), '<svg/>');
    });

    void it('has the server reject uploaded bytes that do not match their content address', async () => {
      const backend = new S3Backend(
        createS3Client(minio!.s3),
        { bucket: BUCKET, prefix: 'verify' },
        minio!.s3,
      );
      const claimed = createHash('sha256').update('the bytes we hashed').digest('hex');
      await assert.rejects(
        backend.putStreamIfAbsent(
          'blobs/sha256/x',
          Readable.from([Buffer.from('other bytes, same len')]),
          () => undefined,
          {
            sha256: claimed,
            size: 21,
          },
        ),
      );
      assert.equal(await backend.exists('blobs/sha256/x'), false);
      const good = Buffer.from('the bytes we hashed');
      const write = () =>
        backend.putStreamIfAbsent('blobs/sha256/y', Readable.from([good]), () => undefined, {
          sha256: claimed,
          size: good.length,
        });
      assert.equal(await write(), true);
      assert.deepEqual((await backend.get('blobs/sha256/y'))?.body, good);
      assert.equal(await write(), false, 'a second create-only upload of the key writes nothing');
    });

    void it('fails with a retryable StoreUnavailableError while MinIO is down, and works once it is back', async () => {
      const store = openStore(`s3://${BUCKET}/outage`, { s3: { ...minio!.s3, maxAttempts: 1 } });
      await writeFile(join(work, 'f.txt'), 'x');
      await store.publish({ name: 'a', type: 't', files: [{ path: 'f.txt', source: join(work, 'f.txt') }] });
      await minio!.stop();
      try {
        await assert.rejects(store.resolve('a:latest'), (err: unknown) => {
          assert.ok(err instanceof StoreUnavailableError, String(err));
          assert.equal(isRetryableStoreError(err), true);
          assert.match(err.message, /s3:\/\/contract\/outage/);
          return true;
        });
        await assert.rejects(store.putRecord('runs/x', {}), StoreUnavailableError);
      } finally {
        await minio!.start();
      }
      assert.equal((await store.resolve('a:latest')).version, 0);
    });

    void it('never puts credentials in the URI, errors or stored objects', async () => {
      const secret = process.env.AWS_SECRET_ACCESS_KEY!;
      const keyId = process.env.AWS_ACCESS_KEY_ID!;
      const store = openStore(`s3://${BUCKET}/secrets`, { s3: minio!.s3 });
      await writeFile(join(work, 's.txt'), 'payload');
      await store.publish({ name: 'a', type: 't', files: [{ path: 's.txt', source: join(work, 's.txt') }] });
      await store.moveAlias('a', 'prod', 0);
      await store.putRecord('runs/r', { ok: true });
      assert.ok(!store.uri.includes(secret) && !store.uri.includes(keyId));
      const client = new S3Client(minio!.s3);
      const listed = await client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'secrets/' }));
      for (const o of listed.Contents ?? []) {
        const body = Buffer.from(
          await (
            await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: o.Key! }))
          ).Body!.transformToByteArray(),
        );
        assert.ok(!body.includes(secret), `${o.Key} holds the secret key`);
      }
      // A wrong secret is an access error (not retryable) whose message does not echo any secret.
      process.env.AWS_SECRET_ACCESS_KEY = 'wrong-secret-for-this-test';
      try {
        const denied = openStore(`s3://${BUCKET}/secrets`, { s3: minio!.s3 });
        await assert.rejects(denied.resolve('a'), (err: unknown) => {
          assert.equal(isRetryableStoreError(err), false);
          assert.ok(!String((err as Error).message).includes('wrong-secret-for-this-test'));
          assert.ok(!String((err as Error).message).includes(secret));
          return true;
        });
      } finally {
        process.env.AWS_SECRET_ACCESS_KEY = secret;
      }
    });

    void it('materializes a model from a store ref, an s3:// directory and a local directory', async () => {
      const store = openStore(`s3://${BUCKET}/models`, { s3: minio!.s3 });
      await writeFile(join(work, 'MLmodel'), 'flavors: {}\n');
      const { version } = await store.publish({
        name: 'model_export',
        type: 'model',
        files: [{ path: 'MLmodel', source: join(work, 'MLmodel') }],
      });
      await store.moveAlias('model_export', 'prod', version.version);
      const cacheDir = join(work, 'cache');
      const byRef = await materializeModel('model_export:prod', { store, cacheDir });
      assert.equal(byRef.version?.ref, 'model_export:v0');
      assert.equal(await readFile(join(byRef.dir, 'MLmodel'), 'utf8'), 'flavors: {}\n');
      assert.equal(
        (await materializeModel('model_export:prod', { store, cacheDir })).dir,
        byRef.dir,
        'cached',
      );

      const client = new S3Client(minio!.s3);
      await client.send(
        new PutObjectCommand({ Bucket: BUCKET, Key: 'exports/m1/MLmodel', Body: 'flavors: {x: 1}\n' }),
        (err: Error) => /sha256|digest|checksum/i.test(`${err.name} ${err.message}`),
      );
      await client.send(
        new PutObjectCommand({
          Bucket: BUCKET,
          Key: 'exports/m1/model/forest.bin',
          Body: Buffer.from([1, 2, 3]),
        }),
      );
      const byUri = await materializeModel(`s3://${BUCKET}/exports/m1`, { cacheDir, s3: minio!.s3 });
      assert.deepEqual((await readdir(byUri.dir)).sort(), ['MLmodel', 'model']);
      assert.deepEqual(await readFile(join(byUri.dir, 'model', 'forest.bin')), Buffer.from([1, 2, 3]));
      assert.equal(byUri.version, undefined);

      const local = await materializeModel(byUri.dir, { cacheDir });
      assert.equal(local.dir, byUri.dir);
    });
  });
}
