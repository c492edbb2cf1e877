/** Parses a size such as `5mb`, `512kb`, `1.5MB` or `1048576` into bytes (1 kb = 1024 bytes). */

const UNITS: Record<string, number> = { '': 1, b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };

export function parseByteSize(text: string, what = 'size'): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const unit = m ? UNITS[m[2].toLowerCase()] : undefined;
  if (!m || unit === undefined) {
    throw new Error(`${what}: '${text}' is not a size; use a number of bytes or a value like 512kb or 5mb.`);
  }
  const bytes = Math.floor(Number(m[1]) * unit);
  if (bytes < 1) throw new Error(`${what}: '${text}' must be at least 1 byte.`);
  return bytes;
}
