/** The fitted native forest: an immutable wrapper over the flat forest arrays. */
import type { EngineName, FeatureMatrix, FittedClassifier, ModelData } from '../classifier';
import { type CompiledForest, checkCompilable, compileForest, predictBinned } from './predictor';
import { type ForestModel, toModelData } from './serialize';

export class NativeForest implements FittedClassifier {
  readonly engine: EngineName = 'native';
  readonly nClasses: number;
  readonly nFeatures: number;
  readonly oobScore?: number;
  /**
   * The prediction layouts (≈ 15 ms to make for the reference model). A loaded model, which is
   * loaded to predict, makes them at once; a fitted one on its first prediction, so that the fit
   * does not include work that serves prediction only.
   */
  private compiledForest: CompiledForest | null = null;

  constructor(
    private readonly model: ForestModel,
    options: { compileNow?: boolean } = {},
  ) {
    checkCompilable(model.forest);
    if (options.compileNow) this.compiledForest = compileForest(model.forest);
    this.nClasses = model.header.n_classes;
    this.nFeatures = model.header.n_features;
    if (model.header.oob_score !== null) this.oobScore = model.header.oob_score;
  }

  get classes(): readonly string[] {
    return this.model.header.classes;
  }

  get nTrees(): number {
    return this.model.header.n_trees;
  }

  predictProba(X: FeatureMatrix): Float64Array {
    if (X.columns.length !== this.nFeatures) {
      throw new Error(`native forest expects ${this.nFeatures} features, got ${X.columns.length}`);
    }
    X.columns.forEach((c, j) => {
      if (c.length !== X.nRows) {
        throw new Error(
          `feature column ${j} (${X.names[j] ?? '?'}) has ${c.length} values, expected ${X.nRows}`,
        );
      }
    });
    this.compiledForest ??= compileForest(this.model.forest);
    return predictBinned(this.compiledForest, X.columns, X.nRows);
  }

  featureImportances(): Float64Array {
    return this.model.importances.slice();
  }

  toModelData(): ModelData {
    return toModelData(this.model);
  }
}
