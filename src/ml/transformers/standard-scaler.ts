/** StandardScaler (scikit-learn): (x − mean) / std with the population std; a constant column keeps scale 1. */
import { type Values, isNumeric, stateNumber } from './values';

export interface StandardScalerSpec {
  kind: 'standard_scaler';
  with_mean?: boolean;
  with_std?: boolean;
}

export interface StandardScalerState {
  kind: 'standard_scaler';
  mean: number;
  scale: number;
}

export class FittedStandardScaler {
  readonly kind = 'standard_scaler';
  readonly width = 1;
  constructor(
    readonly mean: number,
    readonly scale: number,
  ) {}

  transform(v: Values, column: string): Values[] {
    if (!isNumeric(v)) throw new Error(`column "${column}": StandardScaler needs a numeric column`);
    const out = new Float64Array(v.length);
    for (let i = 0; i < v.length; i++) out[i] = (v[i] - this.mean) / this.scale;
    return [out];
  }

  featureNames(column: string): string[] {
    return [column];
  }

  toState(): StandardScalerState {
    return { kind: this.kind, mean: this.mean, scale: this.scale };
  }

  static fromState(s: StandardScalerState): FittedStandardScaler {
    return new FittedStandardScaler(stateNumber(s.mean, 'scaler mean'), stateNumber(s.scale, 'scaler scale'));
  }
}

export function fitStandardScaler(v: Values, spec: StandardScalerSpec, column: string): FittedStandardScaler {
  if (!isNumeric(v)) throw new Error(`column "${column}": StandardScaler needs a numeric column`);
  // NaNs are ignored in fit and kept in transform, as sklearn does.
  let n = 0;
  let sum = 0;
  for (let i = 0; i < v.length; i++) {
    if (!Number.isNaN(v[i])) {
      n++;
      sum += v[i];
    }
  }
  if (n === 0) throw new Error(`column "${column}": no values to fit StandardScaler`);
  const mean = sum / n;
  let ss = 0;
  for (let i = 0; i < v.length; i++) if (!Number.isNaN(v[i])) ss += (v[i] - mean) * (v[i] - mean);
  const std = Math.sqrt(ss / n);
  const scale = spec.with_std === false || std === 0 ? 1 : std;
  return new FittedStandardScaler(spec.with_mean === false ? 0 : mean, scale);
}
