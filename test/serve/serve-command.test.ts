/**
 * `mlpipe serve` as a user runs it: bin/mlpipe in a child process on port 0, its options (--max-body,
 * --store, --follow-alias) reaching the server, and a clean exit on SIGTERM.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import { parseByteSize } from '../../src/serve/byte-size';
import { DEFAULT_PROJECT } from '../../src/config';
import { openStore } from '../../src/store';
import { fitSmallPipeline } from './fixture';
import { exportPipeline } from './server-harness';

const BIN = join(__dirname, '..', '..', 'bin', 'mlpipe');

let work: string;
let storeDir: string;

/** Starts bin/mlpipe serve and resolves with its URL once it logs that it listens. */
function startServe(args: string[]): Promise<{ child: ChildProcess; url: string; log: string[] }> {
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log: string[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start:\n${log.join('\n')}`)), 60_000);
    for (const stream of [child.stdout!, child.stderr!]) {
      createInterface({ input: stream }).on('line', (line) => {
        log.push(line);
        const m = /scoring server listening on (http:\/\/[^\s]+)/.exec(line);
        if (m) {
          clearTimeout(timer);
          resolve({ child, url: m[1], log });
        }
      });
    }
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code}:\n${log.join('\n')}`));
    });
  });
}

function stop(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    child.removeAllListeners('exit');
    child.on('exit', (code) => resolve(code));
    child.kill('SIGTERM');
  });
}

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'mlpipe-serve-cli-'));
  const dir = await exportPipeline(await fitSmallPipeline(4), work);
  storeDir = join(work, 'store');
  const files = (await readdir(dir)).map((f) => ({ path: f, source: join(dir, f) }));
  await openStore(storeDir, { project: DEFAULT_PROJECT }).publish({
    name: 'model_export',
    type: 'model',
    files,
    aliases: ['prod'],
  });
});

after(async () => {
  await rm(work, { recursive: true, force: true });
});

void describe('mlpipe serve', () => {
  void it('serves a store ref with --follow-alias and --max-body, and exits cleanly on SIGTERM', async () => {
    const { child, url } = await startServe([
      '--model',
      'model_export:prod',
      '--store',
      storeDir,
      '--follow-alias',
      '--poll-interval',
      '0.5',
      '--max-body',
      '2kb',
    ]);
    try {
      assert.equal((await fetch(`${url}/ping`)).status, 200);
      const version = (await (await fetch(`${url}/version`)).json()) as { model: { ref: string } };
      assert.equal(version.model.ref, 'model_export:v0');
      const big = await fetch(`${url}/invocations`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ inputs: { text_feature: ['x'.repeat(3000)] } }),
      });
      assert.equal(big.status, 413);
    } finally {
      assert.equal(await stop(child), 0);
    }
  });

  void it('rejects a bad --max-body before starting', async () => {
    await assert.rejects(
      startServe(['--model', 'model_export:prod', '--store', storeDir, '--max-body', 'lots']),
      /max-body/,
    );
  });
});

void describe('parseByteSize', () => {
  void it('reads bytes, kb, mb and gb (1024-based)', () => {
    assert.equal(parseByteSize('1048576'), 1048576);
    assert.equal(parseByteSize('5mb'), 5 * 1024 * 1024);
    assert.equal(parseByteSize('512KB'), 512 * 1024);
    assert.equal(parseByteSize('1.5 mb'), 1.5 * 1024 * 1024);
    assert.throws(() => parseByteSize('5 parsecs', '--max-body'), /--max-body/);
    assert.throws(() => parseByteSize('0'), /at least 1 byte/);
  });
});
