/**
 * A real MinIO for tests: started on a free loopback port over a temporary data directory, with
 * generated root credentials exported to this process as AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY
 * (so the SDK's default credential chain finds them, as it would in production).
 *
 * Binary: $MINIO_BIN, else $(go env GOPATH)/bin/minio (built by .ci/install-minio.sh), else PATH.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { accessSync, constants } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';

export const MINIO_MISSING =
  'MinIO not found: S3 tests skipped. Build it with `bash .ci/install-minio.sh` ' +
  '(go install github.com/minio/minio@latest) or set MINIO_BIN to a minio binary.';

export function findMinioBinary(): string | undefined {
  const candidates: string[] = [];
  if (process.env.MINIO_BIN) candidates.push(process.env.MINIO_BIN);
  const go = spawnSync('go', ['env', 'GOPATH'], { encoding: 'utf8' });
  if (go.status === 0 && go.stdout.trim())
    candidates.push(join(go.stdout.trim().split(delimiter)[0], 'bin', 'minio'));
  for (const dir of (process.env.PATH ?? '').split(delimiter)) if (dir) candidates.push(join(dir, 'minio'));
  return candidates.find((p) => {
    try {
      accessSync(p, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/**
 * `false` when MinIO is available; otherwise the skip message. In CI (process.env.CI) a missing MinIO
 * is a failure, not a skip: CI always builds it.
 */
export function minioSkipReason(): string | false {
  if (findMinioBinary()) return false;
  if (process.env.CI) throw new Error(`CI must have MinIO. ${MINIO_MISSING}`);
  return MINIO_MISSING;
}

export interface RunningMinio {
  /** http://127.0.0.1:<port> */
  endpoint: string;
  region: string;
  /** Options for openStore(uri, { s3 }) / createS3Client. */
  s3: { endpoint: string; region: string; forcePathStyle: boolean };
  dataDir: string;
  createBucket(name: string): Promise<void>;
  /** Stops the server (the data directory stays, so start() brings the same objects back). */
  stop(): Promise<void>;
  start(): Promise<void>;
  restart(): Promise<void>;
  /** Stops the server and removes its data directory. */
  close(): Promise<void>;
  /** The server's output so far (for failure messages). */
  logs(): string;
}

export async function startMinio(): Promise<RunningMinio> {
  const bin = findMinioBinary();
  if (!bin) throw new Error(MINIO_MISSING);
  const [port, consolePort] = [await freePort(), await freePort()];
  const dataDir = await mkdtemp(join(tmpdir(), 'mlpipe-minio-'));
  const user = `mlpipe${randomBytes(6).toString('hex')}`;
  const password = randomBytes(24).toString('hex');
  process.env.AWS_ACCESS_KEY_ID = user;
  process.env.AWS_SECRET_ACCESS_KEY = password;
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;
  const region = process.env.AWS_REGION ?? 'us-east-1';
  process.env.AWS_REGION = region;
  const endpoint = `http://127.0.0.1:${port}`;

  let child: ChildProcess | undefined;
  let output = '';

  async function start(): Promise<void> {
    if (child) return;
    const proc = spawn(
      bin!,
      [
        'server',
        dataDir,
        '--address',
        `127.0.0.1:${port}`,
        '--console-address',
        `127.0.0.1:${consolePort}`,
        '--quiet',
      ],
      {
        env: {
          ...process.env,
          MINIO_ROOT_USER: user,
          MINIO_ROOT_PASSWORD: password,
          MINIO_BROWSER: 'off',
          MINIO_UPDATE: 'off',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    child = proc;
    // If this process dies without closing (an uncaught error in a test or a bench), take the
    // server with it rather than leave it running on its port and data directory.
    const killOnExit = () => proc.kill('SIGKILL');
    process.once('exit', killOnExit);
    proc.once('exit', () => process.off('exit', killOnExit));
    proc.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    proc.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    proc.on('exit', () => {
      if (child === proc) child = undefined;
    });
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      if (!child) throw new Error(`minio exited during startup:\n${output}`);
      try {
        const res = await fetch(`${endpoint}/minio/health/live`);
        if (res.ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    await stop();
    throw new Error(`minio did not become healthy within 60 s:\n${output}`);
  }

  async function stop(): Promise<void> {
    const proc = child;
    if (!proc) return;
    child = undefined;
    const exited = new Promise<void>((r) => proc.once('exit', () => r()));
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }

  await start();
  const s3 = { endpoint, region, forcePathStyle: true };
  return {
    endpoint,
    region,
    s3,
    dataDir,
    async createBucket(name: string) {
      const client = new S3Client({ ...s3 });
      try {
        await client.send(new CreateBucketCommand({ Bucket: name }));
      } finally {
        client.destroy();
      }
    },
    stop,
    start,
    async restart() {
      await stop();
      await start();
    },
    async close() {
      await stop();
      await rm(dataDir, { recursive: true, force: true });
    },
    logs: () => output,
  };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}
