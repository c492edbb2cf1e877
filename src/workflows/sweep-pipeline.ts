/**
 * A Hydra-style multirun as a durable workflow: the data steps run once as one child, then every
 * trial trains and evaluates on those same data artifacts as its own child workflow, at most
 * `maxParallel` at a time. Children survive worker restarts; the parent's ID links every trial.
 */
import {
  ApplicationFailure,
  defineQuery,
  executeChild,
  setCurrentDetails,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { PipelineResult } from '../contract';
import { STEP_NAMES } from '../contract';
import { trainingPipeline } from './training-pipeline';

export interface SweepInput {
  /** One list of overrides per trial (already expanded from the multirun syntax). */
  trials: string[][];
  /** Overrides shared by the data steps and every trial. */
  base?: string[];
  maxParallel?: number;
  /** Metric to rank trials by (higher is better). */
  metric?: string;
}

export interface SweepTrial {
  index: number;
  workflowId: string;
  overrides: string[];
  status: 'pending' | 'running' | 'completed' | 'failed';
  metric?: number;
  modelRef?: string;
  durationMs?: number;
  error?: string;
}

export interface SweepResult {
  workflowId: string;
  metric: string;
  dataWorkflowId: string;
  data: { train: string; test: string };
  trials: SweepTrial[];
  best?: SweepTrial;
}

export const sweepProgressQuery = defineQuery<SweepTrial[]>('sweepProgress');

const DATA_STEPS = STEP_NAMES.slice(0, 4);
const TRIAL_STEPS = ['train_random_forest', 'evaluate'];

function renderTrials(trials: SweepTrial[], metric: string): string {
  const rows = trials.map(
    (t) =>
      `| ${t.index} | ${t.overrides.join(' ') || '(defaults)'} | ${t.status} | ${t.metric?.toFixed(4) ?? ''} | ${t.durationMs !== undefined ? (t.durationMs / 1000).toFixed(1) + ' s' : ''} | ${t.modelRef ?? t.error ?? ''} |`,
  );
  return [
    `| trial | overrides | status | ${metric} | time | model |`,
    '|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}

function stepDuration(result: PipelineResult): number {
  return result.steps.reduce((sum, s) => sum + (s.durationMs ?? 0), 0);
}

export async function sweepPipeline(input: SweepInput): Promise<SweepResult> {
  const info = workflowInfo();
  const metric = input.metric ?? 'val_auc_ovo';
  const base = input.base ?? [];
  if (input.trials.length === 0) {
    throw ApplicationFailure.create({ message: 'sweep has no trials', nonRetryable: true });
  }
  const trials: SweepTrial[] = input.trials.map((overrides, index) => ({
    index,
    workflowId: `${info.workflowId}-trial-${index}`,
    overrides,
    status: 'pending',
  }));
  setHandler(sweepProgressQuery, () => trials, {
    description: 'Every trial with its overrides, status, metric, duration and model ref.',
  });
  const update = () =>
    setCurrentDetails(`**Sweep** ranked by \`${metric}\`\n\n${renderTrials(trials, metric)}`);
  update();

  const dataWorkflowId = `${info.workflowId}-data`;
  const dataRun = await executeChild(trainingPipeline, {
    workflowId: dataWorkflowId,
    args: [
      {
        overrides: [...base, `main.execute_steps=[${DATA_STEPS.join(',')}]`],
        trigger: { kind: 'sweep', id: info.workflowId },
      },
    ],
  });
  const produced = dataRun.artifacts.segregate ?? [];
  const train = produced.find((r) => r.name === 'data_train')?.ref;
  const test = produced.find((r) => r.name === 'data_test')?.ref;
  if (!train || !test) {
    throw ApplicationFailure.create({
      message: 'the data steps produced no train/test split',
      nonRetryable: true,
    });
  }

  const runTrial = async (trial: SweepTrial): Promise<void> => {
    trial.status = 'running';
    update();
    try {
      const result = await executeChild(trainingPipeline, {
        workflowId: trial.workflowId,
        args: [
          {
            overrides: [...base, ...trial.overrides, `main.execute_steps=[${TRIAL_STEPS.join(',')}]`],
            inputs: { train, test },
            trigger: { kind: 'sweep', id: info.workflowId },
          },
        ],
      });
      trial.status = 'completed';
      trial.metric = result.metrics[metric];
      trial.modelRef = result.modelRef;
      trial.durationMs = stepDuration(result);
    } catch (err) {
      trial.status = 'failed';
      trial.error = err instanceof Error ? err.message : String(err);
    }
    update();
  };

  // Bounded parallelism: a fixed number of lanes, each taking the next pending trial.
  const maxParallel = Math.max(1, input.maxParallel ?? 2);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < trials.length) {
      const trial = trials[next++];
      await runTrial(trial);
    }
  };
  await Promise.all(Array.from({ length: Math.min(maxParallel, trials.length) }, lane));

  const ranked = [...trials].sort((a, b) => (b.metric ?? -Infinity) - (a.metric ?? -Infinity));
  const best = ranked.find((t) => t.status === 'completed');
  update();
  return { workflowId: info.workflowId, metric, dataWorkflowId, data: { train, test }, trials: ranked, best };
}
