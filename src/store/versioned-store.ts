/**
 * The artifact-store semantics, written once over a byte-level ObjectBackend:
 * - blobs are content-addressed and uploaded only when absent;
 * - a version becomes visible when its manifest is created (create-only, written last), so readers
 *   never see a partial version; a conflict on vN means someone else took N, so we try N+1;
 * - aliases move by compare-and-swap; each alias object carries its sequence number, the move
 *   that set it, and a copy of its version's (immutable) manifest, so a resolve is one read. A
 *   move first writes the move it is about to replace as a create-only history object, then swaps
 *   the alias object, so every move is always stored somewhere (the alias object, then its history
 *   object), history is append-only, and readers add the alias object's own move. A move does not
 *   write its own history object: the next move does, before replacing it (one round trip less
 *   per move; a publish writes it beside its uploads).
 * - every move of an alias other than `latest` is first written to the event outbox (a transactional
 *   outbox: the intent, keyed by the move ID, before the swap), so a delivery component outside the
 *   store (src/events) finds every move at least once, even when the mover dies right after the
 *   swap; an intent whose swap lost is removed, and one left by a crash is told apart by comparing
 *   it with the alias history.
 */
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { userInfo } from 'node:os';
import type { ObjectBackend } from './backends/backend';
import { IO_CONCURRENCY, mapLimit, sleep } from './concurrency';
import { HashingStream, sha256File, sha256Hex, versionDigest } from './digest';
import {
  AliasConflictError,
  ArtifactNotFoundError,
  InvalidPublishError,
  InvalidRefError,
  StoreError,
  UnsupportedFormatError,
} from './errors';
import {
  LEGACY_PROJECT,
  PROJECTS_ROOT,
  artifactKeys,
  artifactsRootFor,
  checkArtifactPath,
  keys,
  seqFromKey,
  versionFromKey,
  type ArtifactKeys,
} from './keys';
import { groupForPacks, packFiles, type SmallFile } from './packs';
import { LATEST, checkAlias, checkName, checkProject, formatRef, parseRef } from './refs';
import type {
  AliasEvent,
  BlobInfo,
  ArtifactFile,
  OutboxEntry,
  ArtifactStore,
  ArtifactVersion,
  MoveAliasOptions,
  Producer,
  PublishFile,
  PublishRequest,
  PublishResult,
} from './types';
import { VersionReader } from './version-reader';

/** What an alias object holds: the pointer plus the move that set it (its history until replaced). */
interface AliasDoc {
  version: number;
  seq: number;
  event: AliasEvent;
  /**
   * A copy of the manifest of the version it points to. Manifests never change, so the copy is
   * never stale, and resolving `name:alias` is one read instead of two (on S3, one round trip).
   * Alias objects written before it existed lack it; readers then read the manifest.
   */
  manifest?: ArtifactVersion;
}

interface AliasRead {
  doc: AliasDoc;
  etag: string;
}

/** The artifact as a publish first reads it; a stale read only costs a lost race (a version number or a CAS retried). */
interface PublishState {
  /** The `latest` alias as read (null: absent). */
  latest: AliasRead | null;
  /** Every version number, as listed. */
  numbers: number[];
  /** The version `latest` points to (undefined: no `latest`, or its manifest is missing). */
  latestVersion: ArtifactVersion | undefined;
}
/** Blobs up to this size are read into memory and written create-only in one request. */
const SMALL_BLOB_BYTES = 1024 * 1024;
/** Packs read and uploaded at once: bounds a publish's memory to a few PACK_MAX_BYTES. */
const PACKS_IN_FLIGHT = 2;
const MAX_CAS_ATTEMPTS = 200;
/** An outbox intent whose move is not in the history after this long never happened (its mover died). */
const OUTBOX_SETTLE_MS = 2 * 60_000;
/**
 * The manifest layout this code writes and the newest it can read. 2: small files may live in
 * packs. Raise it whenever older code would misread a new manifest, so that it refuses with a
 * clear error instead (code from before packs reports a packed file's blob as missing).
 */
export const MANIFEST_FORMAT = 2;

export interface VersionedStoreOptions {
  /** Pack a version's small files into one blob (src/store/packs.ts). Default: what the backend prefers. */
  packSmallFiles?: boolean;
  /**
   * The project whose artifacts and aliases this store sees (main.project_name). Absent: the root
   * layout of a store from before namespaces, where a ref's `project/` prefix is ignored as it was then.
   */
  project?: string;
}

export class VersionedArtifactStore implements ArtifactStore {
  readonly uri: string;
  readonly project: string | undefined;
  private readonly packSmallFiles: boolean;
  private readonly reader: VersionReader;
  private readonly keys: ArtifactKeys;
  /** Views of other projects on the same backend, for refs with another `project/` prefix. */
  private readonly siblings = new Map<string, VersionedArtifactStore>();

  constructor(
    private readonly backend: ObjectBackend,
    private readonly options: VersionedStoreOptions = {},
  ) {
    this.uri = backend.uri;
    this.project = options.project === undefined ? undefined : checkProject(options.project);
    this.packSmallFiles = options.packSmallFiles ?? backend.prefersPacks;
    this.reader = new VersionReader(backend);
    this.keys = artifactKeys(artifactsRootFor(this.project));
  }

  /** The same store seen from another project (blobs and records are shared; artifacts are not). */
  forProject(project: string): VersionedArtifactStore {
    if (project === this.project) return this;
    let sibling = this.siblings.get(project);
    if (!sibling) {
      sibling = new VersionedArtifactStore(this.backend, { ...this.options, project });
      this.siblings.set(project, sibling);
    }
    return sibling;
  }

  // ---------------------------------------------------------------- publish

  async publish(req: PublishRequest): Promise<PublishResult> {
    checkName(req.name);
    for (const alias of req.aliases ?? []) checkAlias(alias, `${req.name}:${alias}`);
    if (req.files.length === 0)
      throw new InvalidPublishError(req.name, 'an artifact needs at least one file');
    const seen = new Set<string>();
    for (const f of req.files) {
      checkArtifactPath(f.path, req.name);
      if (seen.has(f.path)) throw new InvalidPublishError(req.name, `file path ${f.path} appears twice`);
      seen.add(f.path);
    }

    // Files go up as soon as their hashes are known. Blobs are content-addressed and written
    // create-only, so uploading before we know whether an identical version already exists (a
    // retried step) costs that retry only no-op writes, and a first publish a round trip or two.
    // Large files are hashed first, before the small files' requests compete for this thread, so
    // that the longest upload starts at once and the small ones go up beside it.
    const sized = await mapLimit(req.files, IO_CONCURRENCY, async (f) => ({
      f,
      size: await this.sizeOf(req.name, f),
    }));
    const large = sized.filter((x) => x.size > SMALL_BLOB_BYTES).map((x) => x.f);
    const small = sized.filter((x) => x.size <= SMALL_BLOB_BYTES);
    const largeFiles = await mapLimit(large, IO_CONCURRENCY, (f) => this.hashLargeFile(req.name, f));
    const largeUploads = mapLimit(largeFiles, IO_CONCURRENCY, (file, i) =>
      this.uploadLargeBlob(req.name, file, large[i].source),
    );
    largeUploads.catch(() => undefined); // awaited below, after the small files
    // What the publish needs to know about the artifact's current state does not depend on the
    // content: read it while the files upload, off the publish's critical path. It is asked for
    // only once the large uploads are under way: its requests' CPU (the SDK's, on S3) would
    // otherwise delay the longest upload's start (≈ 6 ms of 35 on MinIO).
    const state = this.readPublishState(req.name);
    state.catch(() => undefined); // awaited below; an upload error must not leave it unhandled
    // The move that set the current `latest` goes into the history before `latest` moves on (see
    // the header); written now, it is off the critical path too. It is that move's own record, so
    // writing it is right whether or not this publish moves `latest` in the end.
    const latestRecorded = state.then((s) =>
      s.latest ? this.recordHistory(req.name, LATEST, s.latest.doc) : undefined,
    );
    latestRecorded.catch(() => undefined);
    const smallFiles = await this.storeSmallFiles(req.name, small);
    await largeUploads;
    const files = [...largeFiles, ...smallFiles].sort((a, b) => (a.path < b.path ? -1 : 1));
    const digest = versionDigest(files);

    const { earlier, seen: hints } = await this.findReusable(req, digest, state);
    if (earlier) {
      // A retry may follow a publish that died before moving `latest`: finish that (forward only).
      await this.advanceLatest(earlier, req.producer?.workflowId, hints.latest, latestRecorded);
      await this.moveExtraAliases(earlier, req);
      return { version: earlier, reused: true };
    }

    const version = await this.writeManifest(req, files, digest, hints);
    if (req.producer) {
      const p = req.producer;
      await this.backend.putIfAbsent(
        this.keys.producer(req.name, p.workflowId, p.step, digest),
        json({ version: version.version }),
      );
    }
    await this.advanceLatest(version, req.producer?.workflowId, hints.latest, latestRecorded);
    await this.moveExtraAliases(version, req);
    return { version, reused: false };
  }

  /** The `latest` alias, every version number and the version `latest` points to, read together. */
  private async readPublishState(name: string): Promise<PublishState> {
    const [latest, numbers] = await Promise.all([this.readAlias(name, LATEST), this.versionNumbers(name)]);
    const latestVersion = latest
      ? (manifestCopy(latest.doc, name, this.uri) ?? (await this.getVersion(name, latest.doc.version)))
      : undefined;
    return { latest: latest ?? null, numbers, latestVersion };
  }

  /**
   * An earlier version with this content from the same producer (a retried step), or the current
   * latest. A publish that crashed after its manifest but before its index or `latest` move left a
   * version numbered above `latest`; those few are checked too, so the retry finishes it instead of
   * creating a duplicate.
   */
  private async findReusable(
    req: PublishRequest,
    digest: string,
    state: Promise<PublishState>,
  ): Promise<{ earlier?: ArtifactVersion; seen: PublishState }> {
    const p = req.producer;
    const [index, seen] = await Promise.all([
      p ? this.backend.get(this.keys.producer(req.name, p.workflowId, p.step, digest)) : undefined,
      state,
    ]);
    if (index) {
      const v = await this.getVersion(
        req.name,
        (JSON.parse(index.body.toString()) as { version: number }).version,
      );
      if (v && v.digest === digest) return { earlier: v, seen };
    }
    const latest = seen.latest;
    if (seen.latestVersion?.digest === digest) return { earlier: seen.latestVersion, seen };
    if (p) {
      const floor = latest ? latest.doc.version : -1;
      const unfinished = seen.numbers.filter((n) => n > floor).sort((a, b) => a - b);
      for (const n of unfinished) {
        const v = await this.getVersion(req.name, n);
        if (v && v.digest === digest && sameProducer(v.producer, p)) return { earlier: v, seen };
      }
    }
    return { seen };
  }

  /** The first version number to try: one past the highest listed (a conflict moves on to the next). */
  private firstFreeVersion(seen: PublishState): number {
    return seen.numbers.reduce((m, n) => Math.max(m, n + 1), 0);
  }

  private async sizeOf(artifact: string, f: PublishFile): Promise<number> {
    try {
      return (await stat(f.source)).size;
    } catch (err) {
      throw unreadable(artifact, f, err);
    }
  }

  /**
   * Small files are read once and hashed, then written create-only (no existence check first):
   * each as its own blob, or, where the backend prefers packs, several in one (see packs.ts).
   */
  private async storeSmallFiles(
    artifact: string,
    small: ReadonlyArray<{ f: PublishFile; size: number }>,
  ): Promise<ArtifactFile[]> {
    if (!this.packSmallFiles) {
      return mapLimit(small, IO_CONCURRENCY, async ({ f }) =>
        this.storeSmallBlob(await this.readSmallFile(artifact, f)),
      );
    }
    const groups = groupForPacks(small.map(({ f, size }) => ({ path: f.path, size, f })));
    const stored = await mapLimit(groups, PACKS_IN_FLIGHT, async (group) => {
      const read = await mapLimit(group, IO_CONCURRENCY, ({ f }) => this.readSmallFile(artifact, f));
      if (read.length === 1) return [await this.storeSmallBlob(read[0])];
      const pack = packFiles(read);
      await this.backend.putIfAbsent(keys.blob(pack.sha256), pack.body, pack.sha256);
      return pack.files;
    });
    return stored.flat();
  }

  private async readSmallFile(artifact: string, f: PublishFile): Promise<SmallFile> {
    let body: Buffer;
    try {
      body = await readFile(f.source);
    } catch (err) {
      throw unreadable(artifact, f, err);
    }
    return { path: f.path, body, sha256: sha256Hex(body) };
  }

  private async storeSmallBlob(f: SmallFile): Promise<ArtifactFile> {
    await this.backend.putIfAbsent(keys.blob(f.sha256), f.body, f.sha256);
    return { path: f.path, size: f.body.length, sha256: f.sha256 };
  }

  /** A large file's manifest entry, from one streamed pass (it is uploaded by uploadLargeBlob). */
  private async hashLargeFile(artifact: string, f: PublishFile): Promise<ArtifactFile> {
    try {
      return { path: f.path, ...(await sha256File(f.source)) };
    } catch (err) {
      throw unreadable(artifact, f, err);
    }
  }

  private async uploadLargeBlob(artifact: string, file: ArtifactFile, source: string): Promise<void> {
    const key = keys.blob(file.sha256);
    // The content address must match the bytes stored, even if the source changed since it was
    // hashed. Where the server checks the body against the sha256 it is given (one S3 PUT), it
    // refuses such bytes; elsewhere we hash them again while they stream.
    const serverChecked = this.backend.checksStreamDigest(file.size);
    const fileStream = createReadStream(source, { highWaterMark: 1 << 20 });
    const hashing = serverChecked ? null : new HashingStream();
    const body = hashing ? fileStream.pipe(hashing) : fileStream;
    // A backend that finds the blob already stored drops the body unread: close the file with it.
    if (hashing) hashing.once('close', () => fileStream.destroy());
    try {
      await this.backend.putStreamIfAbsent(
        key,
        body,
        () => {
          const found = hashing?.digest() ?? file.sha256;
          if (found !== file.sha256) throw this.changedSource(artifact, file, source, found);
        },
        { sha256: file.sha256, size: file.size },
      );
    } catch (err) {
      if (err instanceof StoreError) throw err;
      if (serverChecked) {
        // The server refused the bytes, or the upload failed otherwise: say which.
        const now = await sha256File(source).catch(() => undefined);
        if (now && now.sha256 !== file.sha256) throw this.changedSource(artifact, file, source, now.sha256);
      }
      throw new InvalidPublishError(
        artifact,
        `upload of ${file.path} from ${source} failed: ${(err as Error).message}`,
        {
          cause: err,
        },
      );
    }
  }

  private changedSource(
    artifact: string,
    file: ArtifactFile,
    source: string,
    found: string,
  ): InvalidPublishError {
    return new InvalidPublishError(
      artifact,
      `${source} (for ${file.path}) changed while it was being published: sha256 ${file.sha256} became ${found}`,
    );
  }

  private async writeManifest(
    req: PublishRequest,
    files: ArtifactFile[],
    digest: string,
    seen: PublishState,
  ): Promise<ArtifactVersion> {
    let next = this.firstFreeVersion(seen);
    for (let attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
      const version: ArtifactVersion = {
        format: MANIFEST_FORMAT,
        name: req.name,
        version: next,
        ref: formatRef(req.name, next),
        digest,
        size: files.reduce((s, f) => s + f.size, 0),
        type: req.type,
        description: req.description ?? '',
        metadata: req.metadata ?? {},
        files,
        ...(req.producer ? { producer: req.producer } : {}),
        createdAt: new Date().toISOString(),
      };
      if (await this.backend.putIfAbsent(this.keys.version(req.name, next), json(version))) return version;
      // vN is taken. If it is this very publish (a retry after the manifest was written but its
      // response was lost), it is ours: finish publishing it rather than creating a duplicate.
      const taken = await this.getVersion(req.name, next);
      if (taken && taken.digest === digest && sameProducer(taken.producer, req.producer)) return taken;
      next += 1; // another publisher took vN: the next number is ours to try
    }
    throw new InvalidPublishError(
      req.name,
      `could not claim a version number after ${MAX_CAS_ATTEMPTS} attempts`,
    );
  }

  /** `latest` only moves forward: a slower publisher of an older version never moves it back. */
  private async advanceLatest(
    version: ArtifactVersion,
    actor: string | undefined,
    seen: AliasRead | null | undefined,
    seenRecorded: Promise<void>,
  ): Promise<void> {
    await this.casMove(
      version,
      LATEST,
      { reason: 'new version', ...(actor ? { actor } : {}) },
      (from) => from === null || from < version.version,
      seen,
      seenRecorded,
    );
  }

  /** The version is in hand (and its aliases were checked up front): straight to the CAS loop. */
  private async moveExtraAliases(version: ArtifactVersion, req: PublishRequest): Promise<void> {
    for (const alias of req.aliases ?? []) {
      if (alias === LATEST) continue;
      await this.casMove(
        version,
        alias,
        {
          reason: 'published with this alias',
          ...(req.producer ? { actor: req.producer.workflowId } : {}),
        },
        (from) => from !== version.version, // already there (a retried publish): nothing to write
      );
    }
  }

  // ---------------------------------------------------------------- read

  async resolve(ref: string): Promise<ArtifactVersion> {
    const parsed = parseRef(ref);
    // A `project/` prefix selects that project; an unscoped (pre-namespace) store ignores it, as before.
    if (this.project !== undefined && parsed.project !== undefined && parsed.project !== this.project)
      return this.forProject(parsed.project).resolve(ref);
    let number: number;
    if (parsed.alias !== undefined) {
      const alias = await this.readAlias(parsed.name, parsed.alias);
      if (!alias) throw new ArtifactNotFoundError(ref, this.uri, `no alias ${parsed.name}:${parsed.alias}`);
      const copy = manifestCopy(alias.doc, parsed.name, this.uri);
      if (copy) return copy;
      number = alias.doc.version;
    } else {
      number = parsed.version;
    }
    const version = await this.getVersion(parsed.name, number);
    if (!version)
      throw new ArtifactNotFoundError(ref, this.uri, `no version ${formatRef(parsed.name, number)}`);
    return version;
  }

  async download(version: ArtifactVersion, destDir: string): Promise<string> {
    return this.reader.download(version, destDir);
  }

  async readFile(version: ArtifactVersion, path: string): Promise<Buffer> {
    return this.reader.readFile(version, path);
  }

  async listArtifacts(): Promise<string[]> {
    return this.backend.listChildren(this.keys.artifactsRoot);
  }

  async listVersions(name: string): Promise<ArtifactVersion[]> {
    checkName(name);
    const numbers = await this.versionNumbers(name);
    const versions = await mapLimit(numbers, 8, (n) => this.getVersion(name, n));
    return versions
      .filter((v): v is ArtifactVersion => v !== undefined)
      .sort((a, b) => a.version - b.version);
  }

  /** The version numbers of an artifact, from one listing (no manifest is read). */
  async listVersionNumbers(name: string): Promise<number[]> {
    checkName(name);
    return (await this.versionNumbers(name)).sort((a, b) => a - b);
  }

  private async versionNumbers(name: string): Promise<number[]> {
    const list = await this.backend.list(this.keys.versionsDir(name));
    return list.map(versionFromKey).filter((n): n is number => n !== undefined);
  }

  private async getVersion(name: string, version: number): Promise<ArtifactVersion | undefined> {
    const obj = await this.backend.get(this.keys.version(name, version));
    return obj ? checkFormat(JSON.parse(obj.body.toString()) as ArtifactVersion, this.uri) : undefined;
  }

  async getAliases(name: string): Promise<Record<string, number>> {
    checkName(name);
    const dir = this.keys.aliasesDir(name);
    const aliasKeys = (await this.backend.list(dir)).filter((k) => k.endsWith('.json'));
    const docs = await mapLimit(aliasKeys, 8, async (k) => {
      const alias = k.slice(dir.length, -'.json'.length);
      return [alias, await this.readAlias(name, alias)] as const;
    });
    const out: Record<string, number> = {};
    for (const [alias, doc] of docs) if (doc) out[alias] = doc.doc.version;
    return out;
  }

  // ---------------------------------------------------------------- aliases

  private async readAlias(name: string, alias: string): Promise<AliasRead | undefined> {
    const obj = await this.backend.get(this.keys.alias(name, alias));
    return obj ? { doc: JSON.parse(obj.body.toString()) as AliasDoc, etag: obj.etag } : undefined;
  }

  async moveAlias(
    name: string,
    alias: string,
    toVersion: number,
    opts: MoveAliasOptions = {},
  ): Promise<AliasEvent> {
    checkName(name);
    checkAlias(alias, `${name}:${alias}`);
    if (!Number.isInteger(toVersion) || toVersion < 0)
      throw new InvalidRefError(`${name}:v${toVersion}`, 'versions are integers ≥ 0');
    const target = await this.getVersion(name, toVersion);
    if (!target) {
      throw new ArtifactNotFoundError(
        formatRef(name, toVersion),
        this.uri,
        `cannot move ${name}:${alias} to a version that does not exist`,
      );
    }
    return (await this.casMove(target, alias, opts))!;
  }

  /**
   * The compare-and-swap loop behind every alias move. `wanted(from)` may decline the move once the
   * current position is known (e.g. `latest` never moves backwards); then nothing is written.
   */
  private async casMove(
    target: ArtifactVersion,
    alias: string,
    opts: MoveAliasOptions,
    wanted: (from: number | null) => boolean = () => true,
    /** The alias as the caller last read it (null = absent): saves a round trip; a stale one just loses the CAS. */
    seen?: AliasRead | null,
    /** Settles once `seen`'s move is in the history (the caller wrote it ahead). */
    seenRecorded?: Promise<void>,
  ): Promise<AliasEvent | undefined> {
    const { name, version: toVersion } = target;
    for (let attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
      const current =
        attempt === 0 && seen !== undefined ? (seen ?? undefined) : await this.readAlias(name, alias);
      const from = current ? current.doc.version : null;
      if (opts.expected !== undefined && opts.expected !== from)
        throw new AliasConflictError(name, alias, opts.expected, from);
      if (!wanted(from)) return undefined;
      const seq = (current?.doc.seq ?? 0) + 1;
      const event: AliasEvent = {
        id: this.moveId(name, alias, seq),
        name,
        alias,
        from,
        to: toVersion,
        at: new Date().toISOString(),
        ...(opts.reason !== undefined ? { reason: opts.reason } : {}),
        actor: opts.actor ?? defaultActor(),
        ...(opts.details !== undefined ? { details: opts.details } : {}),
      };
      const doc: AliasDoc = { version: toVersion, seq, event, manifest: target };
      // `latest` moves with every publish and is not an event (it would flood the sinks).
      const intent = alias === LATEST ? undefined : this.writeIntent(event);
      if (current) {
        // The move `current` holds leaves the alias object with this swap: into the history first.
        const recorded = attempt === 0 && seen && seenRecorded ? seenRecorded : undefined;
        await (recorded ?? this.recordHistory(name, alias, current.doc));
      }
      const intentKey = await intent;
      const won = current
        ? await this.backend.putIfMatch(this.keys.alias(name, alias), json(doc), current.etag)
        : await this.backend.putIfAbsent(this.keys.alias(name, alias), json(doc));
      if (won) return event;
      if (intentKey) await this.backend.delete(intentKey).catch(() => undefined); // never happened
      // Lost the race: re-read; with `expected` set, the next round reports the conflict.
      await sleep(Math.random() * Math.min(20, 1 + attempt));
    }
    throw new AliasConflictError(name, alias, opts.expected ?? null, null);
  }

  /** `<project>/<name>/<alias>/<seq>`: the move's identity (the root layout is LEGACY_PROJECT's). */
  private moveId(name: string, alias: string, seq: number): string {
    return `${this.project ?? LEGACY_PROJECT}/${name}/${alias}/${seq}`;
  }

  private async writeIntent(event: AliasEvent): Promise<string> {
    const body = json(event);
    const key = keys.outbox(event.id!, sha256Hex(body).slice(0, 16));
    await this.backend.putIfAbsent(key, body);
    return key;
  }

  /**
   * The outbox's entries (every project's, or one's), each checked against its alias's history: the
   * delivery component (src/events) delivers the `moved` ones and acknowledges them with
   * `ackOutbox`, and drops the `lost` ones the same way.
   */
  async readOutbox(project?: string): Promise<OutboxEntry[]> {
    const root = project === undefined ? keys.outboxRoot : `${keys.outboxRoot}${checkProject(project)}/`;
    const entryKeys = (await this.backend.list(root)).filter((k) => k.endsWith('.json'));
    const entries = await mapLimit(entryKeys, 8, async (key) => {
      const obj = await this.backend.get(key);
      if (!obj) return undefined; // acknowledged meanwhile
      const event = JSON.parse(obj.body.toString()) as AliasEvent;
      return { key, event, state: await this.settle(event) };
    });
    return entries
      .filter((e): e is OutboxEntry => e !== undefined)
      .sort((a, b) => (a.event.at < b.event.at ? -1 : a.event.at > b.event.at ? 1 : 0));
  }

  /** Removes an outbox entry: delivered, recorded as failed for redelivery, or lost. */
  async ackOutbox(entry: Pick<OutboxEntry, 'key'>): Promise<void> {
    await this.backend.delete(entry.key);
  }

  /** Whether the move an outbox intent announces is in its alias's history. */
  private async settle(event: AliasEvent): Promise<OutboxEntry['state']> {
    const [project, name, alias, seqText] = (event.id ?? '').split('/');
    const seq = Number(seqText);
    if (!project || !name || !alias || !Number.isInteger(seq)) return 'lost';
    const view = project === (this.project ?? LEGACY_PROJECT) ? this : this.forProject(project);
    const current = await view.readAlias(name, alias);
    let recorded: AliasEvent | undefined;
    if (current && current.doc.seq === seq) recorded = current.doc.event;
    else if (current && current.doc.seq > seq) {
      const obj = await this.backend.get(view.keys.history(name, alias, seq));
      recorded = obj ? (JSON.parse(obj.body.toString()) as AliasEvent) : undefined;
      if (!recorded) return 'unsettled'; // the next move writes it just before its swap
    }
    if (recorded) return JSON.stringify(recorded) === JSON.stringify(event) ? 'moved' : 'lost';
    return Date.now() - Date.parse(event.at) > OUTBOX_SETTLE_MS ? 'lost' : 'unsettled';
  }

  private async recordHistory(name: string, alias: string, doc: AliasDoc): Promise<void> {
    await this.backend.putIfAbsent(this.keys.history(name, alias, doc.seq), json(doc.event));
  }

  async aliasHistory(name: string, alias?: string): Promise<AliasEvent[]> {
    checkName(name);
    if (alias !== undefined) checkAlias(alias, `${name}:${alias}`);
    const aliases =
      alias !== undefined
        ? [alias]
        : [
            ...new Set([
              ...(await this.backend.listChildren(this.keys.historyRoot(name))),
              ...Object.keys(await this.getAliases(name)),
            ]),
          ];
    const perAlias = await mapLimit(aliases, 4, async (a) => {
      const dir = this.keys.historyDir(name, a);
      const entries = (await this.backend.list(dir))
        .map((k) => ({ k, seq: seqFromKey(k) }))
        .filter((e): e is { k: string; seq: number } => e.seq !== undefined);
      const events = await mapLimit(entries, 8, async (e) => {
        const obj = await this.backend.get(e.k);
        return obj ? { seq: e.seq, event: JSON.parse(obj.body.toString()) as AliasEvent } : undefined;
      });
      const bySeq = new Map<number, AliasEvent>();
      for (const e of events) if (e) bySeq.set(e.seq, e.event);
      const current = await this.readAlias(name, a);
      if (current && !bySeq.has(current.doc.seq)) bySeq.set(current.doc.seq, current.doc.event);
      return [...bySeq.entries()].sort((x, y) => x[0] - y[0]).map(([seq, event]) => ({ seq, event }));
    });
    if (alias !== undefined) return perAlias[0].map((e) => e.event);
    return perAlias
      .flat()
      .sort((x, y) =>
        x.event.at < y.event.at
          ? -1
          : x.event.at > y.event.at
            ? 1
            : x.event.alias < y.event.alias
              ? -1
              : x.event.alias > y.event.alias
                ? 1
                : x.seq - y.seq,
      )
      .map((e) => e.event);
  }

  // ---------------------------------------------------------------- maintenance (src/gc)

  /**
   * A view per project that has artifacts in this store, the root layout (LEGACY_PROJECT's, or a
   * store from before namespaces) included when it has any. Blobs and records are shared by all.
   */
  async projectViews(): Promise<VersionedArtifactStore[]> {
    const views: VersionedArtifactStore[] = [];
    if ((await this.backend.listChildren(artifactsRootFor(undefined))).length > 0)
      views.push(
        this.project === undefined
          ? this
          : new VersionedArtifactStore(this.backend, { ...this.options, project: undefined }),
      );
    for (const project of await this.backend.listChildren(PROJECTS_ROOT)) {
      if (project === LEGACY_PROJECT) continue; // its artifacts live at the root
      views.push(this.forProject(project));
    }
    return views;
  }

  /** Every content-addressed blob (file bodies and packs) with its size and when it was last written. */
  async listBlobs(): Promise<BlobInfo[]> {
    const root = keys.blob('');
    return (await this.backend.listInfo(root))
      .map((o) => ({ sha256: o.key.slice(root.length), size: o.size, modifiedMs: o.modifiedMs }))
      .filter((b) => /^[0-9a-f]{64}$/.test(b.sha256));
  }

  /**
   * Deletes version manifests (and their producer index entries) of one artifact. Refuses a version
   * an alias points to at the time of the call, so a move made after the caller decided wins.
   * Returns the versions deleted.
   */
  async deleteVersions(name: string, versions: readonly ArtifactVersion[]): Promise<ArtifactVersion[]> {
    checkName(name);
    const aliased = new Set(Object.values(await this.getAliases(name)));
    const doomed = versions.filter((v) => v.name === name && !aliased.has(v.version));
    const manifests = doomed.map((v) => this.keys.version(name, v.version));
    const producers = doomed.flatMap((v) =>
      v.producer ? [this.keys.producer(name, v.producer.workflowId, v.producer.step, v.digest)] : [],
    );
    // Manifests first: once gone, the version is unreachable; a stale producer entry is then harmless.
    await this.backend.deleteMany(manifests);
    await this.backend.deleteMany(producers);
    return doomed;
  }

  /** Deletes blobs by sha256 (pages of ≤ 1,000 on S3). The caller has proved no manifest needs them. */
  async deleteBlobs(sha256s: readonly string[]): Promise<void> {
    await this.backend.deleteMany(sha256s.map((h) => keys.blob(h)));
  }

  // ---------------------------------------------------------------- records

  async putRecord(key: string, value: unknown): Promise<void> {
    await this.backend.put(keys.record(key), json(value));
  }

  async getRecord<T = unknown>(key: string): Promise<T | undefined> {
    const obj = await this.backend.get(keys.record(key));
    return obj ? (JSON.parse(obj.body.toString()) as T) : undefined;
  }

  async listRecords(prefix: string): Promise<string[]> {
    const root = keys.recordsRoot;
    return (await this.backend.list(`${root}${prefix}`))
      .filter((k) => k.endsWith('.json'))
      .map((k) => k.slice(root.length, -'.json'.length));
  }
}

function unreadable(artifact: string, f: PublishFile, err: unknown): InvalidPublishError {
  return new InvalidPublishError(
    artifact,
    `cannot read ${f.source} (for ${f.path}): ${(err as Error).message}`,
    {
      cause: err,
    },
  );
}

/** The alias object's copy of its version's manifest, when it has one that matches it. */
function manifestCopy(doc: AliasDoc, name: string, storeUri: string): ArtifactVersion | undefined {
  const copy = doc.manifest;
  return copy && copy.name === name && copy.version === doc.version ? checkFormat(copy, storeUri) : undefined;
}

/** The manifest, if this code can read its format. */
function checkFormat(manifest: ArtifactVersion, storeUri: string): ArtifactVersion {
  const format = manifest.format ?? 1;
  if (format > MANIFEST_FORMAT)
    throw new UnsupportedFormatError(manifest.ref, storeUri, format, MANIFEST_FORMAT);
  return manifest;
}

function sameProducer(a: Producer | undefined, b: Producer | undefined): boolean {
  if (!a || !b) return !a && !b;
  return a.workflowId === b.workflowId && a.step === b.step;
}

function json(value: unknown): Buffer {
  return Buffer.from(`${JSON.stringify(value, null, 2)}\n`);
}

function defaultActor(): string {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    return 'cli:unknown';
  }
}
