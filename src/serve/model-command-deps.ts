/**
 * What `mlpipe predict` and `mlpipe serve` need from the CLI's composition root, and how they pick the
 * artifact store: `--store URI` wins, else the configured store, which is opened only when the model is
 * named by a store ref (a directory or an s3:// URI needs no store).
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type PipelineConfig, projectRoot } from '../config';
import { openStore, type ArtifactStore, type S3Options } from '../store';

export interface ModelCommandDeps {
  /** The configured artifact store (config `storage.uri`). */
  getStore(): ArtifactStore | Promise<ArtifactStore>;
  /** The loaded config (global --config and --set applied). */
  getConfig(): Pick<PipelineConfig, 'storage'>;
}

export interface ModelSource {
  store?: ArtifactStore;
  /** Where downloaded models are cached: `.mlpipe/cache` in the project folder. */
  cacheDir: string;
  s3: S3Options;
}

/** True when `model` names a location (directory, file:// or s3:// URI) rather than a store ref. */
export function isModelLocation(model: string): boolean {
  const text = model.trim();
  return (
    /^(s3|file):\/\//.test(text) ||
    text.startsWith('/') ||
    text.startsWith('./') ||
    text.startsWith('../') ||
    text === '.' ||
    existsSync(resolve(text))
  );
}

export async function modelSource(
  model: string,
  storeUri: string | undefined,
  deps: ModelCommandDeps,
  needStore = false,
): Promise<ModelSource> {
  const s3Config = deps.getConfig().storage.s3;
  const s3: S3Options = {
    endpoint: s3Config.endpoint ?? undefined,
    region: s3Config.region ?? undefined,
    forcePathStyle: s3Config.force_path_style,
  };
  const cacheDir = join(projectRoot(), '.mlpipe', 'cache');
  if (storeUri) return { store: openStore(storeUri, { s3, baseDir: process.cwd() }), cacheDir, s3 };
  if (!needStore && isModelLocation(model)) return { cacheDir, s3 };
  return { store: await deps.getStore(), cacheDir, s3 };
}
