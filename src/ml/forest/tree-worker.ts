/**
 * Worker thread entry: receives the shared binned data once ('init'), then builds the trees it is
 * asked for, by seed, and sends each back with its buffers transferred (not copied).
 */
import { parentPort } from 'node:worker_threads';
import { type TreeJob, TreeWorkspace, buildTree } from './build-tree';
import type { ToWorker } from './pool';

export interface TreeTask {
  seed: number;
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
    const tree = buildTree(job, (msg.task as TreeTask).seed, workspace ?? undefined);
    const transfer = Object.values(tree).map((a: ArrayBufferView) => a.buffer as ArrayBuffer);
    port.postMessage({ id: msg.id, result: tree }, transfer);
  } catch (e) {
    port.postMessage({ id: msg.id, error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  }
});
