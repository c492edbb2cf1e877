/**
 * Batch scoring for `mlpipe predict`: a CSV or Parquet file in, one row per input row out with the
 * predicted class and one `proba_<class>` column per class. Input columns are read in the signature's
 * types, so a bad value or a missing column is an error naming the file, the column (and the row).
 */
import { basename } from 'node:path';
import { enforceSignature } from '../ml/model-export';
import { readTable, type Column, Table } from '../ml/table';
import { argmaxRows } from './predictions';
import { type ScoringModel } from './scoring-model';

export const PREDICTION_COLUMN = 'prediction';
export const PROBA_PREFIX = 'proba_';

export async function scoreFile(model: ScoringModel, inputPath: string): Promise<Table> {
  const source = basename(inputPath);
  const types = Object.fromEntries(model.inputs.map((c) => [c.name, c.type]));
  let input: Table;
  try {
    input = await readTable(inputPath, { types, source });
  } catch (err) {
    throw new Error(`${inputPath}: ${stripSource((err as Error).message, source)}`, { cause: err });
  }
  if (input.nRows === 0) throw new Error(`${inputPath}: no rows to score`);
  let features: Table;
  try {
    features = enforceSignature(input, model.inputs, { source });
  } catch (err) {
    throw new Error(`${inputPath}: ${stripSource((err as Error).message, source)}`, { cause: err });
  }
  return predictionTable(model.predictProba(features), features.nRows, model.classes);
}

/** `prediction` plus `proba_<class>` columns from row-major probabilities. */
export function predictionTable(proba: Float64Array, nRows: number, classes: readonly string[]): Table {
  const nClasses = classes.length;
  const best = argmaxRows(proba, nRows, nClasses);
  const columns: Column[] = [
    { name: PREDICTION_COLUMN, type: 'string', values: Array.from(best, (k) => classes[k]) },
  ];
  classes.forEach((cls, k) => {
    const values = new Float64Array(nRows);
    for (let i = 0; i < nRows; i++) values[i] = proba[i * nClasses + k];
    columns.push({ name: `${PROBA_PREFIX}${cls}`, type: 'double', values });
  });
  return new Table(columns, nRows);
}

/** The readers prefix messages with the file's base name; the full path replaces it. */
function stripSource(message: string, source: string): string {
  return message.startsWith(`${source}: `) ? message.slice(source.length + 2) : message;
}
