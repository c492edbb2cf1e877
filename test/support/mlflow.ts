/**
 * A real MLflow tracking server for tests: `python -m mlflow server` from the interop venv
 * (test/support/python-tools.ts) on a free loopback port, a SQLite backend and a proxied artifact
 * folder in a temporary directory. Startup takes 10 s or more (a minute on a busy machine), so
 * start() waits for /health. The server runs in its own process group, so stop() ends its workers too.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './minio';

export interface RunningMlflow {
  /** http://127.0.0.1:<port> */
  uri: string;
  /** A JSON call to the REST API, `/api/2.0/mlflow/<endpoint>`: the tests read back what the sink sent. */
  api<T = Record<string, unknown>>(
    endpoint: string,
    query?: Record<string, string>,
    body?: unknown,
  ): Promise<T>;
  stop(): Promise<void>;
  close(): Promise<void>;
  logs(): string;
}

export async function startMlflow(python: string, opts: { startupMs?: number } = {}): Promise<RunningMlflow> {
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'mlpipe-mlflow-'));
  const uri = `http://127.0.0.1:${port}`;
  let output = '';
  const proc: ChildProcess = spawn(
    python,
    [
      '-m',
      'mlflow',
      'server',
      '--backend-store-uri',
      `sqlite:///${join(dir, 'mlflow.db')}`,
      '--artifacts-destination',
      join(dir, 'artifacts'),
      '--serve-artifacts',
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--workers',
      '1',
    ],
    {
      cwd: dir,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      // The server's job runner (GenAI jobs, a pool of huey processes) is not used here: off, it
      // starts sooner and leaves the shared cores to the tests.
      env: { ...process.env, MLFLOW_SERVER_ENABLE_JOB_EXECUTION: 'false' },
    },
  );
  let exited = false;
  const done = new Promise<void>((r) =>
    proc.once('exit', () => {
      exited = true;
      r();
    }),
  );
  const killGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-(proc.pid as number), signal);
    } catch {
      // already gone
    }
  };
  const killOnExit = () => killGroup('SIGKILL');
  process.once('exit', killOnExit);
  proc.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (output += d.toString()));

  async function stop(): Promise<void> {
    if (exited) return;
    killGroup('SIGTERM');
    const timer = setTimeout(() => killGroup('SIGKILL'), 10_000);
    await done;
    clearTimeout(timer);
    killGroup('SIGKILL'); // a worker that outlived the server
    process.off('exit', killOnExit);
  }

  const deadline = Date.now() + (opts.startupMs ?? 240_000);
  for (;;) {
    if (exited) throw new Error(`mlflow server exited during startup:\n${output.slice(-3000)}`);
    try {
      if ((await fetch(`${uri}/health`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`mlflow server did not answer /health in time:\n${output.slice(-3000)}`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }

  return {
    uri,
    async api<T>(endpoint: string, query?: Record<string, string>, body?: unknown): Promise<T> {
      const url = new URL(`${uri}/api/2.0/mlflow/${endpoint}`);
      for (const [k, v] of Object.entries(query ?? {})) url.searchParams.set(k, v);
      const res = await fetch(url, {
        method: body === undefined ? 'GET' : 'POST',
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`MLflow ${endpoint}: ${res.status} ${text}`);
      return JSON.parse(text) as T;
    },
    stop,
    async close() {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
    logs: () => output,
  };
}
