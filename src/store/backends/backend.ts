/**
 * The byte-level storage a backend provides. Every artifact-store semantic (versions, aliases,
 * history, integrity) is written once on top of these primitives, so both backends behave alike.
 */
import type { Readable } from 'node:stream';

export interface StoredObject {
  body: Buffer;
  /** Opaque token for putIfMatch: changes whenever the object is replaced. */
  etag: string;
}

/** What the caller already knows about a body: lets S3 verify it server-side and pick single-part vs multipart. */
export interface ExpectedContent {
  sha256: string;
  size: number;
}

/** An object as a listing sees it: enough for garbage collection to weigh and age it. */
export interface ObjectInfo {
  key: string;
  size: number;
  /** When the object was last written (ms since the epoch). */
  modifiedMs: number;
}

export interface ObjectBackend {
  /** `file:///…` or `s3://bucket/prefix`: never contains credentials. */
  readonly uri: string;

  get(key: string): Promise<StoredObject | undefined>;
  /** A stream of the object's bytes, or undefined when it does not exist. */
  openRead(key: string): Promise<Readable | undefined>;
  exists(key: string): Promise<boolean>;

  /** Replace atomically (readers see the old or the new body, never a mix). Last write wins. */
  put(key: string, body: Buffer): Promise<void>;
  /** Create only if absent. False when the key already exists. `sha256` (hex), when known, lets the server verify the body. */
  putIfAbsent(key: string, body: Buffer, sha256?: string): Promise<boolean>;
  /** Replace only if the current etag still equals `etag`. False when it changed or vanished. */
  putIfMatch(key: string, body: Buffer, etag: string): Promise<boolean>;
  /**
   * Stream a (possibly large) body to `key`, create-only: false (and nothing written) when the key
   * already exists. `beforeCommit` runs once the stream is consumed; if it throws, nothing stays at
   * `key` (the fs backend never exposes it; S3 deletes it).
   */
  putStreamIfAbsent(
    key: string,
    body: Readable,
    beforeCommit: () => void,
    expected?: ExpectedContent,
  ): Promise<boolean>;
  /**
   * True when `putStreamIfAbsent` of a body this size, given `expected`, has the server refuse bytes
   * whose sha256 is not `expected.sha256` (nothing is then stored): the caller need not hash the
   * body again while it streams.
   */
  checksStreamDigest(size: number): boolean;
  /**
   * True where each object costs a request of its own (S3): the store then packs a version's small
   * files into one object (src/store/packs.ts). False where objects are local files.
   */
  readonly prefersPacks: boolean;
  delete(key: string): Promise<void>;

  /** Deletes many keys (absent ones are fine); S3 sends them in pages of at most 1,000. */
  deleteMany(keys: readonly string[]): Promise<void>;

  /** Every key starting with `prefix`. */
  list(prefix: string): Promise<string[]>;
  /** Every object under `prefix` with its size and age (S3 lists in pages of 1,000). */
  listInfo(prefix: string): Promise<ObjectInfo[]>;
  /** The names of the immediate "directories" under `prefix` (which ends with '/'). */
  listChildren(prefix: string): Promise<string[]>;
}
