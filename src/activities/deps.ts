/**
 * What the activities need from the outside world, injected by the worker (the composition root),
 * so that tests can run the same activities against a temporary store and work directory.
 */
import type { ArtifactStore } from '../store/types';
import type { PipelineConfig } from '../config';
import type { CodeVersion } from './types';
import type { StepCodeDigests } from '../cache/code-digest';

export interface ActivityDeps {
  /** Scratch space for downloads and files being published. */
  workDir: string;
  /** Opens (and caches) the artifact store a config names. */
  storeFor(config: PipelineConfig): Promise<ArtifactStore>;
  codeVersion: CodeVersion;
  /** Whether the typed search attributes are registered on the server. */
  searchAttributes: boolean;
  /**
   * Each step's code digest for the step cache (src/cache/code-digest.ts), computed once per worker.
   * Default: this build's code.
   */
  codeDigests?: () => Promise<StepCodeDigests>;
  /** Base config file the workflow input's overrides apply to (default: config/pipeline.yaml). */
  configPath?: string;
}
