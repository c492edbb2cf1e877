/**
 * What garbage collection decides from: every project's versions, current aliases and alias
 * histories, and every run record, read once from the store.
 */
import { LEGACY_PROJECT } from '../store/keys';
import type { AliasEvent, ArtifactVersion } from '../store/types';
import type { VersionedArtifactStore } from '../store/versioned-store';
import type { RunRecord } from '../lineage/run-record';
import { loadRunRecords } from '../lineage/trace';
import { mapLimit } from '../store/concurrency';

export interface ArtifactState {
  name: string;
  versions: ArtifactVersion[];
  aliases: Record<string, number>;
  /** Every move of every alias, oldest first per alias. */
  history: AliasEvent[];
}

export interface ProjectState {
  /** The project's name (LEGACY_PROJECT for the root layout). */
  project: string;
  view: VersionedArtifactStore;
  artifacts: ArtifactState[];
}

export interface StoreSnapshot {
  projects: ProjectState[];
  runs: RunRecord[];
}

export async function readSnapshot(store: VersionedArtifactStore): Promise<StoreSnapshot> {
  const views = await store.projectViews();
  const [projects, runs] = await Promise.all([
    mapLimit(views, 2, async (view) => ({
      project: view.project ?? LEGACY_PROJECT,
      view,
      artifacts: await mapLimit(await view.listArtifacts(), 4, async (name) => {
        const [versions, aliases, history] = await Promise.all([
          view.listVersions(name),
          view.getAliases(name),
          view.aliasHistory(name),
        ]);
        return { name, versions, aliases, history };
      }),
    })),
    loadRunRecords(store),
  ]);
  return { projects, runs };
}
