/**
 * Real models for the serving tests: a small random-forest pipeline fitted on synthetic genre rows with the
 * reference's feature tracks, exported in the MLflow layout. Small enough to fit in well under a second.
 */
import { generateSampleGenres } from '../../src/sample-data';
import { addTextFeature, tableFromRecords, type Table } from '../../src/ml/table';
import { fitInferencePipeline, type InferencePipeline, type PipelineSpec } from '../../src/ml/pipeline';

export const NUMERICAL = [
  'danceability',
  'energy',
  'loudness',
  'speechiness',
  'acousticness',
  'instrumentalness',
  'liveness',
  'valence',
  'tempo',
  'duration_ms',
];
export const CATEGORICAL = ['time_signature', 'key'];
export const NLP = ['text_feature'];

export function smallSpec(seed: number, nEstimators = 12): PipelineSpec {
  return {
    target: 'genre',
    features: { numerical: NUMERICAL, categorical: CATEGORICAL, nlp: NLP },
    tfidf: { max_features: 10 },
    random_forest: { n_estimators: nEstimators, max_depth: 6, random_state: seed, n_jobs: 1 },
  };
}

/** Synthetic rows with the reference's text feature (title + " " + song_name). */
export function sampleTable(rows: number, seed: number): Table {
  const records = generateSampleGenres({ rows, seed });
  return addTextFeature(tableFromRecords(records), { name: 'text_feature', columns: ['title', 'song_name'] });
}

export async function fitSmallPipeline(seed: number, nEstimators = 12): Promise<InferencePipeline> {
  return fitInferencePipeline(sampleTable(400, seed), smallSpec(seed, nEstimators));
}
