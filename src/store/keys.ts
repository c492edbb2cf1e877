/**
 * The storage layout shared by every backend (keys are relative to the store root):
 *   blobs/sha256/<hex>                                        content-addressed file bodies, and packs of
 *                                                             several small files (src/store/packs.ts)
 *   artifacts/<name>/versions/v<N>.json                       version manifests (the publish point)
 *   artifacts/<name>/aliases/<alias>.json                     alias pointer, the move that set it and a copy
 *                                                             of its version's manifest (moved by CAS)
 *   artifacts/<name>/alias-history/<alias>/<seq>.json         one object per earlier move (append-only)
 *   artifacts/<name>/producers/<producer>/<digest>.json       which version a producer already published
 *   records/<key>.json                                        small JSON records (run lineage)
 */
import { InvalidRefError } from './errors';
import { sha256Hex } from './digest';

const SEQ_WIDTH = 10;

export const keys = {
  blob: (sha256: string) => `blobs/sha256/${sha256}`,
  artifactsRoot: 'artifacts/',
  versionsDir: (name: string) => `artifacts/${name}/versions/`,
  version: (name: string, version: number) => `artifacts/${name}/versions/v${version}.json`,
  aliasesDir: (name: string) => `artifacts/${name}/aliases/`,
  alias: (name: string, alias: string) => `artifacts/${name}/aliases/${alias}.json`,
  historyRoot: (name: string) => `artifacts/${name}/alias-history/`,
  historyDir: (name: string, alias: string) => `artifacts/${name}/alias-history/${alias}/`,
  history: (name: string, alias: string, seq: number) =>
    `artifacts/${name}/alias-history/${alias}/${String(seq).padStart(SEQ_WIDTH, '0')}.json`,
  producer: (name: string, workflowId: string, step: string, digest: string) =>
    `artifacts/${name}/producers/${sha256Hex(`${workflowId}\0${step}`).slice(0, 32)}/${digest}.json`,
  recordsRoot: 'records/',
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
