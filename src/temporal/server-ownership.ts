/**
 * Which Temporal server is this project's own. A state file per port in .mlpipe/ records the dev server
 * this checkout started (pid, ports, database, start time). On the port we then find either that server
 * (used when it answers), or a stranger: another checkout's dev server, a Temporal server that does not
 * work, or something that is not Temporal at all. A stranger is never used silently: runs would land in
 * another database and be picked up by another checkout's workers. The message names the process, its
 * database when its command line shows one, and the fixes; TEMPORAL_ADDRESS uses a server deliberately.
 */
import { Connection } from '@temporalio/client';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import type { DevServerOptions } from './dev-server';
import {
  argValue,
  describeProcess,
  devServerDatabase,
  isTemporalDevServer,
  processInfo,
  processOnPort,
  processStartTime,
  type ProcessInfo,
} from './port-owner';

export interface ServerState {
  pid: number;
  port: number;
  uiPort: number;
  dbFile: string;
  namespace: string;
  startedAt: string;
}

const STATE_PREFIX = 'temporal-dev-server-';
/** Before state files there was one pid file; a server it names is adopted once and the file removed. */
const LEGACY_PID_FILE = 'temporal-dev-server.pid';

export function stateFile(stateDir: string, port: number): string {
  return join(stateDir, `${STATE_PREFIX}${port}.json`);
}

export function writeServerState(opts: DevServerOptions, pid: number, startedAt = new Date()): ServerState {
  const state: ServerState = {
    pid,
    port: opts.port,
    uiPort: opts.uiPort,
    dbFile: resolve(opts.dbFile),
    namespace: opts.namespace,
    startedAt: startedAt.toISOString(),
  };
  mkdirSync(opts.stateDir, { recursive: true });
  writeFileSync(stateFile(opts.stateDir, opts.port), `${JSON.stringify(state, null, 2)}\n`);
  return state;
}

export function removeServerState(opts: Pick<DevServerOptions, 'stateDir' | 'port'>): void {
  rmSync(stateFile(opts.stateDir, opts.port), { force: true });
}

/** Why a recorded server is no longer ours, or undefined when it still is. */
function staleReason(state: ServerState, info: ProcessInfo | undefined): string | undefined {
  if (!info) return `its pid ${state.pid} is gone`;
  if (info.argv.length === 0) return undefined; // Alive, command line unreadable: give it the benefit of the doubt.
  if (!isTemporalDevServer(info) || argValue(info.argv, '--port', '-p') !== String(state.port))
    return `pid ${state.pid} is now another program: ${info.argv.join(' ').slice(0, 160)}`;
  return undefined;
}

function parseState(file: string): ServerState | undefined {
  try {
    const s = JSON.parse(readFileSync(file, 'utf8')) as ServerState;
    return Number.isInteger(s.pid) && Number.isInteger(s.port) ? s : undefined;
  } catch {
    return undefined;
  }
}

function adoptLegacyPidFile(opts: DevServerOptions): ServerState | undefined {
  const legacy = join(opts.stateDir, LEGACY_PID_FILE);
  if (!existsSync(legacy)) return undefined;
  const pid = Number(readFileSync(legacy, 'utf8').trim());
  const info = processInfo(pid);
  if (!info || !isTemporalDevServer(info)) {
    rmSync(legacy, { force: true });
    return undefined;
  }
  if (argValue(info.argv, '--port', '-p') !== String(opts.port)) return undefined;
  rmSync(legacy, { force: true });
  const db = devServerDatabase(info);
  return writeServerState({ ...opts, dbFile: db ?? opts.dbFile }, pid, processStartTime(pid) ?? new Date());
}

/**
 * This project's recorded server on opts.port, if its process still is that server. A stale state
 * file (pid gone, or reused by another program) is removed and reported through `log`.
 */
export function readOwnState(opts: DevServerOptions, log: (line: string) => void): ServerState | undefined {
  const file = stateFile(opts.stateDir, opts.port);
  const state = existsSync(file) ? parseState(file) : undefined;
  if (!state) {
    if (existsSync(file)) {
      rmSync(file, { force: true });
      log(`Removed an unreadable dev server state file: ${file}`);
    }
    return adoptLegacyPidFile(opts);
  }
  const reason = staleReason(state, processInfo(state.pid));
  if (reason) {
    rmSync(file, { force: true });
    log(`Removed a stale dev server state file (${file}): ${reason}.`);
    return undefined;
  }
  return state;
}

export interface ListedServer extends ServerState {
  uptimeMs: number;
}

/** Every dev server this project has running (one per port), cleaning up stale state files. */
export function listOwnServers(stateDir: string, log: (line: string) => void): ListedServer[] {
  if (!existsSync(stateDir)) return [];
  const out: ListedServer[] = [];
  for (const name of readdirSync(stateDir).sort()) {
    const m = new RegExp(`^${STATE_PREFIX}(\\d+)\\.json$`).exec(name);
    if (!m) continue;
    const file = join(stateDir, name);
    const state = parseState(file);
    const reason = state ? staleReason(state, processInfo(state.pid)) : 'unreadable';
    if (!state || reason) {
      rmSync(file, { force: true });
      log(`Removed a stale dev server state file (${file}): ${reason}.`);
      continue;
    }
    out.push({ ...state, uptimeMs: Date.now() - Date.parse(state.startedAt) });
  }
  return out;
}

export interface TemporalProbe {
  /** It speaks Temporal's gRPC API (GetSystemInfo answered). */
  temporal: boolean;
  /** Its history service answers too (a lookup of an unknown workflow says NOT_FOUND, not UNAVAILABLE). */
  healthy: boolean;
  error?: string;
}

/** Asks the server on `address` whether it is a working Temporal server, within `timeoutMs`. */
export async function probeTemporal(
  address: string,
  namespace: string,
  timeoutMs = 5000,
): Promise<TemporalProbe> {
  let connection: Connection;
  try {
    connection = await Connection.connect({ address, connectTimeout: timeoutMs });
  } catch (err) {
    return { temporal: false, healthy: false, error: errorText(err) };
  }
  try {
    await connection.withDeadline(Date.now() + timeoutMs, () =>
      connection.workflowService.describeWorkflowExecution({
        namespace,
        execution: { workflowId: `mlpipe-health-probe-${process.pid}-${Date.now()}` },
      }),
    );
    return { temporal: true, healthy: true };
  } catch (err) {
    // 5 = NOT_FOUND: the workflow (or the namespace) is unknown, which only a working server can say.
    if ((err as { code?: number }).code === 5) return { temporal: true, healthy: true };
    return { temporal: true, healthy: false, error: errorText(err) };
  } finally {
    await connection.close().catch(() => undefined);
  }
}

function errorText(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0];
}

/** The first port from `from` on which nothing listens (for the message's suggestion). */
export async function freePortFrom(from: number, avoid: number[] = []): Promise<number | undefined> {
  for (let port = from; port < from + 50 && port < 65536; port++) {
    if (avoid.includes(port)) continue;
    const free = await new Promise<boolean>((done) => {
      const srv = createServer();
      srv.once('error', () => done(false));
      srv.listen(port, '127.0.0.1', () => srv.close(() => done(true)));
    });
    if (free) return port;
  }
  return undefined;
}

/**
 * The port is open. Returns when it is this project's own server and it works; otherwise throws one
 * message naming the port, the process, its database, and the fixes.
 */
export async function assertOwnHealthyServer(
  opts: DevServerOptions,
  own: ServerState | undefined,
): Promise<void> {
  const address = `127.0.0.1:${opts.port}`;
  const listener = processOnPort(opts.port);
  const ourDb = resolve(opts.dbFile);
  const listenerDb = listener ? devServerDatabase(listener) : undefined;
  const isOurs =
    (own !== undefined && (listener === undefined || listener.pid === own.pid)) ||
    (listener !== undefined &&
      isTemporalDevServer(listener) &&
      listenerDb !== undefined &&
      resolve(listenerDb) === ourDb);
  const probe = await probeTemporal(address, opts.namespace, 3000);
  if (isOurs && probe.healthy) {
    // A server on our database that we had not recorded (state lost, or started by hand): record it.
    if (!own && listener) writeServerState(opts, listener.pid, processStartTime(listener.pid) ?? new Date());
    return;
  }
  const what = isOurs
    ? `this project's Temporal dev server, which does not work (${probe.error ?? 'no answer'})`
    : !probe.temporal
      ? `a process that is not a Temporal server (${probe.error ?? 'no answer'})`
      : probe.healthy
        ? 'a Temporal server that this project did not start'
        : `a Temporal server that does not work (${probe.error ?? 'no answer'})`;
  const lines = [`Port ${opts.port} is taken by ${what}.`, `  Process: ${describeProcess(listener)}`];
  if (listenerDb)
    lines.push(
      `  Its database: ${resolve(listenerDb)}${existsSync(listenerDb) ? '' : ' (the file no longer exists)'}`,
    );
  else if (listener && isTemporalDevServer(listener))
    lines.push('  Its database: in memory (no --db-filename)');
  lines.push(`  This project's database: ${ourDb}`);
  if (!isOurs && probe.temporal)
    lines.push(
      "mlpipe does not use a server it did not start: this run's history and its workers would be another's.",
    );
  const free = await freePortFrom(opts.port + 1, [opts.uiPort]);
  const freeUi = free !== undefined ? await freePortFrom(opts.uiPort + 1, [free]) : undefined;
  lines.push('Fix, one of:');
  if (isOurs)
    lines.push("  mlpipe server stop                      # stop this project's server, then run again");
  else if (listener)
    lines.push(`  kill ${listener.pid}   # or \`mlpipe server stop\` in the folder that started it`);
  lines.push(
    `  --set temporal.dev_server.port=${free ?? 'PORT'} --set temporal.dev_server.ui_port=${freeUi ?? 'UI_PORT'}   # a dev server of this project's own on other ports`,
    probe.temporal
      ? `  TEMPORAL_ADDRESS=${address} mlpipe run --worker   # use that server deliberately${probe.healthy ? ' (registers the search attributes it lacks)' : ' (once it works)'}`
      : '  TEMPORAL_ADDRESS=HOST:PORT mlpipe run --worker   # a Temporal server elsewhere',
  );
  throw new Error(lines.join('\n'));
}
