/**
 * A small worker_threads pool for one batch of independent tasks. Workers are started first (their
 * boot overlaps whatever the caller does next, e.g. binning), then receive the shared data once and
 * the tasks one at a time. Results come back by task index, so their order never depends on which
 * worker finished first. The calling thread only dispatches messages; an AbortSignal terminates the
 * workers and rejects.
 */
import { Worker } from 'node:worker_threads';
import { bundleForWorker } from './worker-bundle';

export interface WorkerEntry {
  /** A file path, or with `evalCode` the source to evaluate. */
  source: string;
  evalCode: boolean;
}

/**
 * Resolves a worker module that sits next to the calling module. Compiled `.js` runs directly.
 * Under tsx (`.ts`) the worker gets a plain-JS bundle of the module (on Node 20,
 * `execArgv: ['--import', 'tsx']` does not even reach a worker's entry module).
 */
export function workerEntry(dirname: string, filename: string, baseName: string): WorkerEntry {
  const ts = filename.endsWith('.ts');
  const file = `${dirname}/${baseName}${ts ? '.ts' : '.js'}`;
  if (!ts) return { source: file, evalCode: false };
  const code = bundleForWorker(file);
  return { source: code, evalCode: true };
}

/** Messages to a worker. */
export type ToWorker = { kind: 'init'; data: unknown } | { kind: 'task'; id: number; task: unknown };

/** Messages from a worker. */
export interface FromWorker {
  id: number;
  result?: unknown;
  error?: string;
}

export interface PoolRun<R> {
  signal?: AbortSignal;
  /** Called on the calling thread as each task finishes (in completion order). */
  onResult?: (index: number, result: R) => void;
}

export class WorkerPool {
  private readonly workers: Worker[];
  private closing: Promise<void> | null = null;

  private constructor(workers: Worker[]) {
    this.workers = workers;
  }

  /** Starts `size` workers. */
  static start(entry: WorkerEntry, size: number): WorkerPool {
    const workers = Array.from(
      { length: Math.max(1, size) },
      () => new Worker(entry.source, { eval: entry.evalCode }),
    );
    return new WorkerPool(workers);
  }

  get size(): number {
    return this.workers.length;
  }

  /** Sends `shared` to every worker, runs the tasks, resolves with the results in task order. */
  run<T, R>(shared: unknown, tasks: readonly T[], run: PoolRun<R> = {}): Promise<R[]> {
    return new Promise<R[]>((resolve, reject) => {
      const results = new Array<R>(tasks.length);
      if (this.closing !== null) {
        reject(new Error('worker pool is closed'));
        return;
      }
      if (run.signal?.aborted) {
        reject(abortError(run.signal));
        return;
      }
      if (tasks.length === 0) {
        resolve(results);
        return;
      }
      let next = 0;
      let done = 0;
      let settled = false;
      const cleanups: (() => void)[] = [];
      const finish = (err: Error | null): void => {
        if (settled) return;
        settled = true;
        for (const c of cleanups) c();
        if (err) {
          void this.close();
          reject(err);
        } else resolve(results);
      };
      const onAbort = (): void => finish(abortError(run.signal as AbortSignal));
      run.signal?.addEventListener('abort', onAbort, { once: true });
      cleanups.push(() => run.signal?.removeEventListener('abort', onAbort));

      const dispatch = (w: Worker): void => {
        if (next >= tasks.length) return;
        const id = next++;
        w.postMessage({ kind: 'task', id, task: tasks[id] } satisfies ToWorker);
      };
      for (const w of this.workers) {
        const onMessage = (msg: FromWorker): void => {
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
        };
        const onError = (e: Error): void => finish(e);
        const onExit = (code: number): void =>
          finish(new Error(`forest worker exited early with code ${code}`));
        w.on('message', onMessage);
        w.on('error', onError);
        w.on('exit', onExit);
        cleanups.push(() => {
          w.off('message', onMessage);
          w.off('error', onError);
          w.off('exit', onExit);
        });
        w.postMessage({ kind: 'init', data: shared } satisfies ToWorker);
        dispatch(w);
      }
    });
  }

  /** Terminates the workers; every call returns the same promise. */
  close(): Promise<void> {
    this.closing ??= Promise.all(this.workers.map((w) => w.terminate())).then(() => undefined);
    return this.closing;
  }
}

function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason;
  const e = new Error('forest fit was aborted');
  e.name = 'AbortError';
  return e;
}
