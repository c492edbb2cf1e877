/**
 * The step cache's key: it changes with each config key a step reads, its code, its input digests
 * and the external source, and with nothing else; misses name what changed; a record that cannot be
 * read is a miss with a warning. Real esbuild bundles and a real filesystem store.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { STEP_NAMES, type StepName } from '../../src/contract';
import { pipelineConfigSchema } from '../../src/config';
import {
  flattenLeaves,
  NOT_READ_BY_ANY_STEP,
  OUTPUT_NEUTRAL_KEYS,
  STEP_CONFIG_KEYS,
  stepConfigValues,
} from '../../src/cache/step-config-keys';
import { stepCacheKey, STEP_KEY_FORMAT, type StepKeyComponents } from '../../src/cache/step-key';
import { keyChanges } from '../../src/cache/explain';
import { fingerprintSource } from '../../src/cache/source-fingerprint';
import { computeStepCodeDigests } from '../../src/cache/code-digest';
import {
  CACHE_ENTRY_FORMAT,
  entryRecordKey,
  readEntry,
  writeEntry,
  type CacheEntry,
} from '../../src/cache/entry';
import { openStore } from '../../src/store';

const defaults = pipelineConfigSchema.parse({});
const leaves = flattenLeaves('', defaults);

/** A different value of the same kind. */
function changed(v: unknown): unknown {
  if (typeof v === 'number') return v === 0 ? 1 : v * 2;
  if (typeof v === 'string') return `${v}-other`;
  if (typeof v === 'boolean') return !v;
  if (v === null) return 'set';
  if (Array.isArray(v)) return [...(v as unknown[]), 'x'];
  return { other: 1 };
}

function withLeaf(path: string, value: unknown): unknown {
  const copy = structuredClone(defaults) as unknown as Record<string, unknown>;
  const parts = path.split('.');
  let cur = copy;
  for (const p of parts.slice(0, -1)) cur = cur[p] as Record<string, unknown>;
  cur[parts[parts.length - 1]] = value;
  return copy;
}

function components(
  step: StepName,
  config: unknown,
  over: Partial<StepKeyComponents> = {},
): StepKeyComponents {
  return {
    format: STEP_KEY_FORMAT,
    step,
    code: 'c'.repeat(64),
    config: stepConfigValues(config, step),
    inputs: { data: { ref: 'preprocessed_data:v1', digest: 'a'.repeat(64) } },
    ...over,
  };
}

const readBy = (step: StepName, leaf: string) =>
  !OUTPUT_NEUTRAL_KEYS.has(leaf) &&
  STEP_CONFIG_KEYS[step].some((p) => leaf === p || leaf.startsWith(`${p}.`));

void describe('step cache key', () => {
  void it('changes with each config key the step reads, and with no other key', () => {
    for (const step of STEP_NAMES) {
      const base = stepCacheKey(components(step, defaults));
      for (const [leaf, value] of Object.entries(leaves)) {
        const key = stepCacheKey(components(step, withLeaf(leaf, changed(value))));
        if (readBy(step, leaf)) assert.notEqual(key, base, `${step}: ${leaf} must change the key`);
        else assert.equal(key, base, `${step}: ${leaf} must not change the key`);
      }
    }
    // The lead's example: evaluate.min_delta does not invalidate segregate.
    assert.equal(
      stepCacheKey(components('segregate', withLeaf('evaluate.min_delta', 0.5))),
      stepCacheKey(components('segregate', defaults)),
    );
  });

  void it('declares every config key: read by a step, output-neutral, or read by none', () => {
    const covered = (leaf: string) =>
      OUTPUT_NEUTRAL_KEYS.has(leaf) ||
      [...STEP_NAMES.flatMap((s) => STEP_CONFIG_KEYS[s]), ...NOT_READ_BY_ANY_STEP].some(
        (p) => leaf === p || leaf.startsWith(`${p}.`),
      );
    const undeclared = Object.keys(leaves).filter((l) => !covered(l));
    assert.deepEqual(undeclared, [], 'add new config keys to src/cache/step-config-keys.ts');
  });

  void it('changes with the code, the input digests and the source, not with an input ref of equal content', () => {
    const base = components('get_data', defaults, {
      source: {
        kind: 'file',
        path: '/d.csv',
        size: 10,
        mtime: '2026-01-01T00:00:00.000Z',
        sha256: 'f'.repeat(64),
      },
    });
    const key = stepCacheKey(base);
    assert.notEqual(stepCacheKey({ ...base, code: 'd'.repeat(64) }), key);
    assert.notEqual(
      stepCacheKey({ ...base, inputs: { data: { ref: 'preprocessed_data:v2', digest: 'b'.repeat(64) } } }),
      key,
    );
    assert.equal(
      stepCacheKey({ ...base, inputs: { data: { ref: 'preprocessed_data:v7', digest: 'a'.repeat(64) } } }),
      key,
      'a version with the same content is the same input',
    );
    assert.notEqual(
      stepCacheKey({ ...base, source: { ...base.source!, mtime: '2026-01-02T00:00:00.000Z' } as never }),
      key,
    );
    assert.notEqual(stepCacheKey({ ...base, store: { 'preprocessed_data:reference': null } }), key);
    assert.notEqual(stepCacheKey({ ...base, format: STEP_KEY_FORMAT + 1 }), key);
  });

  void it('explains a miss by what changed', () => {
    const before = components('train_random_forest', defaults);
    const now = components(
      'train_random_forest',
      withLeaf('random_forest_pipeline.random_forest.max_depth', 15),
      {
        code: 'd'.repeat(64),
        inputs: { data: { ref: 'preprocessed_data:v2', digest: 'b'.repeat(64) } },
      },
    );
    assert.deepEqual(keyChanges(before, now), [
      'code changed',
      'random_forest_pipeline.random_forest.max_depth 13 → 15',
      'input preprocessed_data changed (preprocessed_data:v1 → preprocessed_data:v2)',
    ]);
    assert.deepEqual(keyChanges(before, before), []);
  });
});

void describe('source fingerprint', () => {
  void it('follows a local file: its content, and a touch', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlpipe-fp-'));
    try {
      const file = join(dir, 'data.csv');
      writeFileSync(file, 'a,b\n1,2\n');
      utimesSync(file, new Date('2026-01-01T00:00:00Z'), new Date('2026-01-01T00:00:00Z'));
      const a = await fingerprintSource(file, { baseDir: dir });
      assert.deepEqual(await fingerprintSource('data.csv', { baseDir: dir }), a, 'relative to baseDir');
      writeFileSync(file, 'a,b\n1,3\n'); // same size, new content
      utimesSync(file, new Date('2026-01-01T00:00:00Z'), new Date('2026-01-01T00:00:00Z'));
      const b = await fingerprintSource(file, { baseDir: dir });
      assert.equal(a.kind, 'file');
      assert.notDeepEqual(b, a, 'content changed in place, same size and mtime');
      utimesSync(file, new Date('2026-01-02T00:00:00Z'), new Date('2026-01-02T00:00:00Z'));
      assert.notDeepEqual(await fingerprintSource(file, { baseDir: dir }), b, 'touched');
      assert.equal((await fingerprintSource(join(dir, 'nope.csv'), { baseDir: dir })).kind, 'uncacheable');
      assert.deepEqual(await fingerprintSource('sample:genres', { baseDir: dir }), { kind: 'sample' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

void describe('code digest', () => {
  void it('changes with a changed rule, not with a comment, and only for the steps that run that code', async () => {
    const file = resolve(__dirname, '../../src/checks/data-checks.ts');
    const source = readFileSync(file, 'utf8');
    const rule = 'table.nRows < spec.min_rows';
    assert.ok(source.includes(rule));
    const base = await computeStepCodeDigests();
    assert.deepEqual(await computeStepCodeDigests(), base, 'deterministic');
    const comment = await computeStepCodeDigests({
      edits: { [file]: `// a new comment\n${source.replace(rule, `${rule} /* why */`)}` },
    });
    assert.deepEqual(comment, base, 'comments change nothing');
    const edited = await computeStepCodeDigests({
      edits: { [file]: source.replace(rule, 'table.nRows <= spec.min_rows') },
    });
    assert.notEqual(edited.check_data, base.check_data, 'a changed rule changes check_data');
    for (const step of ['get_data', 'preprocess', 'segregate', 'train_random_forest', 'evaluate'] as const)
      assert.equal(edited[step], base[step], `${step} does not run data-checks.ts`);
  });
});

void describe('cache records', () => {
  void it('a corrupt record or one of a newer format is a miss with a warning, never a hit', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlpipe-cache-entry-'));
    try {
      const store = openStore(dir, { project: 'p' });
      const key = 'e'.repeat(64);
      const entry: CacheEntry = {
        format: CACHE_ENTRY_FORMAT,
        project: 'p',
        step: 'segregate',
        key,
        createdAt: new Date().toISOString(),
        producer: { workflowId: 'wf', runId: 'r' },
        components: components('segregate', defaults),
        outcome: { summary: 's', consumed: [], produced: [] },
      };
      await writeEntry(store, entry);
      const found = await readEntry(store, 'p', 'segregate', key);
      assert.equal(found.status, 'found');

      const file = join(dir, 'records', `${entryRecordKey('p', 'segregate', key)}.json`);
      writeFileSync(file, '{"format": 1, "key": ');
      const corrupt = await readEntry(store, 'p', 'segregate', key);
      assert.equal(corrupt.status, 'unreadable');
      assert.match((corrupt as { warning: string }).warning, /not valid JSON/);

      await store.putRecord(entryRecordKey('p', 'segregate', key), {
        ...entry,
        format: CACHE_ENTRY_FORMAT + 1,
      });
      const newer = await readEntry(store, 'p', 'segregate', key);
      assert.equal(newer.status, 'unreadable');
      assert.match((newer as { warning: string }).warning, /newer than this mlpipe reads/);

      await store.putRecord(entryRecordKey('p', 'segregate', key), { ...entry, outcome: { summary: 1 } });
      assert.equal((await readEntry(store, 'p', 'segregate', key)).status, 'unreadable');
      await store.putRecord(entryRecordKey('p', 'segregate', key), { ...entry, key: 'f'.repeat(64) });
      assert.equal((await readEntry(store, 'p', 'segregate', key)).status, 'unreadable', 'another key');
      mkdirSync(join(dir, 'x'), { recursive: true });
      assert.equal((await readEntry(store, 'p', 'segregate', 'a'.repeat(64))).status, 'absent');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
