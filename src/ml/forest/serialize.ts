/**
 * The native forest's data-only file form: a JSON header plus named typed arrays. Loading checks
 * every array's type and length against the header before anything uses it, so a damaged or foreign
 * file fails with a message naming the field, never with a wrong prediction.
 */
import { createHash } from 'node:crypto';
import type { ModelArray, ModelData } from '../classifier';
import type { ForestArrays } from './predictor';

export const FORMAT = 'native-random-forest';
export const FORMAT_VERSION = 1;

export interface ForestHeader {
  format: typeof FORMAT;
  format_version: number;
  n_trees: number;
  n_classes: number;
  n_features: number;
  classes: string[];
  feature_names: string[];
  /** Hyperparameters that shape the model (n_jobs and verbose are left out: they never change it). */
  params: Record<string, unknown>;
  /** The seed actually used (random_state, or the documented default when it was null). */
  random_state: number;
  oob_score: number | null;
}

export interface ForestModel {
  header: ForestHeader;
  forest: ForestArrays;
  importances: Float64Array;
}

const ARRAY_TYPES = {
  treeStart: Uint32Array,
  feature: Int32Array,
  threshold: Float64Array,
  binThreshold: Uint8Array,
  missingLeft: Uint8Array,
  child: Int32Array,
  leafStart: Uint32Array,
  leafClass: Uint16Array,
  leafValue: Float64Array,
  binEdges: Float64Array,
  binEdgeStart: Uint32Array,
  featureImportances: Float64Array,
} as const;

export function toModelData(m: ForestModel): ModelData {
  const f = m.forest;
  return {
    header: { ...m.header },
    arrays: {
      treeStart: f.treeStart,
      feature: f.feature,
      threshold: f.threshold,
      binThreshold: f.binThreshold,
      missingLeft: f.missingLeft,
      child: f.child,
      leafStart: f.leafStart,
      leafClass: f.leafClass,
      leafValue: f.leafValue,
      binEdges: f.binEdges,
      binEdgeStart: f.binEdgeStart,
      featureImportances: m.importances,
    },
  };
}

function bad(field: string, why: string): never {
  throw new Error(`invalid native forest model data: ${field} ${why}`);
}

export function fromModelData(data: ModelData): ForestModel {
  const h = data.header;
  if (h.format !== FORMAT) bad('header.format', `must be "${FORMAT}", got ${JSON.stringify(h.format)}`);
  if (h.format_version !== FORMAT_VERSION) {
    bad('header.format_version', `must be ${FORMAT_VERSION}, got ${JSON.stringify(h.format_version)}`);
  }
  for (const key of ['n_trees', 'n_classes', 'n_features', 'random_state'] as const) {
    const v = h[key];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0)
      bad(`header.${key}`, `must be a non-negative integer`);
  }
  const nTrees = h.n_trees as number;
  const nClasses = h.n_classes as number;
  const nFeatures = h.n_features as number;
  if (
    !Array.isArray(h.classes) ||
    h.classes.length !== nClasses ||
    !h.classes.every((c) => typeof c === 'string')
  ) {
    bad('header.classes', `must be ${nClasses} strings`);
  }
  if (!Array.isArray(h.feature_names) || h.feature_names.length !== nFeatures) {
    bad('header.feature_names', `must be ${nFeatures} strings`);
  }
  if (h.oob_score !== null && typeof h.oob_score !== 'number')
    bad('header.oob_score', 'must be a number or null');
  if (typeof h.params !== 'object' || h.params === null) bad('header.params', 'must be an object');

  const a: Record<string, ModelArray> = {};
  for (const [name, Type] of Object.entries(ARRAY_TYPES)) {
    const arr = data.arrays[name];
    if (!(arr instanceof Type)) bad(`arrays.${name}`, `must be a ${Type.name}`);
    a[name] = arr;
  }
  const feature = a.feature as Int32Array;
  const nNodes = feature.length;
  for (const name of ['threshold', 'binThreshold', 'missingLeft', 'child']) {
    if (a[name].length !== nNodes) bad(`arrays.${name}`, `must have ${nNodes} entries (one per node)`);
  }
  const treeStart = a.treeStart as Uint32Array;
  if (treeStart.length !== nTrees + 1 || treeStart[nTrees] !== nNodes)
    bad('arrays.treeStart', 'does not match the nodes');
  const leafStart = a.leafStart as Uint32Array;
  const nLeaves = leafStart.length - 1;
  const nEntries = a.leafClass.length;
  if (a.leafValue.length !== nEntries || leafStart[nLeaves] !== nEntries)
    bad('arrays.leafStart', 'does not match the leaves');
  if (a.featureImportances.length !== nFeatures)
    bad('arrays.featureImportances', `must have ${nFeatures} entries`);
  // Structural checks so that a walk can neither leave the arrays nor loop.
  const child = a.child as Int32Array;
  for (let t = 0; t < nTrees; t++) {
    const lo = treeStart[t];
    const hi = treeStart[t + 1];
    if (hi <= lo) bad('arrays.treeStart', `tree ${t} has no nodes`);
    for (let n = lo; n < hi; n++) {
      const f = feature[n];
      if (f >= nFeatures) bad('arrays.feature', `node ${n} uses feature ${f} of ${nFeatures}`);
      if (f >= 0 && !(child[n] > n && child[n] + 1 < hi))
        bad('arrays.child', `node ${n} has children outside its tree`);
      if (f < 0 && !(child[n] >= 0 && child[n] < nLeaves))
        bad('arrays.child', `leaf node ${n} points outside the leaves`);
    }
  }
  for (let l = 0; l < nLeaves; l++)
    if (leafStart[l] > leafStart[l + 1]) bad('arrays.leafStart', 'is not sorted');
  // Bin edges: increasing per feature, and every split's raw threshold is its bin's edge, so that
  // binned and raw-float prediction agree.
  const binEdges = a.binEdges as Float64Array;
  const binEdgeStart = a.binEdgeStart as Uint32Array;
  if (
    binEdgeStart.length !== nFeatures + 1 ||
    binEdgeStart[0] !== 0 ||
    binEdgeStart[nFeatures] !== binEdges.length
  ) {
    bad('arrays.binEdgeStart', 'does not match the features and edges');
  }
  for (let f = 0; f < nFeatures; f++) {
    const e0 = binEdgeStart[f];
    const e1 = binEdgeStart[f + 1];
    if (e1 < e0 || e1 - e0 > 254) bad('arrays.binEdgeStart', `feature ${f} has a bad edge range`);
    for (let e = e0 + 1; e < e1; e++) {
      if (!(binEdges[e] > binEdges[e - 1])) bad('arrays.binEdges', `feature ${f} is not increasing`);
    }
  }
  const binThreshold = a.binThreshold as Uint8Array;
  const threshold = a.threshold as Float64Array;
  for (let n = 0; n < nNodes; n++) {
    const f = feature[n];
    if (f < 0) continue;
    const nEdges = binEdgeStart[f + 1] - binEdgeStart[f];
    const b = binThreshold[n];
    const expected = b < nEdges ? binEdges[binEdgeStart[f] + b] : b === nEdges ? Infinity : NaN;
    if (!(threshold[n] === expected)) bad('arrays.threshold', `node ${n} does not match its bin edge`);
  }
  const leafClass = a.leafClass as Uint16Array;
  for (let e = 0; e < nEntries; e++)
    if (leafClass[e] >= nClasses) bad('arrays.leafClass', `entry ${e} is out of range`);

  return {
    header: {
      format: FORMAT,
      format_version: FORMAT_VERSION,
      n_trees: nTrees,
      n_classes: nClasses,
      n_features: nFeatures,
      classes: [...(h.classes as string[])],
      feature_names: [...(h.feature_names as string[])],
      params: { ...(h.params as Record<string, unknown>) },
      random_state: h.random_state as number,
      oob_score: h.oob_score as number | null,
    },
    forest: {
      nTrees,
      nClasses,
      nFeatures,
      treeStart,
      feature,
      threshold: a.threshold as Float64Array,
      binThreshold: a.binThreshold as Uint8Array,
      missingLeft: a.missingLeft as Uint8Array,
      child,
      leafStart,
      leafClass,
      leafValue: a.leafValue as Float64Array,
      binEdges,
      binEdgeStart,
    },
    importances: a.featureImportances as Float64Array,
  };
}

/** sha256 over the header (keys sorted) and every array's type, length and bytes, in name order. */
export function modelDigest(data: ModelData): string {
  const h = createHash('sha256');
  h.update(stableJson(data.header));
  for (const name of Object.keys(data.arrays).sort()) {
    const a = data.arrays[name];
    h.update(`\n${name}:${a.constructor.name}:${a.length}\n`);
    h.update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  }
  return h.digest('hex');
}

function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}
