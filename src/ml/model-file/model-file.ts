/** Saving and loading a fitted InferencePipeline as one data-only `model.mlpm` file. */
import { createHash } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { getEngine, isEngineName } from '../engines/index';
import { InferencePipeline } from '../pipeline/inference-pipeline';
import { type PipelineSpec, validateSpec } from '../pipeline/spec';
import { type ColumnSpec } from '../table/table';
import { type ColumnTransformerState, FittedColumnTransformer } from '../transformers/column-transformer';
import { FORMAT_NAME, FORMAT_VERSION, packModel, stripPrefix, unpackModel, withPrefix } from './format';

export const MODEL_FILE_NAME = 'model.mlpm';
const CLASSIFIER_PREFIX = 'classifier/';

/**
 * The spec as stored: settings that only say how to compute (threads, logging) are left out, so the
 * same model trained with n_jobs 1 or 2 gives the same file, as the forest itself does.
 */
function portableSpec(spec: PipelineSpec): PipelineSpec {
  const { n_jobs: _jobs, verbose: _verbose, ...forest } = spec.random_forest as Record<string, unknown>;
  return { ...spec, random_forest: forest };
}

export function serializeModel(p: InferencePipeline): Buffer {
  const data = p.classifier.toModelData();
  const header = {
    format: FORMAT_NAME,
    format_version: FORMAT_VERSION,
    target: p.target,
    classes: [...p.classes],
    input_schema: p.inputSchema.map((c) => ({ name: c.name, type: c.type })),
    feature_names: [...p.featureNames],
    spec: portableSpec(p.spec),
    processor: p.processor.toState(),
    engine: p.engine,
    classifier: data.header,
  };
  return packModel(header, withPrefix(data.arrays, CLASSIFIER_PREFIX));
}

export function deserializeModel(buf: Uint8Array, source = 'model file'): InferencePipeline {
  const { header, arrays } = unpackModel(buf, source);
  const fail = (what: string): never => {
    throw new Error(`${source}: invalid ${what}`);
  };
  if (header.format !== FORMAT_NAME) fail('format name');
  const classes = header.classes;
  if (!Array.isArray(classes) || !classes.every((c) => typeof c === 'string')) fail('classes');
  const schema = header.input_schema;
  if (
    !Array.isArray(schema) ||
    !schema.every(
      (c: ColumnSpec) =>
        typeof c?.name === 'string' && (c.type === 'double' || c.type === 'long' || c.type === 'string'),
    )
  ) {
    fail('input_schema');
  }
  if (!isEngineName(header.engine)) fail(`engine ${JSON.stringify(header.engine)}`);
  const spec = validateSpec(header.spec as PipelineSpec);
  const processor = FittedColumnTransformer.fromState(header.processor as ColumnTransformerState);
  const classifier = getEngine(header.engine as string).load({
    header: (header.classifier ?? {}) as Record<string, unknown>,
    arrays: stripPrefix(arrays, CLASSIFIER_PREFIX),
  });
  return new InferencePipeline(spec, classes as string[], schema as ColumnSpec[], processor, classifier);
}

/** sha256 hex of the model file's bytes: the model's identity (same config + data ⇒ same digest). */
export function modelDigest(buf: Uint8Array): string {
  return createHash('sha256').update(buf).digest('hex');
}

/** Writes the model file atomically (temp name, then rename); returns its digest and size. */
export async function saveModel(
  p: InferencePipeline,
  path: string,
): Promise<{ digest: string; size: number }> {
  const buf = serializeModel(p);
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(tmp, buf);
  await rename(tmp, path);
  return { digest: modelDigest(buf), size: buf.length };
}

export async function loadModel(path: string): Promise<InferencePipeline> {
  return deserializeModel(await readFile(path), basename(path));
}
