/**
 * check_data: the reference's deterministic checks, the data contract inferred from the reference
 * dataset, and KS drift tests against it. Every failure is listed, a drift or contract failure with
 * the command that accepts the data as the new reference; a failed check publishes nothing and
 * moves no alias.
 */
import { ApplicationFailure } from '@temporalio/activity';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ARTIFACTS } from '../contract';
import { parseRef } from '../store/refs';
import { AliasConflictError, ArtifactNotFoundError } from '../store/errors';
import { readTable, type Table } from '../ml';
import { checkContract, inferContract, summarizeContract, type ContractResult } from '../checks/contract';
import {
  formatFailures,
  ksFailures,
  runDeterministicChecks,
  runKsChecks,
  type CheckFailure,
  type KsReport,
} from '../checks/data-checks';
import type { ActivityDeps } from './deps';
import type { StepActivityInput, StepOutcome } from './types';
import { fetchArtifact, publishArtifact, tableFile } from './artifact-io';
import { deterministic } from './failures';
import { runStep } from './step-context';
import { datasetTarget, featurePlan } from './dataset';
import { acceptReferenceCommand } from './accept-reference';
import { publishContract, referenceContract, type ReferenceContract } from './reference-contract';

/** Failures that accepting the data as the new reference resolves (the config's own rules stay). */
function resolvedByNewReference(f: CheckFailure): boolean {
  return f.check === 'ks_drift' || f.check.startsWith('contract_');
}

/** Columns the KS test cannot compare: gone, or no longer numeric. */
function unusableColumns(failures: CheckFailure[]): Set<string | undefined> {
  return new Set(
    failures.filter((f) => f.check === 'contract_column' || f.check === 'contract_type').map((f) => f.column),
  );
}

export function createCheckData(deps: ActivityDeps) {
  return (input: StepActivityInput): Promise<StepOutcome> =>
    runStep('check_data', deps.workDir, async (run) => {
      const { config } = input;
      const store = await deps.storeFor(config);
      const data = await fetchArtifact(store, input.inputs.data, run.scratch);
      const consumed = [data.resolved];
      const table = await deterministic(data.version.ref, () =>
        readTable(tableFile(data.dir, data.version), { naValues: config.data.na_values }),
      );
      const target = await deterministic(data.version.ref, () => datasetTarget(config, table));
      const failures = runDeterministicChecks(table, config.check_data, target);

      const explicitFailed = failures.length > 0;

      const ksColumns =
        config.check_data.ks_columns ??
        (await deterministic(data.version.ref, () => featurePlan(config, table, target))).features.numerical;
      const referenceRef = config.data.reference_dataset;
      let referenceVersion;
      try {
        referenceVersion = await store.resolve(referenceRef);
      } catch (err) {
        if (!(err instanceof ArtifactNotFoundError)) throw err;
      }
      const parsedReference = parseRef(referenceRef);
      const referenceAlias = parsedReference.alias;
      // With no reference yet, this data becomes it (below) when the reference is an alias of its artifact.
      const canTag =
        referenceAlias !== undefined &&
        parsedReference.name === data.version.name &&
        referenceAlias !== 'latest';

      // The reference table is read once, by whichever of the contract and the KS tests needs it first.
      let referenceTable: Promise<Table> | undefined;
      const readReference = (): Promise<Table> =>
        (referenceTable ??= fetchArtifact(store, referenceRef, run.scratch).then((ref) => {
          consumed.push(ref.resolved);
          return deterministic(ref.version.ref, () =>
            readTable(tableFile(ref.dir, ref.version), { naValues: config.data.na_values }),
          );
        }));

      let contract: (ReferenceContract & { result: ContractResult }) | undefined;
      const contractDataset = referenceVersion ?? (canTag ? data.version : undefined);
      if (config.check_data.contract && contractDataset) {
        const found = await referenceContract(store, contractDataset, run.scratch, async () => {
          const source = contractDataset.ref === data.version.ref ? table : await readReference();
          return deterministic(`data contract of ${contractDataset.ref}`, () =>
            inferContract(source, target, contractDataset),
          );
        });
        if (found.stored) consumed.push(found.stored);
        const result = await deterministic(`data contract of ${found.contract.dataset}`, () =>
          checkContract(table, found.contract, config.check_data),
        );
        contract = { ...found, result };
        failures.push(...result.violations);
      }

      let ks: KsReport | undefined;
      if (referenceVersion && !explicitFailed) {
        const unusable = unusableColumns(failures);
        const columns = ksColumns.filter((c) => !unusable.has(c));
        const reference = await readReference();
        ks = await deterministic(`KS tests against ${referenceVersion.ref}`, () =>
          runKsChecks(table, reference, columns, config.data.ks_alpha, referenceVersion.ref),
        );
        failures.push(...ksFailures(ks));
      }

      if (failures.length > 0) {
        const acceptable = failures.filter(resolvedByNewReference).length;
        const accept =
          acceptable === 0
            ? ''
            : `\n${
                acceptable === failures.length
                  ? 'If this data is right'
                  : `${failures.length - acceptable} failure(s) break the config's check_data rules, which a new reference does not change; if the data is right otherwise`
              }, accept it as the new reference (the data contract follows it):\n  ${acceptReferenceCommand(config, data.version, referenceVersion?.version)}`;
        throw ApplicationFailure.create({
          type: 'CheckFailed',
          message: `check_data: ${failures.length} check(s) failed on ${data.version.ref}:\n${formatFailures(failures)}${accept}`,
          nonRetryable: true,
          details: [{ failures }],
        });
      }

      // First run: no reference yet, so this data becomes it (CAS: only if still absent).
      let referenceTagged: string | undefined;
      if (!referenceVersion) {
        const alias = referenceAlias;
        if (alias !== undefined && canTag) {
          try {
            await store.moveAlias(data.version.name, alias, data.version.version, {
              expected: null,
              reason: 'first run: no reference dataset yet',
              actor: run.producer.workflowId,
            });
          } catch (err) {
            if (!(err instanceof AliasConflictError)) throw err;
            // A concurrent first run tagged its data first: this data must now pass the drift
            // checks against that reference, which a new attempt of this step runs.
            throw ApplicationFailure.retryable(
              `${referenceRef} was set by a concurrent run while this one checked; checking again against it`,
              'ReferenceRaced',
            );
          }
          referenceTagged = `${data.version.name}:${alias} → ${data.version.ref}`;
        }
      }

      const produced = [];
      if (contract && !contract.stored)
        produced.push(
          await publishContract(store, contract.contract, contract.aliasVersion, run.producer, run.scratch),
        );
      const contractRef = contract ? (contract.stored ?? produced[0]).ref : null;

      const report = {
        data: data.resolved,
        rows: table.nRows,
        deterministic: {
          passed: true,
          checks: ['min_rows', 'column_presence', 'column_type', 'finite', 'class_names', 'range'],
        },
        contract: contract
          ? {
              ref: contractRef,
              dataset: contract.contract.dataset,
              rules: contract.result.rules,
              given: contract.result.given,
              notes: contract.result.notes,
              columns: contract.contract.columns,
            }
          : null,
        ks: ks ?? null,
        referenceTagged: referenceTagged ?? null,
      };
      const reportFile = join(run.scratch, 'check_report.json');
      await writeFile(reportFile, JSON.stringify(report, null, 2));
      const reportRef = await publishArtifact(store, {
        name: ARTIFACTS.checkReport,
        type: 'check_report',
        description: `Data checks of ${data.version.ref}`,
        producer: run.producer,
        files: [{ path: 'check_report.json', source: reportFile }],
      });
      const ksSummary = ks
        ? `KS ${ks.columns.length} columns vs ${ks.reference}, min p = ${Math.min(...ks.columns.map((c) => c.pValue)).toPrecision(3)}`
        : referenceTagged
          ? `no reference yet: tagged ${referenceTagged}`
          : `no reference dataset (${referenceRef})`;
      const notes = contract?.result.notes.length ?? 0;
      const contractSummary = contract
        ? `contract ${summarizeContract(contract.contract, contract.result)}${notes ? `, ${notes} note(s) in the report` : ''}; `
        : '';
      return {
        step: 'check_data',
        consumed,
        produced: [reportRef, ...produced],
        summary: `all checks passed on ${table.nRows} rows; ${contractSummary}${ksSummary}`,
        details: {
          referenceTagged,
          ks: ks ? { alphaCorrected: ks.alphaCorrected } : undefined,
          contract: contract ? { ref: contractRef, rules: contract.result.rules } : undefined,
        },
      };
    });
}
