/**
 * A step's cache key: sha256 over the canonical JSON of what can change its outputs (the step's
 * code digest, the config keys it reads, its input artifacts' digests, and what it reads from
 * outside the store). Components are kept with each entry, so a miss can say what changed.
 */
import { createHash } from 'node:crypto';
import type { StepName } from '../contract';
import { canonicalJson } from '../config/digest';
import type { SourceFingerprint } from './source-fingerprint';

/** Raise when the components or their hashing change: entries of an older format then miss. */
export const STEP_KEY_FORMAT = 1;

export interface KeyedInput {
  /** The version it resolved to (for explanations; the digest is the identity). */
  ref: string;
  digest: string;
}

export interface StepKeyComponents {
  format: number;
  step: StepName;
  /** The step's code digest (src/cache/code-digest.ts). */
  code: string;
  /** Leaves of the config keys the step reads (src/cache/step-config-keys.ts). */
  config: Record<string, unknown>;
  /** Input slot → the resolved version. */
  inputs: Record<string, KeyedInput>;
  /** get_data: the external source. */
  source?: SourceFingerprint;
  /** Other store state the step reads: check_data's reference dataset and data contract (null: none yet). */
  store?: Record<string, KeyedInput | null>;
}

/** What the key hashes: the components, with versions reduced to their content digests. */
function identity(c: StepKeyComponents): unknown {
  const digestOf = (x: KeyedInput | null) => (x ? x.digest : null);
  return {
    ...c,
    inputs: Object.fromEntries(Object.entries(c.inputs).map(([k, v]) => [k, digestOf(v)])),
    ...(c.store
      ? { store: Object.fromEntries(Object.entries(c.store).map(([k, v]) => [k, digestOf(v)])) }
      : {}),
  };
}

export function stepCacheKey(c: StepKeyComponents): string {
  return createHash('sha256')
    .update(canonicalJson(identity(c)))
    .digest('hex');
}
