/**
 * SVG → PNG with resvg (a Rust renderer shipped as a napi binary). renderAsync runs on libuv's thread pool,
 * so rasterising stays off the main thread without a worker of our own.
 */
import { renderAsync } from '@resvg/resvg-js';
import { resolveFontOptions, type FontOptions } from './fonts';

/** Pixels per SVG unit: 2 keeps small labels sharp on high-density screens and in zoomed reports. */
export const PNG_ZOOM = 2;

export async function svgToPng(svg: string, font: FontOptions = resolveFontOptions()): Promise<Buffer> {
  const image = await renderAsync(svg, {
    font,
    fitTo: { mode: 'zoom', value: PNG_ZOOM },
    background: 'white',
    logLevel: 'off',
  });
  return image.asPng();
}
