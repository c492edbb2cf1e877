/**
 * CSV form of the sample, written exactly like the reference genres_mod.csv: its header, a comma
 * separator, an empty field for a missing value, RFC 4180 quoting where a field needs it.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { generateSampleGenres, type SampleOptions } from './generate';
import { SAMPLE_COLUMNS, type SampleRow, type SampleValue } from './schema';

export function sampleRowsToCsv(rows: readonly SampleRow[]): string {
  const lines = [SAMPLE_COLUMNS.join(',')];
  for (const row of rows) lines.push(SAMPLE_COLUMNS.map((c) => formatField(row[c])).join(','));
  return lines.join('\n') + '\n';
}

function formatField(value: SampleValue): string {
  if (value === null) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** The sample as CSV text (what writeSampleCsv writes). */
export function sampleGenresCsv(options: SampleOptions): string {
  return sampleRowsToCsv(generateSampleGenres(options));
}

/**
 * Writes the sample to `path` (creating its folder). The file appears whole or not at all: it is
 * written beside the target under a temporary name, then renamed over it.
 */
export async function writeSampleCsv(path: string, options: SampleOptions): Promise<void> {
  const text = sampleGenresCsv(options);
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(temporary, text, 'utf8');
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
