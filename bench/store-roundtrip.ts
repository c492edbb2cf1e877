/**
 * `npm run bench:store`: store then load a model directory through the filesystem store and through
 * MinIO (a real server on loopback), and report the S3/fs time ratio. Target (issue 4): ≤ 2×.
 *
 *   npm run bench:store                       # a synthetic ~20 MB model_export-like directory
 *   npm run bench:store -- --dir PATH         # an existing model directory (e.g. a downloaded model_export)
 *   npm run bench:store -- --size-mb 30 --repeat 5 --warmup 5
 *
 * Each round uses a fresh store (fresh folder / fresh key prefix), so every blob is really uploaded.
 * The S3 stores share one client, as a worker's activities do (its connections stay open).
 * The S3 store packs a version's small files into one object (src/store/packs.ts); the filesystem
 * store keeps a file per blob. A third store, the filesystem store with packs, shows what packing
 * alone is worth there.
 * Rounds alternate between the two stores, so that a noisy moment on the machine hits both, and the
 * first rounds are not counted: MinIO takes a few rounds to reach its steady speed.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { type ArtifactStore, type PublishFile } from '../src/store/index';
import { FsBackend } from '../src/store/backends/fs';
import { S3Backend, createS3Client, parseS3Uri } from '../src/store/backends/s3';
import { VersionedArtifactStore } from '../src/store/versioned-store';
import { startMinio } from '../test/support/minio';

interface Timing {
  store: number;
  load: number;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      dir: { type: 'string' },
      'size-mb': { type: 'string', default: '20' },
      repeat: { type: 'string', default: '9' },
      warmup: { type: 'string', default: '5' },
    },
  });
  const work = await mkdtemp(join(tmpdir(), 'mlpipe-bench-store-'));
  const minio = await startMinio();
  try {
    const modelDir =
      values.dir ?? (await syntheticModel(join(work, 'model_export'), Number(values['size-mb'])));
    const files = await listFiles(modelDir);
    const bytes = (await Promise.all(files.map(async (f) => (await stat(f.source)).size))).reduce(
      (a, b) => a + b,
      0,
    );
    const repeat = Number(values.repeat);
    const warmup = Number(values.warmup);
    await minio.createBucket('bench');
    console.log(
      `model directory: ${modelDir} (${files.length} files, ${(bytes / 1e6).toFixed(1)} MB), ${repeat} rounds each after ${warmup} warm-up rounds, medians shown`,
    );

    const s3Client = createS3Client(minio.s3);
    const fs: Timing[] = [];
    const fsPacked: Timing[] = [];
    const s3: Timing[] = [];
    for (let i = -warmup; i < repeat; i++) {
      const round = i + warmup;
      const fsTime = await roundTrip(
        new VersionedArtifactStore(new FsBackend(join(work, `fs-store-${round}`))),
        files,
        join(work, `out-fs-${round}`),
      );
      const fsPackedTime = await roundTrip(
        new VersionedArtifactStore(new FsBackend(join(work, `fs-packed-store-${round}`)), {
          packSmallFiles: true,
        }),
        files,
        join(work, `out-fs-packed-${round}`),
      );
      const s3Time = await roundTrip(
        new VersionedArtifactStore(
          new S3Backend(s3Client, parseS3Uri(`s3://bench/round-${round}`), minio.s3),
        ),
        files,
        join(work, `out-s3-${round}`),
      );
      if (i >= 0) {
        fs.push(fsTime);
        fsPacked.push(fsPackedTime);
        s3.push(s3Time);
      }
    }

    const row = (name: string, t: Timing) =>
      `${name.padEnd(12)} store ${t.store.toFixed(0).padStart(6)} ms   load ${t.load.toFixed(0).padStart(6)} ms   total ${(t.store + t.load).toFixed(0).padStart(6)} ms   ${((2 * bytes) / 1e6 / ((t.store + t.load) / 1000)).toFixed(0)} MB/s`;
    const fsMedian = medianTiming(fs);
    const s3Median = medianTiming(s3);
    console.log(row('filesystem', fsMedian));
    const fsPackedMedian = medianTiming(fsPacked);
    console.log(row('fs, packed', fsPackedMedian));
    console.log(row('s3 (MinIO)', s3Median));
    const ratio = (s3Median.store + s3Median.load) / (fsMedian.store + fsMedian.load);
    const pairRatios = s3.map((t, i) => (t.store + t.load) / (fs[i].store + fs[i].load));
    console.log(
      `ratio s3/fs: ${ratio.toFixed(2)}× (target ≤ 2×) ${ratio <= 2 ? 'OK' : 'ABOVE TARGET'}; median of per-round ratios ${median(pairRatios).toFixed(2)}×`,
    );
    const packedRatio = (s3Median.store + s3Median.load) / (fsPackedMedian.store + fsPackedMedian.load);
    console.log(`ratio s3/(fs, packed): ${packedRatio.toFixed(2)}×`);
  } finally {
    await minio.close();
    await rm(work, { recursive: true, force: true });
  }
}

async function roundTrip(store: ArtifactStore, files: PublishFile[], outDir: string): Promise<Timing> {
  const t0 = performance.now();
  const { version } = await store.publish({ name: 'model_export', type: 'model', files });
  const t1 = performance.now();
  const loaded = await store.resolve('model_export:latest');
  await store.download(loaded, outDir);
  const t2 = performance.now();
  if (loaded.digest !== version.digest) throw new Error('round trip changed the digest');
  return { store: t1 - t0, load: t2 - t1 };
}

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function medianTiming(ts: Timing[]): Timing {
  return { store: median(ts.map((t) => t.store)), load: median(ts.map((t) => t.load)) };
}

async function listFiles(root: string, dir = root): Promise<PublishFile[]> {
  const out: PublishFile[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(root, full)));
    else if (entry.isFile()) out.push({ path: relative(root, full).split('\\').join('/'), source: full });
  }
  return out;
}

/** A model_export-shaped directory: one large model file plus the small files an export carries. */
async function syntheticModel(dir: string, sizeMb: number): Promise<string> {
  await mkdir(join(dir, 'plots'), { recursive: true });
  const small: Record<string, string | Buffer> = {
    MLmodel: 'artifact_path: model_export\nflavors:\n  mlpipe_forest:\n    model_file: model/forest.bin\n',
    'input_example.json': JSON.stringify({ columns: ['danceability', 'energy'], data: [[0.5, 0.7]] }),
    'serving_input_example.json': JSON.stringify({
      dataframe_split: { columns: ['danceability'], data: [[0.5]] },
    }),
    'environment.json': JSON.stringify({ node: process.version }),
    'metrics.json': JSON.stringify({ auc: 0.97 }),
    'plots/feature_importance.png': randomBytes(150_000),
    'plots/confusion_matrix.png': randomBytes(150_000),
    'plots/feature_importance.svg': 'x'.repeat(200_000),
    'plots/confusion_matrix.svg': 'y'.repeat(200_000),
  };
  for (const [path, content] of Object.entries(small)) await writeFile(join(dir, path), content);
  await mkdir(join(dir, 'model'), { recursive: true });
  // Forest node arrays compress poorly, like random bytes; written in chunks to keep memory flat.
  const target = Math.max(1, sizeMb) * 1e6;
  const chunks: Buffer[] = [];
  for (let n = 0; n < target; n += 1 << 20) chunks.push(randomBytes(Math.min(1 << 20, target - n)));
  await writeFile(join(dir, 'model', 'forest.bin'), Buffer.concat(chunks));
  return dir;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
