/**
 * Adapts the ML library's fitted inference pipeline to the scoring model interface. The input signature
 * is the pipeline's own input schema (every column required), or an exported MLflow signature when given.
 */
import { type InferencePipeline } from '../ml/pipeline';
import { type InputColumn, type ScoringModel } from './scoring-model';

export function scoringModelFromPipeline(
  pipeline: InferencePipeline,
  inputs?: readonly InputColumn[],
): ScoringModel {
  return {
    inputs: inputs ?? pipeline.inputSchema.map((c) => ({ name: c.name, type: c.type, required: true })),
    classes: pipeline.classes,
    predictProba: (table) => pipeline.predictProba(table),
  };
}
