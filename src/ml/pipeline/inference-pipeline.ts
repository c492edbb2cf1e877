/**
 * The fitted inference pipeline: processor (ColumnTransformer) + classifier, the unit that the train
 * step exports, the evaluate step and the scoring server load, and the CLI predicts with.
 */
import {
  type ClassifierEngine,
  type FeatureMatrix,
  type FittedClassifier,
  type FitProgress,
  type EngineName,
} from '../classifier';
import { getEngine } from '../engines/index';
import { type ColumnSpec, type Table } from '../table/table';
import { addTextFeature } from '../table/text-feature';
import { FittedColumnTransformer } from '../transformers/column-transformer';
import { type PipelineSpec, referenceTracks, validateSpec } from './spec';
import { argmaxRows, encodeLabels, labelStrings } from './labels';

export interface FitPipelineOptions {
  signal?: AbortSignal;
  onProgress?: (p: FitProgress) => void;
}

export class InferencePipeline {
  readonly featureNames: readonly string[];
  readonly engine: EngineName;

  constructor(
    readonly spec: PipelineSpec,
    readonly classes: readonly string[],
    /** Input columns and their MLflow types (double / long / string), in the order the processor reads them. */
    readonly inputSchema: readonly ColumnSpec[],
    readonly processor: FittedColumnTransformer,
    readonly classifier: FittedClassifier,
  ) {
    this.featureNames = processor.featureNames;
    this.engine = classifier.engine;
    if (classifier.nClasses !== classes.length) {
      throw new Error(`classifier has ${classifier.nClasses} classes, pipeline has ${classes.length}`);
    }
    if (classifier.nFeatures !== this.featureNames.length) {
      throw new Error(
        `classifier has ${classifier.nFeatures} features, processor outputs ${this.featureNames.length}`,
      );
    }
  }

  get target(): string {
    return this.spec.target;
  }

  /** Derives the spec's text features, validates input columns (errors name the column) and applies the processor. */
  transform(table: Table): FeatureMatrix {
    return this.processor.transform(withDerivedColumns(table, this.spec));
  }

  /** Row-major class probabilities, `out[i * classes.length + k]`. */
  predictProba(table: Table): Float64Array {
    return this.classifier.predictProba(this.transform(table));
  }

  predict(table: Table): string[] {
    const codes = argmaxRows(this.predictProba(table), this.classes.length);
    return Array.from(codes, (k) => this.classes[k]);
  }

  featureImportances(): Float64Array {
    return this.classifier.featureImportances();
  }
}

/** The table with the spec's derived columns (joined text features) built from its raw columns. */
export function withDerivedColumns(table: Table, spec: PipelineSpec): Table {
  let out = table;
  for (const t of spec.text_features ?? []) out = addTextFeature(out, t);
  return out;
}

/**
 * The raw columns a model reads, with their types: a derived column is replaced by its sources
 * (text, whatever type an all-missing source was read as), each column listed once.
 */
function rawInputSchema(processorInputs: readonly string[], table: Table, spec: PipelineSpec): ColumnSpec[] {
  const derived = new Map((spec.text_features ?? []).map((t) => [t.name, t.columns]));
  const out: ColumnSpec[] = [];
  const seen = new Set<string>();
  for (const name of processorInputs) {
    const sources = derived.get(name);
    for (const c of sources ?? [name]) {
      if (seen.has(c)) continue;
      seen.add(c);
      out.push({ name: c, type: sources ? 'string' : table.column(c).type });
    }
  }
  return out;
}

/** Fits processor + classifier on `table` (features and target from `spec`), like the reference's train step. */
export async function fitInferencePipeline(
  rawTable: Table,
  specIn: PipelineSpec,
  opts: FitPipelineOptions = {},
): Promise<InferencePipeline> {
  const input = checkFitInput(rawTable, specIn);
  const { spec, engine, params, classes, codes } = input;
  // The engine's workers (if it has any) boot while this thread fits the transformers.
  const prepared = engine.prepare?.(params) ?? null;
  try {
    const { processor, X, inputSchema } = fitProcessor(input);
    opts.signal?.throwIfAborted();
    const fitOptions = { classes, signal: opts.signal, onProgress: opts.onProgress };
    const classifier = prepared
      ? await prepared.fit(X, codes, fitOptions)
      : await engine.fit(X, codes, params, fitOptions);
    return new InferencePipeline(spec, classes, inputSchema, processor, classifier);
  } finally {
    await prepared?.dispose();
  }
}

/** A fit's validated input: the spec, the table with its derived columns, the engine and the encoded labels. */
export interface FitInput {
  spec: PipelineSpec;
  table: Table;
  engine: ClassifierEngine;
  /** The engine's hyperparameters (random_forest less `engine`). */
  params: Record<string, unknown>;
  classes: string[];
  codes: Int32Array;
}

/** Checks the table against the spec (errors name the column and row) and encodes the labels. */
export function checkFitInput(rawTable: Table, specIn: PipelineSpec): FitInput {
  const spec = validateSpec(specIn);
  const table = withDerivedColumns(rawTable, spec);
  if (table.nRows === 0) throw new Error('cannot fit on an empty table');
  const { engine: engineName, ...params } = spec.random_forest;
  const engine = getEngine((engineName as string | undefined) ?? 'native');
  const { classes, codes } = encodeLabels(labelStrings(table, spec.target));
  if (classes.length < 2) {
    throw new Error(
      `target column "${spec.target}" has a single class ${JSON.stringify(classes[0])}; need at least 2`,
    );
  }
  for (const c of spec.features.numerical) {
    if (!table.has(c)) throw new Error(`missing feature column "${c}"`);
    if (table.column(c).type === 'string')
      throw new Error(`feature column "${c}" must be numeric (double or long), got string`);
  }
  for (const c of spec.features.nlp) {
    if (!table.has(c)) throw new Error(`missing feature column "${c}"`);
    const col = table.column(c);
    if (col.type !== 'string' && !col.values.every((v) => v !== v))
      throw new Error(`feature column "${c}" must be string, got ${table.column(c).type}`);
  }
  for (const c of spec.features.numerical) {
    const v = table.numeric(c);
    for (let i = 0; i < v.length; i++) {
      if (v[i] === Infinity || v[i] === -Infinity)
        throw new Error(`feature column "${c}" row ${i + 1}: non-finite number ${v[i]}`);
    }
  }
  return { spec, table, engine, params, classes, codes };
}

/** Fits the processor (ColumnTransformer) and transforms the training table into the feature matrix. */
export function fitProcessor(input: FitInput): {
  processor: FittedColumnTransformer;
  X: FeatureMatrix;
  inputSchema: ColumnSpec[];
} {
  const { transformer: processor, X } = FittedColumnTransformer.fitTransform(
    input.table,
    referenceTracks(input.spec),
  );
  return { processor, X, inputSchema: rawInputSchema(processor.inputColumns, input.table, input.spec) };
}
