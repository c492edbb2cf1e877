/**
 * The model_export directory, in MLflow's layout with a flavor of this project's own:
 *   MLmodel                     YAML: artifact_path, flavors.temporal_ml_pipeline, signature, input example info
 *   model.mlpm                  the data-only model file
 *   input_example.json          pandas split orient {"columns": [...], "data": [[...]]}
 *   serving_input_example.json  {"dataframe_split": {...}} (a valid POST /invocations body)
 *   environment.json            runtime and package versions
 *   metrics.json                metrics
 *   model.onnx                  the whole inference pipeline as one ONNX graph (flavors onnx and
 *                               python_function, loader mlflow.onnx), with requirements.txt,
 *                               python_env.yaml and conda.yaml for MLflow; left out, with the reason in
 *                               this project's flavor (`onnx_unavailable`), for a model ONNX cannot express
 *   + extra files (plots)
 * The directory is written under a temporary name and renamed into place: it appears whole or not at all.
 * With the same `utcTimeCreated`, the same pipeline exports byte-identical files.
 */
import { copyFile, mkdir, readFile, readdir, rename, rm, rmdir, writeFile } from 'node:fs/promises';
import { basename, dirname, join, normalize, sep } from 'node:path';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { type InferencePipeline } from '../pipeline/inference-pipeline';
import { type Table } from '../table/table';
import { tableToSplit } from '../table/records';
import { MODEL_FILE_NAME, deserializeModel, modelDigest, serializeModel } from '../model-file/model-file';
import { FORMAT_VERSION } from '../model-file/format';
import { describeEnvironment } from './environment';
import { type ModelSignature, parseSignatureInputs, signatureOf } from './signature';
import { OnnxExportError } from '../onnx/index';
import { modelFileToOnnx } from '../onnx/off-thread';
import { ONNX_FILE_NAME, mlflowEnvironmentFiles, mlflowOnnxFlavors } from './mlflow-flavors';

export const FLAVOR = 'temporal_ml_pipeline';

export interface ExportOptions {
  /** A few rows with (at least) the model's input columns. */
  inputExample: Table;
  metrics?: Record<string, number>;
  /** Files to copy in, e.g. plots: `path` inside the export, `source` on disk. */
  extraFiles?: { path: string; source: string }[];
  /** Merged into environment.json. */
  environment?: Record<string, unknown>;
  /** MLflow's `utc_time_created` ("YYYY-MM-DD HH:MM:SS.ffffff"); default now. Pass it for byte-identical exports. */
  utcTimeCreated?: string;
  /** MLmodel's artifact_path, default "model". */
  artifactPath?: string;
  /** Recorded as MLmodel's run_id (e.g. the Temporal workflow ID). */
  runId?: string;
}

export interface ExportResult {
  dir: string;
  files: string[];
  digest: string;
  modelSize: number;
  modelUuid: string;
  /** model.onnx's size, or null when the model has no ONNX form. */
  onnxSize: number | null;
  /** Why there is no model.onnx (e.g. the ml-random-forest engine). */
  onnxUnavailable?: string;
}

export interface LoadedExport {
  pipeline: InferencePipeline;
  signature: ModelSignature;
  mlmodel: Record<string, unknown>;
  digest: string;
}

function mlflowTime(d: Date): string {
  return d.toISOString().replace('T', ' ').replace('Z', '000');
}

/** MLflow's model_uuid is uuid4().hex; ours is the first 32 hex digits of the model digest. */
export function modelUuid(digest: string): string {
  return digest.slice(0, 32);
}

function checkRelative(path: string): string {
  const p = normalize(path);
  if (p.startsWith('..') || p.startsWith(sep) || p === '.' || /^[a-zA-Z]:/.test(p)) {
    throw new Error(`extra file path ${JSON.stringify(path)} must be relative and inside the export`);
  }
  return p;
}

function sortedMetrics(m: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of Object.keys(m).sort()) {
    if (typeof m[k] !== 'number') throw new Error(`metrics.${k}: expected a number`);
    out[k] = m[k];
  }
  return out;
}

export async function exportModel(
  p: InferencePipeline,
  dir: string,
  opts: ExportOptions,
): Promise<ExportResult> {
  const model = serializeModel(p);
  const digest = modelDigest(model);
  const uuid = modelUuid(digest);
  const signature = signatureOf(p.inputSchema);
  for (const c of p.inputSchema) {
    if (!opts.inputExample.has(c.name)) throw new Error(`input example: missing column "${c.name}"`);
  }
  let onnx: Uint8Array | null = null;
  let onnxUnavailable: string | undefined;
  try {
    // Off this thread: a large forest takes seconds to encode, and the caller may need to heartbeat.
    onnx = await modelFileToOnnx(model, String(FORMAT_VERSION));
  } catch (err) {
    if (!(err instanceof OnnxExportError)) throw err;
    onnxUnavailable = err.message;
  }
  const example = tableToSplit(opts.inputExample.select(p.inputSchema.map((c) => c.name)));
  const mlmodel = {
    artifact_path: opts.artifactPath ?? 'model',
    flavors: {
      [FLAVOR]: {
        model_file: MODEL_FILE_NAME,
        format_version: FORMAT_VERSION,
        engine: p.engine,
        classes: [...p.classes],
        target: p.target,
        model_digest: digest,
        ...(onnx ? { onnx_model: ONNX_FILE_NAME } : { onnx_unavailable: onnxUnavailable }),
      },
      ...(onnx ? mlflowOnnxFlavors() : {}),
    },
    model_size_bytes: model.length,
    model_uuid: uuid,
    ...(opts.runId ? { run_id: opts.runId } : {}),
    saved_input_example_info: {
      artifact_path: 'input_example.json',
      pandas_orient: 'split',
      serving_input_path: 'serving_input_example.json',
      type: 'dataframe',
    },
    signature: {
      inputs: JSON.stringify(signature.inputs),
      outputs: JSON.stringify(signature.outputs),
      params: null,
    },
    utc_time_created: opts.utcTimeCreated ?? mlflowTime(new Date()),
  };

  const files: [string, string | Buffer][] = [
    // YAML 1.1 quoting, so that PyYAML (MLflow) reads timestamps and words like "yes" back as strings.
    ['MLmodel', stringifyYaml(mlmodel, { lineWidth: 0, version: '1.1' })],
    [MODEL_FILE_NAME, model],
    ['input_example.json', JSON.stringify(example)],
    ['serving_input_example.json', JSON.stringify({ dataframe_split: example }, null, 2)],
    ['environment.json', JSON.stringify(describeEnvironment(opts.environment), null, 2) + '\n'],
    ['metrics.json', JSON.stringify(sortedMetrics(opts.metrics ?? {}), null, 2) + '\n'],
    ...(onnx
      ? ([[ONNX_FILE_NAME, Buffer.from(onnx)], ...mlflowEnvironmentFiles()] as [string, string | Buffer][])
      : []),
  ];
  const names = new Set(files.map(([n]) => n));
  const extras = (opts.extraFiles ?? []).map((f) => {
    const rel = checkRelative(f.path);
    if (names.has(rel)) throw new Error(`extra file "${f.path}" would overwrite ${rel}`);
    names.add(rel);
    return { rel, source: f.source };
  });

  const tmp = join(dirname(dir), `.${basename(dir)}.${process.pid}.${Date.now()}.tmp`);
  await mkdir(tmp, { recursive: true });
  try {
    for (const [name, content] of files) await writeFile(join(tmp, name), content);
    for (const e of extras) {
      await mkdir(dirname(join(tmp, e.rel)), { recursive: true });
      await copyFile(e.source, join(tmp, e.rel));
    }
    const existing = await readdir(dir).catch(() => null);
    if (existing !== null) {
      if (existing.length > 0) throw new Error(`export directory ${dir} already exists and is not empty`);
      await rmdir(dir);
    }
    await rename(tmp, dir);
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
  return {
    dir,
    files: [...files.map(([n]) => n), ...extras.map((e) => e.rel.split(sep).join('/'))].sort(),
    digest,
    modelSize: model.length,
    modelUuid: uuid,
    onnxSize: onnx ? onnx.length : null,
    ...(onnxUnavailable ? { onnxUnavailable } : {}),
  };
}

export async function loadModelExport(dir: string): Promise<LoadedExport> {
  const mlPath = join(dir, 'MLmodel');
  let mlmodel: Record<string, unknown>;
  try {
    mlmodel = parseYaml(await readFile(mlPath, 'utf8')) as Record<string, unknown>;
  } catch (err) {
    throw new Error(`${mlPath}: cannot read MLmodel: ${(err as Error).message}`, { cause: err });
  }
  const flavor = (mlmodel?.flavors as Record<string, Record<string, unknown>> | undefined)?.[FLAVOR];
  if (!flavor) throw new Error(`${mlPath}: no "${FLAVOR}" flavor; not a model exported by this project`);
  const file = flavor.model_file;
  if (typeof file !== 'string' || file !== basename(file))
    throw new Error(`${mlPath}: bad model_file ${JSON.stringify(file)}`);
  const buf = await readFile(join(dir, file));
  const digest = modelDigest(buf);
  if (typeof flavor.model_digest === 'string' && flavor.model_digest !== digest) {
    throw new Error(
      `${join(dir, file)}: digest ${digest} does not match MLmodel's model_digest ${flavor.model_digest}`,
    );
  }
  const pipeline = deserializeModel(buf, join(dir, file));
  const sig = mlmodel.signature as Record<string, unknown> | undefined;
  const inputs = sig ? parseSignatureInputs(sig.inputs, mlPath) : signatureOf(pipeline.inputSchema).inputs;
  let outputs: ModelSignature['outputs'] = signatureOf(pipeline.inputSchema).outputs;
  if (typeof sig?.outputs === 'string') outputs = JSON.parse(sig.outputs) as ModelSignature['outputs'];
  return { pipeline, signature: { inputs, outputs }, mlmodel, digest };
}
