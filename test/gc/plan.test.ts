/**
 * The GC rules as a pure decision over a snapshot: each rule alone keeps what it should (current
 * alias, an alias's last N moves, age, runs in flight, lineage across projects), and nothing else.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { planVersions, type GcRules } from '../../src/gc/plan';
import type { StoreSnapshot } from '../../src/gc/snapshot';
import type { RunRecord } from '../../src/lineage/run-record';
import type { AliasEvent, ArtifactVersion } from '../../src/store/types';
import type { VersionedArtifactStore } from '../../src/store/versioned-store';

const NOW = Date.parse('2026-12-07T00:00:00Z');
const DAY = 86_400_000;

function version(
  name: string,
  n: number,
  ageDays: number,
  workflowId?: string,
  step = 'make',
): ArtifactVersion {
  return {
    name,
    version: n,
    ref: `${name}:v${n}`,
    digest: `${name}${n}`,
    size: 1,
    type: name,
    description: '',
    metadata: {},
    files: [],
    createdAt: new Date(NOW - ageDays * DAY).toISOString(),
    ...(workflowId ? { producer: { workflowId, runId: 'r', step, attempt: 1 } } : {}),
  };
}

const move = (name: string, alias: string, to: number): AliasEvent => ({
  name,
  alias,
  from: null,
  to,
  at: '',
});

function record(workflowId: string, project: string, consumed: string[], ended = true): RunRecord {
  return {
    workflowId,
    config: { main: { project_name: project } },
    endedAt: ended ? '2026-12-01T00:00:00Z' : '',
    steps: [
      {
        step: 'make',
        consumed: consumed.map((ref) => ({
          requested: ref.includes('/') ? ref : undefined,
          name: ref.split('/').at(-1)!.split(':')[0],
          version: Number(ref.split(':v')[1]),
          ref: ref.split('/').at(-1)!,
          digest: 'd',
        })),
        produced: [],
      },
    ],
  } as unknown as RunRecord;
}

const view = {} as VersionedArtifactStore;
const rules: GcRules = { keepLast: 2, olderThanMs: 7 * DAY, graceMs: DAY };

void it('keeps by alias, last moves, age, run in flight and lineage, and nothing else', () => {
  const snapshot: StoreSnapshot = {
    projects: [
      {
        project: 'p',
        view,
        artifacts: [
          {
            name: 'model',
            versions: [
              version('model', 0, 30, 'w0'),
              version('model', 1, 30, 'w1'),
              version('model', 2, 30, 'w2'),
              version('model', 3, 30, 'w3'),
              version('model', 4, 3), // recent
              version('model', 5, 0.5, 'running'), // no record yet: in flight
              version('model', 6, 2, 'stale-running'), // no record, older than the grace: recent only
            ],
            aliases: { prod: 1, latest: 3 },
            history: [move('model', 'prod', 0), move('model', 'prod', 2), move('model', 'prod', 1)],
          },
          {
            name: 'data',
            versions: [version('data', 0, 30), version('data', 1, 30), version('data', 2, 30)],
            aliases: {},
            history: [],
          },
        ],
      },
      {
        project: 'shared',
        view,
        artifacts: [
          { name: 'raw', versions: [version('raw', 0, 30), version('raw', 1, 30)], aliases: {}, history: [] },
        ],
      },
    ],
    runs: [
      record('w1', 'p', ['data:v1']), // prod's lineage
      record('w2', 'p', ['data:v2', 'shared/raw:v1']), // in prod's last 2 moves: its lineage too, across projects
      record('w0', 'p', ['data:v0']),
      record('w3', 'p', []),
    ],
  };
  const plan = planVersions(snapshot, rules, NOW);
  const kept = Object.fromEntries(
    plan.kept.map((k) => [
      `${k.project}/${k.version.ref}`,
      k.reasons
        .map((r) => r.kind)
        .sort()
        .join(','),
    ]),
  );
  assert.deepEqual(kept, {
    'p/model:v1': 'alias,history',
    'p/model:v2': 'history',
    'p/model:v3': 'alias',
    'p/model:v4': 'recent',
    'p/model:v5': 'in-flight,recent',
    'p/model:v6': 'recent',
    'p/data:v1': 'lineage',
    'p/data:v2': 'lineage',
    'shared/raw:v1': 'lineage',
  });
  assert.deepEqual(
    plan.doomed.map((d) => `${d.project}/${d.version.ref}`),
    ['p/data:v0', 'p/model:v0', 'shared/raw:v0'],
  );

  // --project narrows what may go; a record without an end keeps what it read.
  const narrowed = planVersions(
    { ...snapshot, runs: [...snapshot.runs, record('unfinished', 'p', ['shared/raw:v0'], false)] },
    { ...rules, project: 'shared' },
    NOW,
  );
  assert.deepEqual(
    narrowed.doomed.map((d) => `${d.project}/${d.version.ref}`),
    [],
  );
  const onlyP = planVersions(snapshot, { ...rules, project: 'p' }, NOW);
  assert.deepEqual(
    onlyP.doomed.map((d) => `${d.project}/${d.version.ref}`),
    ['p/data:v0', 'p/model:v0'],
  );
});
