/**
 * Worker thread entry: receives the shared binned data once ('init'), then builds the trees it is
 * asked for, by seed, and sends each back with its buffers transferred (not copied).
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
let job: TreeJob | null = null;
let workspace: TreeWorkspace | null = null;

port.on('message', (msg: ToWorker) => {
  if (msg.kind === 'init') {
    job = msg.data as TreeJob;
    workspace = new TreeWorkspace(job.binned.nRows, job.K);
    return;
  }
  try {
    if (job === null) throw new Error('task before init');
    const ws = workspace as TreeWorkspace;
    const tree = buildTree(job, (msg.task as TreeTask).seed, ws);
    const result: TreeResult = { tree, oobLeaves: job.oob ? oobLeaves(tree, job.binned, ws.counts) : null };
    const transfer = Object.values(tree).map((a: ArrayBufferView) => a.buffer as ArrayBuffer);
    if (result.oobLeaves) transfer.push(result.oobLeaves.buffer as ArrayBuffer);
    port.postMessage({ id: msg.id, result }, transfer);
  } catch (e) {
    port.postMessage({ id: msg.id, error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  }
});
