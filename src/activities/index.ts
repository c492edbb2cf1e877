/**
 * All activities, built from injected dependencies (the worker is the composition root). The
 * workflow types its proxies with `ReturnType<typeof createActivities>`.
 */
import type { ActivityDeps } from './deps';
import { createResolveRun } from './resolve-run';
import { createGetData } from './get-data';
import { createPreprocess } from './preprocess';
import { createCheckData } from './check-data';
import { createSegregate } from './segregate';
import { createTrainRandomForest } from './train-random-forest';
import { createEvaluate } from './evaluate';
import { createMergeTreeShards, createPlanTreeShards, createTrainTreeShard } from './sharded-training';
import { createRecordRun } from './record-run';
import { createPromoteApproved } from './promote-approved';
import { createSyncMlflow } from './sync-mlflow';
import { createDeliverAliasEvents } from './deliver-alias-events';
import { createCollectStoreGarbage } from './collect-store-garbage';

export function createActivities(deps: ActivityDeps) {
  return {
    resolveRun: createResolveRun(deps),
    getData: createGetData(deps),
    preprocess: createPreprocess(deps),
    checkData: createCheckData(deps),
    segregate: createSegregate(deps),
    trainRandomForest: createTrainRandomForest(deps),
    planTreeShards: createPlanTreeShards(deps),
    trainTreeShard: createTrainTreeShard(deps),
    mergeTreeShards: createMergeTreeShards(deps),
    evaluate: createEvaluate(deps),
    recordRun: createRecordRun(deps),
    promoteApproved: createPromoteApproved(deps),
    syncMlflow: createSyncMlflow(deps),
    deliverAliasEvents: createDeliverAliasEvents(deps),
    collectStoreGarbage: createCollectStoreGarbage(deps),
  };
}

export type { ActivityDeps } from './deps';
