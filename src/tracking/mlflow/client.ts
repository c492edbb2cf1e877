/**
 * A small client for MLflow's REST API (`/api/2.0/mlflow/...` and the artifact proxy
 * `/api/2.0/mlflow-artifacts/artifacts/...`), over Node's fetch: only the calls the tracking sink
 * makes. Credentials come from the environment as MLflow's own clients read them
 * (MLFLOW_TRACKING_TOKEN, or MLFLOW_TRACKING_USERNAME + MLFLOW_TRACKING_PASSWORD); they go into
 * request headers only, never into errors or logs.
 */

/** An MLflow REST error; `transient` ones (network, timeouts, 5xx, 429) are worth retrying. */
export class MlflowApiError extends Error {
  constructor(
    message: string,
    readonly status: number | undefined,
    readonly errorCode: string | undefined,
    readonly transient: boolean,
  ) {
    super(message);
    this.name = 'MlflowApiError';
  }
}

export interface MlflowTag {
  key: string;
  value: string;
}

export interface MlflowRun {
  info: {
    run_id: string;
    experiment_id: string;
    run_name?: string;
    status: string;
    artifact_uri: string;
    lifecycle_stage: string;
  };
  data: { params?: MlflowTag[]; tags?: MlflowTag[]; metrics?: { key: string; value: number }[] };
  outputs?: { model_outputs?: { model_id: string; step?: number }[] };
}

export interface MlflowLoggedModel {
  info: {
    model_id: string;
    experiment_id: string;
    artifact_uri: string;
    status: string;
    source_run_id?: string;
    tags?: MlflowTag[];
  };
}

export interface MlflowModelVersion {
  name: string;
  version: string;
  run_id?: string;
  source: string;
  aliases?: string[];
}

export type MlflowMetric = { key: string; value: number; timestamp: number; step: number };

/** Credentials as MLflow's clients read them; absent = an open server. */
export function authHeaders(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  if (env.MLFLOW_TRACKING_TOKEN) return { authorization: `Bearer ${env.MLFLOW_TRACKING_TOKEN}` };
  if (env.MLFLOW_TRACKING_USERNAME && env.MLFLOW_TRACKING_PASSWORD) {
    const basic = Buffer.from(`${env.MLFLOW_TRACKING_USERNAME}:${env.MLFLOW_TRACKING_PASSWORD}`).toString(
      'base64',
    );
    return { authorization: `Basic ${basic}` };
  }
  return {};
}

export interface MlflowClientOptions {
  env?: NodeJS.ProcessEnv;
  /** Per request; an upload of a large file gets this much per request too. */
  timeoutMs?: number;
}

export class MlflowClient {
  private readonly base: string;
  private readonly headers: Record<string, string>;
  private readonly timeoutMs: number;

  constructor(
    readonly uri: string,
    opts: MlflowClientOptions = {},
  ) {
    this.base = uri.replace(/\/+$/, '');
    this.headers = authHeaders(opts.env);
    this.timeoutMs = opts.timeoutMs ?? 60_000;
  }

  /** The run's page in MLflow's UI. */
  runUrl(experimentId: string, runId: string): string {
    return `${this.base}/#/experiments/${experimentId}/runs/${runId}`;
  }

  private async request<T>(
    method: string,
    path: string,
    opts: { body?: unknown; query?: Record<string, string>; raw?: Buffer } = {},
  ): Promise<T> {
    const url = new URL(`${this.base}${path}`);
    for (const [k, v] of Object.entries(opts.query ?? {})) url.searchParams.set(k, v);
    const what = `MLflow ${method} ${url.pathname}`;
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers: {
          ...this.headers,
          ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...(opts.raw ? { 'content-type': 'application/octet-stream' } : {}),
        },
        body: opts.raw
          ? new Uint8Array(opts.raw)
          : opts.body !== undefined
            ? JSON.stringify(opts.body)
            : undefined,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name;
      throw new MlflowApiError(`${what}: no answer from ${this.base} (${cause})`, undefined, undefined, true);
    }
    const text = await res.text();
    if (!res.ok) {
      let code: string | undefined;
      let message = text.slice(0, 300);
      try {
        const parsed = JSON.parse(text) as { error_code?: string; message?: string };
        code = parsed.error_code;
        message = parsed.message ?? message;
      } catch {
        // not JSON: a proxy's or the web server's own page; its first characters are shown
      }
      const transient = res.status >= 500 || res.status === 429 || res.status === 408;
      const hint =
        res.status === 401 || res.status === 403
          ? ' (set MLFLOW_TRACKING_TOKEN, or MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD)'
          : '';
      throw new MlflowApiError(
        `${what}: ${res.status}${code ? ` ${code}` : ''}: ${message}${hint}`,
        res.status,
        code,
        transient,
      );
    }
    return (text ? JSON.parse(text) : {}) as T;
  }

  private api<T>(
    method: string,
    endpoint: string,
    opts: { body?: unknown; query?: Record<string, string> } = {},
  ) {
    return this.request<T>(method, `/api/2.0/mlflow/${endpoint}`, opts);
  }

  // ---- experiments and runs ----------------------------------------------------------------------

  /** The experiment's ID, creating it when it does not exist (also when another client just did). */
  async ensureExperiment(name: string): Promise<string> {
    const find = async (): Promise<string | undefined> => {
      try {
        const r = await this.api<{ experiment: { experiment_id: string; lifecycle_stage: string } }>(
          'GET',
          'experiments/get-by-name',
          { query: { experiment_name: name } },
        );
        if (r.experiment.lifecycle_stage === 'deleted')
          throw new MlflowApiError(
            `MLflow experiment "${name}" is deleted: restore it in MLflow, or set main.project_name to another name`,
            400,
            'INVALID_STATE',
            false,
          );
        return r.experiment.experiment_id;
      } catch (err) {
        if (err instanceof MlflowApiError && err.errorCode === 'RESOURCE_DOES_NOT_EXIST') return undefined;
        throw err;
      }
    };
    const found = await find();
    if (found) return found;
    try {
      const created = await this.api<{ experiment_id: string }>('POST', 'experiments/create', {
        body: { name },
      });
      return created.experiment_id;
    } catch (err) {
      if (err instanceof MlflowApiError && err.errorCode === 'RESOURCE_ALREADY_EXISTS') {
        const again = await find();
        if (again) return again;
      }
      throw err;
    }
  }

  /** Active runs of an experiment whose tag `key` equals `value`. */
  async searchRunsByTag(experimentId: string, key: string, value: string): Promise<MlflowRun[]> {
    const r = await this.api<{ runs?: MlflowRun[] }>('POST', 'runs/search', {
      body: {
        experiment_ids: [experimentId],
        filter: `tags.\`${key}\` = '${value.replace(/'/g, "\\'")}'`,
        run_view_type: 'ACTIVE_ONLY',
        max_results: 10,
      },
    });
    return r.runs ?? [];
  }

  async createRun(body: {
    experiment_id: string;
    run_name: string;
    start_time: number;
    tags: MlflowTag[];
  }): Promise<MlflowRun> {
    return (await this.api<{ run: MlflowRun }>('POST', 'runs/create', { body })).run;
  }

  async getRun(runId: string): Promise<MlflowRun> {
    return (await this.api<{ run: MlflowRun }>('GET', 'runs/get', { query: { run_id: runId } })).run;
  }

  async logBatch(
    runId: string,
    batch: { params?: MlflowTag[]; metrics?: MlflowMetric[]; tags?: MlflowTag[] },
  ): Promise<void> {
    await this.api('POST', 'runs/log-batch', { body: { run_id: runId, ...batch } });
  }

  async updateRun(runId: string, status: 'FINISHED' | 'FAILED' | 'KILLED', endTime: number): Promise<void> {
    await this.api('POST', 'runs/update', { body: { run_id: runId, status, end_time: endTime } });
  }

  // ---- logged models (MLflow ≥ 3) and artifacts ------------------------------------------------

  async createLoggedModel(body: {
    experiment_id: string;
    name: string;
    source_run_id: string;
    tags: MlflowTag[];
  }): Promise<MlflowLoggedModel> {
    return (await this.api<{ model: MlflowLoggedModel }>('POST', 'logged-models', { body })).model;
  }

  async getLoggedModel(modelId: string): Promise<MlflowLoggedModel> {
    return (
      await this.api<{ model: MlflowLoggedModel }>('GET', `logged-models/${encodeURIComponent(modelId)}`)
    ).model;
  }

  async finalizeLoggedModel(modelId: string): Promise<void> {
    await this.api('PATCH', `logged-models/${encodeURIComponent(modelId)}`, {
      body: { model_id: modelId, status: 'LOGGED_MODEL_READY' },
    });
  }

  /** Links a logged model to the run as its output, as `mlflow.<flavor>.log_model` does. */
  async logOutputs(runId: string, modelId: string): Promise<void> {
    await this.api('POST', 'runs/outputs', {
      body: { run_id: runId, models: [{ model_id: modelId, step: 0 }] },
    });
  }

  /**
   * Uploads one file through the server's artifact proxy (`mlflow server --serve-artifacts`).
   * `artifactUri` is a run's or logged model's `mlflow-artifacts:` URI.
   */
  async uploadArtifact(artifactUri: string, path: string, bytes: Buffer): Promise<void> {
    const root = proxiedArtifactPath(artifactUri);
    const encoded = [...root.split('/'), ...path.split('/')].map(encodeURIComponent).join('/');
    await this.request('PUT', `/api/2.0/mlflow-artifacts/artifacts/${encoded}`, { raw: bytes });
  }

  /** Files under an artifact directory (for checking an upload). */
  async listArtifacts(artifactUri: string, path = ''): Promise<{ path: string; is_dir?: boolean }[]> {
    const root = proxiedArtifactPath(artifactUri);
    const r = await this.request<{ files?: { path: string; is_dir?: boolean }[] }>(
      'GET',
      '/api/2.0/mlflow-artifacts/artifacts',
      { query: { path: path ? `${root}/${path}` : root } },
    );
    return r.files ?? [];
  }

  // ---- model registry ----------------------------------------------------------------------------

  async ensureRegisteredModel(name: string): Promise<void> {
    try {
      await this.api('POST', 'registered-models/create', { body: { name } });
    } catch (err) {
      if (!(err instanceof MlflowApiError && err.errorCode === 'RESOURCE_ALREADY_EXISTS')) throw err;
    }
  }

  async searchModelVersions(name: string, runId: string): Promise<MlflowModelVersion[]> {
    const q = (s: string) => s.replace(/'/g, "\\'");
    const r = await this.api<{ model_versions?: MlflowModelVersion[] }>('GET', 'model-versions/search', {
      query: { filter: `name='${q(name)}' and run_id='${q(runId)}'` },
    });
    return r.model_versions ?? [];
  }

  async createModelVersion(body: {
    name: string;
    source: string;
    run_id: string;
    model_id?: string;
    tags: MlflowTag[];
  }): Promise<MlflowModelVersion> {
    return (await this.api<{ model_version: MlflowModelVersion }>('POST', 'model-versions/create', { body }))
      .model_version;
  }

  async setAlias(name: string, alias: string, version: string): Promise<void> {
    await this.api('POST', 'registered-models/alias', { body: { name, alias, version } });
  }

  /** The version an alias points at, or undefined. */
  async getAlias(name: string, alias: string): Promise<string | undefined> {
    try {
      const r = await this.api<{ model_version: MlflowModelVersion }>('GET', 'registered-models/alias', {
        query: { name, alias },
      });
      return r.model_version.version;
    } catch (err) {
      if (err instanceof MlflowApiError && err.errorCode === 'RESOURCE_DOES_NOT_EXIST') return undefined;
      throw err;
    }
  }
}

/**
 * The proxy path of an `mlflow-artifacts:` URI (`mlflow-artifacts:/1/models/m-…/artifacts`, or with
 * a host). Any other scheme means the server does not proxy artifacts, so the sink cannot upload.
 */
export function proxiedArtifactPath(artifactUri: string): string {
  if (!artifactUri.startsWith('mlflow-artifacts:')) {
    throw new MlflowApiError(
      `MLflow stores this run's artifacts at ${artifactUri}, which the sink cannot write: start the ` +
        'tracking server with --serve-artifacts (the default since MLflow 2) and an --artifacts-destination',
      undefined,
      'ARTIFACTS_NOT_PROXIED',
      false,
    );
  }
  const rest = artifactUri.slice('mlflow-artifacts:'.length);
  const path = rest.startsWith('//') ? new URL(artifactUri).pathname : rest;
  return path.replace(/^\/+/, '').replace(/\/+$/, '');
}
