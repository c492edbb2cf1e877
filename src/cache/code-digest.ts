/**
 * A digest of the code each step runs, computed once when a worker starts: the step's activity
 * module bundled with every module of this project it imports (esbuild, tree-shaken, whitespace
 * and comments dropped, so a comment or a reformatting changes nothing and a changed rule does),
 * plus the installed dependency versions (npm's lockfile). A worker running other code than the
 * one that filled a cache entry therefore misses it.
 *
 * Built from the sources under tsx and from the compiled files under dist/: the two give different
 * digests (a miss, never a wrong hit).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { extname, join, relative, resolve, sep } from 'node:path';
import type * as Esbuild from 'esbuild';
import type { StepName } from '../contract';
import { STEP_NAMES } from '../contract';

/** Raise when what goes into a code digest changes, so that old entries miss. */
export const CODE_DIGEST_FORMAT = 1;

/** Each step's activity module, and modules it runs without importing them (worker threads). */
const STEP_MODULES: Record<StepName, string[]> = {
  get_data: ['activities/get-data'],
  preprocess: ['activities/preprocess'],
  check_data: ['activities/check-data'],
  segregate: ['activities/segregate'],
  // With random_forest.shards the step runs as plan/shard/merge activities (sharded-training.ts).
  train_random_forest: [
    'activities/train-random-forest',
    'activities/sharded-training',
    'ml/forest/tree-worker',
  ],
  evaluate: ['activities/evaluate'],
};

export type StepCodeDigests = Record<StepName, string>;

export interface CodeDigestOptions {
  /** The folder holding activities/, ml/, … (default: this build's: src/ under tsx, dist/ compiled). */
  codeDir?: string;
  /** The project folder holding package-lock.json (default: codeDir's parent). */
  root?: string;
  /** Replacement contents for some files (absolute paths): measures an edit without making it. */
  edits?: Readonly<Record<string, string>>;
}

function loadEsbuild(): typeof Esbuild {
  // esbuild comes with tsx (a runtime dependency), as in src/ml/forest/worker-bundle.ts.
  const tsxApi = require.resolve('tsx/cjs/api');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(require.resolve('esbuild', { paths: [tsxApi] })) as typeof Esbuild;
}

/** The installed dependency tree: npm's hidden lockfile in node_modules, else package-lock.json. */
function dependencyFingerprint(root: string): string {
  for (const file of [join(root, 'node_modules', '.package-lock.json'), join(root, 'package-lock.json')]) {
    if (existsSync(file)) {
      const lock = JSON.parse(readFileSync(file, 'utf8')) as {
        packages?: Record<string, { version?: string }>;
      };
      // Versions only: the hidden lockfile and package-lock.json agree on them, not on every field.
      const versions = Object.entries(lock.packages ?? {})
        .filter(([path]) => path.startsWith('node_modules/'))
        .map(([path, p]) => `${path}@${p.version ?? ''}`)
        .sort();
      return createHash('sha256').update(versions.join('\n')).digest('hex');
    }
  }
  return createHash('sha256')
    .update(readFileSync(join(root, 'package.json')))
    .digest('hex');
}

function editsPlugin(edits: Readonly<Record<string, string>>): Esbuild.Plugin {
  return {
    name: 'mlpipe-code-edits',
    setup(build) {
      build.onLoad({ filter: /\.[cm]?[jt]s$/ }, (args) => {
        const contents = edits[resolve(args.path)];
        if (contents === undefined) return undefined;
        return { contents, loader: extname(args.path).endsWith('ts') ? 'ts' : 'js' };
      });
    },
  };
}

/** Every step's code as normalized bundles, built together (one esbuild run): step → text. */
async function bundleSteps(
  esbuild: typeof Esbuild,
  codeDir: string,
  root: string,
  ext: string,
  edits: Readonly<Record<string, string>>,
): Promise<Map<StepName, string>> {
  const entryPoints = STEP_NAMES.flatMap((step) =>
    STEP_MODULES[step].map((m, i) => ({ in: join(codeDir, `${m}${ext}`), out: `${step}/${i}` })),
  );
  const outdir = join(root, '.mlpipe-code-digest');
  const out = await esbuild.build({
    entryPoints,
    // Relative paths in the output: the same code in another checkout gives the same digest.
    absWorkingDir: root,
    outdir,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    treeShaking: true,
    minifyWhitespace: true,
    legalComments: 'none',
    charset: 'utf8',
    write: false,
    logLevel: 'silent',
    plugins: Object.keys(edits).length ? [editsPlugin(edits)] : [],
  });
  const byStep = new Map<StepName, string[]>();
  for (const f of [...out.outputFiles].sort((a, b) => (a.path < b.path ? -1 : 1))) {
    const name = relative(outdir, f.path).split(sep).join('/');
    const step = name.split('/')[0] as StepName;
    byStep.set(step, [...(byStep.get(step) ?? []), `${name}\n${f.text}`]);
  }
  return new Map([...byStep].map(([step, parts]) => [step, parts.join('\n')]));
}

/** Every step's code digest (sha256 hex). Takes ≈ 0.3–0.8 s; a worker starts it once at start-up. */
export async function computeStepCodeDigests(options: CodeDigestOptions = {}): Promise<StepCodeDigests> {
  const codeDir = options.codeDir ?? resolve(__dirname, '..');
  const root = options.root ?? resolve(codeDir, '..');
  const ext = extname(__filename);
  const esbuild = loadEsbuild();
  const deps = dependencyFingerprint(root);
  const edits = Object.fromEntries(Object.entries(options.edits ?? {}).map(([p, c]) => [resolve(p), c]));
  const bundles = await bundleSteps(esbuild, codeDir, root, ext, edits);
  const digests = {} as StepCodeDigests;
  for (const step of STEP_NAMES) {
    digests[step] = createHash('sha256')
      .update(`format ${CODE_DIGEST_FORMAT}\nesbuild ${esbuild.version}\ndependencies ${deps}\n`)
      .update(bundles.get(step) ?? '')
      .digest('hex');
  }
  return digests;
}

const memo = new Map<string, Promise<StepCodeDigests>>();

/** computeStepCodeDigests once per process and code folder (tests start many workers). */
export function stepCodeDigests(options: CodeDigestOptions = {}): Promise<StepCodeDigests> {
  if (options.edits && Object.keys(options.edits).length) return computeStepCodeDigests(options);
  const key = options.codeDir ?? '';
  let found = memo.get(key);
  if (!found) {
    found = computeStepCodeDigests(options);
    found.catch(() => memo.delete(key));
    memo.set(key, found);
  }
  return found;
}
