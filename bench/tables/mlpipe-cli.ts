/**
 * The pipeline as a user runs it: `bin/mlpipe` in a child process. The bench's isolation settings
 * (dev server ports and database, the shared store) are global `--set`s, so every command — server,
 * run, artifacts, lineage — sees the same server and store.
 */
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';

const REPO = resolve(__dirname, '../..');
const BIN = join(REPO, 'bin/mlpipe');

export interface CliResult {
  status: number;
  stdout: string;
  stderr: string;
  wallS: number;
}

export class MlpipeCli {
  constructor(private readonly globalSets: readonly string[]) {}

  exec(args: readonly string[]): CliResult {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [BIN, ...this.globalSets.flatMap((s) => ['--set', s]), ...args], {
      cwd: REPO,
      encoding: 'utf8',
      maxBuffer: 64 << 20,
    });
    if (r.error) throw new Error(`cannot run ${BIN}: ${r.error.message}`);
    return {
      status: r.status ?? 1,
      stdout: r.stdout,
      stderr: r.stderr,
      wallS: (performance.now() - t0) / 1000,
    };
  }

  /** Runs a command that must succeed; the error carries its last stderr lines. */
  check(args: readonly string[]): CliResult {
    const r = this.exec(args);
    if (r.status !== 0) {
      const tail = r.stderr.trim().split('\n').slice(-5).join('\n');
      throw new Error(`mlpipe ${args.join(' ')} exited with ${r.status}:\n${tail}`);
    }
    return r;
  }

  json<T>(args: readonly string[]): T {
    return JSON.parse(this.check(args).stdout) as T;
  }
}
