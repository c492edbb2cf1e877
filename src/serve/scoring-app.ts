/**
 * The HTTP layer of the scoring server (fastify): MLflow's routes, body parsers, limits and error shape,
 * over whatever model the slot holds. Loading models and following aliases live in server.ts.
 *
 * Hot path for one row: JSON.parse → envelope check (ajv, compiled once at startup) → typed columns for
 * the signature only → predictProba → a small response object. Nothing per request is sized by the model
 * beyond one probability row per input row.
 */
import fastify, {
  LogController,
  type FastifyError,
  type FastifyInstance,
  type FastifyServerOptions,
} from 'fastify';
import { ScoringRequestError, badRequest, type MlflowErrorBody } from './errors';
import { enforceSignature } from './enforce-signature';
import {
  REQUIRED_FORMAT_MESSAGE,
  jsonBodySchema,
  parseCsvRequest,
  parseJsonRequest,
  probaQueryParam,
  type ScoringRequest,
} from './mlflow-request';
import { type ModelSlot } from './model-slot';
import { packageInfo } from './package-info';
import { classPredictions, probabilisticPredictions } from './predictions';

export const DEFAULT_BODY_LIMIT = 5 * 1024 * 1024;
export const CONTENT_TYPES = ['application/json', 'text/csv', 'application/csv'] as const;

export interface ScoringAppOptions {
  /** Largest accepted request body in bytes (default 5 MiB); larger bodies get 413. */
  bodyLimit?: number;
  /** fastify/pino logger options; false (default) logs nothing. Requests are never logged one by one. */
  logger?: FastifyServerOptions['logger'];
}

/** A CSV body, already split into cells; marks the body so the route knows it is not JSON. */
class CsvBody {
  constructor(readonly request: ScoringRequest) {}
}

export function buildScoringApp(slot: ModelSlot, opts: ScoringAppOptions = {}): FastifyInstance {
  const bodyLimit = opts.bodyLimit ?? DEFAULT_BODY_LIMIT;
  const app = fastify({
    logger: opts.logger ?? false,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit,
    // Requests that trickle in are cut off instead of holding a socket forever.
    requestTimeout: 30_000,
    // The envelope schema must check, not rewrite: no coercion, defaults or removal of unknown keys.
    ajv: {
      customOptions: {
        coerceTypes: false,
        useDefaults: false,
        removeAdditional: false,
        allowUnionTypes: true,
      },
    },
  });

  app.removeAllContentTypeParsers();
  // JSON.parse keeps `__proto__` as an ordinary own key, and nothing below copies request objects or
  // reads keys other than the protocol's and the signature's (through own properties only).
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, text, done) => {
    try {
      done(null, JSON.parse(text as string));
    } catch (err) {
      done(
        new ScoringRequestError(
          'MALFORMED_REQUEST',
          `Failed to parse input from JSON. Ensure that input is a valid JSON formatted string. ${(err as Error).message}`,
        ),
        undefined,
      );
    }
  });
  app.addContentTypeParser(['text/csv', 'application/csv'], { parseAs: 'string' }, (_req, text, done) => {
    try {
      done(null, new CsvBody(parseCsvRequest(text as string)));
    } catch (err) {
      done(err as Error, undefined);
    }
  });

  app.setErrorHandler((err: FastifyError, request, reply) => {
    const { status, body } = toMlflowError(err, request.headers['content-type'], bodyLimit);
    if (status >= 500) request.log.error({ err }, 'scoring request failed');
    void reply.code(status).send(body);
  });
  app.setNotFoundHandler((request, reply) => {
    void reply.code(404).send({
      error_code: 'ENDPOINT_NOT_FOUND',
      message: `No route ${request.method} ${request.url.split('?')[0]}; use POST /invocations, GET /ping, /health or /version.`,
    } satisfies MlflowErrorBody);
  });

  app.post(
    '/invocations',
    {
      schema: { body: { content: { 'application/json': { schema: jsonBodySchema } } } },
      schemaErrorFormatter: (errors) => {
        const e = errors[0];
        if (!e?.instancePath)
          return badRequest(`The request body must be a JSON object. ${REQUIRED_FORMAT_MESSAGE}.`);
        return badRequest(`${jsonPath(e.instancePath)} ${e.message ?? 'is invalid'}.`);
      },
    },
    (request) => {
      // Read the slot once: this request finishes on this model even if a swap happens meanwhile.
      const served = slot.current;
      const body = request.body;
      if (body === undefined || body === null) {
        throw badRequest(
          'The request has no body; send JSON (dataframe_split, dataframe_records, …) or CSV.',
        );
      }
      const scoring =
        body instanceof CsvBody ? body.request : parseJsonRequest(body as Record<string, unknown>);
      const withProba = probaQueryParam(request.query) ?? scoring.predictProba ?? false;
      const { model } = served;
      const frame = enforceSignature(scoring.input, model.inputs);
      const proba = model.predictProba(frame);
      return {
        predictions: withProba
          ? probabilisticPredictions(proba, frame.nRows, model.classes)
          : classPredictions(proba, frame.nRows, model.classes),
      };
    },
  );

  app.get('/ping', (_request, reply) => {
    void reply.code(200).send();
  });
  app.get('/health', () => {
    const served = slot.current;
    return { status: 'ok', model: served.resolvedRef ?? served.requested, loaded_at: served.loadedAt };
  });
  app.get('/version', () => {
    const served = slot.current;
    const pkg = packageInfo();
    return {
      name: pkg.name,
      version: pkg.version,
      model: {
        requested: served.requested,
        ref: served.resolvedRef ?? null,
        version: served.version ?? null,
        digest: served.digest ?? null,
        model_digest: served.modelDigest ?? null,
        loaded_at: served.loadedAt,
      },
    };
  });

  return app;
}

/** `/dataframe_records/3/x` → `dataframe_records[3].x` */
function jsonPath(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((acc, part) => (/^\d+$/.test(part) ? `${acc}[${part}]` : acc ? `${acc}.${part}` : part), '');
}

function toMlflowError(
  err: FastifyError,
  contentType: string | undefined,
  bodyLimit: number,
): { status: number; body: MlflowErrorBody } {
  if (err instanceof ScoringRequestError) return { status: err.statusCode, body: err.toBody() };
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return {
        status: 413,
        body: {
          error_code: 'BAD_REQUEST',
          message: `The request body is larger than the limit of ${bodyLimit} bytes.`,
        },
      };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return {
        status: 415,
        body: {
          error_code: 'BAD_REQUEST',
          message:
            `This predictor only supports the following content types: ${CONTENT_TYPES.join(', ')}. ` +
            `Got '${(contentType ?? '').slice(0, 100)}'.`,
        },
      };
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return { status: 400, body: { error_code: 'MALFORMED_REQUEST', message: err.message } };
  }
  const status = err.statusCode ?? 500;
  if (status >= 400 && status < 500)
    return { status, body: { error_code: 'BAD_REQUEST', message: err.message } };
  return {
    status: 500,
    body: { error_code: 'INTERNAL_ERROR', message: 'The model failed to score the request.' },
  };
}
