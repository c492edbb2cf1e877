/**
 * check_data: the reference's deterministic checks plus KS drift tests against the reference
 * dataset. Every failure is listed; a failed check publishes nothing and moves no alias.
 */
import { ApplicationFailure } from '@temporalio/activity';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ARTIFACTS } from '../contract';
import { parseRef } from '../store/refs';
import { AliasConflictError, ArtifactNotFoundError } from '../store/errors';
import { readTable } from '../ml';
import {
  formatFailures,
  ksFailures,
  runDeterministicChecks,
  runKsChecks,
  type KsReport,
} from '../checks/data-checks';
import type { ActivityDeps } from './deps';
import type { StepActivityInput, StepOutcome } from './types';
import { fetchArtifact, publishArtifact, tableFile } from './artifact-io';
import { deterministic } from './failures';
import { runStep } from './step-context';
import { datasetTarget, featurePlan } from './dataset';

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

      const ksColumns =
        config.check_data.ks_columns ??
        (await deterministic(data.version.ref, () => featurePlan(config, table, target))).features.numerical;
      const referenceRef = config.data.reference_dataset;
      let ks: KsReport | undefined;
      let referenceVersion;
      try {
        referenceVersion = await store.resolve(referenceRef);
      } catch (err) {
        if (!(err instanceof ArtifactNotFoundError)) throw err;
      }
      if (referenceVersion && failures.length === 0) {
        const ref = await fetchArtifact(store, referenceRef, run.scratch);
        consumed.push(ref.resolved);
        ks = await deterministic(`KS tests against ${ref.version.ref}`, async () => {
          const reference = await readTable(tableFile(ref.dir, ref.version), {
            naValues: config.data.na_values,
          });
          return runKsChecks(table, reference, ksColumns, config.data.ks_alpha, ref.version.ref);
        });
        failures.push(...ksFailures(ks));
      }

      if (failures.length > 0) {
        throw ApplicationFailure.create({
          type: 'CheckFailed',
          message: `check_data: ${failures.length} check(s) failed on ${data.version.ref}:\n${formatFailures(failures)}`,
          nonRetryable: true,
          details: [{ failures }],
        });
      }

      // First run: no reference yet, so this data becomes it (CAS: only if still absent).
      let referenceTagged: string | undefined;
      if (!referenceVersion) {
        const parsed = parseRef(referenceRef);
        const alias = parsed.alias;
        if (alias !== undefined && parsed.name === data.version.name && alias !== 'latest') {
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

      const report = {
        data: data.resolved,
        rows: table.nRows,
        deterministic: {
          passed: true,
          checks: ['min_rows', 'column_presence', 'column_type', 'finite', 'class_names', 'range'],
        },
        ks: ks ?? null,
        referenceTagged: referenceTagged ?? null,
      };
      const reportFile = join(run.scratch, 'check_report.json');
      await writeFile(reportFile, JSON.stringify(report, null, 2));
      const produced = await publishArtifact(store, {
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
      return {
        step: 'check_data',
        consumed,
        produced: [produced],
        summary: `all checks passed on ${table.nRows} rows; ${ksSummary}`,
        details: { referenceTagged, ks: ks ? { alphaCorrected: ks.alphaCorrected } : undefined },
      };
    });
}
