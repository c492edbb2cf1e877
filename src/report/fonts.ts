/**
 * Fonts for rasterising plots. resvg draws no text without a font, so the PNGs are rendered with DejaVu Sans
 * loaded from its files (only those: the PNG then depends on the font files alone, not on what else the
 * machine has). Without DejaVu, fall back to the system fonts and say so once: text may be missing then.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ResvgRenderOptions } from '@resvg/resvg-js';

export type FontOptions = NonNullable<ResvgRenderOptions['font']>;

export const FONT_FAMILY = 'DejaVu Sans';
const FONT_FILES = ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf'];

/** Where distributions put DejaVu Sans (Debian/Ubuntu fonts-dejavu-core first, then Fedora, Arch, Alpine, macOS). */
export const DEFAULT_FONT_DIRS = [
  '/usr/share/fonts/truetype/dejavu',
  '/usr/share/fonts/dejavu-sans-fonts',
  '/usr/share/fonts/TTF',
  '/usr/share/fonts/dejavu',
  '/Library/Fonts',
];

/** Env var naming an extra folder holding DejaVuSans.ttf, searched first. */
export const FONT_DIR_ENV = 'MLPIPE_REPORT_FONT_DIR';

export function fontDirs(): string[] {
  const extra = process.env[FONT_DIR_ENV];
  return extra ? [extra, ...DEFAULT_FONT_DIRS] : DEFAULT_FONT_DIRS;
}

/** The DejaVu Sans files in the first folder that has the regular face, or undefined. */
export function findDejaVu(dirs: readonly string[]): string[] | undefined {
  for (const dir of dirs) {
    const files = FONT_FILES.map((f) => join(dir, f)).filter((p) => existsSync(p));
    if (files.length > 0 && files[0].endsWith(FONT_FILES[0])) return files;
  }
  return undefined;
}

let warned = false;

/** resvg font options: DejaVu Sans only when found, else system fonts with a one-line warning (once). */
export function resolveFontOptions(dirs: readonly string[] = fontDirs()): FontOptions {
  const files = findDejaVu(dirs);
  if (files) {
    return {
      loadSystemFonts: false,
      fontFiles: files,
      defaultFontFamily: FONT_FAMILY,
      sansSerifFamily: FONT_FAMILY,
    };
  }
  if (!warned) {
    warned = true;
    console.warn(
      `report: DejaVu Sans not found in ${dirs.join(', ')}; PNG plots use system fonts and text may be missing ` +
        `(install fonts-dejavu-core or set ${FONT_DIR_ENV})`,
    );
  }
  return { loadSystemFonts: true, sansSerifFamily: FONT_FAMILY };
}
