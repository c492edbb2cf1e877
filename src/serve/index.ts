/** The serving surface: the scoring server, model loading for serving and batch scoring, and their types. */
export {
  createScoringServer,
  defaultCacheDir,
  DEFAULT_POLL_INTERVAL_MS,
  type ScoringServerOptions,
} from './server';
export { buildScoringApp, DEFAULT_BODY_LIMIT, type ScoringAppOptions } from './scoring-app';
export { loadScoringModel, loadServedModel, type LoadModelOptions } from './load-model';
export { enforceSignature } from './enforce-signature';
export { ModelSlot } from './model-slot';
export { followAlias, type AliasFollower, type AliasFollowerOptions } from './alias-follower';
export { ScoringRequestError, type MlflowErrorBody, type MlflowErrorCode } from './errors';
export type { InputColumn, ScoringModel, ServedModel } from './scoring-model';
