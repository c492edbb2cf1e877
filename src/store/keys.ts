/**
 * The storage layout shared by every backend (keys are relative to the store root):
 *   blobs/sha256/<hex>                                        content-addressed file bodies, and packs of
 *                                                             several small files (src/store/packs.ts)
 *   [projects/<project>/]artifacts/<name>/…                   one project's artifacts (below; the root
 *                                                             `artifacts/` is LEGACY_PROJECT's)
 *   artifacts/<name>/versions/v<N>.json                       version manifests (the publish point)
 *   artifacts/<name>/aliases/<alias>.json                     alias pointer, the move that set it and a copy
 *                                                             of its version's manifest (moved by CAS)
 *   artifacts/<name>/alias-history/<alias>/<seq>.json         one object per earlier move (append-only)
 *   artifacts/<name>/producers/<producer>/<digest>.json       which version a producer already published
 *   records/<key>.json                                        small JSON records (run lineage), shared:
 *                                                             keyed by workflow ID, unique across projects
 *   events/outbox/<project>/<name>/<alias>/<seq>/<h>.json     an alias move about to be made, written before
 *                                                             its compare-and-swap; removed once delivered
 */
import { InvalidRefError } from './errors';
import { sha256Hex } from './digest';

const SEQ_WIDTH = 10;

/**
 * The project whose artifacts stay at the root `artifacts/`: `main.project_name`'s default before
 * namespaces, so a store written then keeps working, unchanged and unmigrated, for that project,
 * and no other project reads it (docs: README, Storage).
 */
export const LEGACY_PROJECT = 'genre_classification';

/** Where the projects other than LEGACY_PROJECT keep their artifacts. */
export const PROJECTS_ROOT = 'projects/';

/** Where one project's artifacts live: the root for LEGACY_PROJECT (and an unscoped store), else its own prefix. */
export function artifactsRootFor(project: string | undefined): string {
  return project === undefined || project === LEGACY_PROJECT
    ? 'artifacts/'
    : `${PROJECTS_ROOT}${project}/artifacts/`;
}

/** The keys of one project's artifacts. Blobs and records are shared by every project (see `keys`). */
export function artifactKeys(root: string) {
  const dir = (name: string) => `${root}${name}`;
  return {
    artifactsRoot: root,
    versionsDir: (name: string) => `${dir(name)}/versions/`,
    version: (name: string, version: number) => `${dir(name)}/versions/v${version}.json`,
    aliasesDir: (name: string) => `${dir(name)}/aliases/`,
    alias: (name: string, alias: string) => `${dir(name)}/aliases/${alias}.json`,
    historyRoot: (name: string) => `${dir(name)}/alias-history/`,
    historyDir: (name: string, alias: string) => `${dir(name)}/alias-history/${alias}/`,
    history: (name: string, alias: string, seq: number) =>
      `${dir(name)}/alias-history/${alias}/${String(seq).padStart(SEQ_WIDTH, '0')}.json`,
    producer: (name: string, workflowId: string, step: string, digest: string) =>
      `${dir(name)}/producers/${sha256Hex(`${workflowId}\0${step}`).slice(0, 32)}/${digest}.json`,
  };
}

export type ArtifactKeys = ReturnType<typeof artifactKeys>;

/** Shared keys, plus the artifact keys of the root layout (LEGACY_PROJECT, or a store opened without a project). */
export const keys = {
  blob: (sha256: string) => `blobs/sha256/${sha256}`,
  ...artifactKeys(artifactsRootFor(undefined)),
  recordsRoot: 'records/',
  outboxRoot: 'events/outbox/',
  outbox: (moveId: string, eventDigest: string) => `events/outbox/${moveId}/${eventDigest}.json`,
  record: (key: string) => `records/${checkRecordKey(key)}.json`,
};

/** `v12.json` → 12 */
export function versionFromKey(key: string): number | undefined {
  const m = /\/v(\d+)\.json$/.exec(key);
  return m ? Number(m[1]) : undefined;
}

/** `…/0000000012.json` → 12 */
export function seqFromKey(key: string): number | undefined {
  const m = /\/(\d+)\.json$/.exec(key);
  return m ? Number(m[1]) : undefined;
}

const RECORD_SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._:@=+-]*$/;

/** Record keys are '/'-separated segments that are safe as file names and object keys. */
export function checkRecordKey(key: string): string {
  const segments = key.split('/');
  if (segments.some((s) => !RECORD_SEGMENT.test(s) || s.includes('..'))) {
    throw new InvalidRefError(
      key,
      `record keys are '/'-separated segments matching ${RECORD_SEGMENT.source}`,
    );
  }
  return key;
}

/** A file path inside an artifact: relative, '/'-separated, no `.`/`..`/empty segments. */
export function checkArtifactPath(path: string, artifact: string): string {
  const segments = path.split('/');
  if (
    path === '' ||
    segments.some((s) => s === '' || s === '.' || s === '..' || s.includes('\\') || s.includes('\0'))
  ) {
    throw new InvalidRefError(
      `${artifact}/${path}`,
      'artifact file paths are relative and /-separated, without . or .. segments',
    );
  }
  return path;
}
