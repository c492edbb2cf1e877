/**
 * Worker thread entry: receives the shared binned data once ('init'), then builds the trees it is
 * asked for, by seed, and sends each back (copied; see the note at postMessage).
 */
import { parentPort } from 'node:worker_threads';
import { type TreeJob, TreeWorkspace, buildTree } from './build-tree';
import { oobLeaves } from './oob';
import type { TreeArrays } from './predictor';
import type { ToWorker } from './pool';

export interface TreeTask {
  seed: number;
}

export interface TreeResult {
  tree: TreeArrays;
  /** With oob: the leaf of every out-of-bag row (-1 in bag). */
  oobLeaves: Int32Array | null;
}

const port = parentPort;
if (port === null) throw new Error('tree-worker must run as a worker thread');
/** The job's buffers and kernels; its `job` is the one 'init' sent. */
let workspace: TreeWorkspace | null = null;

port.on('message', (msg: ToWorker) => {
  if (msg.kind === 'init') {
    workspace = new TreeWorkspace(msg.data as TreeJob);
    return;
  }
  try {
    if (workspace === null) throw new Error('task before init');
    const ws = workspace;
    const job = ws.job;
    const tree = buildTree(job, (msg.task as TreeTask).seed, ws);
    const result: TreeResult = { tree, oobLeaves: job.oob ? oobLeaves(tree, job.binned, ws.counts) : null };
    // Copied, not transferred. Transferring detaches the worker's buffers, and the first detached
    // ArrayBuffer in an isolate makes V8 drop an assumption its optimised typed-array code relies on
    // (its "array buffer detaching" protector): every tree after it was ≈ 20 % slower. A tree's
    // arrays are tens of kilobytes, so the copy costs far less.
    port.postMessage({ id: msg.id, result });
  } catch (e) {
    port.postMessage({ id: msg.id, error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  }
});
