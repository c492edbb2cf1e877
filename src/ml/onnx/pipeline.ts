/**
 * The whole inference pipeline as one ONNX graph: one input per raw input column, named as in the
 * model's signature ([N] tensors: double, int64 for `long`, string; "" is a missing string, NaN a
 * missing number), the processor's column chains, the forest, and outputs named as `mlpipe predict`
 * names its columns: `prediction` (the class, [N] string) and `proba_<class>` ([N] double) per class.
 * Each output is a vector of N, so `mlflow.pyfunc` turns them into the columns of one DataFrame.
 */
import { type InferencePipeline } from '../pipeline/inference-pipeline';
import { type StepState } from '../transformers/step';
import { type ColumnValue, Constants, OnnxExportError, stringIn } from './column';
import { convertOrdinalEncoder, ML_DOMAIN } from './encoder';
import { convertNativeForest } from './forest';
import { GraphBuilder } from './graph';
import { convertImputer } from './imputer';
import { convertScaler } from './scaler';
import { MS_DOMAIN, checkSeparator, convertTfidf } from './text-track';

export const PREDICTION_OUTPUT = 'prediction';
export const PROBA_OUTPUT_PREFIX = 'proba_';
export const ONNX_OPSETS = { '': 17, [ML_DOMAIN]: 3, [MS_DOMAIN]: 1 };

/**
 * What ONNX Runtime's Python binding makes of a missing value in a string column (None → "None",
 * NaN → "nan"): read as missing, unless the column knew the value as a category at fit time.
 */
export const PYTHON_MISSING_STRINGS = ['None', 'nan'] as const;

/** The string categories a column's steps were fitted with. */
function knownCategories(steps: readonly StepState[]): Set<string> {
  const out = new Set<string>();
  for (const s of steps) if (s.kind === 'ordinal_encoder') for (const c of s.categories) out.add(String(c));
  return out;
}

function missingStringsAsEmpty(g: GraphBuilder, k: Constants, x: string, known: Set<string>): string {
  const read = PYTHON_MISSING_STRINGS.filter((m) => !known.has(m));
  if (read.length === 0) return x;
  return g.op('Where', [stringIn(g, x, read), k.emptyString, x]);
}

export interface OnnxExport {
  bytes: Uint8Array;
  inputs: { name: string; type: 'double' | 'int64' | 'string' }[];
  outputs: string[];
}

function convertStep(
  g: GraphBuilder,
  k: Constants,
  x: ColumnValue,
  s: StepState,
  column: string,
): ColumnValue {
  switch (s.kind) {
    case 'simple_imputer':
      return convertImputer(g, k, x, s, column);
    case 'standard_scaler':
      return convertScaler(g, x, s, column);
    case 'ordinal_encoder':
      return convertOrdinalEncoder(g, k, x, s, column);
    default:
      throw new OnnxExportError(`column "${column}": the step ${s.kind} has no ONNX conversion`);
  }
}

/** Converts a fitted pipeline; throws OnnxExportError naming what cannot be converted. */
export function pipelineToOnnx(
  p: InferencePipeline,
  opts: { producerVersion?: string; doc?: string } = {},
): OnnxExport {
  if (p.classifier.engine !== 'native') {
    throw new OnnxExportError(
      `engine "${p.classifier.engine}" has no ONNX conversion (its trees are not kept in a form ONNX can read); ` +
        'train with random_forest_pipeline.random_forest.engine=native to get model.onnx',
    );
  }
  const g = new GraphBuilder();
  const k = new Constants(g);
  const tracks = p.processor.toState().tracks;
  const categoriesOf = new Map<string, Set<string>>();
  for (const t of tracks) for (const c of t.columns) categoriesOf.set(c.column, knownCategories(c.steps));
  const raw = new Map<string, ColumnValue>();
  const inputs: OnnxExport['inputs'] = [];
  for (const c of p.inputSchema) {
    const type = c.type === 'string' ? 'string' : c.type === 'long' ? 'int64' : 'double';
    inputs.push({ name: c.name, type });
    let v = g.op('Reshape', [g.input(c.name, type, ['N']), k.columnShape]);
    if (type === 'int64') v = g.op('Cast', [v], { to: 11 });
    if (type === 'string') v = missingStringsAsEmpty(g, k, v, categoriesOf.get(c.name) ?? new Set());
    raw.set(c.name, { name: v, elem: type === 'string' ? 'string' : 'double', width: 1 });
  }
  const rawColumn = (name: string): ColumnValue => {
    const v = raw.get(name);
    if (!v) throw new OnnxExportError(`column "${name}" is read by the processor but not in the signature`);
    return v;
  };
  const derived = new Map((p.spec.text_features ?? []).map((t) => [t.name, t]));

  const features: ColumnValue[] = [];
  for (const track of tracks) {
    for (const col of track.columns) {
      const steps = col.steps;
      const last = steps[steps.length - 1];
      if (last.kind === 'tfidf_vectorizer') {
        const joined = derived.get(col.column);
        let parts: ColumnValue[];
        if (joined) {
          checkSeparator(joined.separator ?? ' ', joined.name);
          parts = joined.columns.map(rawColumn);
        } else {
          let x = rawColumn(col.column);
          for (const s of steps.slice(0, -1)) x = convertStep(g, k, x, s, col.column);
          parts = [x];
        }
        features.push(convertTfidf(g, k, parts, last, col.column));
        continue;
      }
      if (derived.has(col.column))
        throw new OnnxExportError(`column "${col.column}": a joined text feature outside the text track`);
      let x = rawColumn(col.column);
      for (const s of steps) x = convertStep(g, k, x, s, col.column);
      if (x.elem !== 'double')
        throw new OnnxExportError(`column "${col.column}": the last step must output numbers`);
      features.push(x);
    }
  }
  const width = features.reduce((a, f) => a + f.width, 0);
  if (width !== p.classifier.nFeatures)
    throw new OnnxExportError(
      `the graph makes ${width} features, the forest reads ${p.classifier.nFeatures}`,
    );
  const X =
    features.length === 1
      ? features[0].name
      : g.op(
          'Concat',
          features.map((f) => f.name),
          { axis: 1 },
        );

  const proba = g.op('Cast', [convertNativeForest(g, X, p.classifier.toModelData())], { to: 11 });
  const K = p.classes.length;
  const best = g.op('ArgMax', [proba], { axis: 1, keepdims: 0, select_last_index: 0 });
  const classes = g.constant('classes', 'string', [K], p.classes);
  g.output(PREDICTION_OUTPUT, g.op('Gather', [classes, best], { axis: 0 }), 'string', ['N']);
  const outputs = [PREDICTION_OUTPUT];
  p.classes.forEach((cls, i) => {
    const name = `${PROBA_OUTPUT_PREFIX}${cls}`;
    const index = g.constant(`class_${i}`, 'int64', [], [i]);
    g.output(name, g.op('Gather', [proba, index], { axis: 1 }), 'double', ['N']);
    outputs.push(name);
  });

  const bytes = g.model({
    name: 'temporal_ml_pipeline',
    opsets: ONNX_OPSETS,
    producerVersion: opts.producerVersion ?? '0',
    doc: opts.doc,
    metadata: { classes: JSON.stringify(p.classes), target: p.target },
  });
  return { bytes, inputs, outputs };
}
