/**
 * Worker thread entry: receives the shared binned data once (workerData), then builds the trees it
 * is asked for, by seed, and sends each back with its buffers transferred (not copied).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { type TreeJob, buildTree } from './build-tree';

export interface TreeTask {
  seed: number;
}

const job = workerData as TreeJob;
const port = parentPort;
if (port === null) throw new Error('tree-worker must run as a worker thread');

port.on('message', (msg: { id: number; task: TreeTask }) => {
  try {
    const tree = buildTree(job, msg.task.seed);
    const transfer = Object.values(tree).map((a: ArrayBufferView) => a.buffer as ArrayBuffer);
    port.postMessage({ id: msg.id, result: tree }, transfer);
  } catch (e) {
    port.postMessage({ id: msg.id, error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  }
});
