/**
 * The native forest as one ai.onnx.ml TreeEnsembleRegressor with a target per class: each leaf adds
 * its class fractions, AVERAGE over the trees gives the forest's probabilities. Thresholds and leaf
 * values are double tensors (`*_as_tensor`) read with double inputs, so no split moves to a float32
 * neighbour; a non-missing x goes left when x <= threshold (BRANCH_LEQ, left = the true branch), and
 * a missing x goes the way the forest learned (`nodes_missing_value_tracks_true`).
 * (TreeEnsembleClassifier is not used: ONNX Runtime labels a two-class model by `score > 0`.)
 */
import { type ModelData } from '../classifier';
import { OnnxExportError } from './column';
import { ML_DOMAIN } from './encoder';
import { type GraphBuilder, tensor } from './graph';

function arr<T>(data: ModelData, key: string): T {
  const a = data.arrays[key];
  if (!a) throw new OnnxExportError(`native forest model data: no array "${key}"`);
  return a as unknown as T;
}

/** `features` [N, F] double → class probabilities [N, K] (float, as the operator outputs). */
export function convertNativeForest(g: GraphBuilder, features: string, data: ModelData): string {
  const nTrees = data.header.n_trees as number;
  const K = data.header.n_classes as number;
  const treeStart = arr<Uint32Array>(data, 'treeStart');
  const feature = arr<Int32Array>(data, 'feature');
  const threshold = arr<Float64Array>(data, 'threshold');
  const missingLeft = arr<Uint8Array>(data, 'missingLeft');
  const child = arr<Int32Array>(data, 'child');
  const leafStart = arr<Uint32Array>(data, 'leafStart');
  const leafClass = arr<Uint16Array>(data, 'leafClass');
  const leafValue = arr<Float64Array>(data, 'leafValue');

  const n = feature.length;
  const treeIds = new Array<number>(n);
  const nodeIds = new Array<number>(n);
  const featureIds = new Array<number>(n);
  const modes = new Array<string>(n);
  const trueIds = new Array<number>(n);
  const falseIds = new Array<number>(n);
  const missingTrue = new Array<number>(n);
  const values = new Float64Array(n);
  const tTree: number[] = [];
  const tNode: number[] = [];
  const tClass: number[] = [];
  const tWeight: number[] = [];
  for (let t = 0; t < nTrees; t++) {
    const start = treeStart[t];
    for (let i = start; i < treeStart[t + 1]; i++) {
      const local = i - start;
      treeIds[i] = t;
      nodeIds[i] = local;
      if (feature[i] >= 0) {
        featureIds[i] = feature[i];
        modes[i] = 'BRANCH_LEQ';
        values[i] = threshold[i];
        trueIds[i] = child[i] - start;
        falseIds[i] = child[i] + 1 - start;
        missingTrue[i] = missingLeft[i];
      } else {
        featureIds[i] = 0;
        modes[i] = 'LEAF';
        values[i] = 0;
        trueIds[i] = 0;
        falseIds[i] = 0;
        missingTrue[i] = 0;
        const leaf = child[i];
        for (let e = leafStart[leaf]; e < leafStart[leaf + 1]; e++) {
          tTree.push(t);
          tNode.push(local);
          tClass.push(leafClass[e]);
          tWeight.push(leafValue[e]);
        }
      }
    }
  }
  return g.op(
    'TreeEnsembleRegressor',
    [features],
    {
      n_targets: K,
      aggregate_function: 'AVERAGE',
      post_transform: 'NONE',
      nodes_treeids: { ints: treeIds },
      nodes_nodeids: { ints: nodeIds },
      nodes_featureids: { ints: featureIds },
      nodes_modes: { strings: modes },
      nodes_values_as_tensor: { tensor: tensor('double', [n], values) },
      nodes_truenodeids: { ints: trueIds },
      nodes_falsenodeids: { ints: falseIds },
      nodes_missing_value_tracks_true: { ints: missingTrue },
      target_treeids: { ints: tTree },
      target_nodeids: { ints: tNode },
      target_ids: { ints: tClass },
      target_weights_as_tensor: { tensor: tensor('double', [tWeight.length], tWeight) },
    },
    ML_DOMAIN,
  );
}
