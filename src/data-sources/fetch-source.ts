/**
 * Brings `data.source` to a local file: a local path, an http(s) URL, an s3:// object, or the
 * bundled synthetic sample (`sample:genres`). Network faults are retryable; a source that does not
 * exist is not.
 */
import { createWriteStream } from 'node:fs';
import { copyFile, stat } from 'node:fs/promises';
import { extname, isAbsolute, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { writeSampleCsv } from '../sample-data';

export class SourceNotFoundError extends Error {
  override name = 'SourceNotFoundError';
}

export interface FetchedSource {
  file: string;
  /** The source as recorded in lineage: URLs lose any userinfo and query credentials. */
  recordedSource: string;
  format: 'csv' | 'parquet';
}

export interface SourceOptions {
  baseDir: string;
  sample: { rows: number; seed: number };
  s3?: { endpoint?: string | null; region?: string | null; forcePathStyle?: boolean };
  signal?: AbortSignal;
}

/** Not a file type error: the same source fails the same way again, so it is not retried either. */
export class UnsupportedSourceError extends Error {
  override name = 'DataError';
}

/**
 * The reader a source's extension asks for; no extension (a URL such as /export?table=x) is read as
 * CSV. Any other extension stops here: reading an .xlsx as CSV used to end in "the table has no rows".
 */
function formatOf(name: string, source = name): 'csv' | 'parquet' {
  const ext = extname(name.split('?')[0]).toLowerCase();
  if (ext === '.parquet' || ext === '.pq') return 'parquet';
  if (ext === '' || ext === '.csv' || ext === '.txt') return 'csv';
  throw new UnsupportedSourceError(
    `data.source ${source}: unknown data file type "${ext}" (expected .csv or .parquet); export the table as CSV or Parquet`,
  );
}

function redactUrl(raw: string): string {
  const url = new URL(raw);
  url.username = '';
  url.password = '';
  for (const key of [...url.searchParams.keys()]) {
    if (/sig|token|key|credential|secret/i.test(key)) url.searchParams.set(key, 'REDACTED');
  }
  return url.toString();
}

/** A transport failure (refused, reset, DNS, …), named with the source and its root cause; retried. */
function networkError(source: string, err: unknown): Error {
  let root: unknown = err;
  while (root instanceof Error && root.cause instanceof Error) root = root.cause;
  const detail = root instanceof Error ? root.message : String(root);
  return new Error(`data.source ${redactUrl(source)}: ${detail} (transient, retried)`, { cause: err });
}

export async function fetchSource(
  source: string,
  destDir: string,
  opts: SourceOptions,
): Promise<FetchedSource> {
  if (source.startsWith('sample:')) {
    const file = join(destDir, 'raw_data.csv');
    await writeSampleCsv(file, opts.sample);
    return {
      file,
      recordedSource: `${source}?rows=${opts.sample.rows}&seed=${opts.sample.seed}`,
      format: 'csv',
    };
  }
  if (/^https?:\/\//i.test(source)) {
    const format = formatOf(new URL(source).pathname);
    const file = join(destDir, `raw_data.${format}`);
    let res: Response;
    try {
      res = await fetch(source, { signal: opts.signal });
    } catch (err) {
      throw networkError(source, err);
    }
    if (res.status === 404 || res.status === 410) {
      throw new SourceNotFoundError(`data.source ${redactUrl(source)}: HTTP ${res.status}`);
    }
    if (!res.ok || !res.body)
      throw new Error(`data.source ${redactUrl(source)}: HTTP ${res.status} (transient, retried)`);
    try {
      await pipeline(Readable.fromWeb(res.body as WebReadableStream), createWriteStream(file));
    } catch (err) {
      throw networkError(source, err);
    }
    return { file, recordedSource: redactUrl(source), format };
  }
  if (source.startsWith('s3://')) {
    const m = /^s3:\/\/([^/]+)\/(.+)$/.exec(source);
    if (!m) throw new SourceNotFoundError(`data.source ${source}: expected s3://bucket/key`);
    const format = formatOf(m[2]);
    const file = join(destDir, `raw_data.${format}`);
    const client = new S3Client({
      endpoint: opts.s3?.endpoint ?? undefined,
      region: opts.s3?.region ?? process.env.AWS_REGION ?? 'us-east-1',
      forcePathStyle: opts.s3?.forcePathStyle ?? true,
    });
    try {
      const out = await client.send(new GetObjectCommand({ Bucket: m[1], Key: m[2] }), {
        abortSignal: opts.signal,
      });
      await pipeline(out.Body as Readable, createWriteStream(file));
    } catch (err) {
      const name = (err as { name?: string }).name;
      if (name === 'NoSuchKey' || name === 'NoSuchBucket' || name === 'NotFound') {
        throw new SourceNotFoundError(`data.source ${source}: ${name}`);
      }
      throw err;
    } finally {
      client.destroy();
    }
    return { file, recordedSource: source, format };
  }
  const path = isAbsolute(source) ? source : resolve(opts.baseDir, source);
  let info;
  try {
    info = await stat(path);
  } catch {
    throw new SourceNotFoundError(`data.source ${source}: no such file (looked at ${path})`);
  }
  if (info.isDirectory())
    throw new SourceNotFoundError(
      `data.source ${source}: ${path} is a folder, not a data file; name the CSV or Parquet file inside it`,
    );
  const format = formatOf(path, source);
  const file = join(destDir, `raw_data.${format}`);
  await copyFile(path, file);
  return { file, recordedSource: path, format };
}
