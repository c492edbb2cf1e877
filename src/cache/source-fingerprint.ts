/**
 * What get_data's cache key knows about the external source, so that a source changed in place
 * misses the cache: a local file's size, mtime and sha256; an http(s) resource's ETag or
 * Last-Modified (a HEAD request); an s3 object's ETag (HeadObject). The bundled sample is made from
 * config alone (data.sample, already in the key). A source that cannot be fingerprinted gets a
 * fingerprint that matches nothing, so it is never a hit.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';

export type SourceFingerprint =
  | { kind: 'sample' }
  | { kind: 'file'; path: string; size: number; mtime: string; sha256: string }
  | { kind: 'http'; etag?: string; lastModified?: string }
  | { kind: 's3'; etag: string; versionId?: string }
  /** Not cacheable this time (no validator, not found, unreachable): `nonce` makes it match nothing. */
  | { kind: 'uncacheable'; why: string; nonce: string };

export interface FingerprintOptions {
  baseDir: string;
  s3?: { endpoint?: string | null; region?: string | null; forcePathStyle?: boolean };
}

/**
 * sha256 of local files, memoised by path, size, mtime, ctime and inode: a run re-hashes only a
 * file that changed. ctime moves on every write and cannot be set back (mtime can), so an in-place
 * edit that keeps size and mtime is still re-hashed.
 */
const fileHashes = new Map<string, Promise<string>>();

async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}

function uncacheable(why: string): SourceFingerprint {
  return { kind: 'uncacheable', why, nonce: randomUUID() };
}

export async function fingerprintSource(
  source: string,
  opts: FingerprintOptions,
): Promise<SourceFingerprint> {
  if (source.startsWith('sample:')) return { kind: 'sample' };
  if (/^https?:\/\//i.test(source)) {
    let res: Response;
    try {
      res = await fetch(source, { method: 'HEAD' });
    } catch (err) {
      return uncacheable(`HEAD failed: ${(err as Error).message}`);
    }
    if (!res.ok) return uncacheable(`HEAD answered ${res.status}`);
    const etag = res.headers.get('etag') ?? undefined;
    const lastModified = res.headers.get('last-modified') ?? undefined;
    if (!etag && !lastModified) return uncacheable('the server sends neither ETag nor Last-Modified');
    return { kind: 'http', ...(etag ? { etag } : {}), ...(lastModified ? { lastModified } : {}) };
  }
  if (source.startsWith('s3://')) {
    const m = /^s3:\/\/([^/]+)\/(.+)$/.exec(source);
    if (!m) return uncacheable('not an s3://bucket/key URI');
    const client = new S3Client({
      endpoint: opts.s3?.endpoint ?? undefined,
      region: opts.s3?.region ?? process.env.AWS_REGION ?? 'us-east-1',
      forcePathStyle: opts.s3?.forcePathStyle ?? true,
    });
    try {
      const head = await client.send(new HeadObjectCommand({ Bucket: m[1], Key: m[2] }));
      if (!head.ETag) return uncacheable('the object has no ETag');
      return { kind: 's3', etag: head.ETag, ...(head.VersionId ? { versionId: head.VersionId } : {}) };
    } catch (err) {
      return uncacheable(`HeadObject failed: ${(err as { name?: string }).name ?? String(err)}`);
    } finally {
      client.destroy();
    }
  }
  const path = isAbsolute(source) ? source : resolve(opts.baseDir, source);
  let info;
  try {
    info = await stat(path);
  } catch {
    return uncacheable(`no such file ${path}`);
  }
  const id = `${path}\0${info.size}\0${info.mtimeMs}\0${info.ctimeMs}\0${info.ino}`;
  let sha = fileHashes.get(id);
  if (!sha) {
    sha = sha256Of(path);
    sha.catch(() => fileHashes.delete(id));
    fileHashes.set(id, sha);
  }
  return { kind: 'file', path, size: info.size, mtime: info.mtime.toISOString(), sha256: await sha };
}

/** One line for a miss reason: what about the source changed. */
export function describeSourceChange(before: SourceFingerprint | undefined, now: SourceFingerprint): string {
  if (now.kind === 'uncacheable') return `source not cacheable (${now.why})`;
  if (!before || before.kind !== now.kind) return 'source changed';
  if (now.kind === 'file' && before.kind === 'file') {
    if (before.sha256 !== now.sha256)
      return `source file ${now.path} changed (sha256 ${before.sha256.slice(0, 12)} → ${now.sha256.slice(0, 12)})`;
    return `source file ${now.path} touched (mtime ${before.mtime} → ${now.mtime})`;
  }
  if (now.kind === 'http' && before.kind === 'http')
    return `source changed (ETag/Last-Modified ${before.etag ?? before.lastModified} → ${now.etag ?? now.lastModified})`;
  if (now.kind === 's3' && before.kind === 's3')
    return `source object changed (ETag ${before.etag} → ${now.etag})`;
  return 'source changed';
}
