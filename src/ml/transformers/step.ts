/** Transformer steps as data: a spec fits to a fitted step; a fitted step saves to and loads from JSON state. */
import { type Values } from './values';
import {
  FittedSimpleImputer,
  type SimpleImputerSpec,
  type SimpleImputerState,
  fitSimpleImputer,
} from './simple-imputer';
import {
  FittedStandardScaler,
  type StandardScalerSpec,
  type StandardScalerState,
  fitStandardScaler,
} from './standard-scaler';
import {
  FittedOrdinalEncoder,
  type OrdinalEncoderSpec,
  type OrdinalEncoderState,
  fitOrdinalEncoder,
} from './ordinal-encoder';
import {
  FittedOneHotEncoder,
  type OneHotEncoderSpec,
  type OneHotEncoderState,
  fitOneHotEncoder,
} from './one-hot-encoder';
import {
  FittedTfidfVectorizer,
  type TfidfVectorizerSpec,
  type TfidfVectorizerState,
  fitTfidfVectorizer,
  fitTransformTfidfVectorizer,
} from './tfidf-vectorizer';

export type StepSpec =
  SimpleImputerSpec | StandardScalerSpec | OrdinalEncoderSpec | OneHotEncoderSpec | TfidfVectorizerSpec;

export type StepState =
  SimpleImputerState | StandardScalerState | OrdinalEncoderState | OneHotEncoderState | TfidfVectorizerState;

/** A fitted step maps one input column to `width` output columns. */
export interface FittedStep {
  readonly kind: StepState['kind'];
  readonly width: number;
  transform(v: Values, column: string): Values[];
  featureNames(column: string): string[];
  toState(): StepState;
}

export function fitStep(v: Values, spec: StepSpec, column: string): FittedStep {
  switch (spec.kind) {
    case 'simple_imputer':
      return fitSimpleImputer(v, spec, column);
    case 'standard_scaler':
      return fitStandardScaler(v, spec, column);
    case 'ordinal_encoder':
      return fitOrdinalEncoder(v, spec, column);
    case 'one_hot_encoder':
      return fitOneHotEncoder(v, spec, column);
    case 'tfidf_vectorizer':
      return fitTfidfVectorizer(v, spec, column);
    default:
      throw new Error(`unknown transformer kind ${JSON.stringify((spec as { kind: unknown }).kind)}`);
  }
}

/** Fits a step and transforms the column it was fitted on (sharing work where a step can). */
export function fitTransformStep(
  v: Values,
  spec: StepSpec,
  column: string,
): { step: FittedStep; outs: Values[] } {
  if (spec.kind === 'tfidf_vectorizer') return fitTransformTfidfVectorizer(v, spec, column);
  const step = fitStep(v, spec, column);
  return { step, outs: step.transform(v, column) };
}

export function loadStep(state: StepState): FittedStep {
  switch (state?.kind) {
    case 'simple_imputer':
      return FittedSimpleImputer.fromState(state);
    case 'standard_scaler':
      return FittedStandardScaler.fromState(state);
    case 'ordinal_encoder':
      return FittedOrdinalEncoder.fromState(state);
    case 'one_hot_encoder':
      return FittedOneHotEncoder.fromState(state);
    case 'tfidf_vectorizer':
      return FittedTfidfVectorizer.fromState(state);
    default:
      throw new Error(
        `invalid model state: unknown transformer kind ${JSON.stringify((state as { kind?: unknown })?.kind)}`,
      );
  }
}
