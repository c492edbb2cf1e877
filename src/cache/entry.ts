/**
 * Cache entries: small JSON records in the artifact store, next to the artifacts (both backends),
 * so every worker sees them and they survive restarts. One record per (project, step, key) holding
 * the key's components and the step's outcome (refs, digests, metrics, summary: never data), and
 * one `latest` pointer per (project, step) that a miss is explained against.
 *
 * A record that cannot be read (corrupt, other shape) or is of a newer format is a miss with a
 * warning, never a hit.
 */
import { z } from 'zod';
import type { StepName } from '../contract';
import type { ArtifactStore } from '../store/types';
import type { StepKeyComponents } from './step-key';

/** Raise when older code would misread an entry: it then reports a newer format and misses. */
export const CACHE_ENTRY_FORMAT = 1;

const refSchema = z.object({
  requested: z.string().optional(),
  name: z.string(),
  version: z.number(),
  ref: z.string(),
  digest: z.string(),
  reused: z.boolean().optional(),
});

const entrySchema = z.object({
  format: z.literal(CACHE_ENTRY_FORMAT),
  project: z.string(),
  step: z.string(),
  key: z.string().regex(/^[0-9a-f]{64}$/),
  createdAt: z.string(),
  producer: z.object({ workflowId: z.string(), runId: z.string() }),
  components: z.looseObject({
    format: z.number(),
    step: z.string(),
    code: z.string(),
    config: z.record(z.string(), z.unknown()),
    inputs: z.record(z.string(), z.object({ ref: z.string(), digest: z.string() })),
  }),
  outcome: z.object({
    summary: z.string(),
    consumed: z.array(refSchema),
    produced: z.array(refSchema),
    metrics: z.record(z.string(), z.number()).optional(),
    details: z.record(z.string(), z.unknown()).optional(),
  }),
});

export type CacheEntry = Omit<z.infer<typeof entrySchema>, 'components' | 'step'> & {
  step: StepName;
  components: StepKeyComponents;
};

/** Record keys: `cache/<project>/<step>/<key>` and the pointer `cache/<project>/<step>/latest`. */
export function entryRecordKey(project: string, step: StepName, key: string): string {
  return `cache/${project}/${step}/${key}`;
}

export function latestRecordKey(project: string, step: StepName): string {
  return `cache/${project}/${step}/latest`;
}

export type EntryRead =
  { status: 'found'; entry: CacheEntry } | { status: 'absent' } | { status: 'unreadable'; warning: string };

export async function readEntry(
  store: ArtifactStore,
  project: string,
  step: StepName,
  key: string,
): Promise<EntryRead> {
  const recordKey = entryRecordKey(project, step, key);
  let raw: unknown;
  try {
    raw = await store.getRecord(recordKey);
  } catch (err) {
    if (err instanceof SyntaxError)
      return {
        status: 'unreadable',
        warning: `cache record ${recordKey} is not valid JSON (${err.message}); ignored`,
      };
    throw err;
  }
  if (raw === undefined) return { status: 'absent' };
  const format = (raw as { format?: unknown } | null)?.format;
  if (typeof format === 'number' && format > CACHE_ENTRY_FORMAT)
    return {
      status: 'unreadable',
      warning: `cache record ${recordKey} has format ${format}, newer than this mlpipe reads (${CACHE_ENTRY_FORMAT}); ignored (upgrade mlpipe to use it)`,
    };
  const parsed = entrySchema.safeParse(raw);
  if (!parsed.success || parsed.data.key !== key || parsed.data.step !== step)
    return {
      status: 'unreadable',
      warning: `cache record ${recordKey} is not a valid cache entry${parsed.success ? ' (its key or step differs)' : `: ${parsed.error.issues[0]?.path.join('.')} ${parsed.error.issues[0]?.message}`}; ignored`,
    };
  return { status: 'found', entry: parsed.data as unknown as CacheEntry };
}

/** Writes the entry, then moves the step's `latest` pointer to it (last write wins: both are correct). */
export async function writeEntry(store: ArtifactStore, entry: CacheEntry): Promise<void> {
  await store.putRecord(entryRecordKey(entry.project, entry.step, entry.key), entry);
  await store.putRecord(latestRecordKey(entry.project, entry.step), {
    format: CACHE_ENTRY_FORMAT,
    key: entry.key,
    workflowId: entry.producer.workflowId,
  });
}

/** The key the step's `latest` pointer names, if readable. */
export async function latestKey(
  store: ArtifactStore,
  project: string,
  step: StepName,
): Promise<string | undefined> {
  try {
    const p = await store.getRecord<{ key?: unknown }>(latestRecordKey(project, step));
    return typeof p?.key === 'string' && /^[0-9a-f]{64}$/.test(p.key) ? p.key : undefined;
  } catch {
    return undefined;
  }
}
