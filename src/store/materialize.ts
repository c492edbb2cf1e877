/**
 * Turns whatever names a model into a local directory: a store ref (`model_export:prod`), an
 * `s3://bucket/prefix` directory, or a local directory. Store refs and S3 directories are cached
 * under cacheDir by content (version digest / listing ETags), and every cache entry is completed by
 * a rename, so a crash never leaves a half-downloaded model that looks complete.
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { S3Backend, createS3Client, parseS3Uri, type S3Options } from './backends/s3';
import { sha256Hex } from './digest';
import { mapLimit } from './concurrency';
import { ArtifactNotFoundError, InvalidRefError } from './errors';
import { parseRef } from './refs';
import type { ArtifactStore, ArtifactVersion } from './types';

export interface MaterializeOptions {
  /** Needed for store refs. */
  store?: ArtifactStore;
  cacheDir: string;
  s3?: S3Options;
}

export interface MaterializedModel {
  dir: string;
  /** Set when the model came from the artifact store. */
  version?: ArtifactVersion;
}

export async function materializeModel(
  refOrUri: string,
  opts: MaterializeOptions,
): Promise<MaterializedModel> {
  const text = refOrUri.trim();
  if (text.startsWith('s3://')) return { dir: await downloadS3Directory(text, opts) };
  if (text.startsWith('file://')) return { dir: await existingDir(fileURLToPath(text), text) };
  if (isAbsolute(text) || text.startsWith('./') || text.startsWith('../') || text === '.') {
    return { dir: await existingDir(resolve(text), text) };
  }
  if (await isDir(resolve(text))) return { dir: resolve(text) };

  parseRef(text); // a clear InvalidRefError when it is neither a path nor a ref
  if (!opts.store)
    throw new InvalidRefError(
      text,
      'a store ref needs an artifact store, and no directory by that name exists',
    );
  const version = await opts.store.resolve(text);
  const dir = join(
    resolve(opts.cacheDir),
    'artifacts',
    version.name,
    `v${version.version}-${version.digest.slice(0, 16)}`,
  );
  if (!(await isDir(dir))) {
    await fillAtomically(dir, (tmp) => opts.store!.download(version, tmp));
  }
  return { dir, version };
}

async function downloadS3Directory(uri: string, opts: MaterializeOptions): Promise<string> {
  const location = parseS3Uri(uri);
  const backend = new S3Backend(createS3Client(opts.s3), location, opts.s3);
  const objects = (await backend.listDetailed('')).filter((o) => !o.key.endsWith('/'));
  if (objects.length === 0) throw new ArtifactNotFoundError(uri, backend.uri, 'no objects under this prefix');
  const fingerprint = sha256Hex(objects.map((o) => `${o.key}\t${o.etag}\t${o.size}\n`).join(''));
  const dir = join(resolve(opts.cacheDir), 's3', `${location.bucket}-${fingerprint.slice(0, 24)}`);
  if (await isDir(dir)) return dir;
  await fillAtomically(dir, async (tmp) => {
    await mapLimit(objects, 4, async (o) => {
      const dest = join(tmp, ...o.key.split('/'));
      if (!dest.startsWith(tmp + sep))
        throw new InvalidRefError(`${uri}/${o.key}`, 'object key escapes the destination');
      await mkdir(dirname(dest), { recursive: true });
      const body = await backend.openRead(o.key);
      if (!body)
        throw new ArtifactNotFoundError(`${uri}/${o.key}`, backend.uri, 'object vanished while downloading');
      await pipeline(body, createWriteStream(dest));
    });
  });
  return dir;
}

async function fillAtomically(dir: string, fill: (tmp: string) => Promise<unknown>): Promise<void> {
  const tmp = `${dir}.tmp-${randomUUID()}`;
  await mkdir(tmp, { recursive: true });
  try {
    await fill(tmp);
    await rename(tmp, dir).catch(async (err: NodeJS.ErrnoException) => {
      // Another process finished the same entry first: theirs is identical, keep it.
      if (err.code !== 'ENOTEMPTY' && err.code !== 'EEXIST') throw err;
    });
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

async function existingDir(path: string, asGiven: string): Promise<string> {
  if (!(await isDir(path))) throw new ArtifactNotFoundError(asGiven, `file://${path}`, 'no such directory');
  return path;
}

async function isDir(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}
