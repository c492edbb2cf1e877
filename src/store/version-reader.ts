/**
 * Reading a published version's bytes back: every file verified against its own sha256, written
 * through a temporary file renamed into place, so a failed or tampered download leaves no file
 * that looks complete. A file's bytes are in its own blob, or in a pack with other small files
 * (src/store/packs.ts), which is read once for all of them.
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { buffer } from 'node:stream/consumers';
import { pipeline } from 'node:stream/promises';
import type { ObjectBackend } from './backends/backend';
import { IO_CONCURRENCY, mapLimit } from './concurrency';
import { HashingStream, sha256Hex } from './digest';
import { ArtifactNotFoundError, DigestMismatchError, InvalidRefError } from './errors';
import { checkArtifactPath, keys } from './keys';
import { blobOf, fileBytes } from './packs';
import type { ArtifactFile, ArtifactVersion } from './types';

/** Where one file of a version is written by a download. */
interface DownloadTarget {
  file: ArtifactFile;
  dest: string;
}

export class VersionReader {
  constructor(private readonly backend: ObjectBackend) {}

  async download(version: ArtifactVersion, destDir: string): Promise<string> {
    const root = resolve(destDir);
    await mkdir(root, { recursive: true });
    const targets = version.files.map((file): DownloadTarget => {
      checkArtifactPath(file.path, version.ref);
      const dest = join(root, ...file.path.split('/'));
      if (!dest.startsWith(root + sep))
        throw new InvalidRefError(`${version.ref}/${file.path}`, 'path escapes the destination');
      return { file, dest };
    });
    // One unit of work per blob read: a file of its own, or every file of one pack.
    const packs = new Map<string, DownloadTarget[]>();
    const units: Array<() => Promise<void>> = [];
    for (const t of targets) {
      if (!t.file.pack) units.push(() => this.downloadBlob(version, t));
      else if (packs.has(t.file.pack.sha256)) packs.get(t.file.pack.sha256)!.push(t);
      else packs.set(t.file.pack.sha256, [t]);
    }
    for (const [sha256, members] of packs) units.push(() => this.downloadPack(version, sha256, members));
    await mapLimit(units, IO_CONCURRENCY, (unit) => unit());
    return destDir;
  }

  private async downloadBlob(version: ArtifactVersion, { file, dest }: DownloadTarget): Promise<void> {
    const stream = await this.backend.openRead(keys.blob(file.sha256));
    if (!stream) throw this.missingBlob(version, [file]);
    await writeAtomically(dest, async (tmp) => {
      const hashing = new HashingStream();
      await pipeline(stream, hashing, createWriteStream(tmp));
      const found = hashing.digest();
      if (found !== file.sha256) throw new DigestMismatchError(version.ref, file.path, file.sha256, found);
    });
  }

  /** Reads a pack once and writes each of its files, every one verified against its own sha256. */
  private async downloadPack(
    version: ArtifactVersion,
    packSha256: string,
    members: DownloadTarget[],
  ): Promise<void> {
    const stream = await this.backend.openRead(keys.blob(packSha256));
    if (!stream)
      throw this.missingBlob(
        version,
        members.map((m) => m.file),
      );
    const body = await buffer(stream);
    const verified = members.map(({ file, dest }) => ({
      dest,
      bytes: this.verifiedSlice(version, body, file),
    }));
    await Promise.all(
      verified.map(({ dest, bytes }) => writeAtomically(dest, (tmp) => writeFile(tmp, bytes))),
    );
  }

  /** A file's bytes out of the blob that holds them, checked against the file's own digest. */
  private verifiedSlice(version: ArtifactVersion, blobBody: Buffer, file: ArtifactFile): Buffer {
    const bytes = fileBytes(blobBody, file);
    const found = sha256Hex(bytes);
    if (found !== file.sha256) throw new DigestMismatchError(version.ref, file.path, file.sha256, found);
    return bytes;
  }

  async readFile(version: ArtifactVersion, path: string): Promise<Buffer> {
    const file = version.files.find((f) => f.path === path);
    if (!file)
      throw new ArtifactNotFoundError(
        `${version.ref}/${path}`,
        this.backend.uri,
        `${version.ref} has no file ${path}`,
      );
    const blob = await this.backend.get(keys.blob(blobOf(file)));
    if (!blob) throw this.missingBlob(version, [file]);
    return this.verifiedSlice(version, blob.body, file);
  }

  /** The files whose bytes were in one blob (a file's own, or a pack), now gone. */
  private missingBlob(version: ArtifactVersion, files: ArtifactFile[]): ArtifactNotFoundError {
    const [first] = files;
    const ref = files.length === 1 ? `${version.ref}/${first.path}` : version.ref;
    return new ArtifactNotFoundError(
      ref,
      this.backend.uri,
      first.pack
        ? `pack sha256 ${first.pack.sha256}, which holds ${files.map((f) => f.path).join(', ')}, is missing`
        : `blob sha256 ${first.sha256} is missing`,
    );
  }
}

/** Writes `dest` through a temporary file beside it, renamed into place once `fill` succeeds. */
async function writeAtomically(dest: string, fill: (tmp: string) => Promise<void>): Promise<void> {
  await mkdir(dirname(dest), { recursive: true });
  const tmp = `${dest}.part-${randomUUID()}`;
  try {
    await fill(tmp);
    await rename(tmp, dest);
  } finally {
    await rm(tmp, { force: true });
  }
}
