/**
 * evaluate: score a model_export on the held-out test split, log an evaluation artifact, and run
 * champion/challenger against the current prod model on the same test artifact (champion-challenger.ts:
 * prod moves by compare-and-swap, and a run that loses the race decides again against the new prod;
 * champion-task.ts: a prod model of another task is not compared, and prod is kept).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ARTIFACTS } from '../contract';
import type { PromotionDecision } from '../contract';
import type { ArtifactStore } from '../store/types';
import { loadModelExport, readTable, type Table } from '../ml';
import { plotConfusionMatrix } from '../report';
import type { ActivityDeps } from './deps';
import type { StepActivityInput, StepOutcome } from './types';
import { fetchArtifact, publishArtifact, tableFile, type FetchedArtifact } from './artifact-io';
import type { PipelineConfig } from '../config';
import { decideAgainstProd, promoteIfBetter, type ChampionChallenger } from './champion-challenger';
import { scoreChampion } from './champion-task';
import { deterministic } from './failures';
import { runStep } from './step-context';
import { classificationMetrics } from './model-metrics';
import { datasetTarget } from './dataset';
import { parseRef } from '../store/refs';

/** The test split as a table and its target column: what every model of a run is scored on. */
export async function loadTestSplit(
  store: ArtifactStore,
  config: PipelineConfig,
  ref: string,
  scratch: string,
): Promise<{ testData: FetchedArtifact; test: Table; target: string }> {
  const testData = await fetchArtifact(store, ref, scratch);
  const test = await deterministic(testData.version.ref, () =>
    readTable(tableFile(testData.dir, testData.version), { naValues: config.data.na_values }),
  );
  const target = await deterministic(testData.version.ref, () => datasetTarget(config, test));
  return { testData, test, target };
}

export async function scoreModel(
  store: ArtifactStore,
  ref: string,
  scratch: string,
  test: Table,
  target: string,
) {
  const model = await fetchArtifact(store, ref, scratch);
  const loaded = await deterministic(model.version.ref, () => loadModelExport(model.dir));
  const scores = await deterministic(`scoring ${model.version.ref}`, () =>
    classificationMetrics(loaded.pipeline, test, target, 'test'),
  );
  return { model, loaded, scores };
}

export function createEvaluate(deps: ActivityDeps) {
  return (input: StepActivityInput): Promise<StepOutcome> =>
    runStep('evaluate', deps.workDir, async (run) => {
      const { config } = input;
      const store = await deps.storeFor(config);
      const { testData, test, target } = await loadTestSplit(store, config, input.inputs.test, run.scratch);
      const { model, loaded, scores } = await scoreModel(
        store,
        input.inputs.model,
        run.scratch,
        test,
        target,
      );
      run.heartbeat();

      const outDir = join(run.scratch, 'evaluation');
      await mkdir(outDir, { recursive: true });
      const plot = await plotConfusionMatrix([...loaded.pipeline.classes], scores.confusionNormalized, {
        title: `Test confusion matrix of ${model.version.ref}`,
        normalized: true,
      });
      await writeFile(join(outDir, 'confusion_matrix.svg'), plot.svg);
      await writeFile(join(outDir, 'confusion_matrix.png'), plot.png);
      await writeFile(
        join(outDir, 'metrics.json'),
        JSON.stringify(
          {
            model: model.version.ref,
            test: testData.version.ref,
            ...scores.scalars,
            confusion_matrix: scores.confusion,
            classes: loaded.pipeline.classes,
          },
          null,
          2,
        ),
      );
      const evaluation = await publishArtifact(store, {
        name: ARTIFACTS.evaluation,
        type: 'evaluation',
        description: `${model.version.ref} on ${testData.version.ref}`,
        metadata: { model: model.version.ref, test: testData.version.ref, ...scores.scalars },
        producer: run.producer,
        dir: outDir,
      });

      let promotion: PromotionDecision | undefined;
      const metric = config.evaluate.metric;
      const alias = config.evaluate.promote_alias;
      if (input.promote !== false && alias) {
        const candidateScore = scores.scalars[metric];
        if (candidateScore === undefined)
          throw new Error(
            `evaluate.metric: unknown metric "${metric}" (have ${Object.keys(scores.scalars).join(', ')})`,
          );
        const candidateProject = parseRef(input.inputs.model).project;
        // Version numbers are per project: moving this project's alias to another project's vN would
        // point it at whatever model this project has under that number.
        if (candidateProject !== undefined && candidateProject !== config.main.project_name)
          promotion = {
            promoted: false,
            reason: `${input.inputs.model} belongs to project ${candidateProject}; ${alias} of project ${config.main.project_name} only moves to its own models`,
            metric,
            candidate: candidateScore,
          };
        else {
          const challenge: ChampionChallenger = {
            store,
            candidate: model.version,
            candidateScore,
            metric,
            minDelta: config.evaluate.min_delta,
            alias,
            scoreChampion: (ref) =>
              scoreChampion(ref, {
                store,
                scratch: run.scratch,
                test,
                target,
                metric,
                candidateClasses: loaded.pipeline.classes,
              }),
            actor: run.producer.workflowId,
            details: { test: testData.version.ref, workflowId: run.producer.workflowId },
          };
          promotion =
            config.evaluate.approval === 'required'
              ? await awaitingApproval(challenge, testData.version.ref, config.evaluate.approval_timeout)
              : await promoteIfBetter(challenge);
        }
      }
      return {
        step: 'evaluate',
        consumed: [testData.resolved, model.resolved],
        produced: [evaluation],
        metrics: scores.scalars,
        promotion,
        summary: `test ROC-AUC ${scores.scalars.test_auc_ovo.toFixed(4)}, accuracy ${scores.scalars.test_accuracy.toFixed(4)}${promotion ? `; ${promotion.approval ? `awaiting approval to move ${alias}` : promotion.promoted ? 'promoted to ' + alias : 'prod kept'}: ${promotion.reason}` : ''}`,
      };
    });
}

/**
 * evaluate.approval: required. The decision is made as without the gate, but a winner does not move
 * the alias: it is returned as awaiting approval, with the alias's version it was compared against,
 * from which the promoteApproved activity later moves it by compare-and-swap.
 */
async function awaitingApproval(
  challenge: ChampionChallenger,
  testRef: string,
  timeout: string,
): Promise<PromotionDecision> {
  const { promotion, prodVersion } = await decideAgainstProd(challenge);
  if (!promotion.promoted) return promotion;
  return {
    ...promotion,
    promoted: false,
    approval: {
      decision: 'awaiting_approval',
      candidateRef: challenge.candidate.ref,
      candidateVersion: challenge.candidate.version,
      championVersion: prodVersion ? prodVersion.version : null,
      testRef,
      requestedAt: new Date().toISOString(),
      timeout,
    },
  };
}
