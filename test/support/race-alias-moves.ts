/**
 * A store whose alias moves each let "another run" act first: `race(store, k)` runs just before the
 * k-th moveAlias (from 0) of the code under test, on the real store, so that it wins the race.
 */
import type { ArtifactStore } from '../../src/store/types';
import { interceptCalls } from './intercept-calls';

export function raceAliasMoves(
  store: ArtifactStore,
  race: (store: ArtifactStore, k: number) => Promise<unknown>,
): ArtifactStore {
  let k = 0;
  return interceptCalls(store, (method) => (method === 'moveAlias' ? race(store, k++) : undefined));
}
