/** Champion/challenger decisions on their own: ties, margins, first model, same version. */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { decidePromotion } from '../../src/promotion/decide';

const base = { metric: 'test_auc_ovo', candidateRef: 'model_export:v2' };

void it('promotes the first model, a strictly better one, and nothing else', () => {
  assert.equal(decidePromotion({ ...base, minDelta: 0, candidate: 0.9 }).promoted, true);
  const prod = { score: 0.9, ref: 'model_export:v1' };
  assert.equal(
    decidePromotion({ ...base, minDelta: 0, candidate: 0.9, prod }).promoted,
    false,
    'a tie keeps prod',
  );
  assert.equal(decidePromotion({ ...base, minDelta: 0, candidate: 0.9001, prod }).promoted, true);
  assert.equal(
    decidePromotion({ ...base, minDelta: 0.01, candidate: 0.905, prod }).promoted,
    false,
    'below the margin',
  );
  assert.equal(decidePromotion({ ...base, minDelta: 0.01, candidate: 0.911, prod }).promoted, true);
  assert.equal(decidePromotion({ ...base, minDelta: 0, candidate: 0.8, prod }).promoted, false);
  assert.equal(decidePromotion({ ...base, minDelta: 0, candidate: NaN, prod }).promoted, false);
  const same = decidePromotion({
    ...base,
    minDelta: 0,
    candidate: 0.95,
    prod: { score: 0.95, ref: base.candidateRef },
  });
  assert.equal(same.promoted, false);
  assert.match(same.reason, /already prod/);
});
