/**
 * `mlpipe gc`: deletes the versions the rules (plan.ts) do not keep, then the blobs no remaining
 * version uses. Safe against a concurrent publish:
 * - a publish uploads its blobs before it writes its manifest, so a blob younger than the grace
 *   period is never deleted, referenced or not (and the filesystem store restarts a blob's age when
 *   a publish reuses it);
 * - the manifests are listed again after the versions are deleted and once more just before the
 *   blobs are, and any version found then (a publish that finished meanwhile) keeps its blobs;
 * - alias objects carry a copy of their version's manifest: those copies count as references, and
 *   a version an alias points to when it is deleted is refused by the store.
 */
import { LEGACY_PROJECT } from '../store/keys';
import type { ArtifactVersion, BlobInfo } from '../store/types';
import type { VersionedArtifactStore } from '../store/versioned-store';
import { mapLimit } from '../store/concurrency';
import { describeReason, planVersions, versionId, type DoomedVersion, type GcRules } from './plan';
import { readSnapshot } from './snapshot';
import { formatAge } from '../config/duration';

export interface GcOptions extends GcRules {
  dryRun: boolean;
  /** The clock (tests): ms since the epoch. Default: now. */
  now?: number;
}

export interface GcReport {
  dryRun: boolean;
  store: string;
  rules: GcRules;
  versions: {
    kept: Array<{ ref: string; project: string; reasons: string[] }>;
    deleted: Array<{ ref: string; project: string; size: number; age: string; reason: string }>;
  };
  blobs: {
    listed: number;
    /** Content addresses deleted (or, in a dry run, that would be). */
    deleted: string[];
    /** Unreferenced but younger than the grace period: left for a later run. */
    youngUnreferenced: number;
  };
  /** Bytes of the blobs deleted (or that would be), plus the deleted manifests' own bytes are not counted. */
  bytesFreed: number;
  durationMs: number;
}

export async function collectGarbage(store: VersionedArtifactStore, opts: GcOptions): Promise<GcReport> {
  const started = Date.now();
  const now = opts.now ?? started;
  const rules: GcRules = {
    keepLast: opts.keepLast,
    olderThanMs: opts.olderThanMs,
    graceMs: opts.graceMs,
    ...(opts.project !== undefined ? { project: opts.project } : {}),
  };
  const snapshot = await readSnapshot(store);
  const plan = planVersions(snapshot, rules, now);

  const deleted = opts.dryRun ? plan.doomed : await deleteVersions(snapshot.projects, plan.doomed);
  const index = new ManifestIndex(
    plan.kept.map((k) => [versionId(k.project, k.version.name, k.version.version), k.version]),
    new Set(deleted.map((d) => versionId(d.project, d.version.name, d.version.version))),
  );

  const blobs = await store.listBlobs();
  let referenced = await index.scan(store);
  const unreferenced = (list: BlobInfo[]) => list.filter((b) => !referenced.has(b.sha256));
  let doomedBlobs = unreferenced(blobs).filter((b) => now - b.modifiedMs >= opts.graceMs);
  const youngUnreferenced = unreferenced(blobs).length - doomedBlobs.length;
  if (!opts.dryRun && doomedBlobs.length > 0) {
    // A publish may have finished since the last listing: look once more, right before deleting.
    referenced = await index.scan(store);
    doomedBlobs = unreferenced(doomedBlobs);
    await store.deleteBlobs(doomedBlobs.map((b) => b.sha256));
  }

  const olderThan = formatAge(opts.olderThanMs);
  return {
    dryRun: opts.dryRun,
    store: store.uri,
    rules,
    versions: {
      kept: plan.kept.map((k) => ({
        ref: k.version.ref,
        project: k.project,
        reasons: [...new Set(k.reasons.map(describeReason))],
      })),
      deleted: deleted.map((d) => ({
        ref: d.version.ref,
        project: d.project,
        size: d.version.size,
        age: formatAge(d.ageMs),
        reason:
          `no alias, not in any alias's last ${opts.keepLast} moves, not in a kept version's lineage, ` +
          `${formatAge(d.ageMs)} old (older than ${olderThan})`,
      })),
    },
    blobs: {
      listed: blobs.length,
      deleted: doomedBlobs.map((b) => b.sha256),
      youngUnreferenced,
    },
    bytesFreed: doomedBlobs.reduce((s, b) => s + b.size, 0),
    durationMs: Date.now() - started,
  };
}

async function deleteVersions(
  projects: Awaited<ReturnType<typeof readSnapshot>>['projects'],
  doomed: DoomedVersion[],
): Promise<DoomedVersion[]> {
  const views = new Map(projects.map((p) => [p.project, p.view]));
  const groups = new Map<string, DoomedVersion[]>();
  for (const d of doomed) {
    const key = `${d.project}\0${d.version.name}`;
    groups.set(key, [...(groups.get(key) ?? []), d]);
  }
  const done = await mapLimit([...groups.values()], 4, async (group) => {
    const { project, version } = group[0];
    const gone = new Set(
      (
        await views.get(project)!.deleteVersions(
          version.name,
          group.map((d) => d.version),
        )
      ).map((v) => v.version),
    );
    return group.filter((d) => gone.has(d.version.version));
  });
  return done.flat();
}

/**
 * Which blobs the store's versions and alias objects use now. Manifests never change, so each is
 * read once: a scan lists version numbers and reads only the manifests it has not seen.
 */
class ManifestIndex {
  private readonly known: Map<string, ArtifactVersion>;

  constructor(
    known: Array<[string, ArtifactVersion]>,
    /** Deleted (or, in a dry run, to be deleted): gone even if a listing still shows them. */
    private readonly gone: Set<string>,
  ) {
    this.known = new Map(known);
  }

  async scan(store: VersionedArtifactStore): Promise<Set<string>> {
    const used = new Set<string>();
    const add = (v: ArtifactVersion) => {
      for (const f of v.files) used.add(f.pack?.sha256 ?? f.sha256);
    };
    for (const view of await store.projectViews()) {
      const project = view.project ?? LEGACY_PROJECT;
      await mapLimit(await view.listArtifacts(), 4, async (name) => {
        const [numbers, aliases] = await Promise.all([view.listVersionNumbers(name), view.getAliases(name)]);
        await mapLimit(numbers, 8, async (n) => {
          const id = versionId(project, name, n);
          if (this.gone.has(id)) return;
          let v = this.known.get(id);
          if (!v) {
            v = await view.resolve(`${name}:v${n}`).catch(() => undefined);
            if (v) this.known.set(id, v);
          }
          if (v) add(v);
        });
        // An alias object's manifest copy (read through resolve) references its version's blobs.
        await mapLimit(Object.keys(aliases), 4, async (alias) => {
          const v = await view.resolve(`${name}:${alias}`).catch(() => undefined);
          if (v) add(v);
        });
      });
    }
    return used;
  }
}
