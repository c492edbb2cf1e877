/**
 * Errors a scoring request can end in, in MLflow's scoring-server shape: `{"error_code", "message"}`.
 * Anything thrown while handling a request that is not a ScoringRequestError is a server fault (500).
 */

export type MlflowErrorCode =
  'BAD_REQUEST' | 'MALFORMED_REQUEST' | 'INVALID_PARAMETER_VALUE' | 'ENDPOINT_NOT_FOUND' | 'INTERNAL_ERROR';

export interface MlflowErrorBody {
  error_code: MlflowErrorCode;
  message: string;
}

export class ScoringRequestError extends Error {
  constructor(
    readonly errorCode: MlflowErrorCode,
    message: string,
    readonly statusCode = 400,
  ) {
    super(message);
    this.name = 'ScoringRequestError';
  }

  toBody(): MlflowErrorBody {
    return { error_code: this.errorCode, message: this.message };
  }
}

/** A request whose content does not fit the model's input signature or the scoring protocol. */
export function badRequest(message: string): ScoringRequestError {
  return new ScoringRequestError('BAD_REQUEST', message);
}
