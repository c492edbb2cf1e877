/**
 * A store whose alias moves each let "another run" act first: `race(store, k)` runs just before the
 * k-th moveAlias (from 0) of the code under test, on the real store, so that it wins the race.
 */
import type { ArtifactStore } from '../../src/store/types';

export function raceAliasMoves(
  store: ArtifactStore,
  race: (store: ArtifactStore, k: number) => Promise<unknown>,
): ArtifactStore {
  let k = 0;
  return new Proxy(store, {
    get(target, prop, receiver) {
      if (prop !== 'moveAlias') return Reflect.get(target, prop, receiver) as unknown;
      return async (...args: Parameters<ArtifactStore['moveAlias']>) => {
        await race(target, k++);
        return target.moveAlias(...args);
      };
    },
  });
}
