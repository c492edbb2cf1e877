/**
 * The artifact store's public surface. `openStore` picks the backend from the URI:
 * `s3://bucket/prefix` → S3 (AWS, MinIO, …); `file:///abs/dir` or a plain path → the filesystem.
 */
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FsBackend } from './backends/fs';
import { S3Backend, createS3Client, parseS3Uri, type S3Options } from './backends/s3';
import { VersionedArtifactStore } from './versioned-store';

export interface OpenStoreOptions {
  s3?: S3Options;
  /** Plain relative paths resolve against this (default: the working directory). */
  baseDir?: string;
  /**
   * The project namespace to open (main.project_name). Absent: the root layout from before
   * namespaces, which is also where LEGACY_PROJECT lives (src/store/keys.ts).
   */
  project?: string;
}

export function openStore(uri: string, options: OpenStoreOptions = {}): VersionedArtifactStore {
  const text = uri.trim();
  const scope = options.project === undefined ? {} : { project: options.project };
  if (text.startsWith('s3://')) {
    return new VersionedArtifactStore(
      new S3Backend(createS3Client(options.s3), parseS3Uri(text), options.s3),
      scope,
    );
  }
  const dir = text.startsWith('file://')
    ? fileURLToPath(text)
    : isAbsolute(text)
      ? text
      : resolve(options.baseDir ?? process.cwd(), text);
  return new VersionedArtifactStore(new FsBackend(dir), scope);
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
export { LATEST, checkProject, formatRef, parseRef, parseVersion, type ParsedRef } from './refs';
export { LEGACY_PROJECT } from './keys';
export { VersionedArtifactStore } from './versioned-store';
export { versionDigest } from './digest';
export { parseS3Uri, type S3Options } from './backends/s3';
export { materializeModel, type MaterializeOptions, type MaterializedModel } from './materialize';
export {
  AliasNotSetError,
  aliasIntervals,
  moveInForceAt,
  parseInstant,
  resolveAt,
  type AliasInterval,
  type PointInTime,
} from './alias-timeline';
