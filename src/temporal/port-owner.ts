/**
 * Who is on a port, and what a process is: read from /proc on Linux (every listening socket's inode,
 * then the process whose file descriptors hold it), with `ss -ltnp` as the fallback where /proc
 * cannot be read. Used to name a stranger on the dev server's port instead of trusting it.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, readlinkSync, statSync } from 'node:fs';

export interface ProcessInfo {
  pid: number;
  /** The command line as given, arguments split. */
  argv: string[];
}

/** The process's command line, or undefined when the pid is gone (or /proc cannot say). */
export function processInfo(pid: number): ProcessInfo | undefined {
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    const raw = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    const argv = raw.split('\0').filter((a, i, all) => a !== '' || i < all.length - 1);
    return argv.length > 0 ? { pid, argv } : undefined;
  } catch {
    try {
      process.kill(pid, 0);
      return { pid, argv: [] };
    } catch (err) {
      // EPERM: alive but not ours to signal.
      return (err as NodeJS.ErrnoException).code === 'EPERM' ? { pid, argv: [] } : undefined;
    }
  }
}

/** When the process started (from /proc/PID's own timestamp), for uptimes. */
export function processStartTime(pid: number): Date | undefined {
  try {
    return statSync(`/proc/${pid}`).mtime;
  } catch {
    return undefined;
  }
}

/** The value of `--name VALUE` or `--name=VALUE` in a command line. */
export function argValue(argv: string[], ...names: string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    for (const name of names) {
      if (argv[i] === name) return argv[i + 1];
      if (argv[i].startsWith(`${name}=`)) return argv[i].slice(name.length + 1);
    }
  }
  return undefined;
}

/** A `temporal server start-dev` process (the CLI binary, whatever its path). */
export function isTemporalDevServer(info: ProcessInfo): boolean {
  const i = info.argv.indexOf('start-dev');
  return i > 0 && info.argv[i - 1] === 'server' && /temporal[^/]*$/.test(info.argv[0] ?? '');
}

/** The database a dev server was started with (`--db-filename`), undefined for an in-memory one. */
export function devServerDatabase(info: ProcessInfo): string | undefined {
  return argValue(info.argv, '--db-filename', '-f');
}

function listeningInodes(port: number): Set<string> {
  const inodes = new Set<string>();
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      // local_address is ADDR:PORT in hex; state 0A is LISTEN; column 9 is the socket's inode.
      if (cols.length > 9 && cols[1].endsWith(`:${hexPort}`) && cols[3] === '0A') inodes.add(cols[9]);
    }
  }
  return inodes;
}

function pidFromProc(port: number): number | undefined {
  const inodes = listeningInodes(port);
  if (inodes.size === 0) return undefined;
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return undefined;
  }
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (m && inodes.has(m[1])) return Number(pid);
      } catch {
        // The fd closed while we looked.
      }
    }
  }
  return undefined;
}

function pidFromSs(port: number): number | undefined {
  const res = spawnSync('ss', ['-H', '-ltnp', `sport = :${port}`], { encoding: 'utf8', timeout: 5000 });
  if (res.status !== 0) return undefined;
  const m = /pid=(\d+)/.exec(res.stdout);
  return m ? Number(m[1]) : undefined;
}

/** The process listening on a TCP port of this machine, when it can be found. */
export function processOnPort(port: number): ProcessInfo | undefined {
  const pid = pidFromProc(port) ?? pidFromSs(port);
  return pid ? processInfo(pid) : undefined;
}

export function describeProcess(info: ProcessInfo | undefined): string {
  if (!info) return 'a process this user cannot see';
  const cmd = info.argv.join(' ');
  return `pid ${info.pid}${cmd ? ` (${cmd.length > 200 ? `${cmd.slice(0, 200)}…` : cmd})` : ''}`;
}
