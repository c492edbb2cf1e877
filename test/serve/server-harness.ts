/**
 * Starts a scoring server the way the CLI does (createScoringServer over an exported model directory),
 * listening on 127.0.0.1 with any free port.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type FastifyInstance } from 'fastify';
import { exportModel } from '../../src/ml/model-export';
import { type InferencePipeline } from '../../src/ml/pipeline';
import { selectRows } from '../../src/ml/table';
import { createScoringServer } from '../../src/serve';
import { fitSmallPipeline, sampleTable } from './fixture';

export interface StartedServer {
  app: FastifyInstance;
  base: string;
  pipeline: InferencePipeline;
  modelDir: string;
}

/** Exports `pipeline` (with a small input example) into a fresh `<parent>/<name>` directory. */
export async function exportPipeline(pipeline: InferencePipeline, parent: string, name = 'model_export') {
  const dir = join(parent, name);
  await exportModel(pipeline, dir, { inputExample: selectRows(sampleTable(20, 5), [0, 1, 2]) });
  return dir;
}

export async function startModelServer(opts: {
  seed: number;
  bodyLimit?: number;
  reuse?: InferencePipeline;
}): Promise<StartedServer> {
  const pipeline = opts.reuse ?? (await fitSmallPipeline(opts.seed));
  const work = await mkdtemp(join(tmpdir(), 'mlpipe-serve-'));
  const modelDir = await exportPipeline(pipeline, work);
  const app = await createScoringServer({
    model: modelDir,
    cacheDir: join(work, 'cache'),
    bodyLimit: opts.bodyLimit,
  });
  app.addHook('onClose', () => rm(work, { recursive: true, force: true }));
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  return { app, base, pipeline, modelDir };
}
