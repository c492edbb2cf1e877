/**
 * Which artifacts each step reads and writes. The workflow uses it to hand a step the exact versions
 * produced earlier in the same run, and to fall back to `name:latest` when an earlier step did not run
 * (as the reference pipeline does when `main.execute_steps` names only some steps).
 */
import type { StepName } from '../contract';
import { ARTIFACTS } from '../contract';

export type StepInputs = Record<string, string>;

/** The artifact names each step consumes, keyed by the input slot the activity expects. */
export const STEP_INPUTS: Record<StepName, Record<string, string>> = {
  get_data: {},
  preprocess: { raw: ARTIFACTS.raw },
  check_data: { data: ARTIFACTS.preprocessed },
  segregate: { data: ARTIFACTS.preprocessed },
  train_random_forest: { train: ARTIFACTS.train },
  evaluate: { model: ARTIFACTS.model, test: ARTIFACTS.test },
};

/**
 * Resolves a step's input refs: a version produced earlier in this run wins, then a pinned ref given
 * in the workflow input, then the `latest` alias.
 */
export function resolveStepInputs(
  step: StepName,
  producedThisRun: Readonly<Record<string, string>>,
  pinned: Readonly<Record<string, string | undefined>>,
  modelArtifact: string,
): StepInputs {
  const inputs: StepInputs = {};
  for (const [slot, artifactName] of Object.entries(STEP_INPUTS[step])) {
    const name = slot === 'model' ? modelArtifact : artifactName;
    inputs[slot] = producedThisRun[name] ?? pinned[slot] ?? `${name}:latest`;
  }
  return inputs;
}
