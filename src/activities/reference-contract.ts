/**
 * Store I/O of the data contract. A contract is keyed by the reference dataset version it was
 * inferred from (its metadata names that version and digest), and `data_contract:reference` points
 * at the current one. When the reference dataset moves, the stored contract no longer matches and
 * a new one is inferred from the new reference: accepting new data is one alias move.
 */
import { ApplicationFailure } from '@temporalio/activity';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ARTIFACTS, type ResolvedRef } from '../contract';
import { CONTRACT_FORMAT, type DataContract } from '../checks/contract';
import { AliasConflictError, ArtifactNotFoundError } from '../store/errors';
import type { ArtifactStore, ArtifactVersion, Producer } from '../store/types';
import { fetchArtifact, publishArtifact } from './artifact-io';

export const CONTRACT_ALIAS = 'reference';
export const CONTRACT_REF = `${ARTIFACTS.dataContract}:${CONTRACT_ALIAS}`;
const CONTRACT_FILE = 'data_contract.json';

export interface StoredContract {
  /** The stored contract of `dataset`, when there is one. */
  found?: { contract: DataContract; resolved: ResolvedRef };
  /** Where data_contract:reference points now (null: nowhere), for the compare-and-swap move. */
  aliasVersion: number | null;
}

/** The stored contract of `dataset`, if data_contract:reference is the one inferred from it. */
export async function findStoredContract(
  store: ArtifactStore,
  dataset: ArtifactVersion,
  scratch: string,
): Promise<StoredContract> {
  let version: ArtifactVersion;
  try {
    version = await store.resolve(CONTRACT_REF);
  } catch (err) {
    if (err instanceof ArtifactNotFoundError) return { aliasVersion: null };
    throw err;
  }
  const meta = version.metadata;
  if (meta.dataset !== dataset.ref || meta.datasetDigest !== dataset.digest)
    return { aliasVersion: version.version };
  const fetched = await fetchArtifact(store, CONTRACT_REF, scratch);
  const contract = JSON.parse(await readFile(join(fetched.dir, CONTRACT_FILE), 'utf8')) as DataContract;
  if (contract.format !== CONTRACT_FORMAT)
    throw ApplicationFailure.create({
      type: 'DataError',
      message: `${fetched.version.ref} is a data contract of format ${String(contract.format)}; this mlpipe reads format ${CONTRACT_FORMAT}: upgrade mlpipe, or move ${CONTRACT_REF} to a contract it reads`,
      nonRetryable: true,
    });
  return { found: { contract, resolved: fetched.resolved }, aliasVersion: version.version };
}

/**
 * Publishes a just-inferred contract and points data_contract:reference at it (compare-and-swap
 * from `aliasVersion`). A concurrent run that moved the alias first is retried, like a raced
 * reference dataset: the retry finds that run's contract.
 */
export async function publishContract(
  store: ArtifactStore,
  contract: DataContract,
  aliasVersion: number | null,
  producer: Producer,
  scratch: string,
): Promise<ResolvedRef> {
  const file = join(scratch, CONTRACT_FILE);
  await writeFile(file, JSON.stringify(contract, null, 2) + '\n');
  const produced = await publishArtifact(store, {
    name: ARTIFACTS.dataContract,
    type: 'data_contract',
    description: `Data contract inferred from ${contract.dataset}`,
    metadata: { dataset: contract.dataset, datasetDigest: contract.datasetDigest },
    producer,
    files: [{ path: CONTRACT_FILE, source: file }],
  });
  if (produced.version === aliasVersion) return produced;
  try {
    await store.moveAlias(ARTIFACTS.dataContract, CONTRACT_ALIAS, produced.version, {
      expected: aliasVersion,
      reason: `the contract of the reference dataset ${contract.dataset}`,
      actor: producer.workflowId,
    });
  } catch (err) {
    if (!(err instanceof AliasConflictError)) throw err;
    throw ApplicationFailure.retryable(
      `${CONTRACT_REF} was moved by a concurrent run while this one checked; checking again against it`,
      'ReferenceRaced',
    );
  }
  return produced;
}

export interface ReferenceContract {
  contract: DataContract;
  /** Set when loaded from the store; absent when just inferred (published once the check passes). */
  stored?: ResolvedRef;
  aliasVersion: number | null;
}

/** The contract of `dataset`: the stored one, else inferred now by `infer` (lazily, as it reads a table). */
export async function referenceContract(
  store: ArtifactStore,
  dataset: ArtifactVersion,
  scratch: string,
  infer: () => Promise<DataContract>,
): Promise<ReferenceContract> {
  const { found, aliasVersion } = await findStoredContract(store, dataset, scratch);
  if (found) return { contract: found.contract, stored: found.resolved, aliasVersion };
  return { contract: await infer(), aliasVersion };
}
