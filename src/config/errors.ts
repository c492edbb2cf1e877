/** The one error type config loading throws: every problem found, each naming its key path. */

export interface ConfigIssue {
  /** Dotted key path, e.g. `random_forest_pipeline.random_forest.max_depth` (list items as `[i]`). */
  path: string;
  message: string;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
  readonly issues: readonly ConfigIssue[];

  constructor(headline: string, issues: readonly ConfigIssue[] = []) {
    const lines = issues.map((i) => (i.path ? `  - ${i.path}: ${i.message}` : `  - ${i.message}`));
    super(lines.length ? `${headline}\n${lines.join('\n')}` : headline);
    this.issues = issues;
  }
}
