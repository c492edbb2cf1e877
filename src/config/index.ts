/** Public surface of the config layer. */
export {
  DEFAULT_PROJECT,
  pipelineConfigSchema,
  pipelineConfigInputSchema,
  type PipelineConfig,
} from './schema';
export {
  loadConfig,
  configDefaults,
  defaultConfigPath,
  readConfigFile,
  CONFIG_ENV,
  type LoadConfigOptions,
} from './load';
export { applyOverrides, parseOverride, type ParsedOverride, type ApplyOverridesOptions } from './overrides';
export { parseOverrideValue, parsePrimitive, type HydraValue, type ParsedValue } from './hydra-value';
export { parseSweep, isSweep } from './sweep';
export { configDigest, canonicalJson } from './digest';
export { resolveStepOptions, resolveAllStepOptions, type StepOptions } from './step-options';
export { normalizeStepName } from './aliases';
export { exampleConfigPath, projectRoot, resolveProjectPath } from './project-root';
export { validateConfig } from './validate';
export { ConfigError, type ConfigIssue } from './errors';
