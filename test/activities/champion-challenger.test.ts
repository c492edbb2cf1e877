/**
 * Champion/challenger on a real filesystem store, with a concurrent run moving prod between this
 * run's read and its compare-and-swap: the loser decides again against the model that run promoted,
 * so no update is lost and a candidate never replaces a model it was not compared with.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/activity';
import {
  PROMOTION_ROUNDS,
  promoteIfBetter,
  type ChampionChallenger,
} from '../../src/activities/champion-challenger';
import { openStore } from '../../src/store';
import type { ArtifactStore, ArtifactVersion } from '../../src/store/types';
import { raceAliasMoves } from '../support/race-alias-moves';

let root: string;

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'mlpipe-champion-'));
});

after(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A store holding `model:v0..v3`, each with the test score given for it. */
async function storeWithModels(name: string, scores: number[]) {
  const store = openStore(join(root, name));
  const versions: ArtifactVersion[] = [];
  for (const [i] of scores.entries()) {
    const source = join(root, `${name}-${i}.bin`);
    await writeFile(source, `model ${i}`);
    versions.push(
      (await store.publish({ name: 'model', type: 'model', files: [{ path: 'm.bin', source }] })).version,
    );
  }
  const scored: string[] = [];
  const scoreChampion = (ref: string) => {
    scored.push(ref);
    return Promise.resolve(scores[versions.findIndex((v) => v.ref === ref)]);
  };
  return { store, versions, scored, scoreChampion };
}

/** The store as the run sees it, with another run moving prod to `moves[k]` just before this run's k-th move. */
function racedStore(store: ArtifactStore, moves: number[]): ArtifactStore {
  return raceAliasMoves(store, async (real, k) => {
    if (k < moves.length)
      await real.moveAlias('model', 'prod', moves[k], { actor: 'other-run', reason: 'raced' });
  });
}

function challenge(
  store: ArtifactStore,
  candidate: ArtifactVersion,
  candidateScore: number,
  scoreChampion: (ref: string) => Promise<number>,
  metric = 'test_auc_ovo',
): ChampionChallenger {
  return {
    store,
    candidate,
    candidateScore,
    metric,
    minDelta: 0,
    alias: 'prod',
    scoreChampion,
    actor: 'this-run',
    details: { test: 'data_test:v0' },
  };
}

void describe('champion/challenger', () => {
  void it('promotes the first model and then only a better one', async () => {
    const { store, versions, scoreChampion } = await storeWithModels('plain', [0.8, 0.7, 0.9]);
    assert.equal((await promoteIfBetter(challenge(store, versions[0], 0.8, scoreChampion))).promoted, true);
    const worse = await promoteIfBetter(challenge(store, versions[1], 0.7, scoreChampion));
    assert.equal(worse.promoted, false);
    assert.equal(worse.prodRef, 'model:v0');
    assert.equal((await promoteIfBetter(challenge(store, versions[2], 0.9, scoreChampion))).promoted, true);
    assert.equal((await store.getAliases('model')).prod, 2);
    const history = await store.aliasHistory('model', 'prod');
    assert.deepEqual(
      history.map((e) => [e.from, e.to, e.actor]),
      [
        [null, 0, 'this-run'],
        [0, 2, 'this-run'],
      ],
    );
    assert.equal(history[1].details?.test, 'data_test:v0');
  });

  void it('keeps the better model a concurrent run promoted while this run was deciding', async () => {
    // prod is v0 (0.70); this run's candidate v1 (0.80) beats it, but another run puts v2 (0.90) first.
    const { store, versions, scored, scoreChampion } = await storeWithModels('raced-better', [0.7, 0.8, 0.9]);
    await store.moveAlias('model', 'prod', 0);
    const decision = await promoteIfBetter(
      challenge(racedStore(store, [2]), versions[1], 0.8, scoreChampion),
    );
    assert.equal(decision.promoted, false);
    assert.equal(decision.prodRef, 'model:v2');
    assert.equal(decision.prod, 0.9);
    assert.deepEqual(scored, ['model:v0', 'model:v2']);
    assert.equal((await store.getAliases('model')).prod, 2);
    assert.deepEqual(
      (await store.aliasHistory('model', 'prod')).map((e) => [e.from, e.to]),
      [
        [null, 0],
        [0, 2],
      ],
    );
  });

  void it('promotes over a worse model a concurrent run promoted, from exactly that model', async () => {
    // prod is v0 (0.70); another run puts v2 (0.75) first; this run's v1 (0.80) beats both.
    const { store, versions, scoreChampion } = await storeWithModels('raced-worse', [0.7, 0.8, 0.75]);
    await store.moveAlias('model', 'prod', 0, { actor: 'setup' });
    const decision = await promoteIfBetter(
      challenge(racedStore(store, [2]), versions[1], 0.8, scoreChampion),
    );
    assert.equal(decision.promoted, true);
    assert.equal(decision.prodRef, 'model:v2');
    assert.deepEqual(
      (await store.aliasHistory('model', 'prod')).map((e) => [e.from, e.to, e.actor]),
      [
        [null, 0, 'setup'],
        [0, 2, 'other-run'],
        [2, 1, 'this-run'],
      ],
    );
  });

  void it(`leaves prod to a later attempt after losing ${PROMOTION_ROUNDS} races in a row`, async () => {
    // Each round, another run moves prod to a model that this candidate (0.99) still beats.
    const scores = [0.1, 0.99, 0.2, 0.3, 0.4, 0.5, 0.6];
    const { store, versions, scored, scoreChampion } = await storeWithModels('contended', scores);
    const others = [2, 3, 4, 5, 6, 2, 3].slice(0, PROMOTION_ROUNDS);
    await assert.rejects(
      promoteIfBetter(challenge(racedStore(store, others), versions[1], 0.99, scoreChampion)),
      (e: unknown) => {
        assert.ok(e instanceof ApplicationFailure, String(e));
        assert.equal(e.type, 'PromotionContended');
        assert.equal(e.nonRetryable, false);
        assert.match(e.message, new RegExp(`model:prod moved under ${PROMOTION_ROUNDS} promotion decisions`));
        return true;
      },
    );
    assert.equal(new Set(scored).size, scored.length, `each champion scored once: ${scored.join(', ')}`);
    assert.equal((await store.getAliases('model')).prod, others[others.length - 1]);
  });

  void it('compares a lower-is-better metric the right way round', async () => {
    const { store, versions, scoreChampion } = await storeWithModels('log-loss', [0.9, 0.5]);
    await store.moveAlias('model', 'prod', 0);
    const decision = await promoteIfBetter(
      challenge(store, versions[1], 0.5, scoreChampion, 'test_log_loss'),
    );
    assert.equal(decision.promoted, true);
    assert.equal(decision.candidate, 0.5);
    assert.equal(decision.prod, 0.9);
  });
});
