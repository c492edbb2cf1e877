/**
 * Vega-Lite spec → SVG text, headless (renderer 'none', no canvas, no DOM).
 *
 * vega and vega-lite are ESM-only, so they are loaded with a dynamic import (kept as such in the CommonJS build).
 * Vega numbers clip paths and gradients from module-level counters; renders are serialised and the counters
 * reset before each one so that the same spec always gives the same SVG bytes (model exports are digested).
 */
import type * as Vega from 'vega' with { 'resolution-mode': 'import' };
import type * as VegaLite from 'vega-lite' with { 'resolution-mode': 'import' };
import type { TopLevelSpec } from 'vega-lite' with { 'resolution-mode': 'import' };

type VegaModule = typeof Vega;
type VegaLiteModule = typeof VegaLite;

export type { TopLevelSpec };

let modules: Promise<{ vega: VegaModule; vl: VegaLiteModule }> | undefined;

function loadVega(): Promise<{ vega: VegaModule; vl: VegaLiteModule }> {
  modules ??= Promise.all([import('vega'), import('vega-lite')]).then(([vega, vl]) => ({ vega, vl }));
  return modules;
}

/** Tail of the render queue: each render waits for the previous one, so id counters are never shared. */
let queue: Promise<unknown> = Promise.resolve();

export function vegaLiteToSvg(spec: TopLevelSpec): Promise<string> {
  const run = queue.then(() => renderOne(spec));
  queue = run.catch(() => undefined);
  return run;
}

async function renderOne(spec: TopLevelSpec): Promise<string> {
  const { vega, vl } = await loadVega();
  const compiled = vl.compile(spec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', logLevel: vega.Warn });
  try {
    vega.resetSVGDefIds();
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
