/**
 * The embedded dev server never picks up a stranger: real processes on real ports. A listener that is
 * not Temporal, a stale state file (pid gone, pid reused by another program), and a second checkout's
 * dev server (another folder, another database) on the port each get one message or a clean-up; this
 * project's own server is found again and listed by `mlpipe server status`.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  ensureDevServer,
  findTemporalCli,
  isPortOpen,
  stopDevServer,
  type DevServerOptions,
} from '../../src/temporal/dev-server';
import { freePortFrom, listOwnServers, stateFile } from '../../src/temporal/server-ownership';
import { processOnPort } from '../../src/temporal/port-owner';

const BIN = join(__dirname, '..', '..', 'bin', 'mlpipe');
const work = mkdtempSync(join(tmpdir(), 'mlpipe-ownership-'));
const hasCli = Boolean(findTemporalCli());

function checkout(name: string, port: number, uiPort: number): DevServerOptions {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  return {
    dbFile: join(dir, 'temporal.db'),
    port,
    uiPort,
    namespace: 'default',
    stateDir: join(dir, '.mlpipe'),
  };
}

async function until(cond: () => Promise<boolean> | boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', () => r())));
}

void describe('dev server ownership', { timeout: 240_000 }, () => {
  let port: number;
  let uiPort: number;
  const started: DevServerOptions[] = [];

  before(async () => {
    port = (await freePortFrom(17400)) as number;
    uiPort = (await freePortFrom(18400)) as number;
  });

  after(async () => {
    for (const opts of started) stopDevServer(opts);
    await until(async () => !(await isPortOpen(port)), 15_000).catch(() => undefined);
    rmSync(work, { recursive: true, force: true });
  });

  void it('names a non-Temporal listener on the port, its process and the fixes', async () => {
    const listener = spawn(
      process.execPath,
      ['-e', `require('node:http').createServer((q, s) => s.end('hi')).listen(${port}, '127.0.0.1')`],
      { stdio: 'ignore' },
    );
    try {
      await until(() => isPortOpen(port));
      assert.equal(processOnPort(port)?.pid, listener.pid, 'the port owner is found from /proc');
      const opts = checkout('a', port, uiPort);
      await assert.rejects(ensureDevServer(opts), (err: Error) => {
        assert.match(
          err.message,
          new RegExp(`^Port ${port} is taken by a process that is not a Temporal server`),
        );
        assert.match(err.message, new RegExp(`Process: pid ${listener.pid} \\(.*node`));
        assert.match(err.message, /--set temporal\.dev_server\.port=\d+/);
        assert.match(err.message, /TEMPORAL_ADDRESS=/);
        assert.match(err.message, new RegExp(`kill ${listener.pid}`));
        return true;
      });
      assert.equal(existsSync(opts.dbFile), false, 'no server was started on our database');
    } finally {
      listener.kill('SIGKILL');
      await exited(listener);
    }
  });

  void it('removes a state file whose pid is gone or now another program', () => {
    const opts = checkout('stale', port, uiPort);
    mkdirSync(opts.stateDir, { recursive: true });
    const gone = spawnSync(process.execPath, ['-e', '0']).pid as number;
    const record = (pid: number) =>
      writeFileSync(
        stateFile(opts.stateDir, port),
        JSON.stringify({
          pid,
          port,
          uiPort,
          dbFile: opts.dbFile,
          namespace: 'default',
          startedAt: new Date().toISOString(),
        }),
      );
    record(gone);
    const lines: string[] = [];
    assert.deepEqual(
      listOwnServers(opts.stateDir, (l) => lines.push(l)),
      [],
    );
    assert.match(lines.join('\n'), new RegExp(`its pid ${gone} is gone`));
    assert.equal(existsSync(stateFile(opts.stateDir, port)), false);

    const sleeper = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      record(sleeper.pid as number);
      lines.length = 0;
      assert.deepEqual(
        listOwnServers(opts.stateDir, (l) => lines.push(l)),
        [],
      );
      assert.match(lines.join('\n'), new RegExp(`pid ${sleeper.pid} is now another program: sleep 30`));
      assert.equal(existsSync(stateFile(opts.stateDir, port)), false);
    } finally {
      sleeper.kill('SIGKILL');
    }
  });

  void it(
    "starts this project's server after a stale state file, finds it again, and lists it",
    { skip: !hasCli && 'needs the temporal CLI' },
    async () => {
      const opts = checkout('own', port, uiPort);
      mkdirSync(opts.stateDir, { recursive: true });
      const gone = spawnSync(process.execPath, ['-e', '0']).pid as number;
      writeFileSync(
        stateFile(opts.stateDir, port),
        JSON.stringify({
          pid: gone,
          port,
          uiPort,
          dbFile: opts.dbFile,
          namespace: 'default',
          startedAt: new Date(0).toISOString(),
        }),
      );
      const lines: string[] = [];
      const first = await ensureDevServer(opts, (l) => lines.push(l));
      started.push(opts);
      assert.equal(first.started, true);
      assert.match(lines.join('\n'), /Removed a stale dev server state file/);
      const state = JSON.parse(readFileSync(stateFile(opts.stateDir, port), 'utf8')) as Record<
        string,
        unknown
      >;
      assert.equal(state.pid, first.pid);
      assert.equal(state.dbFile, opts.dbFile);
      assert.equal(state.uiPort, uiPort);

      const again = await ensureDevServer(opts);
      assert.deepEqual([again.started, again.pid], [false, first.pid], 'its own healthy server is used');

      const listed = listOwnServers(opts.stateDir, () => undefined);
      assert.deepEqual(
        listed.map((s) => [s.pid, s.port, s.uiPort, s.dbFile]),
        [[first.pid, port, uiPort, opts.dbFile]],
      );
      assert.ok(listed[0].uptimeMs >= 0 && listed[0].uptimeMs < 120_000);
    },
  );

  void it(
    "refuses a second checkout's server on the port, naming its database",
    { skip: !hasCli && 'needs the temporal CLI' },
    async () => {
      const other = checkout('second-checkout', port, uiPort);
      await assert.rejects(ensureDevServer(other), (err: Error) => {
        assert.match(
          err.message,
          new RegExp(`^Port ${port} is taken by a Temporal server that this project did not start`),
        );
        assert.match(err.message, /Process: pid \d+ \(.*temporal.* server start-dev/);
        assert.match(err.message, new RegExp(`Its database: ${join(work, 'own', 'temporal.db')}`));
        assert.match(err.message, new RegExp(`This project's database: ${other.dbFile}`));
        assert.match(err.message, new RegExp(`TEMPORAL_ADDRESS=127\\.0\\.0\\.1:${port} mlpipe run --worker`));
        return true;
      });
      assert.equal(existsSync(other.dbFile), false);
      assert.equal(existsSync(stateFile(other.stateDir, port)), false);
    },
  );

  void it(
    "`mlpipe server stop` and `server status` speak only of this checkout's servers",
    { skip: !hasCli && 'needs the temporal CLI' },
    () => {
      // The CLI's state folder is its checkout's .mlpipe: point it at a port no server of ours uses, so
      // status lists what this checkout really runs and `server stop` says there is nothing to stop.
      const res = spawnSync(
        process.execPath,
        [BIN, '--set', `temporal.dev_server.port=${port}`, 'server', 'stop'],
        { encoding: 'utf8' },
      );
      assert.equal(res.status, 0, res.stderr);
      assert.match(res.stdout, new RegExp(`No dev server of this project is recorded on port ${port}`));
      const status = spawnSync(process.execPath, [BIN, 'server', 'status', '--json'], { encoding: 'utf8' });
      assert.equal(status.status, 0, status.stderr);
      const rows = JSON.parse(status.stdout) as { port: number }[];
      assert.ok(Array.isArray(rows));
      assert.ok(
        !rows.some((r) => r.port === port),
        "another folder's server is not listed as this project's",
      );
    },
  );
});
