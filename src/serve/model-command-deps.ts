/**
 * What `mlpipe predict` and `mlpipe serve` need from the CLI's composition root, and how they pick the
 * artifact store: `--store URI` wins, else the configured store, which is opened only when the model is
 * named by a store ref (a directory or an s3:// URI needs no store).
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { openStore, type ArtifactStore, type S3Options } from '../store';

export interface ModelCommandDeps {
  /** The configured artifact store (config `storage.uri`). */
  getStore(): ArtifactStore | Promise<ArtifactStore>;
  /** Where downloaded models are cached; default `.mlpipe/cache` in the working directory. */
  cacheDir?: string;
  /** S3 endpoint/region/path-style settings from config, for s3:// stores and model URIs. */
  s3?: S3Options;
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

export async function storeForModel(
  model: string,
  storeUri: string | undefined,
  deps: ModelCommandDeps,
  needStore = false,
): Promise<ArtifactStore | undefined> {
  if (storeUri) return openStore(storeUri, { s3: deps.s3 });
  if (!needStore && isModelLocation(model)) return undefined;
  return deps.getStore();
}
