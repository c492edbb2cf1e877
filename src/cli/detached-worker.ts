/**
 * `mlpipe run --no-wait` on the embedded server: the in-process worker would end with the command and
 * leave the run waiting for nobody, so a detached `mlpipe worker --until ID` runs it and exits when
 * that workflow closes. Its output goes to .mlpipe/workers/ID.log.
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../config';
import type { CliContext } from './context';

export function startDetachedWorker(c: CliContext, workflowId: string): { pid?: number; logFile: string } {
  const dir = join(c.stateDir(), 'workers');
  mkdirSync(dir, { recursive: true });
  const logFile = join(dir, `${workflowId.replace(/[^\w.-]/g, '_')}.log`);
  const fd = openSync(logFile, 'a');
  const t = c.config.temporal;
  const args = [
    join(projectRoot(), 'bin', 'mlpipe'),
    ...(c.options.config ? ['-c', c.options.config] : []),
    // Where the worker connects and what it polls; the run's own settings travel in the workflow input.
    ...['--set', `temporal.dev_server.port=${t.dev_server.port}`],
    ...['--set', `temporal.namespace=${c.temporal.namespace}`],
    ...['--set', `temporal.task_queue=${c.temporal.taskQueue}`],
    ...(c.temporal.address ? ['--set', `temporal.address=${c.temporal.address}`] : []),
    'worker',
    '--until',
    workflowId,
  ];
  const child = spawn(process.execPath, args, {
    detached: true,
    stdio: ['ignore', fd, fd],
    env: process.env,
  });
  closeSync(fd);
  child.unref();
  return { pid: child.pid, logFile };
}
