/**
 * The one command that accepts a dataset version as check_data's reference. The data contract is
 * keyed by the reference dataset version and re-inferred when the reference moves, so moving
 * the reference alias is enough; this builds that command with the store and project it needs.
 */
import { pipelineConfigSchema, type PipelineConfig } from '../config';
import { parseRef } from '../store/refs';

let defaults: PipelineConfig | undefined;
function configDefaults(): PipelineConfig {
  defaults ??= pipelineConfigSchema.parse({});
  return defaults;
}

function shellWord(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * `mlpipe … artifacts alias preprocessed_data reference N` for `data` (name, version), with
 * `--project` and the store when they are not the defaults the CLI would use, and `--expected` the
 * reference's current version, so that a reference moved meanwhile is not overwritten unseen.
 */
export function acceptReferenceCommand(
  config: PipelineConfig,
  data: { name: string; version: number; ref: string },
  currentReference: number | undefined,
): string {
  const parsed = parseRef(config.data.reference_dataset);
  const d = configDefaults();
  const store =
    config.storage.uri !== d.storage.uri ? ` --set storage.uri=${shellWord(config.storage.uri)}` : '';
  const project =
    config.main.project_name !== d.main.project_name
      ? ` --project ${shellWord(config.main.project_name)}`
      : '';
  if (parsed.alias === undefined || parsed.alias === 'latest' || parsed.name !== data.name) {
    // A pinned reference (name:vN) or another artifact's: the config names the reference.
    return `mlpipe${store} run --set data.reference_dataset=${shellWord(data.ref)}`;
  }
  const expected = currentReference === undefined ? '' : ` --expected ${currentReference}`;
  return `mlpipe${store} artifacts alias ${data.name} ${parsed.alias} ${data.version}${expected}${project}`;
}
