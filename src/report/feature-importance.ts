/** Feature importance as horizontal bars, largest first (the train step's plot). */
import { BASE_CONFIG, renderPlot, type RenderedPlot } from './render-plot';
import type { TopLevelSpec } from './vega-svg';

export interface FeatureImportanceOptions {
  /** How many of the most important features to show (default 20). */
  top?: number;
  title?: string;
}

export const DEFAULT_TOP_FEATURES = 20;

interface Bar {
  feature: string;
  importance: number;
}

export function plotFeatureImportance(
  names: string[],
  importances: ArrayLike<number>,
  opts: FeatureImportanceOptions = {},
): Promise<RenderedPlot> {
  return renderPlot(featureImportanceSpec(names, importances, opts));
}

export function featureImportanceSpec(
  names: string[],
  importances: ArrayLike<number>,
  opts: FeatureImportanceOptions = {},
): TopLevelSpec {
  const top = opts.top ?? DEFAULT_TOP_FEATURES;
  if (!Number.isInteger(top) || top < 1)
    throw new Error(`plotFeatureImportance: top must be a positive integer, got ${top}`);
  const bars = topBars(names, importances, top);
  return {
    title: opts.title ?? `Feature importance (top ${bars.length} of ${names.length})`,
    config: BASE_CONFIG,
    width: 360,
    height: { step: 18 },
    data: { values: bars },
    encoding: {
      // Data arrive sorted; `sort: null` keeps that order, so ties keep their name order too.
      y: { field: 'feature', type: 'nominal', sort: null, title: null },
      x: { field: 'importance', type: 'quantitative', title: 'Importance' },
    },
    layer: [
      { mark: { type: 'bar', color: '#4c78a8' } },
      {
        mark: { type: 'text', align: 'left', dx: 3, fontSize: 10, color: '#333' },
        encoding: { text: { field: 'importance', type: 'quantitative', format: '.3f' } },
      },
    ],
  };
}

/** Validates the inputs and keeps the `top` largest, sorted by importance then name (deterministic). */
function topBars(names: string[], importances: ArrayLike<number>, top: number): Bar[] {
  if (names.length !== importances.length) {
    throw new Error(
      `plotFeatureImportance: ${names.length} feature names but ${importances.length} importances`,
    );
  }
  if (names.length === 0) throw new Error('plotFeatureImportance: no features to plot');
  const bars: Bar[] = names.map((feature, i) => {
    const importance = importances[i];
    if (!Number.isFinite(importance)) {
      throw new Error(`plotFeatureImportance: importance of feature "${feature}" is ${importance}`);
    }
    return { feature, importance };
  });
  bars.sort(
    (a, b) => b.importance - a.importance || (a.feature < b.feature ? -1 : a.feature > b.feature ? 1 : 0),
  );
  return bars.slice(0, top);
}
