/**
 * train_random_forest: split off validation, fit the inference pipeline (the forest trains on
 * worker threads, so this thread keeps heartbeating "trees done of total"), score validation,
 * plot, and export the MLflow-layout model directory as model_export.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CancelledFailure } from '@temporalio/common';
import {
  readTable,
  fitInferencePipeline,
  exportModel,
  selectRows,
  summarizePlan,
  type FeaturePlan,
  type InferencePipeline,
  type Table,
} from '../ml';
import { plotConfusionMatrix, plotFeatureImportance } from '../report';
import type { PipelineConfig } from '../config';
import type { ActivityDeps } from './deps';
import type { ResolvedRef } from '../contract';
import type { ArtifactStore } from '../store/types';
import type { StepActivityInput, StepOutcome } from './types';
import { type FetchedArtifact, fetchArtifact, publishArtifact, tableFile } from './artifact-io';
import { dataFailure, deterministic } from './failures';
import { type StepBodyResult, type StepRun, runStep } from './step-context';
import { classificationMetrics, splitTable } from './model-metrics';
import { featurePlan, modelSpec, stratifyColumn } from './dataset';

const INPUT_EXAMPLE_ROWS = 5;

/** MLflow writes `utc_time_created` as "YYYY-MM-DD HH:MM:SS.ffffff". */
function mlflowTime(iso: string): string {
  const d = new Date(iso);
  return `${d.toISOString().slice(0, 19).replace('T', ' ')}.${String(d.getUTCMilliseconds() * 1000).padStart(6, '0')}`;
}

/** What the export holds for MLflow / ONNX Runtime users, or why it has no model.onnx. */
function onnxNote(e: { onnxSize: number | null; onnxUnavailable?: string }): string {
  if (e.onnxSize !== null) return `model.onnx ${(e.onnxSize / 1e6).toFixed(1)} MB`;
  return `no model.onnx: ${e.onnxUnavailable ?? 'not converted'}`;
}

export function createTrainRandomForest(deps: ActivityDeps) {
  return (input: StepActivityInput): Promise<StepOutcome> =>
    runStep('train_random_forest', deps.workDir, async (run) => {
      const config: PipelineConfig = input.config;
      const store = await deps.storeFor(config);
      const training = await readTrainingData(store, config, input.inputs.train, run.scratch);
      const spec = modelSpec(config, training.plan);
      const t0 = performance.now();
      let pipeline;
      try {
        pipeline = await fitInferencePipeline(training.train, spec, {
          signal: run.signal,
          onProgress: (p) => run.heartbeat({ done: p.done, total: p.total, unit: p.unit }),
        });
      } catch (err) {
        if (run.signal.aborted) throw new CancelledFailure('training cancelled');
        throw dataFailure(err, 'train_random_forest');
      }
      const fitSeconds = (performance.now() - t0) / 1000;
      return publishTrainedModel(run, store, config, training, pipeline, { fitSeconds });
    });
}

/** The train step's input: data_train, its feature plan, and the seeded validation split. */
export interface TrainingData {
  data: FetchedArtifact;
  plan: FeaturePlan;
  train: Table;
  validation: Table;
}

/** Reads data_train, infers its feature plan and splits off validation (sharded fits do this twice). */
export async function readTrainingData(
  store: ArtifactStore,
  config: PipelineConfig,
  ref: string,
  scratch: string,
): Promise<TrainingData> {
  const data = await fetchArtifact(store, ref, scratch);
  const table = await deterministic(data.version.ref, () =>
    readTable(tableFile(data.dir, data.version), { naValues: config.data.na_values }),
  );
  const plan = await deterministic('the feature plan', () => featurePlan(config, table));
  const { train, test: validation } = await deterministic('validation split', () =>
    splitTable(table, config.data.val_size, stratifyColumn(config, plan.target), config.main.random_seed),
  );
  return { data, plan, train, validation };
}

export interface TrainedModelExtras {
  fitSeconds: number;
  /** Artifacts the fit read besides data_train (a sharded fit's matrix and tree shards). */
  consumed?: ResolvedRef[];
  summary?: string;
  details?: Record<string, unknown>;
}

/** Scores validation, plots, exports the fitted pipeline as model_export and publishes it. */
export async function publishTrainedModel(
  run: StepRun,
  store: ArtifactStore,
  config: PipelineConfig,
  training: TrainingData,
  pipeline: InferencePipeline,
  extras: TrainedModelExtras,
): Promise<StepBodyResult> {
  const { data, plan, train, validation } = training;
  const target = plan.target;
  const spec = pipeline.spec;
  const { fitSeconds } = extras;
  run.heartbeat({ done: 1, total: 1, unit: 'export' });

  const metrics = await deterministic('validation metrics', () =>
    classificationMetrics(pipeline, validation, target, 'val'),
  );
  const exportDir = join(run.scratch, 'model_export');
  const plotsDir = join(run.scratch, 'plots');
  const importance = await plotFeatureImportance([...pipeline.featureNames], pipeline.featureImportances(), {
    title: 'Feature importance (impurity-based)',
  });
  const confusion = await plotConfusionMatrix([...pipeline.classes], metrics.confusionNormalized, {
    title: 'Validation confusion matrix (normalized by true class)',
    normalized: true,
  });
  await mkdir(plotsDir, { recursive: true });
  const plotFiles = [
    ['feature_importance.svg', importance.svg],
    ['feature_importance.png', importance.png],
    ['confusion_matrix.svg', confusion.svg],
    ['confusion_matrix.png', confusion.png],
  ] as const;
  for (const [name, content] of plotFiles) await writeFile(join(plotsDir, name), content);
  // The plan travels with the model: what each column became, and why.
  const planFile = join(run.scratch, 'feature_plan.json');
  await writeFile(planFile, JSON.stringify(plan, null, 2) + '\n');

  const exported = await exportModel(pipeline, exportDir, {
    inputExample: selectRows(
      train,
      Uint32Array.from({ length: Math.min(INPUT_EXAMPLE_ROWS, train.nRows) }, (_, i) => i),
    ),
    metrics: metrics.scalars,
    // The export must be byte-identical for the same config and data, so its MLmodel timestamp is the
    // training data version's creation time rather than "now".
    utcTimeCreated: mlflowTime(data.version.createdAt),
    extraFiles: [
      { path: 'feature_plan.json', source: planFile },
      ...plotFiles.map(([name]) => ({ path: `plots/${name}`, source: join(plotsDir, name) })),
    ],
  });
  const model = await publishArtifact(store, {
    name: config.random_forest_pipeline.export_artifact,
    type: 'model_export',
    description: `Inference pipeline (${spec.random_forest.engine ?? 'native'} forest, ${String(spec.random_forest.n_estimators)} trees) trained on ${data.version.ref}`,
    metadata: {
      ...metrics.scalars,
      classes: pipeline.classes,
      train_rows: train.nRows,
      val_rows: validation.nRows,
    },
    producer: run.producer,
    dir: exportDir,
  });
  return {
    step: 'train_random_forest',
    consumed: [data.resolved, ...(extras.consumed ?? [])],
    produced: [model],
    metrics: { ...metrics.scalars, fit_s: Math.round(fitSeconds * 1000) / 1000 },
    summary: `features: ${summarizePlan(plan)}; fit ${train.nRows} rows in ${fitSeconds.toFixed(2)} s${extras.summary ?? ''}; val ROC-AUC ${metrics.scalars.val_auc_ovo.toFixed(4)} → ${model.ref}; ${onnxNote(exported)}`,
    details: { featurePlan: plan, ...extras.details },
  };
}
