/**
 * The artifact store's public surface. `openStore` picks the backend from the URI:
 * `s3://bucket/prefix` → S3 (AWS, MinIO, …); `file:///abs/dir` or a plain path → the filesystem.
 */
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FsBackend } from './backends/fs';
import { S3Backend, createS3Client, parseS3Uri, type S3Options } from './backends/s3';
import { VersionedArtifactStore } from './versioned-store';
import type { ArtifactStore } from './types';

export interface OpenStoreOptions {
  s3?: S3Options;
  /** Plain relative paths resolve against this (default: the working directory). */
  baseDir?: string;
}

export function openStore(uri: string, options: OpenStoreOptions = {}): ArtifactStore {
  const text = uri.trim();
  if (text.startsWith('s3://')) {
    return new VersionedArtifactStore(
      new S3Backend(createS3Client(options.s3), parseS3Uri(text), options.s3),
    );
  }
  const dir = text.startsWith('file://')
    ? fileURLToPath(text)
    : isAbsolute(text)
      ? text
      : resolve(options.baseDir ?? process.cwd(), text);
  return new VersionedArtifactStore(new FsBackend(dir));
}

export type * from './types';
export {
  AliasConflictError,
  ArtifactNotFoundError,
  DigestMismatchError,
  InvalidPublishError,
  InvalidRefError,
  StoreAccessError,
  StoreError,
  StoreUnavailableError,
  UnsupportedFormatError,
  isRetryableStoreError,
} from './errors';
export { LATEST, formatRef, parseRef, parseVersion, type ParsedRef } from './refs';
export { versionDigest } from './digest';
export { parseS3Uri, type S3Options } from './backends/s3';
export { materializeModel, type MaterializeOptions, type MaterializedModel } from './materialize';
