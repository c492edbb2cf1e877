/**
 * Filesystem backend. Atomicity comes from POSIX: bodies are written to a temp file on the same
 * filesystem, then published with rename (replace) or link (create-only, fails with EEXIST).
 * Compare-and-swap holds a per-key lock file created with O_EXCL, so it is safe across processes.
 * Bodies are flushed (fsync) before they get their name: after a crash a content address never
 * names a torn blob, which a later publish would otherwise skip as "already there".
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import {
  link,
  mkdir,
  open,
  readdir,
  readFile,
  rename,
  rm,
  stat,
  unlink,
  utimes,
  writeFile,
} from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { pathToFileURL } from 'node:url';
import { sha256Hex } from '../digest';
import { sleep } from '../concurrency';
import { mapLimit } from '../concurrency';
import type { ObjectBackend, ObjectInfo, StoredObject } from './backend';

const TMP_DIR = '.tmp';
const LOCK_DIR = '.locks';
/** A lock is held for one read-compare-rename; one this old belongs to a crashed process. */
const STALE_LOCK_MS = 30_000;
const LOCK_WAIT_MS = 60_000;

export class FsBackend implements ObjectBackend {
  readonly uri: string;

  constructor(readonly root: string) {
    this.uri = pathToFileURL(root).href;
  }

  private path(key: string): string {
    return join(this.root, ...key.split('/'));
  }

  private async tempFile(): Promise<string> {
    const dir = join(this.root, TMP_DIR);
    await mkdir(dir, { recursive: true });
    return join(dir, randomUUID());
  }

  async get(key: string): Promise<StoredObject | undefined> {
    try {
      const body = await readFile(this.path(key));
      return { body, etag: sha256Hex(body) };
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw err;
    }
  }

  async openRead(key: string): Promise<Readable | undefined> {
    try {
      const handle = await open(this.path(key), 'r');
      return handle.createReadStream({ highWaterMark: 1 << 20 });
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw err;
    }
  }

  async exists(key: string): Promise<boolean> {
    try {
      await stat(this.path(key));
      return true;
    } catch (err) {
      if (isMissing(err)) return false;
      throw err;
    }
  }

  async put(key: string, body: Buffer): Promise<void> {
    const tmp = await this.tempFile();
    try {
      await writeFile(tmp, body, { flush: true });
      const target = this.path(key);
      await mkdir(dirname(target), { recursive: true });
      await rename(tmp, target);
    } finally {
      await rm(tmp, { force: true });
    }
  }

  async putIfAbsent(key: string, body: Buffer, _sha256?: string): Promise<boolean> {
    const tmp = await this.tempFile();
    try {
      await writeFile(tmp, body, { flush: true });
      const target = this.path(key);
      await mkdir(dirname(target), { recursive: true });
      await link(tmp, target); // atomic create-only: the body is complete when the name appears
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return this.touched(key);
      throw err;
    } finally {
      await rm(tmp, { force: true });
    }
  }

  /**
   * A create-only write that found the key already there: the caller is about to rely on the
   * existing body (a publish reusing a blob). Its age restarts, so that a garbage collection's
   * grace period (src/gc) protects it as it would a fresh upload. Always false (nothing written).
   */
  private async touched(key: string): Promise<false> {
    const now = new Date();
    await utimes(this.path(key), now, now).catch(() => undefined);
    return false;
  }

  async putIfMatch(key: string, body: Buffer, etag: string): Promise<boolean> {
    return this.withLock(key, async () => {
      const current = await this.get(key);
      if (!current || current.etag !== etag) return false;
      await this.put(key, body);
      return true;
    });
  }

  /** A file per blob costs no round trip, and keeps every file readable at its own address. */
  readonly prefersPacks = false;

  /** Nothing checks a file's bytes on their way to disk but the caller. */
  checksStreamDigest(): boolean {
    return false;
  }

  async putStreamIfAbsent(key: string, body: Readable, beforeCommit: () => void): Promise<boolean> {
    const target = this.path(key);
    if (await this.exists(key)) {
      body.destroy();
      return this.touched(key);
    }
    const tmp = await this.tempFile();
    try {
      await pipeline(body, createWriteStream(tmp, { flush: true }));
      beforeCommit();
      await mkdir(dirname(target), { recursive: true });
      await link(tmp, target); // atomic create-only: the body is complete when the name appears
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return this.touched(key);
      throw err;
    } finally {
      await rm(tmp, { force: true });
    }
  }

  async delete(key: string): Promise<void> {
    await rm(this.path(key), { force: true });
  }

  async deleteMany(keys: readonly string[]): Promise<void> {
    await mapLimit([...keys], 16, (key) => this.delete(key));
  }

  async listInfo(prefix: string): Promise<ObjectInfo[]> {
    const listed = await this.list(prefix);
    const infos = await mapLimit(listed, 16, async (key) => {
      try {
        const s = await stat(this.path(key));
        return { key, size: s.size, modifiedMs: s.mtimeMs };
      } catch (err) {
        if (isMissing(err)) return undefined; // deleted since it was listed
        throw err;
      }
    });
    return infos.filter((i): i is ObjectInfo => i !== undefined);
  }

  async list(prefix: string): Promise<string[]> {
    const slash = prefix.lastIndexOf('/');
    const dirKey = slash === -1 ? '' : prefix.slice(0, slash + 1);
    const out: string[] = [];
    await this.walk(dirKey, out);
    return out.filter((k) => k.startsWith(prefix)).sort();
  }

  private async walk(dirKey: string, out: string[]): Promise<void> {
    let entries;
    try {
      entries = await readdir(this.path(dirKey), { withFileTypes: true });
    } catch (err) {
      if (isMissing(err)) return;
      throw err;
    }
    for (const e of entries) {
      if (dirKey === '' && (e.name === TMP_DIR || e.name === LOCK_DIR)) continue;
      if (e.isDirectory()) await this.walk(`${dirKey}${e.name}/`, out);
      else if (e.isFile()) out.push(`${dirKey}${e.name}`);
    }
  }

  async listChildren(prefix: string): Promise<string[]> {
    try {
      const entries = await readdir(this.path(prefix), { withFileTypes: true });
      return entries
        .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
        .map((e) => e.name)
        .sort();
    } catch (err) {
      if (isMissing(err)) return [];
      throw err;
    }
  }

  /** Runs `fn` holding an exclusive lock on `key`: a file created with O_EXCL ('wx'). */
  private async withLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const lockDir = join(this.root, LOCK_DIR);
    await mkdir(lockDir, { recursive: true });
    const lockPath = join(lockDir, sha256Hex(key).slice(0, 40));
    const deadline = Date.now() + LOCK_WAIT_MS;
    for (let attempt = 0; ; attempt++) {
      try {
        await writeFile(lockPath, `${process.pid} ${new Date().toISOString()} ${key}\n`, { flag: 'wx' });
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        await this.breakStaleLock(lockPath);
        if (Date.now() > deadline)
          throw new Error(`timed out waiting for the lock on ${key} (${lockPath})`, { cause: err });
        await sleep(Math.min(50, 1 + attempt) * Math.random() + 1);
      }
    }
    try {
      return await fn();
    } finally {
      await unlink(lockPath).catch(() => undefined);
    }
  }

  /** A crashed holder leaves its lock behind; rename it away (only one breaker wins the rename). */
  private async breakStaleLock(lockPath: string): Promise<void> {
    try {
      const info = await stat(lockPath);
      if (Date.now() - info.mtimeMs < STALE_LOCK_MS) return;
      const grave = `${lockPath}.stale-${randomUUID()}`;
      await rename(lockPath, grave);
      await unlink(grave);
    } catch (err) {
      if (!isMissing(err)) throw err;
    }
  }
}

function isMissing(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}
