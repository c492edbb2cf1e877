/**
 * What `mlpipe predict` and `mlpipe serve` need from the CLI's composition root, and how they pick the
 * artifact store: `--store URI` wins, else the configured store, which is opened only when the model is
 * named by a store ref (a directory or an s3:// URI needs no store).
 */
import { join } from 'node:path';
import { type PipelineConfig, projectRoot } from '../config';
import { openStore, type ArtifactStore, type S3Options } from '../store';
import { isModelLocation } from './model-location';

export interface ModelCommandDeps {
  /** The configured artifact store (config `storage.uri`), scoped to `project` (default: main.project_name). */
  getStore(project?: string): ArtifactStore | Promise<ArtifactStore>;
  /** The loaded config (global --config and --set applied). */
  getConfig(): Pick<PipelineConfig, 'storage' | 'main'>;
}

export interface ModelSource {
  store?: ArtifactStore;
  /** Where downloaded models are cached: `.mlpipe/cache` in the project folder. */
  cacheDir: string;
  s3: S3Options;
}

export async function modelSource(
  model: string,
  storeUri: string | undefined,
  deps: ModelCommandDeps,
  needStore = false,
  /** The command's --project: whose artifacts a store ref names (default: main.project_name). */
  project?: string,
): Promise<ModelSource> {
  const s3Config = deps.getConfig().storage.s3;
  const s3: S3Options = {
    endpoint: s3Config.endpoint ?? undefined,
    region: s3Config.region ?? undefined,
    forcePathStyle: s3Config.force_path_style,
  };
  const cacheDir = join(projectRoot(), '.mlpipe', 'cache');
  if (storeUri) {
    const scope = project ?? deps.getConfig().main.project_name;
    return { store: openStore(storeUri, { s3, baseDir: process.cwd(), project: scope }), cacheDir, s3 };
  }
  if (!needStore && isModelLocation(model)) return { cacheDir, s3 };
  return { store: await deps.getStore(project), cacheDir, s3 };
}
