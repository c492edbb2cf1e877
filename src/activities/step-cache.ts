/**
 * The step cache's two activities (the workflow cannot do I/O):
 * - lookupStepCache computes a step's key from its resolved inputs, the config keys it reads, its
 *   code digest and what it reads from outside the store, and returns the cached outcome when a
 *   readable entry exists whose outputs are all still stored; otherwise why it missed;
 * - recordStepCache stores a completed step's outcome under its key, once it has checked that the
 *   step really consumed what the key says (an alias that moved meanwhile leaves no entry).
 * src/cache holds the key, the entry format and the explanations; docs: README, "The step cache".
 */
import { Context } from '@temporalio/activity';
import type { ResolvedRef, StepName } from '../contract';
import type { PipelineConfig } from '../config';
import { projectRoot } from '../config';
import { ArtifactNotFoundError } from '../store/errors';
import type { ArtifactStore } from '../store/types';
import { stepConfigValues } from '../cache/step-config-keys';
import { stepCodeDigests } from '../cache/code-digest';
import { fingerprintSource, type SourceFingerprint } from '../cache/source-fingerprint';
import { STEP_KEY_FORMAT, stepCacheKey, type KeyedInput, type StepKeyComponents } from '../cache/step-key';
import { keyChanges } from '../cache/explain';
import { CACHE_ENTRY_FORMAT, latestKey, readEntry, writeEntry, type CacheEntry } from '../cache/entry';
import type { ActivityDeps } from './deps';
import type { StepOutcome } from './types';
import { CONTRACT_REF } from './reference-contract';
import { toActivityError } from './failures';
import { resolveStepInputs } from '../workflows/step-plan';

export interface StepCacheLookupInput {
  step: StepName;
  config: PipelineConfig;
  /** Input slot → ref, as the step would be given them. */
  inputs: Record<string, string>;
  /** False: compute and report the key, but run the step (`--no-cache`, `--force`); `why` says so. */
  use: boolean;
  why?: string;
  /** The run being resumed and this step's key there: the miss is explained against it. */
  previous?: { workflowId: string; key?: string };
}

export interface StepCacheLookup {
  key: string;
  components: StepKeyComponents;
  /** On a hit: the cached outcome (outputs marked reused) and the run and step that computed it. */
  hit?: { outcome: StepOutcome; from: { workflowId: string; step: StepName } };
  reason: string;
  warning?: string;
}

/**
 * Several steps looked up in one activity, in pipeline order: each hit's outputs become the next
 * step's inputs (as the workflow would thread them), and the walk stops after the first miss. A run
 * that is all hits costs one round trip instead of one per step.
 */
export interface StepCachePlanInput {
  steps: Array<Pick<StepCacheLookupInput, 'step' | 'use' | 'why' | 'previous'>>;
  config: PipelineConfig;
  /** Artifact name → ref produced earlier in this run. */
  produced: Record<string, string>;
  /** Pinned input refs of the workflow input (slot → ref). */
  pinned: Record<string, string | undefined>;
}

export type PlannedLookup = StepCacheLookup & { step: StepName; inputs: Record<string, string> };

export interface StepCacheRecordInput {
  step: StepName;
  config: PipelineConfig;
  key: string;
  components: StepKeyComponents;
  outcome: StepOutcome;
}

/** Where the components of every key computed are kept, hit or not, so a later miss can be explained. */
function componentsKey(project: string, step: StepName, key: string): string {
  return `cache/${project}/${step}/keys/${key}`;
}

async function resolveIfPresent(store: ArtifactStore, ref: string): Promise<KeyedInput | null> {
  try {
    const v = await store.resolve(ref);
    return { ref: v.ref, digest: v.digest };
  } catch (err) {
    if (err instanceof ArtifactNotFoundError) return null;
    throw err;
  }
}

async function sourceFingerprint(config: PipelineConfig): Promise<SourceFingerprint> {
  return fingerprintSource(config.data.source, {
    baseDir: projectRoot(),
    s3: { ...config.storage.s3, forcePathStyle: config.storage.s3.force_path_style },
  });
}

/** What the step reads from the store besides its inputs (check_data: the reference and its contract). */
async function storeState(
  store: ArtifactStore,
  step: StepName,
  config: PipelineConfig,
): Promise<Record<string, KeyedInput | null> | undefined> {
  if (step !== 'check_data') return undefined;
  const [reference, contract] = await Promise.all([
    resolveIfPresent(store, config.data.reference_dataset),
    config.check_data.contract ? resolveIfPresent(store, CONTRACT_REF) : Promise.resolve(null),
  ]);
  return { [config.data.reference_dataset]: reference, [CONTRACT_REF]: contract };
}

export function createStepCache(deps: ActivityDeps) {
  async function components(
    store: ArtifactStore,
    input: Pick<StepCacheLookupInput, 'step' | 'config' | 'inputs'>,
  ): Promise<{ components: StepKeyComponents; missing: string[] }> {
    const { step, config } = input;
    const missing: string[] = [];
    const inputs: Record<string, KeyedInput> = {};
    await Promise.all(
      Object.entries(input.inputs).map(async ([slot, ref]) => {
        const found = await resolveIfPresent(store, ref);
        if (found) inputs[slot] = found;
        else missing.push(ref);
      }),
    );
    const [code, source, state] = await Promise.all([
      (deps.codeDigests ?? stepCodeDigests)().then((d) => d[step]),
      step === 'get_data' ? sourceFingerprint(config) : Promise.resolve(undefined),
      storeState(store, step, config),
    ]);
    return {
      components: {
        format: STEP_KEY_FORMAT,
        step,
        code,
        config: stepConfigValues(config, step),
        inputs,
        ...(source ? { source } : {}),
        ...(state ? { store: state } : {}),
      },
      missing,
    };
  }

  /** The cached outputs, if every one is still there with its digest and its bytes. */
  async function outputsPresent(store: ArtifactStore, entry: CacheEntry): Promise<string | undefined> {
    for (const ref of entry.outcome.produced) {
      let version;
      try {
        version = await store.resolve(ref.ref);
      } catch (err) {
        if (err instanceof ArtifactNotFoundError) return `cached output ${ref.ref} was deleted`;
        throw err;
      }
      if (version.digest !== ref.digest) return `cached output ${ref.ref} holds other content now`;
      if (!(await store.hasContent(version))) return `cached output ${ref.ref} lost its files`;
    }
    return undefined;
  }

  /** Why this key missed, against the previous run's key (resume) or the step's latest entry. */
  async function explainMiss(
    store: ArtifactStore,
    project: string,
    now: StepKeyComponents,
    key: string,
    previous: StepCacheLookupInput['previous'],
  ): Promise<string> {
    const before = previous?.key ?? (await latestKey(store, project, now.step));
    if (!before) return previous ? `not run in ${previous.workflowId}` : 'no earlier run of this step';
    if (before === key) return previous ? `not completed in ${previous.workflowId}` : 'not cached';
    let earlier: StepKeyComponents | undefined;
    try {
      earlier = await store.getRecord<StepKeyComponents>(componentsKey(project, now.step, before));
    } catch {
      earlier = undefined;
    }
    if (!earlier || typeof earlier !== 'object' || !earlier.config)
      return 'new key (the earlier key is unknown)';
    const changes = keyChanges(earlier, now);
    const against = previous ? ` (against ${previous.workflowId})` : '';
    return changes.length ? `${changes.join('; ')}${against}` : `new key${against}`;
  }

  async function lookupStepCache(input: StepCacheLookupInput): Promise<StepCacheLookup> {
    const t0 = performance.now();
    const startedAt = new Date().toISOString();
    const { step, config } = input;
    const project = config.main.project_name;
    const log = Context.current().log;
    try {
      const store = await deps.storeFor(config);
      const { components: c, missing } = await components(store, input);
      const key = stepCacheKey(c);
      const miss = async (reason: string, warning?: string): Promise<StepCacheLookup> => {
        await store.putRecord(componentsKey(project, step, key), c);
        if (warning) log.warn(`${step}: ${warning}`);
        return { key, components: c, reason, ...(warning ? { warning } : {}) };
      };
      if (!input.use) return await miss(input.why ?? 'cache not used');
      if (missing.length) return await miss(`input ${missing.join(', ')} not found`);
      const read = await readEntry(store, project, step, key);
      if (read.status === 'unreadable') return await miss('the cache record could not be used', read.warning);
      if (read.status === 'absent')
        return await miss(await explainMiss(store, project, c, key, input.previous));
      const gone = await outputsPresent(store, read.entry);
      if (gone) return await miss(gone);
      const { entry } = read;
      const from = { workflowId: entry.producer.workflowId, step };
      const outcome: StepOutcome = {
        step,
        consumed: entry.outcome.consumed,
        produced: entry.outcome.produced.map((r): ResolvedRef => ({ ...r, reused: true })),
        ...(entry.outcome.metrics ? { metrics: entry.outcome.metrics } : {}),
        ...(entry.outcome.details ? { details: entry.outcome.details } : {}),
        summary: `cached from ${from.workflowId}/${step}: ${entry.outcome.summary}`,
        startedAt,
        durationMs: Math.round(performance.now() - t0),
        // No attempt of the step itself was made.
        attempt: 0,
      };
      return { key, components: c, hit: { outcome, from }, reason: `cached from ${from.workflowId}/${step}` };
    } catch (err) {
      throw toActivityError(err);
    }
  }

  async function lookupStepCaches(input: StepCachePlanInput): Promise<PlannedLookup[]> {
    const produced = { ...input.produced };
    const out: PlannedLookup[] = [];
    for (const s of input.steps) {
      const inputs = resolveStepInputs(
        s.step,
        produced,
        input.pinned,
        input.config.random_forest_pipeline.export_artifact,
      );
      const lookup = await lookupStepCache({ ...s, config: input.config, inputs });
      out.push({ ...lookup, step: s.step, inputs });
      if (!lookup.hit) break;
      for (const r of lookup.hit.outcome.produced) produced[r.name] = r.ref;
    }
    return out;
  }

  /** True when the outcome consumed exactly the versions the key was computed from. */
  function consumedWhatWasKeyed(c: StepKeyComponents, outcome: StepOutcome): string | undefined {
    const byName = new Map<string, ResolvedRef[]>();
    for (const r of outcome.consumed) byName.set(r.name, [...(byName.get(r.name) ?? []), r]);
    const keyed = [...Object.values(c.inputs), ...Object.values(c.store ?? {})].filter(
      (x): x is KeyedInput => x !== null,
    );
    for (const k of keyed) {
      const name = k.ref.split(':')[0];
      const used = byName.get(name);
      if (used && !used.some((u) => u.digest === k.digest))
        return `${name} moved while the step ran (keyed ${k.ref}, used ${used.map((u) => u.ref).join(', ')})`;
    }
    for (const k of Object.values(c.inputs)) {
      if (!byName.get(k.ref.split(':')[0])?.some((u) => u.digest === k.digest))
        return `the step did not consume ${k.ref}`;
    }
    return undefined;
  }

  async function recordStepCache(input: StepCacheRecordInput): Promise<{ recorded: boolean; why?: string }> {
    const { step, config, key, components: c, outcome } = input;
    const log = Context.current().log;
    try {
      const store = await deps.storeFor(config);
      let why = consumedWhatWasKeyed(c, outcome);
      if (!why && c.source) {
        const now = await sourceFingerprint(config);
        if (now.kind === 'uncacheable' || JSON.stringify(now) !== JSON.stringify(c.source))
          why = 'the source changed while the step ran, or cannot be fingerprinted';
      }
      if (why) {
        log.warn(`${step}: not cached: ${why}`);
        return { recorded: false, why };
      }
      const info = Context.current().info.workflowExecution;
      const entry: CacheEntry = {
        format: CACHE_ENTRY_FORMAT,
        project: config.main.project_name,
        step,
        key,
        createdAt: new Date().toISOString(),
        producer: { workflowId: info?.workflowId ?? 'unknown', runId: info?.runId ?? 'unknown' },
        components: c,
        outcome: {
          summary: outcome.summary,
          consumed: outcome.consumed,
          // Versions as published; a later hit marks them reused.
          produced: outcome.produced.map(({ reused: _reused, ...r }) => r),
          ...(outcome.metrics ? { metrics: outcome.metrics } : {}),
          ...(outcome.details ? { details: outcome.details } : {}),
        },
      };
      await writeEntry(store, entry);
      return { recorded: true };
    } catch (err) {
      throw toActivityError(err);
    }
  }

  return { lookupStepCache, lookupStepCaches, recordStepCache };
}
