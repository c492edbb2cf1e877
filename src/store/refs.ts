/**
 * Artifact references: `name:alias`, `name:vN`, `name` (= latest), optionally prefixed `project/`
 * (or W&B's `entity/project/`: the last segment names the project, which selects that project's
 * namespace), with a trailing `.csv` / `.parquet` on the name dropped, so the reference project's
 * W&B-style refs (`exercise_14/preprocessed_data.csv:latest`) resolve to our artifact names.
 */
import { InvalidRefError } from './errors';

export const LATEST = 'latest';

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const ALIAS_RE = /^[A-Za-z][A-Za-z0-9._-]{0,63}$/;
const VERSION_RE = /^v(\d{1,9})$/;
const DROPPED_EXTENSIONS = ['.csv', '.parquet'];

export type ParsedRef = { name: string; /** The `project/` prefix, if any. */ project?: string } & (
  { version: number; alias?: undefined } | { alias: string; version?: undefined }
);

export function parseRef(ref: string): ParsedRef {
  const text = ref.trim();
  if (text === '') throw new InvalidRefError(ref, 'empty reference');
  const colon = text.lastIndexOf(':');
  let name = colon === -1 ? text : text.slice(0, colon);
  const selector = colon === -1 ? LATEST : text.slice(colon + 1);
  const slash = name.lastIndexOf('/');
  let projectName: string | undefined;
  if (slash !== -1) {
    const project = name.slice(0, slash);
    if (!project.split('/').every((seg) => NAME_RE.test(seg) && !seg.includes('..'))) {
      throw new InvalidRefError(
        ref,
        `project prefix ${JSON.stringify(project)} must be /-separated names matching ${NAME_RE.source}`,
      );
    }
    name = name.slice(slash + 1);
    projectName = project.slice(project.lastIndexOf('/') + 1);
  }
  for (const ext of DROPPED_EXTENSIONS) {
    if (name.toLowerCase().endsWith(ext) && name.length > ext.length) name = name.slice(0, -ext.length);
  }
  checkName(name, ref);
  const scope = projectName === undefined ? {} : { project: projectName };
  const version = VERSION_RE.exec(selector);
  if (version) return { name, ...scope, version: Number(version[1]) };
  checkAlias(selector, ref);
  return { name, ...scope, alias: selector };
}

export function formatRef(name: string, version: number): string {
  return `${name}:v${version}`;
}

/** Throws InvalidRefError unless `name` can be an artifact name (it becomes a storage key segment). */
export function checkName(name: string, context = name): void {
  if (!NAME_RE.test(name) || name.includes('..')) {
    throw new InvalidRefError(context, `artifact name ${JSON.stringify(name)} must match ${NAME_RE.source}`);
  }
}

/** Throws InvalidRefError unless `project` can name a project (it becomes a storage key segment). */
export function checkProject(project: string): string {
  if (!NAME_RE.test(project) || project.includes('..')) {
    throw new InvalidRefError(
      project,
      `project name ${JSON.stringify(project)} (main.project_name or --project) must match ${NAME_RE.source}`,
    );
  }
  return project;
}

/** Throws InvalidRefError unless `alias` can be an alias (`vN` is reserved for versions). */
export function checkAlias(alias: string, context = alias): void {
  if (!ALIAS_RE.test(alias) || VERSION_RE.test(alias) || alias.includes('..')) {
    throw new InvalidRefError(
      context,
      `alias ${JSON.stringify(alias)} must match ${ALIAS_RE.source} and must not look like a version (vN)`,
    );
  }
}

/** Parses `v3` or `3` into 3. */
export function parseVersion(text: string): number {
  const m = /^v?(\d{1,9})$/.exec(text.trim());
  if (!m) throw new InvalidRefError(text, 'a version is written vN or N, e.g. v3');
  return Number(m[1]);
}
