/** The train step's model configuration (config: random_forest_pipeline), validated with key paths in errors. */
import { type TrackSpec } from '../transformers/column-transformer';
import { type TextFeatureOptions } from '../table/text-feature';

export interface PipelineSpec {
  target: string;
  features: { numerical: string[]; categorical: string[]; nlp: string[] };
  tfidf: { max_features: number | null };
  /** scikit-learn's RandomForestClassifier names, plus `engine: 'native' | 'ml-random-forest'`. */
  random_forest: Record<string, unknown>;
  /**
   * Columns the pipeline derives from raw input columns before its tracks read them (a text feature
   * joined from several columns), so that the exported model scores rows as they come from the source.
   */
  text_features?: TextFeatureOptions[];
}

function stringList(v: unknown, path: string): string[] {
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string'))
    throw new Error(`${path}: expected a list of column names`);
  return v as string[];
}

/** Checks the spec's shape; returns a normalised copy. */
export function validateSpec(spec: PipelineSpec): PipelineSpec {
  if (!spec || typeof spec !== 'object') throw new Error('pipeline spec: expected an object');
  if (typeof spec.target !== 'string' || spec.target === '')
    throw new Error('target: expected a column name');
  const f = spec.features;
  if (!f || typeof f !== 'object') throw new Error('features: expected {numerical, categorical, nlp}');
  const numerical = stringList(f.numerical ?? [], 'features.numerical');
  const categorical = stringList(f.categorical ?? [], 'features.categorical');
  const nlp = stringList(f.nlp ?? [], 'features.nlp');
  const all = [...numerical, ...categorical, ...nlp];
  if (all.length === 0) throw new Error('features: no feature columns');
  const seen = new Set<string>();
  for (const c of all) {
    if (seen.has(c)) throw new Error(`features: column "${c}" is listed twice`);
    if (c === spec.target) throw new Error(`features: the target "${c}" cannot be a feature`);
    seen.add(c);
  }
  const maxFeatures = spec.tfidf?.max_features ?? null;
  if (maxFeatures !== null && !(Number.isInteger(maxFeatures) && maxFeatures > 0)) {
    throw new Error(`tfidf.max_features: ${JSON.stringify(maxFeatures)} must be a positive integer or null`);
  }
  const rf = spec.random_forest ?? {};
  if (typeof rf !== 'object' || Array.isArray(rf)) throw new Error('random_forest: expected a mapping');
  const textFeatures = (spec.text_features ?? []).map((t, i) => {
    if (!t || typeof t.name !== 'string' || t.name === '')
      throw new Error(`text_features[${i}].name: expected a column name`);
    const columns = stringList(t.columns, `text_features[${i}].columns`);
    if (columns.length === 0) throw new Error(`text_features[${i}].columns: expected at least one column`);
    if (columns.includes(spec.target))
      throw new Error(`text_features[${i}].columns: the target "${spec.target}" cannot be a source`);
    return { name: t.name, columns, separator: t.separator ?? ' ' };
  });
  return {
    target: spec.target,
    features: { numerical, categorical, nlp },
    tfidf: { max_features: maxFeatures },
    random_forest: { ...rf },
    ...(textFeatures.length ? { text_features: textFeatures } : {}),
  };
}

/**
 * The reference's three preprocessing tracks (columns sorted as the reference does):
 * numeric = median impute + scale; categorical = most_frequent impute + ordinal;
 * nlp = constant "" impute + tfidf(binary, max_features).
 */
export function referenceTracks(spec: PipelineSpec): TrackSpec[] {
  const tracks: TrackSpec[] = [];
  const { numerical, categorical, nlp } = spec.features;
  if (numerical.length > 0) {
    tracks.push({
      name: 'num',
      columns: [...numerical].sort(),
      accepts: 'numeric',
      steps: [{ kind: 'simple_imputer', strategy: 'median' }, { kind: 'standard_scaler' }],
    });
  }
  if (categorical.length > 0) {
    tracks.push({
      name: 'cat',
      columns: [...categorical].sort(),
      steps: [{ kind: 'simple_imputer', strategy: 'most_frequent' }, { kind: 'ordinal_encoder' }],
    });
  }
  if (nlp.length > 0) {
    tracks.push({
      name: 'nlp',
      columns: [...nlp].sort(),
      accepts: 'string',
      steps: [
        { kind: 'simple_imputer', strategy: 'constant', fill_value: '' },
        { kind: 'tfidf_vectorizer', binary: true, max_features: spec.tfidf.max_features },
      ],
    });
  }
  return tracks;
}
