/**
 * Whether prod's model serves the candidate's task, so that its score on this test split means
 * anything. A model of other classes, or one whose input columns the test split does not have,
 * answers another question: scoring it would fail the run (or compare nonsense), so evaluate marks it
 * incomparable instead, and champion-challenger.ts keeps prod without a comparison.
 */
import { isNumericType, loadModelExport, type Table } from '../ml';
import type { ArtifactStore } from '../store/types';
import { fetchArtifact } from './artifact-io';
import { IncomparableChampion } from './champion-challenger';
import { deterministic } from './failures';
import { classificationMetrics } from './model-metrics';

export interface ChampionScoring {
  store: ArtifactStore;
  scratch: string;
  test: Table;
  target: string;
  metric: string;
  /** The candidate's classes: prod must have the same ones to be compared with it. */
  candidateClasses: readonly string[];
}

/** prod's score on the test split; throws IncomparableChampion when it serves another task. */
export async function scoreChampion(ref: string, s: ChampionScoring): Promise<number> {
  // Store faults while fetching stay retryable, and an unreadable export stays a failure: neither
  // says prod serves another task.
  const model = await fetchArtifact(s.store, ref, s.scratch);
  const loaded = await deterministic(model.version.ref, () => loadModelExport(model.dir));
  const why =
    classesDiffer(loaded.pipeline.classes, s.candidateClasses) ??
    signatureUnmet(loaded.signature.inputs, s.test);
  if (why) throw new IncomparableChampion(model.version.ref, why);
  try {
    return classificationMetrics(loaded.pipeline, s.test, s.target, 'test').scalars[s.metric];
  } catch (err) {
    // The checks above catch the usual cases; anything else scoring refuses is the same verdict.
    throw new IncomparableChampion(
      model.version.ref,
      `scoring it on the test split failed: ${(err as Error).message}`,
    );
  }
}

export function classesDiffer(prod: readonly string[], candidate: readonly string[]): string | undefined {
  const a = [...prod].sort();
  const b = [...candidate].sort();
  if (a.length === b.length && a.every((c, i) => c === b[i])) return undefined;
  return `classes differ: prod has [${list(a)}], the candidate [${list(b)}]`;
}

export function signatureUnmet(
  inputs: ReadonlyArray<{ name: string; type: string }>,
  test: Table,
): string | undefined {
  const missing = inputs.filter((c) => !test.has(c.name)).map((c) => c.name);
  if (missing.length > 0) return `input columns missing from the test split: ${list(missing)}`;
  const mistyped = inputs.filter((c) => {
    const found = test.column(c.name).type;
    return isNumericType(found) !== (c.type === 'double' || c.type === 'long');
  });
  if (mistyped.length > 0) {
    return `input column types differ: ${mistyped
      .map((c) => `${c.name} is ${c.type} in its signature, ${test.column(c.name).type} in the test split`)
      .join('; ')}`;
  }
  return undefined;
}

/** At most a few names: a decision reason stays one readable line. */
function list(names: readonly string[], max = 6): string {
  return names.length <= max
    ? names.join(', ')
    : `${names.slice(0, max).join(', ')}, … (${names.length - max} more)`;
}
