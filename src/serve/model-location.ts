/** Whether a `--model` value names a location (a directory, file:// or s3:// URI) rather than a store ref. */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

export function isModelLocation(model: string): boolean {
  const text = model.trim();
  return (
    /^(s3|file):\/\//.test(text) ||
    text.startsWith('/') ||
    text.startsWith('./') ||
    text.startsWith('../') ||
    text === '.' ||
    existsSync(resolve(text))
  );
}
