/**
 * Moving artifacts between the store and a step's scratch folder, and turning store versions into
 * the small ResolvedRef records that travel in workflow payloads and lineage.
 */
import { mkdir, readdir, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { ResolvedRef } from '../contract';
import type { ArtifactStore, ArtifactVersion, Producer, PublishFile } from '../store/types';

export function toResolvedRef(v: ArtifactVersion, requested?: string, reused?: boolean): ResolvedRef {
  return {
    ...(requested && requested !== v.ref ? { requested } : {}),
    name: v.name,
    version: v.version,
    ref: v.ref,
    digest: v.digest,
    ...(reused ? { reused } : {}),
  };
}

/** A downloaded version: its folder, its manifest and the ref record of what was asked. */
export interface FetchedArtifact {
  dir: string;
  version: ArtifactVersion;
  resolved: ResolvedRef;
}

/** Resolves a ref and downloads the version into the scratch folder; returns the folder and the ref record. */
export async function fetchArtifact(
  store: ArtifactStore,
  ref: string,
  scratch: string,
): Promise<FetchedArtifact> {
  const version = await store.resolve(ref);
  const dir = join(scratch, 'in', `${version.name}-v${version.version}`);
  await mkdir(dir, { recursive: true });
  await store.download(version, dir);
  return { dir, version, resolved: toResolvedRef(version, ref) };
}

/**
 * The single data file of a table artifact: one Parquet file (since issue 15), or one CSV file in
 * the versions of older stores, which the readers still read (the extension picks the reader).
 */
export function tableFile(dir: string, version: ArtifactVersion): string {
  const file = version.files.find((f) => /\.(csv|parquet)$/i.test(f.path));
  if (!file) throw new Error(`artifact ${version.ref} holds no .csv or .parquet file`);
  return join(dir, ...file.path.split('/'));
}

async function listFiles(root: string, dir = root): Promise<PublishFile[]> {
  const out: PublishFile[] = [];
  for (const entry of (await readdir(dir)).sort()) {
    const full = join(dir, entry);
    if ((await stat(full)).isDirectory()) out.push(...(await listFiles(root, full)));
    else out.push({ path: relative(root, full).split(sep).join('/'), source: full });
  }
  return out;
}

export interface PublishSpec {
  name: string;
  type: string;
  description: string;
  metadata?: Record<string, unknown>;
  producer: Producer;
  /** Either explicit files or a directory whose whole tree is the artifact. */
  files?: PublishFile[];
  dir?: string;
}

export async function publishArtifact(store: ArtifactStore, spec: PublishSpec): Promise<ResolvedRef> {
  const files = spec.files ?? (spec.dir ? await listFiles(spec.dir) : []);
  const { version, reused } = await store.publish({
    name: spec.name,
    type: spec.type,
    description: spec.description,
    metadata: spec.metadata,
    producer: spec.producer,
    files,
  });
  return toResolvedRef(version, undefined, reused);
}

/** A table artifact's file name: tables travel between steps as typed, compressed Parquet. */
export function tableFileName(artifact: string): string {
  return `${artifact}.parquet`;
}
