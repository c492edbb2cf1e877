/**
 * The model file `model.mlpm`: data only, never code.
 *
 *   bytes 0..7   magic "MLPM\r\n\x1a\n" (catches text-mode mangling, as PNG's does)
 *   bytes 8..11  u32 LE header length H
 *   bytes 12..   H bytes of UTF-8 JSON header, then zero padding to a multiple of 8
 *   data         typed arrays, each at an 8-byte-aligned offset relative to the data start
 *
 * The header holds format_version, the pipeline (spec, classes, input schema, transformer state), the
 * engine's JSON header and a table of contents {name, dtype, offset, length} for the arrays.
 */
import { type ModelArray, type ModelData } from '../classifier';

export const MAGIC = Buffer.from([0x4d, 0x4c, 0x50, 0x4d, 0x0d, 0x0a, 0x1a, 0x0a]);
export const FORMAT_VERSION = 1;
export const FORMAT_NAME = 'temporal-ml-pipeline/model';

export type DType = 'float64' | 'float32' | 'int32' | 'uint32' | 'uint16' | 'uint8';

export interface ArrayEntry {
  name: string;
  dtype: DType;
  /** Byte offset from the start of the data section. */
  offset: number;
  /** Number of elements. */
  length: number;
}

const CTORS = {
  float64: Float64Array,
  float32: Float32Array,
  int32: Int32Array,
  uint32: Uint32Array,
  uint16: Uint16Array,
  uint8: Uint8Array,
} as const;

export function dtypeOf(a: ModelArray): DType {
  if (a instanceof Float64Array) return 'float64';
  if (a instanceof Float32Array) return 'float32';
  if (a instanceof Int32Array) return 'int32';
  if (a instanceof Uint32Array) return 'uint32';
  if (a instanceof Uint16Array) return 'uint16';
  if (a instanceof Uint8Array) return 'uint8';
  throw new Error('unsupported array type in model data');
}

const align8 = (n: number): number => (n + 7) & ~7;

/** Packs a JSON header and named arrays into one buffer (arrays in name order, so bytes are deterministic). */
export function packModel(
  header: Record<string, unknown>,
  arrays: Readonly<Record<string, ModelArray>>,
): Buffer {
  const names = Object.keys(arrays).sort();
  const toc: ArrayEntry[] = [];
  let off = 0;
  for (const name of names) {
    const a = arrays[name];
    toc.push({ name, dtype: dtypeOf(a), offset: off, length: a.length });
    off = align8(off + a.byteLength);
  }
  const json = Buffer.from(JSON.stringify({ ...header, arrays: toc }), 'utf8');
  const dataStart = align8(12 + json.length);
  const out = Buffer.alloc(dataStart + off);
  MAGIC.copy(out, 0);
  out.writeUInt32LE(json.length, 8);
  json.copy(out, 12);
  toc.forEach((e, i) => {
    const a = arrays[names[i]];
    Buffer.from(a.buffer, a.byteOffset, a.byteLength).copy(out, dataStart + e.offset);
  });
  return out;
}

export interface UnpackedModel {
  header: Record<string, unknown>;
  arrays: Record<string, ModelArray>;
}

/** Parses and bounds-checks a model buffer; `source` names it in errors. Runs nothing from the file. */
export function unpackModel(buf: Uint8Array, source = 'model file'): UnpackedModel {
  if (buf.length < 12 || !MAGIC.equals(Buffer.from(buf.buffer, buf.byteOffset, 8))) {
    throw new Error(`${source}: not a temporal-ml-pipeline model file (bad magic)`);
  }
  const view = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  const hlen = view.readUInt32LE(8);
  if (12 + hlen > buf.length) throw new Error(`${source}: truncated header`);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(view.subarray(12, 12 + hlen).toString('utf8')) as Record<string, unknown>;
  } catch (err) {
    throw new Error(`${source}: header is not valid JSON`, { cause: err });
  }
  if (!header || typeof header !== 'object') throw new Error(`${source}: header is not an object`);
  if (header.format_version !== FORMAT_VERSION) {
    throw new Error(
      `${source}: unsupported format_version ${JSON.stringify(header.format_version)} (this build reads ${FORMAT_VERSION})`,
    );
  }
  const dataStart = align8(12 + hlen);
  // One aligned copy of the data section; arrays are views into it.
  const data = new Uint8Array(Math.max(0, buf.length - dataStart));
  data.set(buf.subarray(dataStart));
  const toc = header.arrays;
  if (!Array.isArray(toc)) throw new Error(`${source}: header has no array table`);
  const arrays: Record<string, ModelArray> = {};
  for (const e of toc as ArrayEntry[]) {
    const ctor = CTORS[e?.dtype as DType];
    if (!ctor || typeof e.name !== 'string')
      throw new Error(`${source}: bad array entry ${JSON.stringify(e)}`);
    if (
      !Number.isInteger(e.offset) ||
      !Number.isInteger(e.length) ||
      e.offset < 0 ||
      e.length < 0 ||
      e.offset % 8 !== 0
    ) {
      throw new Error(`${source}: bad offset/length for array "${e.name}"`);
    }
    if (e.offset + e.length * ctor.BYTES_PER_ELEMENT > data.length) {
      throw new Error(`${source}: array "${e.name}" runs past the end of the file`);
    }
    arrays[e.name] = new ctor(data.buffer, e.offset, e.length);
  }
  delete header.arrays;
  return { header, arrays };
}

/** Splits "prefix/name" arrays back into one engine's ModelData. */
export function withPrefix(
  arrays: Readonly<Record<string, ModelArray>>,
  prefix: string,
): Record<string, ModelArray> {
  const out: Record<string, ModelArray> = {};
  for (const [k, v] of Object.entries(arrays)) out[`${prefix}${k}`] = v;
  return out;
}

export function stripPrefix(
  arrays: Readonly<Record<string, ModelArray>>,
  prefix: string,
): Record<string, ModelArray> {
  const out: Record<string, ModelArray> = {};
  for (const [k, v] of Object.entries(arrays)) if (k.startsWith(prefix)) out[k.slice(prefix.length)] = v;
  return out;
}

export type { ModelData };
