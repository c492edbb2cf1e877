/**
 * A long-lived set of tree threads for one forest plan, shared by every caller in the process that
 * builds trees of that plan (the shards of one fit that one worker process runs at once). The
 * threads receive the plan once and then take trees from one queue, so K shards on one machine use
 * the threads of one fit, not K times as many, and each thread's kernels are compiled once.
 * Callers get their trees back in the order they asked for them; aborting one caller drops its
 * queued trees and leaves the others running.
 */
import { Worker } from 'node:worker_threads';
import type { ForestPlan } from './forest';
import { type FromWorker, type ToWorker, workerEntry } from './pool';
import type { TreeArrays } from './predictor';
import type { TreeResult, TreeTask } from './tree-worker';

interface Request {
  indices: readonly number[];
  results: TreeArrays[];
  remaining: number;
  settled: boolean;
  onTree?: (index: number, tree: TreeArrays) => void;
  resolve: (trees: TreeArrays[]) => void;
  reject: (err: Error) => void;
}

interface Queued {
  req: Request;
  /** Position in req.indices. */
  pos: number;
}

export class TreeBuilder {
  private readonly workers: Worker[] = [];
  private readonly idle: Worker[] = [];
  private readonly busy = new Map<Worker, Queued>();
  private readonly queue: Queued[] = [];
  private broken: Error | null = null;
  private closing: Promise<void> | null = null;

  constructor(
    private readonly plan: ForestPlan,
    threads: number,
  ) {
    const entry = workerEntry(__dirname, __filename, 'tree-worker');
    // OOB leaves are not needed here: the assembly replays them from the seeds.
    const job = { ...plan.job, oob: false };
    for (let i = 0; i < Math.max(1, threads); i++) {
      const w = new Worker(entry.source, { eval: entry.evalCode });
      w.on('message', (msg: FromWorker) => this.onMessage(w, msg));
      w.on('error', (e: Error) => this.fail(e));
      w.on('exit', (code: number) => {
        if (this.closing === null) this.fail(new Error(`tree thread exited early with code ${code}`));
      });
      w.postMessage({ kind: 'init', data: job } satisfies ToWorker);
      this.workers.push(w);
      this.idle.push(w);
    }
  }

  get threads(): number {
    return this.workers.length;
  }

  /** Whether a thread failed or the builder was closed: it builds nothing more. */
  get usable(): boolean {
    return this.broken === null && this.closing === null;
  }

  /** Builds the plan's trees `indices`; resolves with them in the order of `indices`. */
  build(
    indices: readonly number[],
    options: { signal?: AbortSignal; onTree?: (index: number, tree: TreeArrays) => void } = {},
  ): Promise<TreeArrays[]> {
    for (const t of indices) {
      if (!(Number.isInteger(t) && t >= 0 && t < this.plan.seeds.length))
        return Promise.reject(
          new Error(`tree index ${t} is outside the plan's ${this.plan.seeds.length} trees`),
        );
    }
    if (this.broken) return Promise.reject(this.broken);
    if (this.closing) return Promise.reject(new Error('the tree builder is closed'));
    return new Promise<TreeArrays[]>((resolve, reject) => {
      const req: Request = {
        indices,
        results: new Array<TreeArrays>(indices.length),
        remaining: indices.length,
        settled: false,
        onTree: options.onTree,
        resolve,
        reject,
      };
      if (indices.length === 0) {
        resolve([]);
        return;
      }
      const signal = options.signal;
      if (signal?.aborted) {
        reject(abortError(signal));
        return;
      }
      const onAbort = (): void => this.settle(req, abortError(signal as AbortSignal));
      signal?.addEventListener('abort', onAbort, { once: true });
      req.resolve = (trees) => {
        signal?.removeEventListener('abort', onAbort);
        resolve(trees);
      };
      req.reject = (err) => {
        signal?.removeEventListener('abort', onAbort);
        reject(err);
      };
      indices.forEach((_, pos) => this.queue.push({ req, pos }));
      this.pump();
    });
  }

  /** Terminates the threads; requests still running are rejected. */
  close(): Promise<void> {
    if (this.closing === null) {
      this.closing = Promise.all(this.workers.map((w) => w.terminate())).then(() => undefined);
      this.fail(new Error('the tree builder was closed'));
    }
    return this.closing;
  }

  private pump(): void {
    while (this.idle.length > 0 && this.queue.length > 0) {
      const item = this.queue.shift() as Queued;
      if (item.req.settled) continue;
      const w = this.idle.pop() as Worker;
      this.busy.set(w, item);
      const task: TreeTask = { seed: this.plan.seeds[item.req.indices[item.pos]] };
      w.postMessage({ kind: 'task', id: item.pos, task } satisfies ToWorker);
    }
  }

  private onMessage(w: Worker, msg: FromWorker): void {
    const item = this.busy.get(w);
    this.busy.delete(w);
    this.idle.push(w);
    if (item && !item.req.settled) {
      const { req, pos } = item;
      if (msg.error !== undefined) {
        this.settle(req, new Error(`tree thread failed on tree ${req.indices[pos]}: ${msg.error}`));
      } else {
        const tree = (msg.result as TreeResult).tree;
        req.results[pos] = tree;
        req.remaining--;
        try {
          req.onTree?.(req.indices[pos], tree);
        } catch (e) {
          this.settle(req, e instanceof Error ? e : new Error(String(e)));
        }
        if (req.remaining === 0) this.settle(req, null);
      }
    }
    this.pump();
  }

  private settle(req: Request, err: Error | null): void {
    if (req.settled) return;
    req.settled = true;
    // Its queued trees are skipped by pump; trees already on a thread finish and are dropped.
    if (err) req.reject(err);
    else req.resolve(req.results);
  }

  private fail(err: Error): void {
    this.broken ??= err;
    for (const item of [...this.busy.values(), ...this.queue]) this.settle(item.req, err);
    this.queue.length = 0;
  }
}

function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason;
  const e = new Error('tree building was aborted');
  e.name = 'AbortError';
  return e;
}
