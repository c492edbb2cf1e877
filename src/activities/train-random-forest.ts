/**
 * train_random_forest: split off validation, fit the inference pipeline (the forest trains on
 * worker threads, so this thread keeps heartbeating "trees done of total"), score validation,
 * plot, and export the MLflow-layout model directory as model_export.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CancelledFailure } from '@temporalio/common';
import { readTable, fitInferencePipeline, exportModel, selectRows, summarizePlan } from '../ml';
import { plotConfusionMatrix, plotFeatureImportance } from '../report';
import type { PipelineConfig } from '../config';
import type { ActivityDeps } from './deps';
import type { StepActivityInput, StepOutcome } from './types';
import { fetchArtifact, publishArtifact, tableFile } from './artifact-io';
import { dataFailure, deterministic } from './failures';
import { runStep } from './step-context';
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
      const data = await fetchArtifact(store, input.inputs.train, run.scratch);
      const table = await deterministic(data.version.ref, () =>
        readTable(tableFile(data.dir, data.version), { naValues: config.data.na_values }),
      );
      const plan = await deterministic('the feature plan', () => featurePlan(config, table));
      const target = plan.target;
      const { train, test: validation } = await deterministic('validation split', () =>
        splitTable(table, config.data.val_size, stratifyColumn(config, target), config.main.random_seed),
      );
      const spec = modelSpec(config, plan);
      const t0 = performance.now();
      let pipeline;
      try {
        pipeline = await fitInferencePipeline(train, spec, {
          signal: run.signal,
          onProgress: (p) => run.heartbeat({ done: p.done, total: p.total, unit: p.unit }),
        });
      } catch (err) {
        if (run.signal.aborted) throw new CancelledFailure('training cancelled');
        throw dataFailure(err, 'train_random_forest');
      }
      const fitSeconds = (performance.now() - t0) / 1000;
      run.heartbeat({ done: 1, total: 1, unit: 'export' });

      const metrics = await deterministic('validation metrics', () =>
        classificationMetrics(pipeline, validation, target, 'val'),
      );
      const exportDir = join(run.scratch, 'model_export');
      const plotsDir = join(run.scratch, 'plots');
      const importance = await plotFeatureImportance(
        [...pipeline.featureNames],
        pipeline.featureImportances(),
        {
          title: 'Feature importance (impurity-based)',
        },
      );
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
        consumed: [data.resolved],
        produced: [model],
        metrics: { ...metrics.scalars, fit_s: Math.round(fitSeconds * 1000) / 1000 },
        summary: `features: ${summarizePlan(plan)}; fit ${train.nRows} rows in ${fitSeconds.toFixed(2)} s; val ROC-AUC ${metrics.scalars.val_auc_ovo.toFixed(4)} → ${model.ref}; ${onnxNote(exported)}`,
        details: { featurePlan: plan },
      };
    });
}
