/**
 * Last activity of every run, also after a failure: render the HTML report, log it as run_report,
 * and write the lineage record under the workflow ID.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ARTIFACTS } from '../contract';
import { renderRunReport, type ReportPlot } from '../report';
import type { ArtifactStore } from '../store/types';
import {
  externalInputs,
  RUN_RECORD_VERSION,
  resumeLinkKey,
  runRecordKey,
  type RunRecord,
  type StepRecord,
} from '../lineage/run-record';
import type { ActivityDeps } from './deps';
import type { RunRecordInput, RunRecordResult } from './types';
import { publishArtifact } from './artifact-io';
import { toActivityError } from './failures';
import { Context } from '@temporalio/activity';
import { mkdtemp, rm } from 'node:fs/promises';

const PLOTS: { artifactType: string; path: string; title: string }[] = [
  { artifactType: 'model_export', path: 'plots/feature_importance.svg', title: 'Feature importance' },
  { artifactType: 'model_export', path: 'plots/confusion_matrix.svg', title: 'Validation confusion matrix' },
  { artifactType: 'evaluation', path: 'confusion_matrix.svg', title: 'Test confusion matrix' },
];

async function collectPlots(
  store: ArtifactStore,
  steps: StepRecord[],
  modelName: string,
): Promise<ReportPlot[]> {
  const plots: ReportPlot[] = [];
  for (const plot of PLOTS) {
    const name = plot.artifactType === 'model_export' ? modelName : ARTIFACTS.evaluation;
    const ref = steps.flatMap((s) => s.produced).find((r) => r.name === name);
    if (!ref) continue;
    const version = await store.resolve(ref.ref);
    if (!version.files.some((f) => f.path === plot.path)) continue;
    plots.push({ title: plot.title, svg: (await store.readFile(version, plot.path)).toString('utf8') });
  }
  return plots;
}

export function createRecordRun(deps: ActivityDeps) {
  return async function recordRun(input: RunRecordInput): Promise<RunRecordResult> {
    try {
      return await writeRunRecord(deps, input);
    } catch (err) {
      throw toActivityError(err);
    }
  };
}

async function writeRunRecord(deps: ActivityDeps, input: RunRecordInput): Promise<RunRecordResult> {
  const store = await deps.storeFor(input.config);
  const endedAt = new Date().toISOString();
  const steps: StepRecord[] = input.steps.map((s) => {
    const outcome = input.outcomes.find((o) => o.step === s.step);
    return {
      ...s,
      consumed: outcome?.consumed ?? [],
      produced: outcome?.produced ?? [],
      metrics: outcome?.metrics,
      ...(outcome?.details ? { details: outcome.details } : {}),
    };
  });
  const modelName = input.config.random_forest_pipeline.export_artifact;
  const modelRef = steps.flatMap((s) => s.produced).find((r) => r.name === modelName)?.ref;
  const record: RunRecord = {
    record_version: RUN_RECORD_VERSION,
    workflowId: input.workflowId,
    runId: input.runId,
    workflowType: input.workflowType,
    parentWorkflowId: input.parentWorkflowId,
    status: input.status,
    error: input.error,
    trigger: input.trigger,
    input: { overrides: input.input.overrides, inputs: input.input.inputs, config: input.input.config },
    startedAt: input.startedAt,
    endedAt,
    config: input.config,
    configDigest: input.configDigest,
    codeVersion: input.codeVersion,
    steps,
    consumed: externalInputs(steps),
    produced: steps.flatMap((s) => s.produced),
    metrics: input.metrics,
    modelRef,
    promotion: input.promotion,
    ...(input.resumes ? { resumes: input.resumes } : {}),
  };

  const html = renderRunReport({
    workflowId: input.workflowId,
    runId: input.runId,
    trigger: input.trigger,
    status: input.status,
    startedAt: input.startedAt,
    endedAt,
    error: input.error,
    modelRef,
    metrics: input.metrics,
    plots: await collectPlots(store, steps, modelName),
    steps: input.steps,
    artifacts: steps.map((s) => ({ step: s.step, consumed: s.consumed, produced: s.produced })),
    promotion: input.promotion,
    config: input.config,
    configDigest: input.configDigest,
    codeVersion: input.codeVersion,
  });
  const dir = await mkdtemp(join(deps.workDir, 'report-'));
  try {
    const file = join(dir, 'report.html');
    await writeFile(file, html);
    const info = Context.current().info;
    record.report = await publishArtifact(store, {
      name: ARTIFACTS.report,
      type: 'run_report',
      description: `Report of run ${input.workflowId} (${input.status})`,
      metadata: { workflowId: input.workflowId, status: input.status },
      producer: {
        workflowId: input.workflowId,
        runId: input.runId,
        step: 'record_run',
        attempt: info.attempt,
      },
      files: [{ path: 'report.html', source: file }],
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const lineageKey = runRecordKey(input.workflowId);
  await store.putRecord(lineageKey, record);
  if (input.resumes)
    await store.putRecord(resumeLinkKey(input.resumes, input.workflowId), {
      workflowId: input.workflowId,
      status: input.status,
      at: endedAt,
    });
  return { lineageKey, report: record.report };
}
