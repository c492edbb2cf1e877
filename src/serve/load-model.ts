/**
 * Loads a model for serving or batch scoring: whatever names it (store ref, s3:// directory, local
 * directory) is materialised into a local directory by the store, then read as a model_export.
 */
import { loadModelExport } from '../ml/model-export';
import { materializeModel, type MaterializeOptions } from '../store';
import { scoringModelFromPipeline } from './pipeline-model';
import { type ScoringModel, type ServedModel } from './scoring-model';

export type LoadModelOptions = MaterializeOptions;

/** Reads a model_export directory; its MLmodel signature becomes the enforced input signature. */
export async function loadScoringModel(dir: string): Promise<{ model: ScoringModel; modelDigest: string }> {
  const loaded = await loadModelExport(dir);
  const inputs = loaded.signature.inputs.map((c) => ({
    name: c.name,
    type: c.type,
    required: c.required !== false,
  }));
  return { model: scoringModelFromPipeline(loaded.pipeline, inputs), modelDigest: loaded.digest };
}

/** `requested` is what the user asked for (kept across alias-follow swaps); `ref` is what to load now. */
export async function loadServedModel(
  ref: string,
  opts: LoadModelOptions,
  requested: string = ref,
): Promise<ServedModel> {
  const { dir, version } = await materializeModel(ref, opts);
  const { model, modelDigest } = await loadScoringModel(dir);
  return {
    model,
    requested,
    resolvedRef: version?.ref,
    version: version?.version,
    digest: version?.digest,
    modelDigest,
    loadedAt: new Date().toISOString(),
  };
}
