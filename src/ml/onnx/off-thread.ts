/** pipelineToOnnx on a worker thread, from the model file's bytes (what the export writes anyway). */
import { Worker } from 'node:worker_threads';
import { workerEntry } from '../forest/pool';
import { OnnxExportError } from './column';
import { type ConvertReply, type ConvertRequest } from './convert-worker';

/** model.onnx's bytes; rejects with OnnxExportError when the model has no ONNX form. */
export function modelFileToOnnx(model: Uint8Array, producerVersion: string): Promise<Uint8Array> {
  const entry = workerEntry(__dirname, __filename, 'convert-worker');
  return new Promise((resolve, reject) => {
    const worker = new Worker(entry.source, { eval: entry.evalCode });
    let settled = false;
    worker.once('message', (reply: ConvertReply) => {
      settled = true;
      void worker.terminate();
      if ('bytes' in reply) resolve(reply.bytes);
      else
        reject(
          reply.unsupported ? new OnnxExportError(reply.error) : new Error(`ONNX export: ${reply.error}`),
        );
    });
    worker.once('error', (err) => {
      if (!settled) reject(err);
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new Error(`ONNX export: the conversion worker exited with code ${code}`));
    });
    const req: ConvertRequest = { model, producerVersion };
    worker.postMessage(req);
  });
}
