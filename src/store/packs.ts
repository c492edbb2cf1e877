/**
 * Packs: a version's small files stored as one content-addressed blob instead of one blob each.
 *
 * Where every object costs a request (S3: a round trip, server work, and a fee per request), a
 * model export's nine small files (MLmodel, examples, metrics, plots) cost more to store and load
 * than its one large model file. Packed, they travel in one PUT and one GET. Each file keeps its
 * own sha256 in the manifest and is verified on its own when it is read back; the pack is only
 * where its bytes live (`ArtifactFile.pack`). The version digest covers paths and file digests, not
 * the layout, so the same content has the same digest packed or not.
 *
 * A pack is the plain concatenation of its files' bytes, in path order, each distinct body once.
 * Identical small files therefore give an identical pack: a retried publish writes nothing new.
 */
import type { ArtifactFile } from './types';
import { sha256Hex } from './digest';

/** Packs stay at most this large, so that one pack is read into memory to be split. */
export const PACK_MAX_BYTES = 8 * 1024 * 1024;

export interface SmallFile {
  path: string;
  body: Buffer;
  sha256: string;
}

export interface Pack {
  sha256: string;
  body: Buffer;
  /** Manifest entries of the files it holds, each with its `pack` location set. */
  files: ArtifactFile[];
}

/**
 * Splits files, in path order, into groups that each make one pack of at most PACK_MAX_BYTES (by
 * the sizes given). Planned from sizes, so a publish reads one group's files at a time: memory
 * stays bounded however many small files an artifact has. A group of one is stored as a plain
 * blob: a pack of one would be a blob with extra bookkeeping.
 */
export function groupForPacks<T extends { path: string; size: number }>(files: readonly T[]): T[][] {
  const sorted = [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const groups: T[][] = [];
  let group: T[] = [];
  let bytes = 0;
  for (const f of sorted) {
    if (group.length > 0 && bytes + f.size > PACK_MAX_BYTES) {
      groups.push(group);
      group = [];
      bytes = 0;
    }
    group.push(f);
    bytes += f.size;
  }
  if (group.length > 0) groups.push(group);
  return groups;
}

/** One pack of these files, in the order given (groupForPacks gives path order). */
export function packFiles(group: readonly SmallFile[]): Pack {
  const offsets = new Map<string, number>();
  const bodies: Buffer[] = [];
  let end = 0;
  for (const f of group) {
    if (offsets.has(f.sha256)) continue;
    offsets.set(f.sha256, end);
    bodies.push(f.body);
    end += f.body.length;
  }
  const body = Buffer.concat(bodies, end);
  const sha256 = sha256Hex(body);
  const files = group.map((f) => ({
    path: f.path,
    size: f.body.length,
    sha256: f.sha256,
    pack: { sha256, offset: offsets.get(f.sha256)! },
  }));
  return { sha256, body, files };
}

/**
 * A file's bytes within the blob that holds it (`blobOf`): all of it for a file of its own, its
 * range of a pack (a view, shorter than `size` when the pack was cut short). Either way the caller
 * checks them against the file's sha256.
 */
export function fileBytes(blobBody: Buffer, file: ArtifactFile): Buffer {
  if (!file.pack) return blobBody;
  return blobBody.subarray(file.pack.offset, file.pack.offset + file.size);
}

/** The content address of the blob that holds a file's bytes: its own, or its pack's. */
export function blobOf(file: ArtifactFile): string {
  return file.pack?.sha256 ?? file.sha256;
}
