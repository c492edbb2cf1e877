/** A plot rendered both ways: SVG for reports and browsers, PNG for tools that only show bitmaps. */
import { svgToPng } from './rasterize';
import { vegaLiteToSvg, type TopLevelSpec } from './vega-svg';

export interface RenderedPlot {
  svg: string;
  png: Buffer;
}

/** Shared look: white background, no chart border, room for long category names. */
export const BASE_CONFIG = {
  background: 'white',
  padding: 12,
  view: { stroke: null },
  title: { fontSize: 15, anchor: 'start', offset: 10 },
  axis: { labelFontSize: 11, titleFontSize: 12, labelLimit: 220 },
  legend: { labelFontSize: 11, titleFontSize: 12 },
} as const;

export async function renderPlot(spec: TopLevelSpec): Promise<RenderedPlot> {
  const svg = await vegaLiteToSvg(spec);
  return { svg, png: await svgToPng(svg) };
}
