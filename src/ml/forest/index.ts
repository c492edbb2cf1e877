/**
 * The native random-forest engine: histogram-based trees on pre-binned features, built in parallel
 * on worker threads, deterministic for a given random_state whatever n_jobs is.
 */
import type {
  ClassifierEngine,
  FeatureMatrix,
  FitOptions,
  FittedClassifier,
  ModelData,
  PreparedFit,
} from '../classifier';
import { fitForest, prepareForestFit } from './forest';
import { NativeForest } from './model';
import { fromModelData } from './serialize';

export const nativeForestEngine: ClassifierEngine = {
  name: 'native',
  fit(
    X: FeatureMatrix,
    y: Int32Array,
    params: Record<string, unknown>,
    options: FitOptions,
  ): Promise<FittedClassifier> {
    return fitForest(X, y, params, options);
  },
  load(data: ModelData): FittedClassifier {
    return new NativeForest(fromModelData(data), { compileNow: true });
  },
  prepare(params: Record<string, unknown>): PreparedFit {
    return prepareForestFit(params);
  },
};

export { NativeForest } from './model';
export { modelDigest } from './serialize';
export { PARAMETER_CONSTRAINTS, DEFAULT_RANDOM_STATE, ForestParameterError, resolveNJobs } from './params';
export { planForest, buildTrees, assembleForest, allTrees } from './forest';
export type { ForestPlan, BuildTreesOptions } from './forest';
export { TreeBuilder } from './tree-builder';
export { encodeForestPlan, decodeForestPlan, encodeTrees, decodeTrees } from './plan-file';
export type { TreeArrays } from './predictor';
