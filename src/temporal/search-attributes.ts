/**
 * Registers the pipeline's typed search attributes. Upserting an unregistered attribute fails the
 * workflow task, so the worker registers them at start-up and tells the workflow whether it may.
 */
import type { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { SEARCH_ATTRIBUTES } from '../contract';

const { IndexedValueType } = temporal.api.enums.v1;

export const SEARCH_ATTRIBUTE_TYPES: Record<string, 'Keyword' | 'Double'> = {
  [SEARCH_ATTRIBUTES.step]: 'Keyword',
  [SEARCH_ATTRIBUTES.status]: 'Keyword',
  [SEARCH_ATTRIBUTES.trigger]: 'Keyword',
  [SEARCH_ATTRIBUTES.modelRef]: 'Keyword',
  [SEARCH_ATTRIBUTES.testAuc]: 'Double',
};

/** `--search-attribute` flags for `temporal server start-dev`. */
export function devServerSearchAttributeArgs(): string[] {
  return Object.entries(SEARCH_ATTRIBUTE_TYPES).flatMap(([name, type]) => [
    '--search-attribute',
    `${name}=${type}`,
  ]);
}

export async function ensureSearchAttributes(connection: Connection, namespace: string): Promise<boolean> {
  const wanted = Object.keys(SEARCH_ATTRIBUTE_TYPES);
  const existing = async () =>
    (await connection.operatorService.listSearchAttributes({ namespace })).customAttributes ?? {};
  try {
    const have = await existing();
    const missing = wanted.filter((n) => !(n in have));
    if (missing.length > 0) {
      await connection.operatorService.addSearchAttributes({
        namespace,
        searchAttributes: Object.fromEntries(
          missing.map((n) => [
            n,
            SEARCH_ATTRIBUTE_TYPES[n] === 'Double'
              ? IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE
              : IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
          ]),
        ),
      });
    }
    const after = await existing();
    return wanted.every((n) => n in after);
  } catch {
    return false;
  }
}
