/** Reads a PNG's signature and IHDR size: enough to check that bytes are a real, plausibly sized image. */
const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export function pngInfo(png: Buffer): { signature: boolean; width: number; height: number } {
  return {
    signature: png.subarray(0, 8).equals(SIGNATURE),
    width: png.readUInt32BE(16),
    height: png.readUInt32BE(20),
  };
}
