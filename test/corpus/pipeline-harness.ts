/**
 * Runs the pipeline's activities one after another outside a workflow (MockActivityEnvironment, a real
 * filesystem store), as the workflow would, stopping at the first failure: the fast way to put many bad
 * inputs through the real steps. Tells which step failed, its message and its retry class.
 */
import { join } from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { ApplicationFailure } from '@temporalio/common';
import { createActivities } from '../../src/activities';
import type { StepOutcome } from '../../src/activities/types';
import type { PipelineConfig } from '../../src/config';
import { storeOpener } from '../../src/worker';
import type { ArtifactStore } from '../../src/store/types';

export type RetryClass = 'non-retryable' | 'retryable';

export interface StepFailure {
  step: string;
  message: string;
  retry: RetryClass;
  type?: string;
}

/** The whole failure chain's messages, outermost first. */
export function chainMessage(err: unknown): string {
  const out: string[] = [];
  for (let cur: unknown = err; cur instanceof Error; cur = (cur as { cause?: unknown }).cause)
    out.push(cur.message);
  return out.join('\n');
}

export function retryClass(err: unknown): RetryClass {
  return err instanceof ApplicationFailure && err.nonRetryable ? 'non-retryable' : 'retryable';
}

const ORDER = [
  ['get_data', 'getData', {}],
  ['preprocess', 'preprocess', { raw: 'raw_data:latest' }],
  ['check_data', 'checkData', { data: 'preprocessed_data:latest' }],
  ['segregate', 'segregate', { data: 'preprocessed_data:latest' }],
  ['train_random_forest', 'trainRandomForest', { train: 'data_train:latest' }],
] as const;

/** Runs the steps up to `until` (inclusive); resolves with the failure, or undefined when all passed. */
export async function runSteps(
  config: PipelineConfig,
  workDir: string,
  until: (typeof ORDER)[number][0] = 'train_random_forest',
  beforeStep: (step: string) => Promise<unknown> = async () => undefined,
): Promise<StepFailure | undefined> {
  const activities = createActivities({
    workDir,
    storeFor: storeOpener(workDir),
    codeVersion: { package: 'corpus', version: '0', node: process.version },
    searchAttributes: false,
  });
  for (const [step, name, inputs] of ORDER) {
    await beforeStep(step);
    const env = new MockActivityEnvironment();
    try {
      (await env.run(activities[name] as (i: unknown) => Promise<StepOutcome>, {
        config,
        inputs,
      })) as StepOutcome;
    } catch (err) {
      return {
        step,
        message: chainMessage(err),
        retry: retryClass(err),
        type: (err as ApplicationFailure).type ?? undefined,
      };
    }
    if (step === until) return undefined;
  }
  return undefined;
}

/** Every artifact's versions and aliases: what "nothing was published, no alias moved" compares. */
export async function storeSnapshot(store: ArtifactStore): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const name of await store.listArtifacts()) {
    const versions = await store.listVersions(name);
    out[name] = { versions: versions.map((v) => v.version), aliases: await store.getAliases(name) };
  }
  return out;
}

export const storeDir = (work: string) => join(work, 'store');
