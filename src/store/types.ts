/**
 * The artifact store contract. Both backends (filesystem and S3) implement it and pass the same
 * contract tests (test/store/contract.ts). Versions are immutable and published only once every
 * file is in place; aliases move by compare-and-swap and every move is kept in an append-only history.
 */

/** Who produced a version: the lineage link back to a Temporal run. */
export interface Producer {
  workflowId: string;
  runId: string;
  step: string;
  attempt: number;
}

export interface ArtifactFile {
  /** Path inside the artifact, '/'-separated, e.g. `model/model.bin`. */
  path: string;
  size: number;
  sha256: string;
  /**
   * Set when the file's bytes live inside a pack (several small files in one blob, see
   * src/store/packs.ts): the pack's sha256 and where the file starts in it. Absent: the blob is
   * the file's own sha256.
   */
  pack?: { sha256: string; offset: number };
}

export interface ArtifactVersion {
  /**
   * The manifest layout this version was written in (MANIFEST_FORMAT in versioned-store.ts).
   * Absent on manifests from before packs, which are format 1.
   */
  format?: number;
  name: string;
  version: number;
  /** `name:vN` */
  ref: string;
  /** sha256 over the sorted (path, sha256) list: identical content gives an identical digest. */
  digest: string;
  size: number;
  type: string;
  description: string;
  metadata: Record<string, unknown>;
  files: ArtifactFile[];
  producer?: Producer;
  createdAt: string;
}

export interface AliasEvent {
  /**
   * The move's identity, `<project>/<name>/<alias>/<seq>` (seq: the alias's move counter): alias
   * events are delivered under it, and receivers deduplicate by it. Absent on moves made before it.
   */
  id?: string;
  name: string;
  alias: string;
  from: number | null;
  to: number;
  at: string;
  reason?: string;
  /** Who moved it: a workflow ID, `cli:<user>`, … */
  actor?: string;
  /** Small structured context, e.g. a promotion decision with both scores. */
  details?: Record<string, unknown>;
}

/** A content-addressed blob as the store lists it (garbage collection weighs and ages them). */
export interface BlobInfo {
  sha256: string;
  size: number;
  /** When the blob was last written, or (filesystem) last reused by a publish: ms since the epoch. */
  modifiedMs: number;
}

/**
 * A move in the store's event outbox (see versioned-store.ts), as found when it is read:
 * `moved` — the move happened and awaits delivery; `lost` — it never happened (its compare-and-swap
 * lost, or its process died before it), so there is nothing to deliver; `unsettled` — too early to
 * tell (its compare-and-swap may still be in flight).
 */
export interface OutboxEntry {
  key: string;
  event: AliasEvent;
  state: 'moved' | 'lost' | 'unsettled';
}

export interface PublishFile {
  path: string;
  /** A local file to upload. */
  source: string;
}

export interface PublishRequest {
  name: string;
  type: string;
  description?: string;
  metadata?: Record<string, unknown>;
  producer?: Producer;
  files: PublishFile[];
  /** Extra aliases to move to the new version besides `latest` (moved with CAS). */
  aliases?: string[];
}

export interface PublishResult {
  version: ArtifactVersion;
  /** True when the content equalled the current latest (or this producer's earlier publish) and that version was reused. */
  reused: boolean;
}

export interface MoveAliasOptions {
  /** CAS: the version the alias must point at now (null = must not exist). Omit to move unconditionally-but-atomically. */
  expected?: number | null;
  reason?: string;
  actor?: string;
  details?: Record<string, unknown>;
}

export interface ArtifactStore {
  /** `file:///abs/path` or `s3://bucket/prefix`. Never contains credentials. */
  readonly uri: string;
  /** The project namespace this store sees (undefined: the pre-namespace root layout). */
  readonly project?: string;

  publish(req: PublishRequest): Promise<PublishResult>;
  /** `name:alias`, `name:vN`, `name` (= latest), optionally prefixed `project/` (that project's namespace). Throws ArtifactNotFoundError. */
  resolve(ref: string): Promise<ArtifactVersion>;
  /** Downloads every file of a version into destDir, verifying each sha256. Returns destDir. */
  download(version: ArtifactVersion, destDir: string): Promise<string>;
  /** One file's bytes, verified against its sha256. */
  readFile(version: ArtifactVersion, path: string): Promise<Buffer>;

  listArtifacts(): Promise<string[]>;
  listVersions(name: string): Promise<ArtifactVersion[]>;
  getAliases(name: string): Promise<Record<string, number>>;
  moveAlias(name: string, alias: string, toVersion: number, opts?: MoveAliasOptions): Promise<AliasEvent>;
  aliasHistory(name: string, alias?: string): Promise<AliasEvent[]>;

  /** Small JSON records outside artifacts (run lineage records, keyed like `runs/<workflowId>`). Last write wins. */
  putRecord(key: string, value: unknown): Promise<void>;
  getRecord<T = unknown>(key: string): Promise<T | undefined>;
  listRecords(prefix: string): Promise<string[]>;
}
