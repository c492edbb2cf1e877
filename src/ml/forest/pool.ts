/**
 * A small worker_threads pool for one batch of independent tasks. Results come back by task index,
 * so their order never depends on which worker finished first. The calling thread only dispatches
 * messages; an AbortSignal terminates the workers and rejects.
 */
import { Worker } from 'node:worker_threads';

export interface PoolRun<R> {
  size: number;
  workerData: unknown;
  signal?: AbortSignal;
  /** Called on the calling thread as each task finishes (in completion order). */
  onResult?: (index: number, result: R) => void;
}

export interface WorkerEntry {
  /** A file path, or with `evalCode` the source to evaluate. */
  source: string;
  evalCode: boolean;
}

/**
 * Resolves a worker module that sits next to the calling module. Compiled `.js` runs directly.
 * Under tsx (`.ts`), the worker registers tsx's CommonJS hook before requiring the module: on
 * Node 20, `execArgv: ['--import', 'tsx']` does not reach a worker's entry module.
 */
export function workerEntry(dirname: string, filename: string, baseName: string): WorkerEntry {
  const ts = filename.endsWith('.ts');
  const file = `${dirname}/${baseName}${ts ? '.ts' : '.js'}`;
  if (!ts) return { source: file, evalCode: false };
  return {
    source: `require('tsx/cjs/api').register(); require(${JSON.stringify(file)});`,
    evalCode: true,
  };
}

interface Reply {
  id: number;
  result?: unknown;
  error?: string;
}

export function runPool<T, R>(entry: WorkerEntry, tasks: readonly T[], run: PoolRun<R>): Promise<R[]> {
  return new Promise<R[]>((resolve, reject) => {
    const results = new Array<R>(tasks.length);
    if (tasks.length === 0) {
      resolve(results);
      return;
    }
    if (run.signal?.aborted) {
      reject(abortError(run.signal));
      return;
    }
    const workers: Worker[] = [];
    let next = 0;
    let done = 0;
    let settled = false;
    const finish = (err: Error | null): void => {
      if (settled) return;
      settled = true;
      run.signal?.removeEventListener('abort', onAbort);
      for (const w of workers) void w.terminate();
      if (err) reject(err);
      else resolve(results);
    };
    const onAbort = (): void => finish(abortError(run.signal as AbortSignal));
    run.signal?.addEventListener('abort', onAbort, { once: true });

    const dispatch = (w: Worker): void => {
      if (next >= tasks.length) return;
      const id = next++;
      w.postMessage({ id, task: tasks[id] });
    };
    const size = Math.max(1, Math.min(run.size, tasks.length));
    for (let i = 0; i < size; i++) {
      const w = new Worker(entry.source, { eval: entry.evalCode, workerData: run.workerData });
      workers.push(w);
      w.on('message', (msg: Reply) => {
        if (settled) return;
        if (msg.error !== undefined) {
          finish(new Error(`forest worker failed on task ${msg.id}: ${msg.error}`));
          return;
        }
        results[msg.id] = msg.result as R;
        done++;
        try {
          run.onResult?.(msg.id, msg.result as R);
        } catch (e) {
          finish(e instanceof Error ? e : new Error(String(e)));
          return;
        }
        if (done === tasks.length) finish(null);
        else dispatch(w);
      });
      w.on('error', (e) => finish(e));
      w.on('exit', (code) => {
        if (!settled) finish(new Error(`forest worker exited early with code ${code}`));
      });
      dispatch(w);
    }
  });
}

function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason;
  const e = new Error('forest fit was aborted');
  e.name = 'AbortError';
  return e;
}
