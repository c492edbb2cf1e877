/** Engine registry: `random_forest.engine` names one of these; the default is the native forest. */
import { type ClassifierEngine, type EngineName } from '../classifier';
import { nativeForestEngine } from '../forest/index';
import { mlRandomForestEngine } from './ml-random-forest';

export const DEFAULT_ENGINE: EngineName = 'native';

const ENGINES: Readonly<Record<EngineName, ClassifierEngine>> = {
  native: nativeForestEngine,
  'ml-random-forest': mlRandomForestEngine,
};

export const ENGINE_NAMES = Object.keys(ENGINES) as EngineName[];

export function isEngineName(name: unknown): name is EngineName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(ENGINES, name);
}

export function getEngine(name: string = DEFAULT_ENGINE): ClassifierEngine {
  if (!isEngineName(name)) {
    throw new Error(
      `random_forest.engine: unknown engine ${JSON.stringify(name)} (known: ${ENGINE_NAMES.join(', ')})`,
    );
  }
  return ENGINES[name];
}

export { mlRandomForestEngine, maxFeaturesCount, mlrfOptions } from './ml-random-forest';
