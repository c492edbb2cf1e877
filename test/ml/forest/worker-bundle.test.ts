import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { buildOrReuseBundle } from '../../../src/ml/forest/worker-bundle';

/** Runs a bundle and returns what it exported as `answer`. */
function answerOf(code: string): unknown {
  const module = { exports: {} as { answer?: unknown } };
  runInNewContext(code, { module, exports: module.exports, require });
  return module.exports.answer;
}

void test('worker bundles are cached on disk and rebuilt when any input changes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mlpipe-bundle-test-'));
  const cache = join(dir, 'cache');
  try {
    const entry = join(dir, 'entry.ts');
    const dep = join(dir, 'dep.ts');
    writeFileSync(dep, 'export const value: number = 1;\n');
    writeFileSync(entry, "import { value } from './dep';\nexport const answer = value + 1;\n");
    mkdirSync(cache);

    const first = buildOrReuseBundle(entry, cache);
    assert.equal(answerOf(first), 2);
    assert.equal(readdirSync(cache).length, 1, 'one cache entry written');
    // A cached entry is what the next process gets: same code, even with esbuild's output differing.
    const cacheFile = join(cache, readdirSync(cache)[0]);
    const entryJson = JSON.parse(readFileSync(cacheFile, 'utf8')) as { code: string };
    writeFileSync(cacheFile, JSON.stringify({ ...entryJson, code: `${entryJson.code}\n// reused` }));
    assert.match(buildOrReuseBundle(entry, cache), /\/\/ reused$/);

    // Editing a file the entry imports invalidates the cached bundle.
    writeFileSync(dep, 'export const value: number = 41;\n');
    const rebuilt = buildOrReuseBundle(entry, cache);
    assert.doesNotMatch(rebuilt, /\/\/ reused$/);
    assert.equal(answerOf(rebuilt), 42);

    // Without a cache folder it still bundles.
    assert.equal(answerOf(buildOrReuseBundle(entry, undefined)), 42);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
