/**
 * Byte forms of a forest plan and of a run of built trees, for a fit spread over processes: one
 * process plans (bins the matrix) and writes the plan once, shard processes read it and write their
 * trees, and one process reads every tree back and assembles the model. Both use the model file's
 * container (a JSON header plus typed arrays, src/ml/model-file/format.ts) and every number is kept
 * bit for bit, so the assembled model is byte-identical to a fit in one process.
 */
import type { ModelArray } from '../classifier';
import { packModel, unpackModel } from '../model-file/format';
import type { BinnedData } from './binning';
import type { TreeJob } from './build-tree';
import type { ForestPlan } from './forest';
import type { TreeArrays } from './predictor';

const PLAN_FORMAT = 'native-forest-plan';
const TREES_FORMAT = 'native-forest-trees';

/** The plan as bytes: the binned matrix, the labels, the seeds, the tree settings and the model header. */
export function encodeForestPlan(plan: ForestPlan): Buffer {
  const { job } = plan;
  const { binned } = job;
  const thresholdStart = new Uint32Array(binned.nFeatures + 1);
  binned.thresholds.forEach((t, f) => (thresholdStart[f + 1] = thresholdStart[f] + t.length));
  const thresholds = new Float64Array(thresholdStart[binned.nFeatures]);
  binned.thresholds.forEach((t, f) => thresholds.set(t, thresholdStart[f]));
  const header = {
    format: PLAN_FORMAT,
    format_version: 1,
    model: plan.header,
    job: {
      nRows: binned.nRows,
      nFeatures: binned.nFeatures,
      K: job.K,
      balancedSubsample: job.balancedSubsample,
      criterion: job.criterion,
      bootstrap: job.bootstrap,
      maxSamples: job.maxSamples,
      minWeightFractionLeaf: job.minWeightFractionLeaf,
      oob: job.oob,
      // JSON has no Infinity: an unlimited depth is written as null.
      grow: { ...job.grow, maxDepth: Number.isFinite(job.grow.maxDepth) ? job.grow.maxDepth : null },
    },
  };
  return packModel(header, {
    bins: binned.bins,
    nBins: binned.nBins,
    thresholds,
    thresholdStart,
    y: job.y,
    classWeight: job.classWeight,
    seeds: plan.seeds,
  });
}

type PlanJobHeader = Omit<TreeJob, 'binned' | 'y' | 'classWeight' | 'grow'> & {
  nRows: number;
  nFeatures: number;
  grow: Omit<TreeJob['grow'], 'maxDepth'> & { maxDepth: number | null };
};

/** Reads a plan written by encodeForestPlan; `source` names it in errors. */
export function decodeForestPlan(buf: Uint8Array, source = 'forest plan'): ForestPlan {
  const { header, arrays } = unpackModel(buf, source);
  if (header.format !== PLAN_FORMAT)
    throw new Error(`${source}: not a forest plan (format ${String(header.format)})`);
  const h = header.job as PlanJobHeader;
  const arr = <T extends ModelArray>(
    name: string,
    Type: { new (...a: never[]): T; name: string },
    length: number,
  ): T => {
    const a = arrays[name];
    if (!(a instanceof Type) || a.length !== length)
      throw new Error(`${source}: array ${name} must be a ${Type.name} of ${length} entries`);
    return a;
  };
  const model = header.model as ForestPlan['header'];
  const thresholdStart = arr('thresholdStart', Uint32Array, h.nFeatures + 1);
  const thresholds = arr('thresholds', Float64Array, thresholdStart[h.nFeatures]);
  // The tree workers share the matrix instead of each receiving a copy.
  const bins = new Uint8Array(new SharedArrayBuffer(h.nRows * h.nFeatures));
  bins.set(arr('bins', Uint8Array, h.nRows * h.nFeatures));
  const binned: BinnedData = {
    nRows: h.nRows,
    nFeatures: h.nFeatures,
    bins,
    nBins: arr('nBins', Uint16Array, h.nFeatures).slice(),
    thresholds: Array.from({ length: h.nFeatures }, (_, f) =>
      thresholds.slice(thresholdStart[f], thresholdStart[f + 1]),
    ),
  };
  const { nRows: _r, nFeatures: _f, grow, ...rest } = h;
  return {
    job: {
      ...rest,
      binned,
      y: arr('y', Int32Array, h.nRows).slice(),
      classWeight: arr('classWeight', Float64Array, h.K).slice(),
      grow: { ...grow, maxDepth: grow.maxDepth ?? Infinity },
    },
    seeds: arr('seeds', Uint32Array, model.n_trees).slice(),
    header: model,
  };
}

const TREE_FIELDS = [
  'feature',
  'threshold',
  'binThreshold',
  'missingLeft',
  'child',
  'leafStart',
  'leafClass',
  'leafValue',
  'importance',
] as const satisfies readonly (keyof TreeArrays)[];

const TREE_TYPES = {
  feature: Int32Array,
  threshold: Float64Array,
  binThreshold: Uint8Array,
  missingLeft: Uint8Array,
  child: Int32Array,
  leafStart: Uint32Array,
  leafClass: Uint16Array,
  leafValue: Float64Array,
  importance: Float64Array,
} as const;

/** Trees `first .. first + trees.length - 1` of a plan as bytes (each field concatenated, with offsets). */
export function encodeTrees(first: number, trees: readonly TreeArrays[]): Buffer {
  const arrays: Record<string, ModelArray> = {};
  for (const field of TREE_FIELDS) {
    const start = new Uint32Array(trees.length + 1);
    trees.forEach((t, i) => (start[i + 1] = start[i] + t[field].length));
    const all = new TREE_TYPES[field](start[trees.length]);
    trees.forEach((t, i) => all.set(t[field] as never, start[i]));
    arrays[field] = all;
    arrays[`${field}Start`] = start;
  }
  return packModel({ format: TREES_FORMAT, format_version: 1, first, count: trees.length }, arrays);
}

/** Reads trees written by encodeTrees: the index of the first and the trees in order. */
export function decodeTrees(buf: Uint8Array, source = 'trees'): { first: number; trees: TreeArrays[] } {
  const { header, arrays } = unpackModel(buf, source);
  if (header.format !== TREES_FORMAT)
    throw new Error(`${source}: not a tree file (format ${String(header.format)})`);
  const first = header.first as number;
  const count = header.count as number;
  const trees: Record<string, ModelArray>[] = Array.from({ length: count }, () => ({}));
  for (const field of TREE_FIELDS) {
    const all = arrays[field];
    const start = arrays[`${field}Start`];
    if (!(all instanceof TREE_TYPES[field]) || !(start instanceof Uint32Array) || start.length !== count + 1)
      throw new Error(`${source}: bad array ${field}`);
    if (start[count] !== all.length) throw new Error(`${source}: array ${field} does not match its offsets`);
    for (let i = 0; i < count; i++) trees[i][field] = all.slice(start[i], start[i + 1]);
  }
  return { first, trees: trees as unknown as TreeArrays[] };
}
