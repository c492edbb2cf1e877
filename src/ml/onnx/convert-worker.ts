/**
 * Worker thread entry: converts one model file (model.mlpm bytes) to model.onnx bytes, so that the
 * conversion (seconds for a large forest, mostly protobuf encoding) keeps the caller's thread free,
 * e.g. for an activity's heartbeats.
 */
import { parentPort } from 'node:worker_threads';
import { deserializeModel } from '../model-file/model-file';
import { OnnxExportError } from './column';
import { pipelineToOnnx } from './pipeline';

export interface ConvertRequest {
  model: Uint8Array;
  producerVersion: string;
}

export type ConvertReply = { bytes: Uint8Array } | { error: string; unsupported: boolean };

const port = parentPort;
if (port === null) throw new Error('convert-worker must run as a worker thread');

port.once('message', (req: ConvertRequest) => {
  let reply: ConvertReply;
  try {
    const p = deserializeModel(Buffer.from(req.model), 'model.mlpm');
    reply = { bytes: pipelineToOnnx(p, { producerVersion: req.producerVersion }).bytes.slice() };
  } catch (err) {
    reply = { error: (err as Error).message, unsupported: err instanceof OnnxExportError };
  }
  port.postMessage(reply, 'bytes' in reply ? [reply.bytes.buffer as ArrayBuffer] : []);
});
